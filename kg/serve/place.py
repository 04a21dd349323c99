"""A place's profile, and places side by side.

`place(store, "金华")`: the chains the place and its counties prioritise or have companies in,
with the segments covered and the gaps; its leading companies; its parks and platforms; the
programmes it carries out; its latest figures with their year. `compare(store, ["金华", "台州"])`
puts the same rows of two or more places side by side.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..model.errors import KGError
from . import frames, lookup
from .chain import ChainIndex, ChainView, Entry, chain
from .figures import GENERIC, Point, series
from .lookup import Quote
from .query import resolve_term
from .store import Store
from .terminal import plural

if TYPE_CHECKING:
    import pandas as pd

_PRIORITIES = """SELECT ?place ?placeName ?industry WHERE { {values}
  ?place kg:partOf* ?city ; kg:prioritizes ?industry ; rdfs:label ?placeName . FILTER (lang(?placeName) = "zh") }"""
_PROGRAMMES = """SELECT ?policy ?name ?by ?byName WHERE { {values}
  ?by kg:partOf* ?city ; kg:implements ?policy ; rdfs:label ?byName . FILTER (lang(?byName) = "zh")
  ?policy rdfs:label ?name . FILTER (lang(?name) = "zh") }"""
_TARGETS = """SELECT ?policy ?industryName WHERE { {values}
  ?policy kg:targets ?industry . ?industry rdfs:label ?industryName . FILTER (lang(?industryName) = "zh") }"""


@dataclass
class ChainRow:
    chain: str
    chain_iri: str
    prioritised_by: list[str]              # the place or its counties that name the chain's industries as priorities
    industries: list[str]                  # those industries
    segments: int = 0
    covered: list[str] = field(default_factory=list)    # segments with companies there
    gaps: list[str] = field(default_factory=list)
    companies: int = 0
    leaders: list[str] = field(default_factory=list)


@dataclass
class Programme:
    iri: str
    name: str
    by: list[str]
    targets: list[str]
    quote: Quote | None = None


@dataclass
class PlaceView:
    iri: str
    name: str
    cls: str
    parents: list[str]
    chains: list[ChainRow]
    leaders: list[Entry]
    platforms: list[Entry]
    programmes: list[Programme]
    figures: list[Point]                   # the latest actual and the latest target of each indicator
    as_of: str = ""


def place(store: Store, name: str, as_of: str | None = None, index: ChainIndex | None = None) -> PlaceView:
    index = index or ChainIndex(store)
    iri = str(resolve_term(store, name, "place"))
    info = index.places.get(iri)
    placer = index.placer

    priorities: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))   # chain → (places, industries)
    loose: dict[str, set[str]] = defaultdict(set)      # industry outside every chain → places
    for row in lookup.chunked(store, _PRIORITIES, "city", [iri]):
        industry = str(row["industry"])
        chains = placer.industry(industry).chains
        label = index.industry_names.get(industry, industry)
        for chain_iri in chains:
            priorities[chain_iri][0].add(str(row["placeName"]))
            priorities[chain_iri][1].add(label)
        if not chains:
            loose[label].add(str(row["placeName"]))
    # chains its organisations work in, by their industries or their names
    present = set()
    for thing in index.things.values():
        if iri in thing.places and thing.cls != "Project":
            for industry in thing.industries:
                present |= placer.industry(industry).chains
            present |= placer.by_name(thing.name, "name").chains
    rows: list[ChainRow] = []
    views: list[ChainView] = []
    for chain_iri in sorted(set(priorities) | present, key=lambda c: index.chains[c].name):
        view = chain(store, chain_iri, iri, as_of, 0, index)
        views.append(view)
        places, industries = priorities.get(chain_iri, (set(), set()))
        rows.append(ChainRow(index.chains[chain_iri].name, chain_iri, sorted(places), sorted(industries),
                             len(view.segments), [s.name for s in view.segments if not s.gap],
                             [s.name for s in view.segments if s.gap], len(view.companies),
                             [e.name for e in view.leaders]))
    for label, places in sorted(loose.items()):
        rows.append(ChainRow("", "", sorted(places), [label]))
    rows.sort(key=lambda r: (-(len(r.prioritised_by) > 0) - (r.companies > 0), -r.companies, r.chain or r.industries[0]))

    local = [t for t in index.things.values() if iri in t.places]
    quotes = index.quotes([t.iri for t in local], as_of)
    leaders = sorted((Entry(t.iri, t.name, t.cls, "leader", sorted(t.counties), sorted(t.cities),
                            industries=sorted(index.industry_names.get(i, i) for i, p in t.industries.items()
                                              if p == "leadsChain"),
                            quotes=[q for q in quotes[t.iri] if q.predicate == "leadsChain"])
                      for t in local if "leadsChain" in t.industries.values()), key=lambda e: e.name)
    leaders = [e for e in leaders if e.quotes or not as_of]
    platforms = sorted((Entry(t.iri, t.name, t.cls, "member", sorted(t.counties), sorted(t.cities),
                              industries=sorted(index.industry_names.get(i, i) for i in t.industries),
                              quotes=quotes[t.iri])
                        for t in local if t.cls in lookup.PLATFORMS and (quotes[t.iri] or not as_of)),
                       key=lambda e: (lookup.PLATFORMS.index(e.cls), e.name))
    return PlaceView(iri, info.name if info else name, info.cls if info else "",
                     [index.places[p].name for p in sorted((info.above if info else ()), key=_level) if p in index.places],
                     rows, leaders, platforms, _programmes(store, index, iri, as_of), latest(series(store, iri, as_of=as_of)),
                     as_of or "")


def _level(iri: str) -> tuple[int, str]:
    """Nearest administrative level first: county, city, province."""
    code = iri.rsplit("/", 1)[-1]
    return (-len(code.rstrip("0")), code)


def _programmes(store: Store, index: ChainIndex, iri: str, as_of: str | None) -> list[Programme]:
    found: dict[str, Programme] = {}
    for row in lookup.chunked(store, _PROGRAMMES, "city", [iri]):
        programme = found.setdefault(str(row["policy"]), Programme(str(row["policy"]), str(row["name"]), [], []))
        if str(row["byName"]) not in programme.by:
            programme.by.append(str(row["byName"]))
    for row in lookup.chunked(store, _TARGETS, "policy", found):
        found[str(row["policy"])].targets.append(str(row["industryName"]))
    quotes = index.quotes(list(found), as_of)
    out = []
    for programme in found.values():
        said = [q for q in quotes[programme.iri] if q.predicate == "implements"]
        if as_of and not said:
            continue
        programme.quote = said[0] if said else None
        programme.by.sort()
        programme.targets = sorted(set(programme.targets))
        out.append(programme)
    return sorted(out, key=lambda p: p.name)


def latest(result) -> list[Point]:
    """Of each indicator of the place itself: the latest actual figure and the latest target with a year."""
    best: dict[tuple[str, str], Point] = {}
    for point in result.points:
        if point.region != result.place or point.year is None or point.indicator in GENERIC:
            continue
        key = (point.indicator, point.kind)
        if key not in best or (point.year, len(point.sources)) > (best[key].year, len(best[key].sources)):
            best[key] = point
    return sorted(best.values(), key=lambda p: (p.indicator_name, p.kind))


# ====================================================================== tables and text
def place_frames(view: PlaceView) -> dict[str, "pd.DataFrame"]:
    def quote_cells(quote: Quote | None) -> dict:
        return {"quote": quote.text if quote else "", "sources": frames.sources_text(quote) if quote else ""}

    chains = frames.frame([{"chain": r.chain, "industries": "、".join(r.industries),
                            "prioritised_by": "、".join(r.prioritised_by), "segments": r.segments,
                            "covered": "、".join(r.covered), "gaps": "、".join(r.gaps), "companies": r.companies,
                            "leaders": "、".join(r.leaders)} for r in view.chains],
                          ["chain", "industries", "prioritised_by", "segments", "covered", "gaps", "companies", "leaders"])
    leaders = frames.frame([{"company": e.name, "leads": "、".join(e.industries), "county": "、".join(e.counties),
                             "city": "、".join(e.cities), **quote_cells(e.quotes[0] if e.quotes else None)}
                            for e in view.leaders], ["company", "leads", "county", "city", "quote", "sources"])
    platforms = frames.frame([{"platform": e.name, "class": e.cls, "county": "、".join(e.counties),
                               "industries": "、".join(e.industries), **quote_cells(e.quotes[0] if e.quotes else None)}
                              for e in view.platforms], ["platform", "class", "county", "industries", "quote", "sources"])
    programmes = frames.frame([{"programme": p.name, "by": "、".join(p.by), "targets": "、".join(p.targets),
                                **quote_cells(p.quote)} for p in view.programmes],
                              ["programme", "by", "targets", "quote", "sources"])
    figures = frames.frame([{"indicator": p.indicator_name, "code": p.indicator, "kind": p.kind, "year": p.year,
                             "value": p.value, "unit": p.unit, "quote": p.quotes[0],
                             "sources": "; ".join(s.doc + (f" ({s.when})" if s.when else "") for s in p.sources)}
                            for p in view.figures], ["indicator", "code", "kind", "year", "value", "unit", "quote", "sources"])
    return {"chains": chains, "leaders": leaders, "platforms": platforms, "programmes": programmes, "figures": figures}


_CLASS_ZH = {"IndustrialPark": "园区", "DataCenter": "数据中心", "DigitalPlatform": "数字平台"}


def format_place(view: PlaceView, quotes: int = 1) -> str:
    head = f"{view.name} ({view.cls}{', in ' + '、'.join(view.parents) if view.parents else ''})"
    lines = [head + (f", as of {view.as_of}" if view.as_of else "")]
    lines.append(f"chains ({sum(1 for r in view.chains if r.chain)}):")
    for r in view.chains:
        if r.chain:
            why = f"prioritised by {'、'.join(r.prioritised_by)}" if r.prioritised_by else "organisations or platforms there"
            lines.append(f"  {r.chain}: {why}; {plural(r.companies, 'company', 'companies')}, "
                         f"segments {len(r.covered)}/{r.segments}"
                         + (f" ({'、'.join(r.covered)})" if r.covered else "")
                         + (f"; leaders {'、'.join(r.leaders)}" if r.leaders else ""))
        else:
            lines.append(f"  {r.industries[0]} (no chain of its own): prioritised by {'、'.join(r.prioritised_by)}")
    lines.append(f"leaders ({len(view.leaders)}):")
    for e in view.leaders:
        lines.append(f"  ★ {e.name} leads {'、'.join(e.industries)}  {e.where or '—'}")
        lines += [f"      “{' '.join(q.text.split())}” — {frames.sources_text(q)}" for q in e.quotes[:quotes]]
    lines.append(f"parks and platforms ({len(view.platforms)}):")
    for e in view.platforms:
        lines.append(f"  {_CLASS_ZH.get(e.cls, e.cls)} {e.name}" + (f"  ({'、'.join(e.industries)})" if e.industries else ""))
    lines.append(f"programmes ({len(view.programmes)}):")
    for p in view.programmes:
        lines.append(f"  {p.name} — {'、'.join(p.by)}" + (f" → {'、'.join(p.targets)}" if p.targets else ""))
    lines.append(f"latest figures ({len(view.figures)}):")
    for p in view.figures:
        lines.append(f"  {p.indicator_name}{'（目标）' if p.kind == 'target' else ''}: {p.value:g} {p.unit} ({p.year})"
                     f" — {p.sources[0].doc}" + (f" +{len(p.sources) - 1}" if len(p.sources) > 1 else ""))
    return "\n".join(lines)


# ====================================================================== side by side
@dataclass
class Comparison:
    places: list[str]
    rows: list[dict]          # {"section", "row", place name → cell}
    as_of: str = ""


def compare(store: Store, names: list[str], as_of: str | None = None, index: ChainIndex | None = None) -> Comparison:
    if len(names) < 2:
        raise KGError("compare needs two places or more")
    index = index or ChainIndex(store)
    views = [place(store, n, as_of, index) for n in names]
    columns = [v.name for v in views]
    rows: list[dict] = []

    def add(section: str, row: str, cells: list[str]) -> None:
        rows.append({"section": section, "row": row, **dict(zip(columns, cells))})

    add("overview", "chains", [str(sum(1 for r in v.chains if r.chain)) for v in views])
    add("overview", "leaders", [str(len(v.leaders)) for v in views])
    add("overview", "parks", [str(sum(e.cls == "IndustrialPark" for e in v.platforms)) for v in views])
    add("overview", "platforms", [str(sum(e.cls != "IndustrialPark" for e in v.platforms)) for v in views])
    add("overview", "programmes", [str(len(v.programmes)) for v in views])
    chains = sorted({r.chain for v in views for r in v.chains if r.chain})
    for name in chains:
        cells = []
        for v in views:
            row = next((r for r in v.chains if r.chain == name), None)
            if row is None:
                cells.append("—")
                continue
            cell = f"{row.companies} co., {len(row.covered)}/{row.segments} seg."
            if row.leaders:
                cell += f", ★{'、'.join(row.leaders)}"
            if row.prioritised_by:
                cell += " · priority"
            cells.append(cell)
        add("chain", name, cells)
    indicators = sorted({(p.indicator_name, p.kind) for v in views for p in v.figures})
    for indicator, kind in indicators:
        cells = []
        for v in views:
            point = next((p for p in v.figures if (p.indicator_name, p.kind) == (indicator, kind)), None)
            cells.append(f"{point.value:g} {point.unit} ({point.year})" if point else "—")
        add("target" if kind == "target" else "figure", indicator, cells)
    programmes = sorted({p.name for v in views for p in v.programmes})
    for name in programmes:
        add("programme", name, ["✓" if any(p.name == name for p in v.programmes) else "—" for v in views])
    return Comparison(columns, rows, as_of or "")


def compare_frame(result: Comparison) -> "pd.DataFrame":
    return frames.frame(result.rows, ["section", "row", *result.places])


def format_compare(result: Comparison) -> str:
    return frames.table_text(compare_frame(result), max_width=64)
