"""What the chain, place, compare and figures views read from a graph, in a few bulk queries.

Each function asks any store (rdflib, Oxigraph, a remote endpoint) for one kind of thing: the
chains and their segments, the taxonomy, the names of organisations and platforms, where they
are, and the quotes that say so with their documents' titles and dates. Views never query per
entity; long lists of IRIs go in VALUES blocks of a bounded size.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from rdflib import URIRef

from .store import Store

PREFIXES = """PREFIX kg:   <https://w3id.org/zjkg/ontology#>
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
PREFIX dct:  <http://purl.org/dc/terms/>
"""
KG = "https://w3id.org/zjkg/ontology#"
CHUNK = 300   # IRIs per VALUES block
ORGANISATIONS = ("Company", "ResearchInstitute")
PLATFORMS = ("IndustrialPark", "DataCenter", "DigitalPlatform")


def _zh(name: str) -> str:
    return f'FILTER (lang({name}) = "zh")'


def run(store: Store, body: str):
    return store.query(PREFIXES + body).rows


def chunked(store: Store, body: str, variable: str, iris: Iterable[str]):
    """Rows of `body` (which has `{values}` where the VALUES block goes) for the IRIs, in chunks."""
    iris = sorted(set(iris))
    rows = []
    for i in range(0, len(iris), CHUNK):
        values = f"VALUES ?{variable} {{ " + " ".join(URIRef(x).n3() for x in iris[i:i + CHUNK]) + " }"
        rows.extend(run(store, body.replace("{values}", values)))
    return rows


# ---------------------------------------------------------------------- chains
@dataclass
class SegmentDef:
    iri: str
    chain: str
    name: str
    name_en: str
    rank: int
    stage: str                       # 上游 | 中游 | 下游
    terms: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()  # taxonomy concepts (kg:includesIndustry)
    feeds: tuple[str, ...] = ()       # segments it is upstream of


@dataclass
class ChainDef:
    iri: str
    name: str
    name_en: str
    names: tuple[str, ...]            # prefLabel@zh and altLabels
    industries: tuple[str, ...]       # kg:includesIndustry
    segments: list[SegmentDef] = field(default_factory=list)


def chain_defs(store: Store) -> dict[str, ChainDef]:
    chains: dict[str, ChainDef] = {}
    for row in run(store, """SELECT ?c ?name ?en WHERE { ?c a kg:IndustryChain ; skos:prefLabel ?name .
        """ + _zh("?name") + """ OPTIONAL { ?c skos:prefLabel ?en . FILTER (lang(?en) = "en") } }"""):
        chains[str(row["c"])] = ChainDef(str(row["c"]), str(row["name"]), str(row.get("en", "")), (str(row["name"]),), ())
    for row in run(store, "SELECT ?c ?alt WHERE { ?c a kg:IndustryChain ; skos:altLabel ?alt }"):
        chain = chains[str(row["c"])]
        chain.names = (*chain.names, str(row["alt"]))
    includes: dict[str, list[str]] = defaultdict(list)
    for row in run(store, "SELECT ?x ?i WHERE { ?x kg:includesIndustry ?i }"):
        includes[str(row["x"])].append(str(row["i"]))
    terms: dict[str, list[str]] = defaultdict(list)
    for row in run(store, "SELECT ?s ?t WHERE { ?s a kg:ChainSegment ; kg:segmentTerm ?t }"):
        terms[str(row["s"])].append(str(row["t"]))
    feeds: dict[str, list[str]] = defaultdict(list)
    for row in run(store, "SELECT ?s ?t WHERE { ?s a kg:ChainSegment ; kg:upstreamOf ?t . ?t a kg:ChainSegment }"):
        feeds[str(row["s"])].append(str(row["t"]))
    for row in run(store, """SELECT ?s ?c ?name ?en ?rank ?stage WHERE {
        ?s a kg:ChainSegment ; kg:segmentOf ?c ; kg:segmentRank ?rank ; skos:prefLabel ?name . """ + _zh("?name") + """
        OPTIONAL { ?s skos:prefLabel ?en . FILTER (lang(?en) = "en") }
        OPTIONAL { ?s kg:stage/skos:prefLabel ?stage . """ + _zh("?stage") + " } }"):
        segment, chain = str(row["s"]), str(row["c"])
        if chain in chains:
            chains[chain].segments.append(SegmentDef(
                segment, chain, str(row["name"]), str(row.get("en", "")), int(row["rank"]), str(row.get("stage", "")),
                tuple(sorted(terms[segment])), tuple(sorted(includes[segment])), tuple(sorted(feeds[segment]))))
    for chain in chains.values():
        chain.industries = tuple(sorted(includes[chain.iri]))
        chain.names = tuple(dict.fromkeys(chain.names))
        chain.segments.sort(key=lambda s: (s.rank, s.iri))
    return chains


def industries(store: Store) -> tuple[dict[str, str], dict[str, set[str]]]:
    """(industry IRI → zh name, industry IRI → itself and every broader concept)."""
    names = {str(r["i"]): str(r["name"]) for r in run(store, "SELECT ?i ?name WHERE { ?i a kg:Industry ; rdfs:label ?name . "
                                                      + _zh("?name") + " }")}
    up: dict[str, set[str]] = {iri: {iri} for iri in names}
    for row in run(store, "SELECT ?n ?b WHERE { ?n a kg:Industry ; skos:broader+ ?b }"):
        up.setdefault(str(row["n"]), {str(row["n"])}).add(str(row["b"]))
    return names, up


# ---------------------------------------------------------------------- organisations and platforms
@dataclass
class Thing:
    """An organisation, platform or project, with what the graph says of its trade and place."""
    iri: str
    name: str
    cls: str                                       # Company, IndustrialPark, …
    industries: dict[str, str] = field(default_factory=dict)   # industry IRI → predicate (inIndustry | leadsChain)
    counties: set[str] = field(default_factory=set)
    cities: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)   # IRIs of every place it is in (with the cities above them)


def things(store: Store, classes: Iterable[str] = ORGANISATIONS + PLATFORMS + ("Project",)) -> dict[str, Thing]:
    wanted = " ".join(f"kg:{c}" for c in classes)
    found: dict[str, Thing] = {}
    for row in run(store, f"SELECT ?e ?cls ?name WHERE {{ VALUES ?cls {{ {wanted} }} ?e a ?cls ; rdfs:label ?name . "
                          + _zh("?name") + " }"):
        iri = str(row["e"])
        if iri not in found or str(row["name"]) > found[iri].name:   # several labels: keep one, the same every time
            found[iri] = Thing(iri, str(row["name"]), str(row["cls"]).removeprefix(KG))
    for row in run(store, "SELECT ?e ?p ?i WHERE { VALUES ?p { kg:inIndustry kg:leadsChain } ?e ?p ?i }"):
        thing = found.get(str(row["e"]))
        if thing is not None:
            predicate = str(row["p"]).removeprefix(KG)
            if thing.industries.get(str(row["i"])) != "leadsChain":
                thing.industries[str(row["i"])] = predicate
    return found


def locate(store: Store, found: dict[str, Thing], places: dict[str, "PlaceInfo"]) -> None:
    """Fill in counties, cities and places: where each is located, or the place that runs it."""
    for row in run(store, "SELECT ?e ?place WHERE { { ?e kg:locatedIn ?place } UNION { ?place kg:operates ?e } }"):
        thing = found.get(str(row["e"]))
        if thing is None or str(row["place"]) not in places:
            continue
        place = places[str(row["place"])]
        thing.places |= {place.iri, *place.above}
        if place.cls in ("County", "Town"):
            thing.counties.add(place.name)
        if place.cls == "City":
            thing.cities.add(place.name)
        thing.cities |= place.cities


@dataclass
class PlaceInfo:
    iri: str
    name: str
    cls: str
    above: set[str] = field(default_factory=set)    # IRIs of the places it is part of
    cities: set[str] = field(default_factory=set)   # names of the prefecture-level cities above it


def place_names(store: Store) -> dict[str, PlaceInfo]:
    places: dict[str, PlaceInfo] = {}
    for row in run(store, """SELECT ?p ?name ?cls WHERE { VALUES ?cls { kg:Province kg:City kg:County kg:Town kg:Place }
                             ?p a ?cls ; rdfs:label ?name . """ + _zh("?name") + " }"):
        iri = str(row["p"])
        if iri not in places or str(row["name"]) < places[iri].name:
            places[iri] = PlaceInfo(iri, str(row["name"]), str(row["cls"]).removeprefix(KG))
    # The direct partOf edges, closed here: not every engine runs a property path with
    # neither end bound (Virtuoso: "transitive start not given").
    parents: dict[str, set[str]] = {}
    for row in run(store, "SELECT ?p ?up WHERE { ?p kg:partOf ?up }"):
        parents.setdefault(str(row["p"]), set()).add(str(row["up"]))
    for place in places.values():
        frontier, seen = list(parents.get(place.iri, ())), set()
        while frontier:
            iri = frontier.pop()
            if iri in seen:
                continue
            seen.add(iri)
            frontier.extend(parents.get(iri, ()))
            up = places.get(iri)
            if up is not None:
                place.above.add(iri)
                if up.cls == "City":
                    place.cities.add(up.name)
    return places


def is_in(thing_places: set[str], place: str | None) -> bool:
    return place is None or place in thing_places


# ---------------------------------------------------------------------- evidence
@dataclass(frozen=True)
class Source:
    doc: str              # file name
    title: str
    date: str             # ISO date as precise as known, "" if unknown
    not_before: str = ""  # for an undated document: the year it cannot be older than

    @property
    def when(self) -> str:
        return self.date or (f"≥{self.not_before}" if self.not_before else "")

    @property
    def sort_date(self) -> str:
        return self.date or self.not_before


@dataclass
class Quote:
    """One quote and every document that states it (syndicated copies give the same words)."""
    text: str
    predicate: str
    subject: str
    object: str
    sources: list[Source] = field(default_factory=list)

    @property
    def first_date(self) -> str:
        return min((s.sort_date for s in self.sources if s.sort_date), default="")


def documents(store: Store) -> dict[str, Source]:
    """Document IRI → the document as a source: file name, title, date or the year it cannot be older than."""
    rows = run(store, """SELECT ?d ?doc ?title ?date ?nb WHERE { ?d a kg:Document ; schema:name ?doc .
        OPTIONAL { ?d dct:title ?title } OPTIONAL { ?d dct:issued ?date } OPTIONAL { ?d kg:notBefore ?nb } }""")
    return {str(r["d"]): Source(str(r["doc"]), str(r.get("title", "")), str(r.get("date", "")), str(r.get("nb", "")))
            for r in rows}


def _key(text: str) -> str:
    return "".join(text.split())


def quotes(store: Store, iris: Iterable[str], as_of: str | None = None,
           predicates: Iterable[str] = ("inIndustry", "leadsChain", "locatedIn", "develops", "hosts", "operates",
                                        "prioritizes", "implements")) -> dict[str, list[Quote]]:
    """Entity IRI → the quotes of the facts it is the subject or object of, each quote once with all
    its documents (earliest first); with `as_of`, only what documents dated up to then state (an
    undated document counts from the year it cannot be older than)."""
    wanted = ", ".join(f"kg:{p}" for p in predicates)
    # One query per side, the documents apart: a UNION of the two sides, or the documents'
    # OPTIONALs in the same query, make both engines start from every assertion (Oxigraph a
    # hundred times slower on a graph of a million triples, rdflib thirty times on the seeds).
    bodies = [f"""SELECT ?e ?s ?p ?o ?quote ?d WHERE {{ {{values}}
        ?a kg:{side} ?e ; kg:subject ?s ; kg:predicate ?p ; kg:object ?o ; kg:quote ?quote ; prov:wasDerivedFrom ?d .
        FILTER (?p IN ({wanted})) }}""" for side in ("subject", "object")]
    iris = sorted(set(iris))
    docs = documents(store)
    grouped: dict[str, dict[tuple[str, str, str, str], Quote]] = defaultdict(dict)
    for row in [r for body in bodies for r in chunked(store, body, "e", iris)]:
        source = docs.get(str(row["d"]))
        if source is None or (as_of and source.sort_date and source.sort_date > as_of):
            continue
        p = str(row["p"]).removeprefix(KG)
        key = (p, str(row["s"]), str(row["o"]), _key(str(row["quote"])))
        quote = grouped[str(row["e"])].setdefault(key, Quote(str(row["quote"]), p, str(row["s"]), str(row["o"])))
        if source not in quote.sources:
            quote.sources.append(source)
    out = {}
    for iri, found in grouped.items():
        for quote in found.values():
            quote.sources.sort(key=lambda s: (s.sort_date or "9999", s.doc))
        out[iri] = sorted(found.values(), key=lambda q: (q.first_date or "9999", q.sources[0].doc, q.text,
                                                         q.predicate, q.subject, q.object))
    return out
