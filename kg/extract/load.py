"""Stage 1: a folder of articles → Documents.

A file that cannot be read as text (empty, binary, not UTF-8) is reported by name and
skipped; the others load. Optional `metadata.csv` in the folder gives title, the places
the article is about, source, date, publisher and URL; where it is silent, the article's own
header lines (发布时间, 来源, the headline) do.
"""
from __future__ import annotations

import csv
import hashlib
import re
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
        header = read_header(text)
        documents.append(Document(
            name=name,
            text=text,
            content_hash=hashlib.sha256(raw).hexdigest(),
            title=meta.get("title") or header["title"],
            source=meta.get("source", ""),
            about=tuple(p.strip() for p in meta.get("place", "").split("|") if p.strip()),
            date=iso_date(meta.get("date") or "") or header["date"],
            publisher=meta.get("publisher") or header["publisher"],
            url=meta.get("url") or header["url"],
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


# Header lines of web articles: "发布时间：2019-08-08 来源：中国临安", "日期:2023年3月5日", "原文链接：http…".
_FIELD = re.compile(r"(发布时间|发布日期|发稿时间|时间|日期|来源|稿源|出处|原文链接|原文地址|链接|网址|URL)\s*[:：]\s*",
                    re.IGNORECASE)
_DATE = re.compile(r"((?:19|20)\d{2})\s*(?:[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?月?)?")
_URL = re.compile(r"https?://\S+")
_SENTENCE = re.compile(r"[，。；！？,;]")
HEADER_LINES = 12   # header fields come before the article's body
HEADER_WIDTH = 120  # and are short lines, not sentences of it


def read_header(text: str) -> dict[str, str]:
    """Title, date (ISO, to the precision given), publisher and URL from an article's own header
    lines; "" for what it does not say. The title is the first line that is not a header field."""
    found = {"title": "", "date": "", "publisher": "", "url": ""}
    for line in [ln.strip().lstrip("#").strip() for ln in text.splitlines() if ln.strip()][:HEADER_LINES]:
        fields = list(_FIELD.finditer(line)) if len(line) <= HEADER_WIDTH else []
        if fields and _SENTENCE.search(line[:fields[0].start()]):
            fields = []   # "……，时间：" is a sentence of the body, not a header field
        if not fields or fields[0].start() > 0:
            if not found["title"] and not fields:
                found["title"] = line
            if not fields:
                continue
        for i, field in enumerate(fields):
            value = line[field.end():fields[i + 1].start() if i + 1 < len(fields) else len(line)].strip()
            name = field.group(1).upper()
            if name in ("来源", "稿源", "出处") and not found["publisher"]:
                found["publisher"] = re.split(r"\s{2,}|\s+(?:作者|编辑|记者)", value)[0].strip()
            elif name in ("原文链接", "原文地址", "链接", "网址", "URL") and not found["url"]:
                url = _URL.search(value)
                found["url"] = url.group(0) if url else ""
            elif not found["date"] and name not in ("来源", "稿源", "出处"):
                found["date"] = iso_date(value)
    return found


def iso_date(value: str) -> str:
    """"2019-08-08", "2019/8/8", "2019年8月8日", "2019年8月", "2019" → ISO to that precision; "" if none."""
    match = _DATE.search(value)
    if match is None:
        return ""
    year, month, day = match.groups()
    if month and not 1 <= int(month) <= 12:
        return year
    if day and not 1 <= int(day) <= 31:
        day = None
    return year + (f"-{int(month):02d}" if month else "") + (f"-{int(day):02d}" if month and day else "")


def read_metadata(path: Path) -> dict[str, dict[str, str]]:
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["file"]: row for row in csv.DictReader(handle) if row.get("file")}
