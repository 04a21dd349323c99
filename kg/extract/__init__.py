"""Extraction: the text of one document → its mentions, relations and figures.

    sentences → tags (the NER model) → mentions → relations, figures

A pure function of the document's text, the extraction code, the rule files and the
reference data; `extractor_version` digests exactly those, so a cached extraction is
reused until one of them changes.
"""
from __future__ import annotations

import hashlib
import time
from functools import cache
from pathlib import Path

from ..model.records import Document, DocumentExtraction
from ..model.resources import reference_file
from ..model.reference import reference
from .context import sentence_contexts
from .figures import find_figures
from .mentions import find_mentions, make_views
from .relations import find_relations
from .sentences import split_sentences
from .tagger import tagger

_KG = Path(__file__).resolve().parent.parent
STAGES = ("text", "ner", "mentions", "relations", "figures")


@cache
def extractor_version() -> str:
    """Changes whenever the extractor's code or reference data change (keys the cache)."""
    digest = hashlib.sha256()
    sources = sorted((_KG / "extract").rglob("*.py")) + sorted((_KG / "model").rglob("*.py"))
    sources += sorted(p for p in (_KG / "rules").rglob("*") if p.is_file())
    sources += sorted(reference_file("industries.ttl").parent.glob("*"))
    for path in sources:
        digest.update(path.relative_to(path.parents[1]).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def extract_document(doc: Document, times: dict[str, float] | None = None) -> DocumentExtraction:
    clock = _Clock(times)
    sentences = split_sentences(doc)
    clock.lap("text")
    tokens = tagger().tag([s.text for s in sentences])
    clock.lap("ner")
    views = make_views(doc, sentences, tokens)
    mentions = find_mentions(views)
    clock.lap("mentions")
    contexts = sentence_contexts(views, mentions, reference().province.key)
    relations = find_relations(contexts)
    clock.lap("relations")
    figures = find_figures(contexts)
    clock.lap("figures")
    return DocumentExtraction(doc, tuple(sentences), tuple(mentions), tuple(relations), tuple(figures))


class _Clock:
    def __init__(self, times: dict[str, float] | None) -> None:
        self.times, self.last = times, time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        if self.times is not None:
            self.times[stage] = self.times.get(stage, 0.0) + now - self.last
        self.last = now


