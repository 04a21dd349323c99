"""The companies of an industry chain: who leads it, where they are, what says so.

`chain(store, "智能光伏")` answers from the built graph: the industry (by name, alias or
IRI) and every narrower industry of the taxonomy, its leaders first, then the other
companies, each with its county and prefecture-level city and the quotes that put it in
the chain. The same answer backs `kg chain` and notebooks.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from .query import resolve_term
from .store import Store
from .terminal import plural

_MEMBERS = """
PREFIX kg:   <https://w3id.org/zjkg/ontology#>
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
SELECT ?company ?name ?predicate ?member ?memberName ?quote ?doc ?start WHERE {
  ?member skos:broader* ?industry ; rdfs:label ?memberName . FILTER (lang(?memberName) = "zh")
  VALUES ?predicate { kg:leadsChain kg:inIndustry }
  ?company ?predicate ?member ; a kg:Company ; rdfs:label ?name .
  OPTIONAL {
    ?fact kg:subject ?company ; kg:predicate ?predicate ; kg:object ?member ; kg:quote ?quote ;
          kg:startOffset ?start ; prov:wasDerivedFrom ?d . ?d schema:name ?doc .
  }
}"""
_PLACES = """
PREFIX kg:   <https://w3id.org/zjkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?place ?placeName ?placeClass ?city ?cityName WHERE {
  ?company kg:locatedIn ?place .
  ?place a ?placeClass ; rdfs:label ?placeName . FILTER (lang(?placeName) = "zh")
  OPTIONAL { ?place kg:partOf* ?city . ?city a kg:City ; rdfs:label ?cityName . FILTER (lang(?cityName) = "zh") }
}"""
_NAME = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?name WHERE { ?e rdfs:label ?name . FILTER (lang(?name) = "zh") }"""
_KG = "https://w3id.org/zjkg/ontology#"


@dataclass
class ChainCompany:
    iri: str
    name: str
    leader: bool
    industries: list[str] = field(default_factory=list)     # the chain's industries it is in
    counties: list[str] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)
    evidence: list[tuple[str, str]] = field(default_factory=list)   # (quote, document)

    @property
    def role(self) -> str:
        return "leader" if self.leader else "member"


@dataclass
class Chain:
    iri: str
    name: str
    industries: list[str]                 # the industry and the narrower ones that have companies
    companies: list[ChainCompany]
    city: str = ""

    @property
    def leaders(self) -> list[ChainCompany]:
        return [c for c in self.companies if c.leader]


def chain(store: Store, industry: str, city: str | None = None) -> Chain:
    root = resolve_term(store, industry, "industry")
    city_iri = resolve_term(store, city, "place") if city else None
    companies: dict[str, ChainCompany] = {}
    industries: set[str] = set()
    evidence: dict[str, set[tuple[str, int, str]]] = {}   # company → (document, offset, quote)
    for row in store.query(_MEMBERS, {"industry": root}).rows:
        iri = str(row["company"])
        entry = companies.setdefault(iri, ChainCompany(iri, str(row["name"]), False))
        entry.leader |= str(row["predicate"]) == _KG + "leadsChain"
        industries.add(str(row["memberName"]))
        entry.industries = sorted({*entry.industries, str(row["memberName"])})
        if "quote" in row:
            evidence.setdefault(iri, set()).add((str(row["doc"]), int(row["start"]), str(row["quote"])))
    in_city: set[str] = set()
    for entry in companies.values():
        # Rows come in whatever order the engine likes: sort, so every store prints the same chain.
        entry.evidence = [(quote, doc) for doc, _, quote in sorted(evidence.get(entry.iri, ()))]
        counties, cities = set(), set()
        for row in store.query(_PLACES, {"company": URIRef(entry.iri)}).rows:
            cls = str(row["placeClass"]).removeprefix(_KG)
            if cls in ("County", "Town"):
                counties.add(str(row["placeName"]))
            city_name = str(row["cityName"]) if "cityName" in row else (str(row["placeName"]) if cls == "City" else "")
            if city_name:
                cities.add(city_name)
            if city_iri is not None and city_iri in (row.get("city"), row["place"]):
                in_city.add(entry.iri)
        entry.counties, entry.cities = sorted(counties), sorted(cities)
    members = [c for c in companies.values() if city_iri is None or c.iri in in_city]
    members.sort(key=lambda c: (not c.leader, -len(c.evidence), c.name))
    name = store.query(_NAME, {"e": root}).rows
    city_name = store.query(_NAME, {"e": city_iri}).rows if city_iri is not None else []
    return Chain(str(root), str(name[0]["name"]) if name else industry, sorted(industries), members,
                 str(city_name[0]["name"]) if city_name else "")


def format_chain(result: Chain, quotes: int = 1) -> str:
    where = f" in {result.city}" if result.city else ""
    lines = [f"{result.name}{where}: {plural(len(result.companies), 'company', 'companies')}, "
             f"{plural(len(result.leaders), 'leader')}"]
    if len(result.industries) > 1:
        lines.append("industries: " + "、".join(result.industries))
    for company in result.companies:
        place = "、".join(company.counties + [c for c in company.cities if c not in company.counties]) or "—"
        lines.append(f"  {'★' if company.leader else '·'} {company.name}  [{company.role}]  {place}  "
                     f"({'、'.join(company.industries)})")
        for quote, doc in company.evidence[:quotes]:
            short = quote if len(quote) <= 80 else quote[:78] + "…"
            lines.append(f"      “{short}” — {doc}")
    return "\n".join(lines)
