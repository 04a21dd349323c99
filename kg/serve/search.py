"""Finding entities by any of their names: labels, aliases, Chinese or English, fuzzily.

The index holds every name of every entity of the graph (rdfs:label, skos:prefLabel,
skos:altLabel, a document's dcterms:title). A query is compared with each name in the
form names are compared in everywhere (`compare_key`: NFKC, full/half-width, quotes),
lower-cased: a whole name beats a prefix, a prefix beats a part, and the rest is ranked by
the character bigrams the two share (which suits Chinese, where words are not spaced, and
catches typos in English). Entities named in more documents come first among equals.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model.errors import KGError
from ..model.names import compare_key
from .page_queries import page_query

# Below this similarity a name is not offered at all.
_MIN_SIMILARITY = 0.34
# Rows fetched per query when the index loads: under any result limit a server is run with.
_PAGE = 500


@dataclass(frozen=True)
class Hit:
    iri: str
    label: str          # the entity's display name (its zh label, else any)
    label_en: str
    cls: str            # local name of its most specific kg class
    matched: str        # the name the query matched
    score: float

    def as_dict(self) -> dict:
        return {"iri": self.iri, "label": self.label, "en": self.label_en, "cls": self.cls,
                "matched": self.matched, "score": round(self.score, 3)}


def _every_row(run, query: str, order: str) -> list[dict]:
    """All rows of `query`: in one answer if the server gives that many, else a page at a
    time, so that a graph with more names than the server's result limit still loads (the
    limit guards answers to clients, not this). One answer first: each page sorts the whole
    result again (13 pages of the seeds' names took rdflib 22 s, one answer 0.9 s)."""
    try:
        return run(f"{query}\nORDER BY {order}").rows
    except KGError:     # past the server's result limit (or its time for one answer)
        pass
    rows: list[dict] = []
    while True:
        page = run(f"{query}\nORDER BY {order} LIMIT {_PAGE} OFFSET {len(rows)}").rows
        rows.extend(page)
        if len(page) < _PAGE:
            return rows


def _key(text: str) -> str:
    return " ".join(compare_key(text).lower().split())


def _grams(key: str) -> frozenset[str]:
    key = key.replace(" ", "")
    if len(key) < 2:
        return frozenset([key]) if key else frozenset()
    return frozenset(key[i:i + 2] for i in range(len(key) - 1))


@dataclass(frozen=True)
class _Name:
    iri: str
    text: str
    key: str
    grams: frozenset[str]


def similarity(query: str, name: str) -> float:
    """How well `query` names `name`, from 0 to 1 (both already in `_key` form)."""
    if not query or not name:
        return 0.0
    if query.replace(" ", "") == name.replace(" ", ""):
        return 1.0
    if name.startswith(query):
        return 0.9 + 0.05 * len(query) / len(name)
    if query in name:
        return 0.75 + 0.1 * len(query) / len(name)
    # A name inside a longer query: 金华 in 金华市政府; an English name only as whole words.
    if len(name) >= 2 and (f" {name} " in f" {query} " if name.isascii() else name in query):
        return 0.55 + 0.2 * len(name) / len(query)
    a, b = _grams(query), _grams(name)
    return 0.7 * (2 * len(a & b) / (len(a) + len(b))) if a and b else 0.0


class SearchIndex:
    """Every name of every entity, searchable; built once from the graph."""

    # The class shown for an entity with several (a County is also a Place).
    _SPECIFIC = ("City", "County", "Town", "Province", "Company", "ResearchInstitute", "GovernmentBody",
                 "Association", "IndustrialPark", "DataCenter", "DigitalPlatform", "Industry", "Policy", "Project",
                 "Document", "Place", "Organization", "Platform")

    def __init__(self, rows: list[dict], mentions: dict[str, int]) -> None:
        classes: dict[str, set[str]] = {}
        labels: dict[str, dict[str, str]] = {}
        names: dict[tuple[str, str], _Name] = {}
        for row in rows:
            iri, text = str(row["e"]), str(row["name"])
            classes.setdefault(iri, set()).add(str(row["class"]).rsplit("#", 1)[-1])
            if row.get("main"):
                lang = getattr(row["name"], "language", None) or ""
                labels.setdefault(iri, {}).setdefault(lang, text)
            key = _key(text)
            if key and (iri, key) not in names:
                names[(iri, key)] = _Name(iri, text, key, _grams(key))
        self.names = list(names.values())
        self.classes = {iri: next((c for c in self._SPECIFIC if c in found), sorted(found)[0])
                        for iri, found in classes.items()}
        self.labels = labels
        self.mentions = mentions

    @classmethod
    def from_store(cls, run) -> "SearchIndex":
        """`run(sparql)` answers a query (a store's or a query pool's)."""
        rows = _every_row(run, page_query("names"), "?e ?name ?class")
        mentions = {str(r["e"]): int(r["docs"]) for r in _every_row(run, page_query("mentions"), "?e")}
        return cls(rows, mentions)

    def label(self, iri: str, lang: str = "zh") -> str:
        found = self.labels.get(iri, {})
        if lang == "zh":
            return found.get("zh") or next(iter(found.values()), "")
        return found.get(lang, "")

    def search(self, query: str, limit: int = 10, namespace: str | None = None) -> list[Hit]:
        wanted = _key(query)
        if not wanted:
            return []
        best: dict[str, tuple[float, str]] = {}
        for name in self.names:
            if namespace and not name.iri.startswith(namespace):
                continue
            score = similarity(wanted, name.key)
            if score >= _MIN_SIMILARITY and score > best.get(name.iri, (0.0, ""))[0]:
                best[name.iri] = (score, name.text)
        ranked = sorted(best.items(), key=lambda item: (-round(item[1][0], 2), -self.mentions.get(item[0], 0),
                                                        len(item[1][1]), item[0]))
        return [Hit(iri, self.label(iri) or matched, self.label(iri, "en"), self.classes.get(iri, ""), matched, score)
                for iri, (score, matched) in ranked[:limit]]
