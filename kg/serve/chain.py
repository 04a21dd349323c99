"""An industrial chain as investment-promotion officers read it: segments from upstream to
downstream, at each the companies (leaders first, with county, city and the quote), the parks and
platforms working on it, and — for a place — the segments nobody there works on (the gaps), each
with the companies elsewhere in the graph that could fill it (补链 candidates).

Chains and segments come from the graph's reference data (data/reference/chains.ttl). What the
articles say is placed on them after extraction, here at query time, so it works with whatever
the graph holds:
- by the taxonomy: an industry the segment includes (kg:includesIndustry, or a narrower one);
- by the industry's name: 半导体材料 contains a term of 集成电路 · 材料;
- by the company's trade, in its name: 伟明锂电池材料 contains 锂电池材料;
- through what it develops or where it is hosted: the project's or park's industry.
A company in the chain's industries that none of these places is listed for the whole chain.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import ahocorasick

from ..model.errors import UnknownIndustryError
from ..model.names import compare_key
from . import frames, lookup
from .lookup import ChainDef, Quote
from .query import closest, resolve_term
from .store import Store
from .terminal import plural

if TYPE_CHECKING:
    import pandas as pd

ROLES = ("leader", "member", "trade", "via")   # the order companies are listed in
MEMBERSHIP = ("inIndustry", "leadsChain", "develops", "hosts")


# ====================================================================== placing on segments
@dataclass(frozen=True)
class Placement:
    segments: dict[str, str]     # segment IRI → how it was placed there ("taxonomy: 半导体材料", "name: 光刻胶")
    chains: frozenset[str]       # chains it belongs to (through a segment or the chain's own names)


class Placer:
    """Places industries and names on segments: pure, from the chain definitions and the taxonomy."""

    def __init__(self, chains: dict[str, ChainDef], industry_names: dict[str, str], up: dict[str, set[str]]) -> None:
        self.chains, self.industry_names, self.up = chains, industry_names, up
        self.segment_chain = {s.iri: c.iri for c in chains.values() for s in c.segments}
        self.by_concept: dict[str, set[str]] = defaultdict(set)       # taxonomy concept → segments
        self.chain_by_concept: dict[str, set[str]] = defaultdict(set)
        self.automaton = ahocorasick.Automaton()
        entries: dict[str, list[tuple[str, str]]] = defaultdict(list)  # term → [(kind, IRI)]
        for chain in chains.values():
            for concept in chain.industries:
                self.chain_by_concept[concept].add(chain.iri)
            for name in chain.names:
                entries[name].append(("chain", chain.iri))
            for segment in chain.segments:
                for concept in segment.industries:
                    self.by_concept[concept].add(segment.iri)
                for term in segment.terms:
                    entries[term].append(("segment", segment.iri))
        for term, targets in entries.items():
            self.automaton.add_word(term, (term, tuple(targets)))
        if entries:
            self.automaton.make_automaton()
        self._industry: dict[str, Placement] = {}
        self._names: dict[tuple[str, str], Placement] = {}

    def terms(self, name: str) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
        """The terms a name contains, a term inside a longer one left out (半导体硅片, not 硅片)."""
        if not len(self.automaton):
            return []
        found = sorted(((end - len(term) + 1, end + 1, term, targets) for end, (term, targets) in self.automaton.iter(name)),
                       key=lambda m: (m[0] - m[1], m[0]))
        kept: list[tuple[int, int, str, tuple]] = []
        for start, end, term, targets in found:
            if not any(a <= start and end <= b for a, b, *_ in kept):
                kept.append((start, end, term, targets))
        return [(term, targets) for _, _, term, targets in sorted(kept)]

    def by_name(self, name: str, how: str) -> Placement:
        key = (name, how)
        if key not in self._names:   # every view of one graph asks again for the same names
            self._names[key] = self._by_name(name, how)
        return self._names[key]

    def _by_name(self, name: str, how: str) -> Placement:
        segments, chains = {}, set()
        for term, targets in self.terms(name):
            for kind, iri in targets:
                if kind == "segment":
                    segments.setdefault(iri, f"{how}: {term}")
                    chains.add(self.segment_chain[iri])
                else:
                    chains.add(iri)
        return Placement(segments, frozenset(chains))

    def industry(self, iri: str) -> Placement:
        if iri not in self._industry:
            name = self.industry_names.get(iri, "")
            segments: dict[str, str] = {}
            chains: set[str] = set()
            for concept in sorted(self.up.get(iri, {iri})):
                for segment in sorted(self.by_concept.get(concept, ())):
                    segments.setdefault(segment, f"taxonomy: {name}")
                    chains.add(self.segment_chain[segment])
                chains |= self.chain_by_concept.get(concept, set())
            if name:
                placed = self.by_name(name, f"industry {name}")
                for segment, reason in placed.segments.items():
                    segments.setdefault(segment, reason)
                chains |= placed.chains
            self._industry[iri] = Placement(segments, frozenset(chains))
        return self._industry[iri]

    def down(self, concepts: set[str]) -> set[str]:
        """The concepts and every narrower one."""
        return {iri for iri, ups in self.up.items() if ups & concepts}


# ====================================================================== the view
@dataclass
class Entry:
    """A company or platform on a segment, with why it is there and the quotes that say so."""
    iri: str
    name: str
    cls: str
    role: str                                # leader | member | trade | via (see ROLES)
    counties: list[str]
    cities: list[str]
    placed_by: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)

    @property
    def leader(self) -> bool:
        return self.role == "leader"

    @property
    def where(self) -> str:
        return "、".join(self.counties + [c for c in self.cities if c not in self.counties])

    def rank(self) -> tuple:
        return (ROLES.index(self.role), -len(self.quotes), self.name)


@dataclass
class SegmentView:
    iri: str
    chain: str
    chain_name: str
    name: str
    name_en: str
    rank: int
    stage: str
    feeds: list[str]                         # names of the segments it is upstream of
    companies: list[Entry] = field(default_factory=list)
    platforms: list[Entry] = field(default_factory=list)
    candidates: list[Entry] = field(default_factory=list)   # for a gap: companies elsewhere on it
    gap: bool = False                        # nobody in the place (or in the graph) works on it


@dataclass
class ChainView:
    query: str
    name: str
    chains: list[tuple[str, str, str]]       # (IRI, zh name, en name) of the chains shown
    industries: list[str]                     # names of the taxonomy industries in scope that have members
    segments: list[SegmentView]
    unplaced: list[Entry]                     # companies in the chain that no segment holds
    unplaced_platforms: list[Entry]
    city: str = ""
    city_iri: str = ""
    as_of: str = ""

    @property
    def companies(self) -> list[Entry]:
        """Every company shown, once, leaders first."""
        seen: dict[str, Entry] = {}
        for entry in [e for s in self.segments for e in s.companies] + self.unplaced:
            seen.setdefault(entry.iri, entry)
        return sorted(seen.values(), key=Entry.rank)

    @property
    def leaders(self) -> list[Entry]:
        return [e for e in self.companies if e.leader]

    @property
    def gaps(self) -> list[SegmentView]:
        return [s for s in self.segments if s.gap]


@dataclass
class _Scope:
    chains: list[ChainDef]
    industries: set[str]       # IRIs of industries whose members belong to the chain(s)
    name: str


def _scope(store: Store, query: str, chains: dict[str, ChainDef], placer: Placer) -> _Scope:
    wanted = compare_key(query, "Industry")
    named = [c for c in chains.values() if any(compare_key(n, "Industry") == wanted for n in c.names)
             or c.iri == query]
    if named:
        chosen = named[:1]
        roots: set[str] = set()
    else:
        try:
            root = str(resolve_term(store, query, "industry"))
        except UnknownIndustryError as exc:
            names = [n for c in chains.values() for n in c.names]
            raise UnknownIndustryError(query, closest(names + exc.suggestions, query)) from None
        roots = {root}
        ups = placer.up.get(root, {root})
        below = placer.down({root})
        chosen = [c for c in chains.values()
                  if set(c.industries) & (ups | below)
                  or any(set(s.industries) & ups for s in c.segments)
                  or c.iri in placer.industry(root).chains]
        chosen.sort(key=lambda c: c.name)
    concepts = set(roots)
    for chain in chosen:
        concepts |= set(chain.industries) | {i for s in chain.segments for i in s.industries}
    industries = placer.down(concepts) | roots
    chain_iris = {c.iri for c in chosen}
    industries |= {i for i in placer.industry_names if placer.industry(i).chains & chain_iris}
    name = chosen[0].name if named else placer.industry_names.get(next(iter(roots)), query)
    return _Scope(chosen, industries, name)


class ChainIndex:
    """What every chain view of one graph reads, read once: chains, taxonomy, organisations and
    platforms with their places, who develops or hosts whom, and the quotes asked for so far."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.chains = lookup.chain_defs(store)
        self.industry_names, up = lookup.industries(store)
        self.placer = Placer(self.chains, self.industry_names, up)
        self.places = lookup.place_names(store)
        self.things = lookup.things(store)
        lookup.locate(store, self.things, self.places)
        self.via = _hosted_and_developed(store)
        self.hosts = _hosts(store)
        self._quotes: dict[tuple[str, str], list[Quote]] = {}

    def quotes(self, iris, as_of: str | None) -> dict[str, list[Quote]]:
        missing = [i for i in iris if (i, as_of or "") not in self._quotes]
        if missing:
            found = lookup.quotes(self.store, missing, as_of)
            for iri in missing:
                self._quotes[(iri, as_of or "")] = found.get(iri, [])
        return {i: self._quotes[(i, as_of or "")] for i in iris}


def chain(store: Store, industry: str, city: str | None = None, as_of: str | None = None,
          candidates: int | None = None, index: ChainIndex | None = None) -> ChainView:
    """The chain an industry or chain name names (智能光伏, 集成电路, 光伏产业 …), segment by segment;
    with `city`, that place's companies and platforms, its gaps and the candidates to fill them;
    with `as_of` (ISO date), only what articles dated up to then state."""
    index = index or ChainIndex(store)
    placer, found, names = index.placer, index.things, index.industry_names
    scope = _scope(store, industry, index.chains, placer)
    city_iri = str(resolve_term(store, city, "place")) if city else None
    chain_iris = {c.iri for c in scope.chains}
    segments_of = {s.iri for c in scope.chains for s in c.segments}

    members: dict[str, tuple[str, dict[str, str], set[str]]] = {}   # IRI → (role, segment → reason, industries)
    for thing in found.values():
        linked = {i: p for i, p in thing.industries.items() if i in scope.industries}
        placed: dict[str, str] = {}
        for i in sorted(linked):
            placed.update({s: r for s, r in placer.industry(i).segments.items() if s in segments_of and s not in placed})
        by_name = placer.by_name(thing.name, "name")
        placed.update({s: r for s, r in by_name.segments.items() if s in segments_of and s not in placed})
        if linked:
            role = "leader" if "leadsChain" in linked.values() else "member"
        elif placed or by_name.chains & chain_iris:
            role = "trade"
        else:
            continue
        members[thing.iri] = (role, placed, {names.get(i, i) for i in linked})
    for subject, obj in index.via:
        # a company works on what the project it develops, or the park that hosts it, works on
        if subject in found and subject not in members and obj in members and found[subject].cls in lookup.ORGANISATIONS:
            reason = f"via {found[obj].name}"
            members[subject] = ("via", {s: reason for s in members[obj][1]}, set())

    evidence = index.quotes(members, as_of)
    entries: dict[str, Entry] = {}
    for iri, (role, placed, industries) in members.items():
        thing = found[iri]
        own = evidence.get(iri, [])
        if as_of and not own:
            continue   # nothing said of it by then
        ranked = sorted(own, key=lambda q: (q.predicate not in MEMBERSHIP, q.first_date or "9999"))
        entries[iri] = Entry(iri, thing.name, thing.cls, role, sorted(thing.counties), sorted(thing.cities),
                             [placed[s] for s in sorted(placed)], sorted(industries), ranked)
    placed_on = {iri: members[iri][1] for iri in entries}

    def here(iri: str) -> bool:
        return lookup.is_in(found[iri].places, city_iri)

    segments: list[SegmentView] = []
    hosts = index.hosts
    for chain_def in scope.chains:
        seg_names = {s.iri: s.name for s in chain_def.segments}
        for seg in chain_def.segments:
            view = SegmentView(seg.iri, chain_def.iri, chain_def.name, seg.name, seg.name_en, seg.rank, seg.stage,
                               [seg_names[f] for f in seg.feeds if f in seg_names])
            on = [iri for iri in entries if seg.iri in placed_on[iri]]
            for iri in sorted(on, key=lambda x: entries[x].rank()):
                entry = _on_segment(entries[iri], placed_on[iri][seg.iri])
                if entry.cls in lookup.PLATFORMS:
                    if here(iri):
                        view.platforms.append(entry)
                elif entry.cls != "Project":
                    (view.companies if here(iri) else view.candidates).append(entry)
            for park, hosted in hosts.items():   # parks working on the segment through the companies they host
                if park in found and here(park) and park not in {p.iri for p in view.platforms}:
                    names_here = [entries[c].name for c in hosted if c in entries and c in on and here(c)]
                    if names_here:
                        thing = found[park]
                        view.platforms.append(Entry(park, thing.name, thing.cls, "via", sorted(thing.counties),
                                                    sorted(thing.cities), [f"hosts {'、'.join(sorted(names_here))}"]))
            view.gap = not view.companies
            if city_iri is None:
                view.candidates = []
            elif view.companies:
                view.candidates = []
            else:
                view.candidates = view.candidates[:candidates] if candidates is not None else view.candidates
            segments.append(view)
    unplaced = sorted((e for iri, e in entries.items() if not placed_on[iri] and here(iri)), key=Entry.rank)
    city_name = index.places[city_iri].name if city_iri else ""
    in_scope = sorted({n for e in entries.values() for n in e.industries if here(e.iri)})
    return ChainView(industry, scope.name, [(c.iri, c.name, c.name_en) for c in scope.chains], in_scope, segments,
                     [e for e in unplaced if e.cls in lookup.ORGANISATIONS],
                     [e for e in unplaced if e.cls in lookup.PLATFORMS], city_name, city_iri or "", as_of or "")


def _on_segment(entry: Entry, reason: str) -> Entry:
    """The entry as listed on one segment: with the reason it is placed there."""
    return Entry(entry.iri, entry.name, entry.cls, entry.role, entry.counties, entry.cities, [reason],
                 entry.industries, entry.quotes)


def _hosted_and_developed(store: Store) -> list[tuple[str, str]]:
    rows = lookup.run(store, "SELECT ?company ?via WHERE { { ?company kg:develops ?via } UNION { ?via kg:hosts ?company } }")
    return sorted((str(r["company"]), str(r["via"])) for r in rows)


def _hosts(store: Store) -> dict[str, list[str]]:
    hosted: dict[str, list[str]] = defaultdict(list)
    for row in lookup.run(store, "SELECT ?park ?company WHERE { ?park kg:hosts ?company }"):
        hosted[str(row["park"])].append(str(row["company"]))
    return {park: sorted(hosted[park]) for park in sorted(hosted)}   # the same order from every store


# ====================================================================== tables
SEGMENT_COLUMNS = ["chain", "rank", "stage", "segment", "segment_en", "companies", "leaders", "platforms", "gap",
                   "candidates", "feeds"]
ENTRY_COLUMNS = ["chain", "rank", "stage", "segment", "name", "role", "county", "city", "placed_by", "industries",
                 "quote", "sources", "quotes"]


def _entry_row(seg: SegmentView | None, entry: Entry, role: str | None = None) -> dict:
    quote = entry.quotes[0] if entry.quotes else None
    return {"chain": seg.chain_name if seg else "", "rank": seg.rank if seg else None, "stage": seg.stage if seg else "",
            "segment": seg.name if seg else "", "name": entry.name, "role": role or entry.role,
            "county": "、".join(entry.counties), "city": "、".join(entry.cities), "placed_by": "; ".join(entry.placed_by),
            "industries": "、".join(entry.industries), "quote": quote.text if quote else "",
            "sources": frames.sources_text(quote) if quote else "", "quotes": len(entry.quotes)}


def chain_frames(view: ChainView) -> dict[str, "pd.DataFrame"]:
    """The views as tables: segments (one row each), companies (one row per company and segment,
    the whole-chain ones with no segment), platforms, and gaps with their candidates."""
    segments, companies, platforms, gaps = [], [], [], []
    for seg in view.segments:
        segments.append({"chain": seg.chain_name, "rank": seg.rank, "stage": seg.stage, "segment": seg.name,
                         "segment_en": seg.name_en, "companies": len(seg.companies),
                         "leaders": sum(e.leader for e in seg.companies), "platforms": len(seg.platforms),
                         "gap": seg.gap, "candidates": "、".join(e.name for e in seg.candidates),
                         "feeds": "、".join(seg.feeds)})
        companies += [_entry_row(seg, e) for e in seg.companies]
        platforms += [_entry_row(seg, e) for e in seg.platforms]
        gaps += [_entry_row(seg, e, "candidate") for e in seg.candidates]
    companies += [_entry_row(None, e) for e in view.unplaced]
    platforms += [_entry_row(None, e) for e in view.unplaced_platforms]
    return {"segments": frames.frame(segments, SEGMENT_COLUMNS), "companies": frames.frame(companies, ENTRY_COLUMNS),
            "platforms": frames.frame(platforms, ENTRY_COLUMNS), "gaps": frames.frame(gaps, ENTRY_COLUMNS)}


# ====================================================================== the terminal
def _quote_line(quote: Quote, width: int = 80) -> str:
    text = " ".join(quote.text.split())   # captions and page breaks inside a quote: one line on a terminal
    text = text if len(text) <= width else text[:width - 2] + "…"
    sources = "; ".join(f"{s.doc}" + (f" ({s.when})" if s.when else "") for s in quote.sources[:3])
    more = f" +{len(quote.sources) - 3}" if len(quote.sources) > 3 else ""
    return f"“{text}” — {sources}{more}"


def _entry_lines(entry: Entry, quotes: int, mark: str) -> list[str]:
    lines = [f"  {mark} {entry.name}  [{entry.role}]  {entry.where or '—'}"
             + (f"  ({'; '.join(entry.placed_by)})" if entry.placed_by else "")]
    lines += [f"      {_quote_line(q)}" for q in entry.quotes[:quotes]]
    return lines


def format_chain(view: ChainView, quotes: int = 1, candidates: int = 3) -> str:
    where = f" in {view.city}" if view.city else ""
    companies = view.companies
    counts = [plural(len(view.segments), "segment")] if view.segments else []
    counts += [plural(len(companies), "company", "companies"), plural(len(view.leaders), "leader")]
    head = f"{view.name}{where}: {', '.join(counts)}"
    if view.city:
        head += f", {plural(len(view.gaps), 'gap')}"
    if view.as_of:
        head += f", as of {view.as_of}"
    lines = [head]
    if view.chains and (len(view.chains) > 1 or view.chains[0][1] != view.name):
        lines.append("chains: " + "、".join(name for _, name, _ in view.chains))
    if not view.chains:
        lines.append("(no chain in data/reference/chains.ttl covers this industry: companies are listed unsegmented)")
    for seg in view.segments:
        label = f"{seg.stage} · {seg.chain_name} · {seg.name}" if len(view.chains) > 1 else f"{seg.stage} · {seg.name}"
        count = plural(len(seg.companies), "company", "companies")
        lines.append(f"{label} ({seg.name_en}): " + (count if not seg.gap else
                     f"gap — nobody{where or ' in the graph'}" + ("; candidates elsewhere:" if seg.candidates else "")))
        for entry in seg.companies:
            lines += _entry_lines(entry, quotes, "★" if entry.leader else "·")
        for entry in seg.candidates[:candidates]:
            lines += _entry_lines(entry, quotes, "→")
        if len(seg.candidates) > candidates:
            lines.append(f"    … {plural(len(seg.candidates) - candidates, 'more candidate')} "
                         "(--json or --csv lists all)")
        if seg.platforms:
            lines.append("    parks/platforms: " + "、".join(
                p.name + (f" ({p.placed_by[0]})" if p.placed_by and p.placed_by[0].startswith("hosts") else "")
                for p in seg.platforms))
    if view.unplaced or view.unplaced_platforms:
        lines.append("whole chain (no segment named):" if view.segments else "companies:")
        for entry in view.unplaced:
            lines += _entry_lines(entry, quotes, "★" if entry.leader else "·")
        if view.unplaced_platforms:
            lines.append("    parks/platforms: " + "、".join(p.name for p in view.unplaced_platforms))
    return "\n".join(lines)
