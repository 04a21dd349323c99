"""Stage 2: a Document → Sentences.

Newspaper pages break sentences in the middle for photo captions and page breaks
("…县里已形成以" · captions · "甲、乙等企业为龙头的…"). Lines are classed as body,
heading or caption; a body line that does not end a sentence continues in the next body
line, whatever captions stand between. Captions and headings become sentences of their
own (they name companies and places too). Normalisation maps one character to one
character, so offsets into the normalised text map straight back to the document.
"""
from __future__ import annotations

import re

from ..model.names import normalise
from ..model.records import Document, Sentence

CLAUSE_MARKS = frozenset(",;:!?、。")
SENTENCE_END = frozenset("。!?")
LINE_END = SENTENCE_END | frozenset(";:…")
CLOSERS = frozenset("\"')】》")
BOLD = "**"

_BYLINE = re.compile(r"^[\u4e00-\u9fff]{2,4}(?:\s+[\u4e00-\u9fff]{2,4})*$")
_PLACE_COLON_TITLE = re.compile(r"^[^,，。]{2,8}[:：]")
_CREDIT = re.compile(r"(?:图片由.{1,60}提供|供图|\s摄\s*$|摄影[:：])")
_WORD_TAIL = re.compile(r"^[\u4e00-\u9fff]{1,2}[,。;]")
_PARENTHESISED = re.compile(r"^\s*[(（].*[)）]\s*$")


def split_sentences(doc: Document) -> list[Sentence]:
    """Sentences, headings and captions of the document, in document order."""
    lines = _lines(doc.text)
    units: list[tuple[str, list[tuple[int, int]]]] = []
    pending: list[tuple[int, int]] = []
    for i, (kind, start, end) in enumerate(_classify(doc.text, lines)):
        if kind == "body":
            pending.extend(_without_bold(doc.text, start, end))
            if _ends_sentence(doc.text[start:end]):
                units.append(("body", pending))
                pending = []
            continue
        if kind == "heading" and doc.text[start] == "#" and pending:
            units.append(("body", pending))   # a markdown heading always closes a paragraph
            pending = []
        units.append((kind, _without_bold(doc.text, start, end)))
    if pending:
        units.append(("body", pending))

    sentences: list[Sentence] = []
    for kind, segments in sorted(units, key=lambda unit: unit[1][0][0] if unit[1] else 0):
        text, offsets = _assemble(doc.text, segments)
        pieces = _split(text) if kind == "body" else [(0, len(text))]
        for a, b in pieces:
            a, b = _trim(text, a, b)
            if a < b:
                sentences.append(Sentence(len(sentences), text[a:b], tuple(offsets[a:b]), kind))
    return sentences


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line, trailing white space excluded."""
    spans = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        stripped = body.rstrip()
        lead = len(body) - len(body.lstrip())
        if stripped.strip():
            spans.append((pos + lead, pos + len(stripped)))
        pos += len(raw)
    return spans


def _classify(text: str, lines: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    classified = []
    for i, (start, end) in enumerate(lines):
        line = normalise(text[start:end])
        kind = _line_kind(line)
        following = normalise(text[slice(*lines[i + 1])]) if i + 1 < len(lines) else ""
        if kind == "body" and not _ends_sentence(line):
            if _BYLINE.match(following) or (_PLACE_COLON_TITLE.match(line) and len(line) <= 40):
                kind = "heading"   # a title: "衢州:乘数而上,点燃…" above the byline
        elif kind != "body" and not line.startswith("#") and _WORD_TAIL.match(following):
            kind = "body"          # "…网络建" / "设,协同…": a page break inside a word
        elif kind == "caption" and _BYLINE.match(following) and len(following) <= 12:
            kind = "heading"       # a title line above the byline
        classified.append((kind, start, end))
    return classified


def _line_kind(line: str) -> str:
    if line.startswith("#"):
        return "heading"
    if _CREDIT.search(line) and len(line) <= 60:
        return "credit"            # photo credits and bylines of photos (short lines): not the article's text
    if _PARENTHESISED.match(line):
        return "caption"
    if any(ch in CLAUSE_MARKS for ch in line.replace(BOLD, "")):
        return "body"
    return "caption" if len(line) > 12 or " " in line else "heading"


def _ends_sentence(line: str) -> bool:
    line = normalise(line).replace(BOLD, "").rstrip()
    while line and line[-1] in CLOSERS:
        line = line[:-1]
    return bool(line) and line[-1] in LINE_END


def _without_bold(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The line as segments with markdown bold markers and heading hashes cut out."""
    while start < end and text[start] in "# ":
        start += 1
    segments = []
    pos = start
    while pos < end:
        hit = text.find(BOLD, pos, end)
        if hit < 0:
            segments.append((pos, end))
            break
        if hit > pos:
            segments.append((pos, hit))
        pos = hit + len(BOLD)
    return segments


def _assemble(text: str, segments: list[tuple[int, int]]) -> tuple[str, list[int]]:
    parts, offsets = [], []
    for start, end in segments:
        parts.append(text[start:end])
        offsets.extend(range(start, end))
    return normalise("".join(parts)), offsets


def _split(text: str) -> list[tuple[int, int]]:
    pieces, start, i = [], 0, 0
    while i < len(text):
        if text[i] in SENTENCE_END:
            i += 1
            while i < len(text) and (text[i] in CLOSERS or text[i] in SENTENCE_END):
                if text[i] == '"' and text.count('"', 0, i) % 2 == 0:
                    break         # …先行地。"某某"体系…: a quote that opens the next sentence
                i += 1
            pieces.append((start, i))
            start = i
        else:
            i += 1
    if start < len(text):
        pieces.append((start, len(text)))
    return pieces


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b
