"""Stage 6: mentions of every document → entities with stable IRIs; relations → facts.

Places resolve to the administrative reference data (义乌 → 义乌市, GB/T 2260 330782),
industries to the taxonomy (影视 → 数字影视) or to a concept of their own, programmes to
the programme list. Organisations, platforms and projects of one class are one entity
when one name is a shorter form of another (水晶光电 / 浙江水晶光电科技股份有限公司,
巨化 / 巨化集团); a short name two longer names share stays apart. The canonical name
is the longest (then the smallest in code-point order), so IRIs do not depend on the
order the documents are read in.
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Sequence

from ..model.codes import indicator_code, unit_code
from ..model.names import company_aliases, compare_key, industry_core
from ..model.reference import reference
from ..model.records import (DocumentExtraction, Entity, Fact, Mention, Observation, ResolvedDocument)
from ..model.vocab import ID, PLACES

PATHS = {
    "Company": "company", "ResearchInstitute": "research-institute", "GovernmentBody": "government-body",
    "Association": "association", "IndustrialPark": "industrial-park", "DataCenter": "data-center",
    "DigitalPlatform": "digital-platform", "Policy": "policy", "Project": "project", "Industry": "industry",
}
_BRACKETED = re.compile(r"\([^()]*\)")
_UNSAFE = set(' "<>\\^`{|}#?%/')


def iri_segment(name: str) -> str:
    """A readable IRI path segment: CJK kept, ASCII characters IRIs forbid percent-encoded."""
    return "".join(f"%{ord(ch):02X}" if ch in _UNSAFE or ord(ch) < 0x21 else ch for ch in name)


class _Keys:
    """Maps each mention to the key of the entity it names."""

    def __init__(self, extractions: Sequence[DocumentExtraction]) -> None:
        self.ref = reference()
        self.industry_labels = {compare_key(name, "Industry"): key
                                for key, ind in self.ref.industries.items() for name in ind.names}
        self.place_names = frozenset(n for p in self.ref.places.values() for n in p.names)
        self._clusters = self._cluster([m for x in extractions for m in _all_mentions(x)])

    def key(self, mention: Mention) -> tuple[str, str]:
        label = mention.label
        if label in PLACES:
            return ("place", mention.ref or compare_key(mention.text))
        if label == "Industry":
            core = compare_key(mention.text, "Industry")
            return ("industry", mention.ref or self.industry_labels.get(core) or core)
        if label == "Policy":
            return ("policy", mention.ref or compare_key(mention.text))
        return (label, self._clusters.get((label, compare_key(mention.text)), compare_key(mention.text)))

    def _cluster(self, mentions: list[Mention]) -> dict[tuple[str, str], str]:
        names: dict[str, set[str]] = defaultdict(set)
        for m in mentions:
            if m.label in PATHS and m.label not in ("Industry", "Policy"):
                names[m.label].add(compare_key(m.text))
        clusters: dict[tuple[str, str], str] = {}
        for label, observed in names.items():
            parent = {n: n for n in observed}

            def find(n: str) -> str:
                while parent[n] != n:
                    parent[n] = parent[parent[n]]
                    n = parent[n]
                return n

            shorter_of: dict[str, set[str]] = defaultdict(set)
            for name in observed:
                for alias in self._aliases(label, name):
                    if alias in observed:
                        shorter_of[alias].add(name)
            # A short name joins its longer form; one that several longer names share joins
            # only if those are already one entity (正威 for 正威国际 and 正威电子 stays apart).
            for alias in sorted(shorter_of, key=lambda a: (len(shorter_of[a]), a)):
                roots = {find(n) for n in shorter_of[alias]}
                if len(roots) == 1:
                    parent[find(alias)] = roots.pop()
            groups: dict[str, list[str]] = defaultdict(list)
            for name in observed:
                groups[find(name)].append(name)
            for members in groups.values():
                canonical = min(members, key=lambda n: (-len(n), n))
                for name in members:
                    clusters[(label, name)] = canonical
        return clusters

    def _aliases(self, label: str, name: str) -> list[str]:
        if label == "Company":
            return company_aliases(name, self.place_names)
        forms = []
        bare = _BRACKETED.sub("", name)
        if bare != name:
            forms.append(bare)
        for place in sorted(self.place_names, key=len, reverse=True):
            if bare.startswith(place) and len(bare) - len(place) >= 3:
                forms.append(bare[len(place):])
                break
        return forms


def _all_mentions(extraction: DocumentExtraction) -> list[Mention]:
    found = list(extraction.mentions)
    for r in extraction.relations:
        found.extend((r.subject, r.object))
    for f in extraction.figures:
        found.append(f.region)
        if f.industry is not None:
            found.append(f.industry)
    return found


def resolve(extractions: Sequence[DocumentExtraction]) -> tuple[dict[str, Entity], list[ResolvedDocument]]:
    keys = _Keys(extractions)
    ref = keys.ref
    surfaces: dict[tuple[str, str], set[str]] = defaultdict(set)
    labels: dict[tuple[str, str], str] = {}
    for extraction in extractions:
        for m in _all_mentions(extraction):
            k = keys.key(m)
            surfaces[k].add(m.text)
            labels.setdefault(k, m.label)
    entities: dict[tuple[str, str], Entity] = {}
    for k, names in surfaces.items():
        entities[k] = _entity(k, labels[k], names, ref)
    resolved = [_resolve_document(x, keys, entities) for x in extractions]
    return {e.iri: e for e in entities.values()}, resolved


def _entity(key: tuple[str, str], label: str, names: set[str], ref) -> Entity:
    kind, value = key
    if kind == "place" and value in ref.places:
        place = ref.places[value]
        parent = ref.places[place.parent].iri if place.parent in ref.places else ""
        return Entity(place.iri, place.label, place.name, frozenset(names | set(place.names)), value, parent)
    if kind == "industry" and value in ref.industries:
        industry = ref.industries[value]
        return Entity(industry.iri, "Industry", industry.name, frozenset(names | {industry.name}), value)
    if kind == "policy":
        programme = next((p for p in ref.programmes if p.name == value), None)
        if programme is not None:
            return Entity(str(ID["policy/" + iri_segment(programme.name)]), "Policy", programme.name,
                          frozenset(names | {programme.name}), programme.name)
    canonical = min(names, key=lambda n: (-len(compare_key(n)), n))
    if kind == "industry":
        canonical = industry_core(canonical)
    path = "place" if kind == "place" else PATHS[label]
    return Entity(str(ID[f"{path}/{iri_segment(value)}"]), label, canonical, frozenset(names))


def _resolve_document(extraction: DocumentExtraction, keys: _Keys,
                      entities: dict[tuple[str, str], Entity]) -> ResolvedDocument:
    doc = extraction.document
    sentences = {s.index: s for s in extraction.sentences}

    def iri(m: Mention) -> str:
        return entities[keys.key(m)].iri

    def quote(sentence: int, start: int, end: int) -> tuple[str, int, int]:
        a, b = sentences[sentence].doc_span(start, end)
        return doc.text[a:b], a, b

    surface: dict[str, set[str]] = defaultdict(set)
    for m in extraction.mentions:
        surface[iri(m)].add(m.text)
    best: dict[tuple[str, str, str], Fact] = {}
    for r in extraction.relations:
        s, o = iri(r.subject), iri(r.object)
        if s == o:
            continue
        text, a, b = quote(r.evidence.sentence, r.evidence.start, r.evidence.end)
        fact = Fact(doc.name, s, r.predicate, o, text, a, b, r.extractor, round(r.confidence, 2))
        key = (s, r.predicate, o)
        if key not in best or (fact.confidence, -fact.start) > (best[key].confidence, -best[key].start):
            best[key] = fact
    observations = []
    for f in extraction.figures:
        text, a, b = quote(f.evidence.sentence, f.evidence.start, f.evidence.end)
        observations.append(Observation(doc.name, iri(f.region), f.indicator, f.value, f.unit, f.year, f.target,
                                        text, a, b, f.extractor, round(f.confidence, 2),
                                        iri(f.industry) if f.industry is not None else "",
                                        indicator_code(f.indicator, f.unit), unit_code(f.unit)))
    named = {iri(m) for m in extraction.mentions}
    return ResolvedDocument(doc, tuple(sorted(named)), {k: frozenset(v) for k, v in surface.items()},
                            tuple(sorted(best.values(), key=lambda f: (f.start, f.predicate, f.subject, f.object))),
                            tuple(observations))
