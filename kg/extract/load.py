"""Stage 1: a folder of articles → Documents.

Every `*.txt` under the folder is read, in name order, as UTF-8, UTF-16/32 (with or
without a byte-order mark) or one of the Chinese encodings (GB18030 and its subsets GBK
and GB2312, Big5), detected by charset-normalizer; the encoding is kept with the
document. Whatever cannot be read is reported by name with the reason and skipped, and
the rest loads: empty, binary or too large files, files in other encodings, folders that
cannot be listed, and links that lead out of the folder (not followed: a link to
/etc/passwd must not put it into the graph). Optional `metadata.csv` in the folder gives
title, the places the article is about, source, date, publisher and URL; where it is silent,
the article's own header lines (发布时间, 来源, the headline) do.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import stat
import time
from pathlib import Path
from typing import Callable, Iterator

from ..model.errors import KGError
from ..model.records import Document, LoadProblem

METADATA_FILE = "metadata.csv"
METADATA_COLUMNS = ("file", "title", "place", "source", "date", "publisher", "url")
DEFAULT_MAX_BYTES = 8 * 2**20   # a long government report is ~1 MB; past this it is no single article
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")     # C0 controls but tab, line feed, carriage return
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
# What charset-normalizer may answer for a Chinese article → the codec that reads it: the
# GB family as GB18030, its superset (a GBK file can use GB18030's extra characters).
_ENCODINGS = {"gb18030": "gb18030", "gbk": "gb18030", "gb2312": "gb18030", "hz": "hz", "big5": "big5hkscs",
              "big5hkscs": "big5hkscs", "cp950": "big5hkscs", "utf_16": "utf-16", "utf_16_le": "utf-16-le",
              "utf_16_be": "utf-16-be", "utf_32": "utf-32", "utf_32_le": "utf-32-le", "utf_32_be": "utf-32-be"}


def load_corpus(folder: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[list[Document], list[LoadProblem]]:
    """Read every `*.txt` under `folder` (sorted by name, so the order is stable)."""
    documents: list[Document] = []
    problems: list[LoadProblem] = []
    for item in iter_corpus(folder, max_bytes):
        (problems if isinstance(item, LoadProblem) else documents).append(item)
    return documents, problems


def iter_corpus(folder: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document | LoadProblem]:
    """The documents and problems of `folder` in name order, one file read at a time."""
    for item, _ in scan_corpus(folder, max_bytes):
        yield item


Remembered = Callable[[str, str], "Document | None"]   # (name, signature) → the document as read before


def scan_corpus(folder: Path, max_bytes: int = DEFAULT_MAX_BYTES, remembered: Remembered | None = None
                ) -> Iterator[tuple[Document | LoadProblem, str]]:
    """(document or problem, the file's signature) of `folder` in name order. A file whose
    signature `remembered` knows is not read: its document as read before comes back, with
    text "" (the build's index of the corpus; a signature is "" for a file it must not trust)."""
    folder = Path(folder)
    if not folder.exists():
        raise KGError(f"corpus folder not found: {folder}")
    if not folder.is_dir():
        raise KGError(f"the corpus {folder} is a file, not a folder")
    try:
        os.listdir(folder)
    except OSError as exc:
        raise KGError(f"cannot read the corpus folder {folder}: {exc.strerror}") from None
    metadata = read_metadata(folder / METADATA_FILE)
    paths, problems = _article_paths(folder)
    items: list[tuple[str, Path | LoadProblem]] = [(n, p) for n, p in paths] + [(p.path, p) for p in problems]
    for name, item in sorted(items, key=lambda pair: pair[0]):
        if isinstance(item, LoadProblem):
            yield item, ""
        else:
            yield _read_article(item, name, metadata.get(name, {}), max_bytes, remembered)


def _article_paths(folder: Path) -> tuple[list[tuple[str, Path]], list[LoadProblem]]:
    """(name, path) of every `*.txt` file under `folder`, and what could not be looked at."""
    root = folder.resolve()
    found: list[tuple[str, Path]] = []
    problems: list[LoadProblem] = []

    def unreadable(error: OSError) -> None:
        name = Path(error.filename).relative_to(folder).as_posix() + "/"
        problems.append(LoadProblem(name, f"folder cannot be read ({error.strerror}); its files were skipped"))

    for here, dirs, files in os.walk(folder, onerror=unreadable):
        base = Path(here)
        dirs.sort()
        for entry in sorted(dirs):
            path = base / entry
            if path.is_symlink() and not _inside(path, root):
                problems.append(LoadProblem(path.relative_to(folder).as_posix() + "/",
                                            f"link to a folder outside the input folder ({os.readlink(path)}); "
                                            "not followed"))
        for entry in files:
            if not entry.endswith(".txt"):
                continue
            path = base / entry
            name = path.relative_to(folder).as_posix()
            if path.is_symlink() and not _inside(path, root):
                problems.append(LoadProblem(name, f"link to a file outside the input folder ({os.readlink(path)}); "
                                                  "not followed"))
                continue
            found.append((name, path))
    return found, problems


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):   # a link loop
        return False


def read_article(path: Path, name: str, meta: dict[str, str], max_bytes: int = DEFAULT_MAX_BYTES) -> Document | LoadProblem:
    return _read_article(path, name, meta, max_bytes, None)[0]


# A file changed within the file system's timestamp resolution of its last read can look
# unchanged (git's "racy" entries): one modified this recently gets no signature.
_RACY_NS = 2 * 10**9


def file_signature(info: os.stat_result, meta: dict[str, str]) -> str:
    """What changes when a file's bytes or its metadata row do, without reading it: size,
    modification and change times, inode, and the row."""
    if time.time_ns() - info.st_mtime_ns < _RACY_NS:
        return ""
    row = hashlib.sha256(json.dumps(sorted(meta.items()), ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
    return f"{stat_signature(info)}:{row}"


def stat_signature(info: os.stat_result) -> str:
    """Size, modification and change times and inode: an edit moves the change time even
    when the old modification time is put back."""
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


def _read_article(path: Path, name: str, meta: dict[str, str], max_bytes: int, remembered: Remembered | None
                  ) -> tuple[Document | LoadProblem, str]:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return LoadProblem(name, "not a regular file"), ""
        if info.st_size > max_bytes:
            return LoadProblem(name, f"too large ({_size(info.st_size)}; the limit is {_size(max_bytes)} per document: "
                                     "split it, or raise --max-document-mb)"), ""
        signature = file_signature(info, meta)
        known = remembered(name, signature) if remembered is not None and signature else None
        if known is not None:
            return known, signature
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        return LoadProblem(name, f"cannot be read ({exc.strerror})"), ""
    if len(raw) > max_bytes:   # grew since it was looked at
        return LoadProblem(name, f"too large (over {_size(max_bytes)})"), ""
    text, encoding, reason = decode_article(raw)
    if reason:
        return LoadProblem(name, reason), ""
    header = read_header(text)
    return Document(
        name=name,
        text=text,
        content_hash=hashlib.sha256(raw).hexdigest(),
        title=meta.get("title") or header["title"],
        source=meta.get("source", ""),
        about=tuple(p.strip() for p in meta.get("place", "").split("|") if p.strip()),
        date=iso_date(meta.get("date") or "") or header["date"],
        publisher=meta.get("publisher") or header["publisher"],
        url=meta.get("url") or header["url"],
        encoding=encoding,
    ), signature


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n / 1024:.0f} KB"


def decode_text(raw: bytes) -> tuple[str, str, str]:
    """(text, encoding, "") for bytes in an encoding kg reads, ("", "", reason) otherwise."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding.removesuffix("-sig"), ""
            except UnicodeDecodeError as exc:
                return "", "", f"not {encoding.removesuffix('-sig').upper()} text despite its byte-order mark ({exc.reason})"
    try:
        return raw.decode("utf-8"), "utf-8", ""
    except UnicodeDecodeError as exc:
        not_utf8 = f"invalid byte 0x{raw[exc.start]:02x} at offset {exc.start}"
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    codec = _ENCODINGS.get(best.encoding) if best is not None else None
    if codec is None:
        guess = f" (it looks like {best.encoding}; convert it to UTF-8)" if best is not None else ""
        return "", "", f"not UTF-8 text ({not_utf8}), nor UTF-16, GB18030 or Big5{guess}"
    try:
        return raw.decode(codec), codec, ""
    except UnicodeDecodeError as exc:
        return "", "", f"not UTF-8 text ({not_utf8}), nor {codec.upper()} ({exc.reason} at offset {exc.start})"


def decode_article(raw: bytes) -> tuple[str, str, str]:
    """(text, encoding, "") for a readable article, ("", "", reason) otherwise."""
    if not raw.strip():
        return "", "", "empty file"
    if b"\x00" in raw and not raw.startswith(tuple(b for b, _ in _BOMS)):
        text, encoding = _utf16_without_bom(raw)
        if not text:
            return "", "", "binary file (contains NUL bytes)"
        reason = ""
    else:
        text, encoding, reason = decode_text(raw)
    if reason:
        return "", "", reason
    control = len(_CONTROL.findall(text, 0, 4096))
    if control > 0.05 * min(len(text), 4096):
        return "", "", "binary file (mostly control characters)"
    if not text.strip():
        return "", "", "empty file"
    return text, encoding, ""


def _utf16_without_bom(raw: bytes) -> tuple[str, str]:
    """(text, encoding) if bytes with NULs are UTF-16 or UTF-32 text that lacks a
    byte-order mark (the NULs are the high bytes of its ASCII characters), else ("", "")."""
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    codec = _ENCODINGS.get(best.encoding, "") if best is not None else ""
    if not codec.startswith("utf-"):
        return "", ""
    try:
        return raw.decode(codec), codec
    except UnicodeDecodeError:
        return "", ""


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
    """file name → its row of metadata.csv (columns file, title, place, source, date,
    publisher, url; in any encoding articles may have). A file that cannot be used is an error naming the line."""
    if not path.exists():
        return {}
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KGError(f"cannot read {path}: {exc.strerror}") from None
    text, _, reason = decode_text(raw)
    if reason:
        raise KGError(f"{path}: {reason}")
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    if not reader.fieldnames or "file" not in [f.strip() for f in reader.fieldnames]:
        raise KGError(f"{path}: the first line must name the columns ({', '.join(METADATA_COLUMNS)}); "
                      f"found {', '.join(reader.fieldnames or []) or 'nothing'}")
    rows: dict[str, dict[str, str]] = {}
    try:
        for row in reader:
            row = {(k or "").strip(): (v or "") if isinstance(v, str) else "" for k, v in row.items()}
            if row.get("file"):
                rows[row["file"]] = row
    except csv.Error as exc:
        raise KGError(f"{path}, line {reader.line_num}: {exc}") from None
    return rows
