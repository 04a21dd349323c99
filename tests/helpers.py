"""Run the extraction stages on a hand-written text."""
from __future__ import annotations

import hashlib

from kg.pipeline import extract_document
from kg.types import Document, DocumentExtraction


def extract_text(text: str, name: str = "t.txt") -> DocumentExtraction:
    return extract_document(Document(name, text, hashlib.sha256(text.encode()).hexdigest()))


def mentions(text: str) -> set[tuple[str, str]]:
    return {(m.text, m.label) for m in extract_text(text).mentions}


def relations(text: str) -> set[tuple[str, str, str]]:
    return {(r.subject.text, r.predicate, r.object.text) for r in extract_text(text).relations}


def figures(text: str) -> set[tuple]:
    return {(f.region.text, f.value, f.unit, f.year, f.target) for f in extract_text(text).figures}
