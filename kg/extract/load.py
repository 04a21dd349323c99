"""Stage 1: a folder of articles → Documents.

A file that cannot be read as text (empty, binary, not UTF-8) is reported by name and
skipped; the others load. Optional `metadata.csv` in the folder gives title, the places
the article is about, and source.
"""
from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from ..model.errors import KGError
from ..model.records import Document, LoadProblem

METADATA_FILE = "metadata.csv"
_CONTROL = set(range(0, 32)) - {9, 10, 13}


def load_corpus(folder: Path) -> tuple[list[Document], list[LoadProblem]]:
    """Read every `*.txt` under `folder` (sorted by name, so the order is stable)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise KGError(f"corpus folder not found: {folder}")
    metadata = read_metadata(folder / METADATA_FILE)
    documents: list[Document] = []
    problems: list[LoadProblem] = []
    for path in sorted(folder.rglob("*.txt")):
        name = path.relative_to(folder).as_posix()
        try:
            raw = path.read_bytes()
        except OSError as exc:
            problems.append(LoadProblem(name, f"cannot be read ({exc.strerror})"))
            continue
        text, reason = decode_article(raw)
        if reason:
            problems.append(LoadProblem(name, reason))
            continue
        meta = metadata.get(name, {})
        documents.append(Document(
            name=name,
            text=text,
            content_hash=hashlib.sha256(raw).hexdigest(),
            title=meta.get("title") or first_line(text),
            source=meta.get("source", ""),
            about=tuple(p.strip() for p in meta.get("place", "").split("|") if p.strip()),
        ))
    return documents, problems


def decode_article(raw: bytes) -> tuple[str, str]:
    """(text, "") for a readable article, ("", reason) otherwise."""
    if not raw.strip():
        return "", "empty file"
    if b"\x00" in raw:
        return "", "binary file (contains NUL bytes)"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return "", f"not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} at offset {exc.start})"
    text = text.removeprefix("\ufeff")
    control = sum(1 for ch in text[:4096] if ord(ch) in _CONTROL)
    if control > 0.05 * min(len(text), 4096):
        return "", "binary file (mostly control characters)"
    if not text.strip():
        return "", "empty file"
    return text, ""


def first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line
    return ""


def read_metadata(path: Path) -> dict[str, dict[str, str]]:
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["file"]: row for row in csv.DictReader(handle) if row.get("file")}
