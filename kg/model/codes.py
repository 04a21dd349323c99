"""The coded lists of indicators and units (data/reference/indicators.ttl, units.ttl), and the
functions that give an observation's wording and unit their codes.

An article writes "核心产业营收增速", "核心产业营收" or "实现营收"; the code list
lines these up (dex-core-revenue-growth, dex-core-revenue, revenue), so one indicator of one
region is one series over the years. The wording itself is kept beside the code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rdflib import Graph
from rdflib.namespace import RDF, SKOS

from .resources import reference_file
from .vocab import ID, KG

INDICATOR = ID["indicator/"]
UNIT = ID["unit/"]
OTHER = "other"
_GROWTH = re.compile(r"增速|增幅|增长率|增长$|同比增长")
_SHARE = re.compile(r"占比|比重|份额|覆盖率|渗透率")
_GDP = re.compile(r"生产总值|GDP")
_SPACE = re.compile(r"[\s\"“”'‘’]+")


@dataclass(frozen=True, slots=True)
class Code:
    key: str                  # skos:notation, also the last segment of the IRI
    name: str                 # prefLabel@zh
    name_en: str
    names: tuple[str, ...]    # prefLabel and altLabels (zh): the wordings that name it
    broader: str = ""         # key of the broader concept
    base_unit: str = ""       # key of the unit the indicator is counted in (kg:baseUnit)
    multiplier: float = 1.0   # units: how many base units one unit is


@dataclass(frozen=True, slots=True)
class CodeLists:
    indicators: dict[str, Code]
    units: dict[str, Code]
    graph: Graph

    def indicator_iri(self, key: str) -> str:
        return INDICATOR + key

    def unit_iri(self, key: str) -> str:
        return UNIT + key


def _codes(graph: Graph, namespace: str) -> dict[str, Code]:
    codes = {}
    for concept in graph.subjects(RDF.type, SKOS.Concept):
        if not str(concept).startswith(namespace):
            continue
        labels = {getattr(o, "language", ""): str(o) for o in graph.objects(concept, SKOS.prefLabel)}
        alt = sorted(str(o) for o in graph.objects(concept, SKOS.altLabel))
        broader = [str(o).removeprefix(namespace) for o in graph.objects(concept, SKOS.broader)]
        base = [str(o).removeprefix(UNIT) for o in graph.objects(concept, KG.baseUnit)]
        multiplier = graph.value(concept, KG.multiplier)
        key = str(concept).removeprefix(namespace)
        codes[key] = Code(key, labels["zh"], labels.get("en", ""), (labels["zh"], *alt),
                          broader[0] if broader else "", base[0] if base else "",
                          float(multiplier) if multiplier is not None else 1.0)
    return codes


@cache
def code_lists() -> CodeLists:
    graph = Graph()
    graph.parse(reference_file("indicators.ttl"))
    graph.parse(reference_file("units.ttl"))
    return CodeLists(_codes(graph, INDICATOR), _codes(graph, UNIT), graph)


def unit_code(unit: str) -> str:
    """The code of a unit as written (亿元 → cny-100m, % → percent); "" when the list has none."""
    written = _SPACE.sub("", unit)
    units = code_lists().units
    for key, code in sorted(units.items()):
        if written in code.names:
            return key
    return ""


def _dimension(unit_key: str) -> str:
    """The base unit a unit counts in: cny-100m → cny, enterprises → count, percent → percent."""
    units = code_lists().units
    seen = set()
    while unit_key in units and units[unit_key].base_unit and unit_key not in seen:
        seen.add(unit_key)
        unit_key = units[unit_key].base_unit
    return unit_key


def indicator_code(wording: str, unit: str = "") -> str:
    """The code of an indicator as an article words it, given its unit as written.

    A growth rate (…增速, in %) is the growth concept of the quantity it names, a share (…占…比重)
    the share concept; otherwise the longest name of a quantity the wording contains, among those
    counted in the unit's dimension (亿元 rules out 企业数). Wordings that name no known quantity
    get `growth`, `share` or `other`."""
    text = _SPACE.sub("", wording)
    indicators = code_lists().indicators
    unit_key = unit_code(unit) if unit else ""
    dimension = _dimension(unit_key) if unit_key else ""
    in_percent = dimension == "percent"
    levels = [c for c in indicators.values() if c.broader == "level"]
    if in_percent or not dimension:
        candidates = levels
    else:
        candidates = [c for c in levels if _dimension(c.base_unit) == dimension] or levels
    matches = [(len(name), code.key) for code in candidates for name in code.names if name in text]
    base = max(matches)[1] if matches else ""
    if in_percent:
        growth, share = _GROWTH.search(text), _SHARE.search(text)
        if base and indicators[base].base_unit == "percent":
            return base
        if share:
            # the quantity is what comes before 占 (…增加值占…比重), not the denominator
            numerator = text[:text.index("占")] if "占" in text else text
            base = max(((len(n), c.key) for c in levels for n in c.names if n in numerator), default=(0, ""))[1]
            if growth and growth.start() > share.start():
                return "growth"            # the growth of a share
            if base and _GDP.search(text) and f"{base}-gdp-share" in indicators:
                return f"{base}-gdp-share"
            return "share"
        if growth:
            return f"{base}-growth" if f"{base}-growth" in indicators else "growth"
        return OTHER
    if base:
        return base
    if dimension == "count" and unit_key in ("enterprises", "enterprises-10k"):
        return "enterprises"
    return OTHER
