"""Reference data that is true everywhere, loaded once from data/reference/.

Administrative divisions (GB/T 2260) of Zhejiang and China's provincial-level units,
well-known towns, other places of the world, the industry taxonomy (SKOS, mapped to the
classes of GB/T 4754 in gbt4754.ttl) and national
and provincial programmes. Stages read it through `reference()`; nothing here depends on
the corpus.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache

from rdflib import Graph
from rdflib.namespace import RDF, SKOS

from .resources import reference_file
from .vocab import ID, iri_segment

IND = ID["industry/"]


_CODE_KINDS = (("gb2260", re.compile(r"[1-8][0-9]{5}")), ("division", re.compile(r"[1-8][0-9]{8}")),
               ("iso3166", re.compile(r"[A-Z]{2}")), ("unlocode", re.compile(r"[A-Z]{5}")))


@dataclass(frozen=True, slots=True)
class RefPlace:
    key: str            # what mentions refer to it by: its GB/T 2260 code, else its name (world places)
                        # or county code and name (towns)
    name: str           # official full name
    short: str          # short name as used in prose ("" when none)
    name_en: str
    label: str          # Province | City | County | Town | Place
    parent: str = ""    # key of the administrative parent
    zhejiang: bool = False
    kind: str = ""      # world places: country | city | region
    code: str = ""      # what its IRI is made of: GB/T 2260 (330782), the statistical division code of a
                        # township (330783101), ISO 3166-1 (US), UN/LOCODE (JPTYO), or a code the reference
                        # data assigns where none exists (x-yangtze-river-delta)

    @property
    def iri(self) -> str:
        return ID["place/" + self.code]

    @property
    def code_kind(self) -> str:
        """Which standard the key is a code of: gb2260, division (the statistical code of a
        township, 统计用区划代码), iso3166, unlocode, or "" (assigned here)."""
        return next((kind for kind, pattern in _CODE_KINDS if pattern.fullmatch(self.code)), "")

    @property
    def names(self) -> tuple[str, ...]:
        """Full name first, then short forms (world places keep several, '|'-separated)."""
        return (self.name, *(n for n in self.short.split("|") if n and n != self.name))


@dataclass(frozen=True, slots=True)
class RefIndustry:
    key: str            # slug of the concept IRI
    name: str           # skos:prefLabel@zh
    name_en: str
    alt: tuple[str, ...]
    broader: tuple[str, ...]

    @property
    def iri(self) -> str:
        return IND + self.key

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.alt)


@dataclass(frozen=True, slots=True)
class RefProgramme:
    name: str
    aliases: tuple[str, ...]
    level: str          # national | provincial
    name_en: str

    @property
    def iri(self) -> str:
        return ID["policy/" + iri_segment(self.name)]


@dataclass(frozen=True, slots=True)
class Reference:
    places: dict[str, RefPlace]
    industries: dict[str, RefIndustry]
    programmes: tuple[RefProgramme, ...]
    industry_graph: Graph
    chain_graph: Graph    # industrial chains and their segments (chains.ttl)

    @property
    def province(self) -> RefPlace:
        return self.places["330000"]

    def ancestors(self, key: str) -> list[RefPlace]:
        """Administrative parents of a place, nearest first."""
        chain = []
        place = self.places.get(key)
        while place is not None and place.parent:
            place = self.places.get(place.parent)
            if place is not None:
                chain.append(place)
        return chain

    def branch(self, key: str) -> str:
        """The top concept an industry falls under (itself if it is one)."""
        seen = {key}
        while (industry := self.industries.get(key)) is not None and industry.broader and industry.broader[0] not in seen:
            key = industry.broader[0]
            seen.add(key)
        return key


_LEVEL = {"province": "Province", "city": "City", "county": "County"}


def _rows(name: str) -> list[dict[str, str]]:
    with reference_file(name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _places() -> dict[str, RefPlace]:
    places: dict[str, RefPlace] = {}
    for row in _rows("zhejiang_divisions.csv"):
        places[row["code"]] = RefPlace(row["code"], row["name"], row["short_name"], row["name_en"],
                                       _LEVEL[row["level"]], row["parent_code"], zhejiang=True, code=row["code"])
    for row in _rows("china_provinces.csv"):
        # Provinces and autonomous regions are Provinces; municipalities and SARs are Places
        # (the annotation guidelines class 上海 as a Place, 江苏 as a Province).
        label = "Province" if row["kind"] in ("province", "autonomous_region") else "Place"
        places.setdefault(row["code"], RefPlace(row["code"], row["name"], row["short_name"],
                                                row["name_en"], label, code=row["code"]))
    for row in _rows("zhejiang_towns.csv"):   # township level: 镇, 乡 and 街道, by statistical division code
        places[row["code"]] = RefPlace(row["code"], row["name"], row["short_name"], row["name_en"], "Town",
                                       row["county_code"], zhejiang=True, code=row["code"])
    for row in _rows("world_places.csv"):
        aliases = [a for a in row["aliases"].split("|") if a]
        places[row["name"]] = RefPlace(row["name"], row["name"], "|".join(aliases), row["name_en"], "Place",
                                       kind=row["kind"], code=row["code"])
    return places


def _industries(graph: Graph) -> dict[str, RefIndustry]:
    industries = {}
    for concept in graph.subjects(RDF.type, SKOS.Concept):
        if not str(concept).startswith(IND):
            continue   # a class of the national classification the taxonomy maps to
        key = str(concept).removeprefix(IND)
        zh = [str(o) for o in graph.objects(concept, SKOS.prefLabel) if getattr(o, "language", "") == "zh"]
        en = [str(o) for o in graph.objects(concept, SKOS.prefLabel) if getattr(o, "language", "") == "en"]
        alt = sorted(str(o) for o in graph.objects(concept, SKOS.altLabel))
        broader = sorted(str(o).removeprefix(IND) for o in graph.objects(concept, SKOS.broader))
        industries[key] = RefIndustry(key, zh[0], en[0] if en else "", tuple(alt), tuple(broader))
    return industries


@cache
def reference() -> Reference:
    graph = Graph().parse(reference_file("industries.ttl")).parse(reference_file("gbt4754.ttl"))
    for concept, broader in list(graph.subject_objects(SKOS.broader)):
        graph.add((broader, SKOS.narrower, concept))
    programmes = tuple(
        RefProgramme(row["name"], tuple(a for a in row["aliases"].split("|") if a), row["level"], row["name_en"])
        for row in _rows("programmes.csv")
    )
    chains = Graph().parse(reference_file("chains.ttl"))
    return Reference(_places(), _industries(graph), programmes, graph, chains)
