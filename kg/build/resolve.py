"""Stage 6: mentions of every document → entities with stable IRIs; relations → facts.

Places resolve to the administrative reference data (义乌 → 义乌市, GB/T 2260 330782),
industries to the taxonomy (影视 → 数字影视) or to a concept of their own, programmes to
the programme list. Organisations, platforms and projects of one class are one entity
when one name is a shorter form of another (星海光电 / 浙江星海光电科技股份有限公司,
远航 / 远航集团, a zone and its abbreviations 某县经济开发区 / 某县经开区); a short name two
longer names share stays apart. The canonical name (the label) is the longest (then the
smallest in code-point order).

IRIs (README "Data model"): reference entities by their code (GB/T 2260, the statistical
division code of a township, ISO 3166-1, UN/LOCODE, or the code the reference data gives),
taxonomy industries by concept; an extracted entity is minted an IRI from its shortest name,
and keeps the IRI the previous build gave it (kg/build/identifiers.py), so neither a fuller
name in a later article nor the order documents are read in renames it. Industries the
taxonomy lacks get IRIs of their own namespace, with the taxonomy concepts whose names they
contain as broader.

Resolution needs every document's names at once, and nothing else: `document_names`
reduces an extraction to them (in a worker), `resolve_names` decides the entities (in the
build's main process), and `resolve_document` turns one extraction into facts given the
entities of its names (in a worker again).
"""
from __future__ import annotations

import gc
import re
from collections import Counter, defaultdict
from dataclasses import replace
from functools import cache
from typing import Iterable, Mapping, Sequence

from ..model.codes import indicator_code, unit_code
from ..model.names import company_aliases, compare_key, industry_core, longest_prefix, park_short_forms, quoted_cores
from ..model.reference import Reference, reference
from ..model.records import (DocumentExtraction, Entity, Fact, Mention, Name, Observation, ResolvedDocument)
from ..model.vocab import ID, PLACES, iri_segment
from .identifiers import Candidate, Identifier, assign

PATHS = {
    "Company": "company", "ResearchInstitute": "research-institute", "GovernmentBody": "government-body",
    "Association": "association", "IndustrialPark": "industrial-park", "DataCenter": "data-center",
    "DigitalPlatform": "digital-platform", "Policy": "policy", "Project": "project",
    "Industry": "extracted-industry",   # the taxonomy's own concepts are id/industry/<concept>
}
_BRACKETED = re.compile(r"\([^()]*\)")


class _Keys:
    """Maps each name to the key of the entity it names."""

    def __init__(self, names: Sequence[Name]) -> None:
        self.ref = reference()
        self.industry_labels = {compare_key(name, "Industry"): key
                                for key, ind in self.ref.industries.items() for name in ind.names}
        self.place_names = _place_names()
        self._clusters = self._cluster(names)

    def key(self, mention: Name) -> tuple[str, str]:
        label = mention.label
        if label in PLACES:
            return ("place", mention.ref or compare_key(mention.text))
        if label == "Industry":
            core = compare_key(mention.text, "Industry")
            return ("industry", mention.ref or self.industry_labels.get(core) or core)
        if label == "Policy":
            return ("policy", mention.ref or compare_key(mention.text))
        return (label, self._clusters.get((label, compare_key(mention.text)), compare_key(mention.text)))

    def _cluster(self, mentions: Sequence[Name]) -> dict[tuple[str, str], str]:
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
            # only if those are already one entity (星海 for 星海国际 and 星海电子 stays apart).
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
        place = longest_prefix(bare, self.place_names, keep=3)
        if place:
            forms.append(bare[len(place):])
        if label == "IndustrialPark":
            forms += [short for form in (bare, *forms) for short in park_short_forms(form)]
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


def document_names(extraction: DocumentExtraction) -> tuple[Name, ...]:
    """The names the document's mentions give, each once, in the order they occur."""
    return tuple(dict.fromkeys(Name(m.text, m.label, m.ref) for m in _all_mentions(extraction)))


def resolve_names(names: Iterable[Name], identifiers: Mapping[str, Identifier] | None = None,
                  ) -> tuple[dict[Name, Entity], dict[str, Identifier]]:
    """Every name of the corpus → its entity, and the registry of IRIs after it. `names` in
    corpus order (documents in order, each document's names as they occur): the first
    mention of an entity gives its class. `identifiers` is the registry of the previous
    build (the IRIs it minted), see kg/build/identifiers.py."""
    # It makes millions of objects and no reference cycles: the collector's passes over them
    # were a third of its time (4 of 14 s on 5,000 documents), so it is paused meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _resolve_names(list(dict.fromkeys(names)), identifiers)
    finally:
        if collecting:
            gc.enable()


def _resolve_names(ordered: list[Name], identifiers: Mapping[str, Identifier] | None,
                   ) -> tuple[dict[Name, Entity], dict[str, Identifier]]:
    keys = _Keys(ordered)
    surfaces: dict[tuple[str, str], set[str]] = defaultdict(set)
    labels: dict[tuple[str, str], str] = {}
    key_of = {}
    for name in ordered:
        k = key_of[name] = keys.key(name)
        surfaces[k].update(_written_forms(name))
        labels.setdefault(k, name.label)
    drafts = {k: _entity(k, labels[k], texts, keys.ref) for k, texts in surfaces.items()}
    keyed = {k: frozenset(compare_key(n) for n in e.names) for k, (e, _) in drafts.items()}
    # A name two entities of a class share (the quoted core of two programmes) identifies neither.
    shared = Counter((drafts[k][0].label, n) for k, names in keyed.items() for n in names)
    candidates = [Candidate(k, e.label, frozenset(n for n in keyed[k] if shared[e.label, n] == 1) or keyed[k],
                            e.iri, _mint_name(k, e), fixed)
                  for k, (e, fixed) in drafts.items()]
    chosen, registry = assign(candidates, identifiers or {}, _reference_iris())
    entities = {k: replace(e, iri=chosen[k][0], aliases=chosen[k][1]) for k, (e, _) in drafts.items()}
    return {name: entities[k] for name, k in key_of.items()}, registry


@cache
def _place_names() -> frozenset[str]:
    """Every name of a reference place, as one set object for the life of the process: the
    prefix lookups cache the set's lengths by the set, and an equal set built anew for each
    resolution would be compared element by element on every lookup."""
    return frozenset(n for p in reference().places.values() for n in p.names)


@cache
def _reference_iris() -> frozenset[str]:
    ref = reference()
    return frozenset(str(e.iri) for e in (*ref.places.values(), *ref.industries.values(), *ref.programmes))


def resolve(extractions: Sequence[DocumentExtraction], identifiers: Mapping[str, Identifier] | None = None,
            ) -> tuple[dict[str, Entity], list[ResolvedDocument]]:
    """The whole corpus at once: entities by IRI, and each document's facts."""
    entity_of, _ = resolve_names((n for x in extractions for n in document_names(x)), identifiers)
    return {e.iri: e for e in entity_of.values()}, [resolve_document(x, entity_of) for x in extractions]


def _written_forms(name: Name | Mention) -> list[str]:
    """The names a mention writes: itself, and for a programme the quoted part it is known by."""
    return [name.text, *(quoted_cores(name.text) if name.label == "Policy" else ())]


def _mint_name(key: tuple[str, str], entity: Entity) -> str:
    return key[1] if entity.label == "Industry" else min((compare_key(n) for n in entity.names), key=lambda n: (len(n), n))


def _entity(key: tuple[str, str], label: str, names: set[str], ref: Reference) -> tuple[Entity, bool]:
    """The entity and whether its IRI is fixed by the reference data."""
    kind, value = key
    if kind == "place" and value in ref.places:
        place = ref.places[value]
        parent = ref.places[place.parent].iri if place.parent in ref.places else ""
        return Entity(place.iri, place.label, place.name, frozenset(names | set(place.names)), value, parent), True
    if kind == "industry" and value in ref.industries:
        industry = ref.industries[value]
        return Entity(industry.iri, "Industry", industry.name, frozenset(names | {industry.name}), value), True
    if kind == "policy":
        programme = next((p for p in ref.programmes if p.name == value), None)
        if programme is not None:
            return Entity(programme.iri, "Policy", programme.name, frozenset(names | {programme.name}), programme.name), True
    canonical = min(names, key=lambda n: (-len(compare_key(n)), n))
    path = "place" if kind == "place" else PATHS[label]
    if kind == "industry":
        entity = Entity("", label, industry_core(canonical), frozenset(names), broader=_broader_concepts(value, ref))
    else:
        entity = Entity("", label, canonical, frozenset(names))
    return replace(entity, iri=str(ID[f"{path}/{iri_segment(_mint_name(key, entity))}"])), False


def _broader_concepts(name: str, ref: Reference) -> tuple[str, ...]:
    """The taxonomy concepts whose names occur in `name`, longest names first and without
    overlap, less those that are broader than another found: 智能光伏组件 → 智能光伏;
    工业软件与集成电路 → 工业软件, 集成电路; 新能源动力电池 → 动力电池 (under 新能源 already)."""
    found: list[str] = []
    taken = [False] * len(name)
    for label, key in sorted(((n, i.key) for i in ref.industries.values() for n in i.names if len(n) >= 2),
                             key=lambda pair: (-len(pair[0]), pair)):
        at = name.find(label)
        while at >= 0 and any(taken[at:at + len(label)]):
            at = name.find(label, at + 1)
        if at >= 0:
            taken[at:at + len(label)] = [True] * len(label)
            if key not in found:
                found.append(key)
    above = {a for key in found for a in _ancestors(key, ref)}
    return tuple(sorted(str(ref.industries[k].iri) for k in found if k not in above))


def _ancestors(key: str, ref: Reference) -> set[str]:
    out, frontier = set(), list(ref.industries[key].broader)
    while frontier:
        k = frontier.pop()
        if k in ref.industries and k not in out:
            out.add(k)
            frontier.extend(ref.industries[k].broader)
    return out


def resolve_document(extraction: DocumentExtraction, entity_of: Mapping[Name, Entity]) -> ResolvedDocument:
    """One document's facts and figures between resolved entities; `entity_of` holds (at
    least) the entities of the document's names."""
    doc = extraction.document
    sentences = {s.index: s for s in extraction.sentences}

    def iri(m: Mention) -> str:
        return entity_of[Name(m.text, m.label, m.ref)].iri

    def quote(sentence: int, start: int, end: int) -> tuple[str, int, int]:
        a, b = sentences[sentence].doc_span(start, end)
        return doc.text[a:b], a, b

    surface: dict[str, set[str]] = defaultdict(set)
    for m in extraction.mentions:
        surface[iri(m)].update(_written_forms(m))
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
    # One observation per cell of the data cube (a figure said twice is one observation): two
    # figures of one region, indicator, year and unit (an article's 年均增速 of a whole park and
    # of one of its trades, the trade not read) would be two observations of one cell, which
    # Data Cube's IC-12 forbids. The more confident stays, else the first.
    observations: dict[tuple, Observation] = {}
    for f in extraction.figures:
        text, a, b = quote(f.evidence.sentence, f.evidence.start, f.evidence.end)
        observation = Observation(doc.name, iri(f.region), f.indicator, f.value, f.unit, f.year, f.target,
                                  text, a, b, f.extractor, round(f.confidence, 2),
                                  iri(f.industry) if f.industry is not None else "",
                                  indicator_code(f.indicator, f.unit), unit_code(f.unit))
        key = (observation.region, observation.indicator, observation.unit, observation.year)
        if key not in observations or observation.confidence > observations[key].confidence:
            observations[key] = observation
    named = {iri(m) for m in extraction.mentions}
    return ResolvedDocument(doc, tuple(sorted(named)), {k: frozenset(v) for k, v in surface.items()},
                            tuple(sorted(best.values(), key=lambda f: (f.start, f.predicate, f.subject, f.object))),
                            tuple(sorted(observations.values(), key=lambda o: (o.start, o.end, o.indicator))))


def observation_key(o: Observation) -> tuple:
    """What makes two figures of one document the same observation (and gives it its IRI)."""
    return (o.region, o.indicator, repr(o.value), o.unit, o.year, o.target, o.industry)
