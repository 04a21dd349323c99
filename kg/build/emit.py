"""Stage 7: entities and facts → RDF, one named graph per document.

Each document's graph holds the document node, the entities it names (class, label,
kg:mentionedIn, owl:sameAs from their older IRIs), its facts and figures. A fact is the
triple itself plus a kg:Assertion (an n-ary prov:Entity: kg:subject, kg:predicate,
kg:object) carrying the quote, its character offsets, the extractor (a prov:SoftwareAgent)
and a confidence; a figure is a kg:Observation of the Data Cube data set kg:figures with
the same provenance. Fact and observation IRIs are digests of the document's content hash
and the fact itself: no file name, no offset. The administrative divisions and the industry
taxonomy form the reference graph, the ontology a graph of its own.
"""
from __future__ import annotations

import hashlib
from decimal import Decimal
from functools import cache, lru_cache

import pyoxigraph as ox

from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from ..model.codes import code_lists
from ..model.reference import RefPlace, reference
from ..model.resources import ontology_file
from ..model.records import Entity, Fact, Observation, ResolvedDocument
from ..model.terms import xml_text
from ..model.vocab import DCAT, ID, KG, QB, SCHEMA, VOID, class_iri, iri_segment, predicate_iri
from .resolve import observation_key

REFERENCE_GRAPH = URIRef(ID["graph/reference"])
ONTOLOGY_GRAPH = URIRef(ID["graph/ontology"])
TAXONOMY_SCHEME = URIRef(ID["industry-scheme"])
EXTRACTED_INDUSTRY_SCHEME = URIRef(ID["extracted-industry-scheme"])
UNKNOWN_PERIOD = URIRef(ID["period/unknown"])
_CODE_PROPERTIES = {"gb2260": KG.adminCode, "division": KG.divisionCode, "iso3166": KG.countryCode,
                    "unlocode": KG.locode}
PREFIXES = {"kg": KG._NS, "rdf": RDF, "id": ID, "place": ID["place/"], "ind": ID["industry/"], "prov": PROV, "skos": SKOS,
            "schema": SCHEMA, "qb": QB, "dct": DCTERMS, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "void": VOID, "dcat": DCAT}


def document_iri(doc_name: str) -> URIRef:
    return URIRef(ID["doc/" + iri_segment(doc_name.rsplit(".", 1)[0])])


def graph_iri(doc_name: str) -> URIRef:
    return URIRef(ID["graph/" + iri_segment(doc_name.rsplit(".", 1)[0])])


def extractor_iri(name: str) -> URIRef:
    """id/extractor/<rule id>: a rule id such as leader-list stays as it is; any other
    character is escaped by iri_segment, so no id can put a '/' or '%' in the IRI."""
    return URIRef(ID["extractor/" + iri_segment(name)])


def period_iri(year: int | None) -> URIRef:
    return UNKNOWN_PERIOD if year is None else URIRef(ID[f"period/{year}"])


def _digest(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def new_graph() -> Graph:
    graph = Graph(store="SimpleMemory")   # no per-context indexes: a third faster to fill
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


# ---------------------------------------------------------------------- a document's graph
# Made straight as pyoxigraph terms, which the shapes and the serialisers take as they are:
# building an rdflib graph first and converting it cost as much as the rest of the stage.
@lru_cache(maxsize=1 << 16)   # the vocabulary and the entities recur in every document
def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def _zh(text: str) -> ox.Literal:
    return ox.Literal(xml_text(text), language="zh")


def _typed(lexical: str, datatype: URIRef) -> ox.Literal:
    return ox.Literal(lexical, datatype=_n(datatype))


@lru_cache(maxsize=1 << 12)
def _decimal(value: Decimal) -> ox.Literal:
    """xsd:decimal in rdflib's lexical form (1E+2 → 100), as every graph of kg writes it."""
    return _typed(str(Literal(value, datatype=XSD.decimal)), XSD.decimal)


class _Triples:
    """A graph being made: each triple once, in the order first added."""

    def __init__(self) -> None:
        self._triples: dict[ox.Triple, None] = {}

    def add(self, s: ox.NamedNode, p: URIRef, o) -> None:
        self._triples[ox.Triple(s, _n(p), o)] = None

    def __iter__(self):
        return iter(self._triples)


def document_triples(resolved: ResolvedDocument, entities: dict[str, Entity],
                     min_confidence: float = 0.0) -> list[ox.Triple]:
    g = _Triples()
    doc = resolved.document
    node = _n(document_iri(doc.name))
    g.add(node, RDF.type, _n(KG.Document))
    g.add(node, SCHEMA.name, ox.Literal(doc.name))
    g.add(node, KG.contentHash, ox.Literal(doc.content_hash))
    if doc.title:
        g.add(node, DCTERMS.title, _zh(doc.title))
    if doc.source:
        g.add(node, DCTERMS.source, ox.Literal(doc.source))
    facts = [f for f in resolved.facts if f.confidence >= min_confidence]
    observations = [o for o in resolved.observations if o.confidence >= min_confidence]
    _add_sources(g, node, doc, resolved.observations)
    date = _date(doc.date) if doc.date else None
    used = set(resolved.entities) | {f.subject for f in facts} | {f.object for f in facts} | \
        {o.region for o in observations} | {o.industry for o in observations if o.industry}
    for iri in sorted(used):
        _declare(g, entities[iri], node, mentioned=iri in resolved.surface)
    for year in sorted({o.year for o in observations}, key=lambda y: (y is not None, y)):
        _declare_period(g, year)
    for name in doc.about:
        place = _place_named(name)
        if place:
            g.add(node, SCHEMA.about, _n(place))
    for fact in facts:
        _add_fact(g, fact, node, doc.content_hash, date)
    for observation in observations:
        _add_observation(g, observation, node, doc.content_hash, date)
    return list(g)


def date_literal(iso: str) -> Literal:
    """An ISO date to the precision known: xsd:date, xsd:gYearMonth or xsd:gYear."""
    datatype = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}.get(len(iso))
    if datatype is None:
        raise ValueError(f"not an ISO date, year-month or year: {iso!r}")
    return Literal(iso, datatype=datatype)


def _date(iso: str) -> ox.Literal:
    literal = date_literal(iso)
    return _typed(str(literal), literal.datatype)


def _add_sources(g: _Triples, node: ox.NamedNode, doc, observations) -> None:
    """The document as a source (Dublin Core, PROV, schema.org): publisher, date, URL; for an
    undated one, the year it cannot be older than (the latest year it reports a figure reached)."""
    if doc.publisher:
        publisher = _n(ID["publisher/" + iri_segment(doc.publisher)])
        g.add(node, DCTERMS.publisher, publisher)
        g.add(publisher, RDF.type, _n(PROV.Organization))
        g.add(publisher, RDFS.label, _zh(doc.publisher))
    if doc.url:
        g.add(node, SCHEMA.url, _typed(xml_text(doc.url), XSD.anyURI))
    if doc.date:
        g.add(node, DCTERMS.issued, _date(doc.date))
        return
    reached = [o.year for o in observations if not o.target and o.year is not None]
    if reached:
        g.add(node, KG.notBefore, _typed(f"{max(reached):04d}", XSD.gYear))


def _place_named(name: str) -> str:
    for place in reference().places.values():
        if name in place.names:
            return place.iri
    return ""


def _declare(g: _Triples, entity: Entity, doc: ox.NamedNode, mentioned: bool) -> None:
    node = _n(entity.iri)
    g.add(node, RDF.type, _n(class_iri(entity.label)))
    g.add(node, RDFS.label, _zh(entity.name))
    for name in sorted(entity.names - {entity.name}):
        g.add(node, SKOS.altLabel, _zh(name))
    if mentioned:
        g.add(node, KG.mentionedIn, doc)
    for alias in sorted(entity.aliases):
        g.add(_n(alias), OWL.sameAs, node)
    if entity.label == "Industry" and not entity.ref:
        # An industry the taxonomy lacks: a concept of its own scheme, under the one it names.
        g.add(node, SKOS.prefLabel, _zh(entity.name))
        g.add(node, SKOS.inScheme, _n(EXTRACTED_INDUSTRY_SCHEME))
        for broader in entity.broader:
            g.add(node, SKOS.broader, _n(broader))


def _declare_period(g: _Triples, year: int | None) -> None:
    node = _n(period_iri(year))
    g.add(node, RDF.type, _n(KG.Period))
    if year is None:
        g.add(node, RDFS.label, ox.Literal("年份未知", language="zh"))
        g.add(node, RDFS.label, ox.Literal("year unknown", language="en"))
    else:
        g.add(node, RDFS.label, ox.Literal(f"{year}年", language="zh"))
        g.add(node, RDFS.label, ox.Literal(str(year), language="en"))


def _provenance(g: _Triples, node: ox.NamedNode, doc: ox.NamedNode, quote: str, start: int, end: int,
                extractor: str, confidence: float, date: ox.Literal | None) -> None:
    agent = _n(extractor_iri(extractor))
    if date is not None:   # the date of the article that states it: the graph answers "as of"
        g.add(node, DCTERMS.date, date)
    # Offsets stay those of the document's text and the quote spans them exactly (the shapes
    # check its length): a character XML forbids becomes U+FFFD, not nothing.
    g.add(node, KG.quote, ox.Literal(xml_text(quote, "\ufffd")))
    g.add(node, KG.startOffset, _typed(str(start), XSD.integer))
    g.add(node, KG.endOffset, _typed(str(end), XSD.integer))
    g.add(node, KG.confidence, _decimal(Decimal(str(confidence))))
    g.add(node, PROV.wasDerivedFrom, doc)
    g.add(node, PROV.wasAttributedTo, agent)
    g.add(agent, RDF.type, _n(KG.Extractor))
    g.add(agent, RDFS.label, ox.Literal(extractor))
    g.add(agent, DCTERMS.identifier, ox.Literal(extractor))


def fact_iri(content_hash: str, fact: Fact) -> URIRef:
    return URIRef(ID["fact/" + _digest(content_hash, fact.subject, fact.predicate, fact.object)])


def observation_iri(content_hash: str, obs: Observation) -> URIRef:
    return URIRef(ID["observation/" + _digest(content_hash, *observation_key(obs))])


def _add_fact(g: _Triples, fact: Fact, doc: ox.NamedNode, content_hash: str, date: ox.Literal | None) -> None:
    s, p, o = _n(fact.subject), predicate_iri(fact.predicate), _n(fact.object)
    g.add(s, p, o)
    node = _n(fact_iri(content_hash, fact))
    g.add(node, RDF.type, _n(KG.Assertion))
    g.add(node, KG.subject, s)
    g.add(node, KG.predicate, _n(p))
    g.add(node, KG.object, o)
    _provenance(g, node, doc, fact.quote, fact.start, fact.end, fact.extractor, fact.confidence, date)


def _add_observation(g: _Triples, obs: Observation, doc: ox.NamedNode, content_hash: str,
                     date: ox.Literal | None) -> None:
    node = _n(observation_iri(content_hash, obs))
    g.add(node, RDF.type, _n(KG.Observation))
    g.add(node, QB.dataSet, _n(KG.figures))
    g.add(node, KG.sourceDocument, doc)
    g.add(node, KG.region, _n(obs.region))
    g.add(node, KG.indicator, ox.Literal(obs.indicator))
    g.add(node, KG.refPeriod, _n(period_iri(obs.year)))
    if obs.year is not None:
        g.add(node, KG.year, _typed(str(obs.year), XSD.integer))
    g.add(node, KG.value, _decimal(Decimal(repr(obs.value)).normalize()))
    g.add(node, KG.unit, ox.Literal(obs.unit))
    g.add(node, KG.target, _typed("true" if obs.target else "false", XSD.boolean))
    if obs.industry:
        g.add(node, KG.aboutIndustry, _n(obs.industry))
    codes = code_lists()
    if obs.indicator_code:
        g.add(node, KG.indicatorCode, _n(codes.indicator_iri(obs.indicator_code)))
    if obs.unit_code:
        g.add(node, KG.unitCode, _n(codes.unit_iri(obs.unit_code)))
    _provenance(g, node, doc, obs.quote, obs.start, obs.end, obs.extractor, obs.confidence, date)


@cache
def reference_graph() -> Graph:
    """Places (GB/T 2260 and the world list), the industry taxonomy with its mappings to
    GB/T 4754, and the programmes."""
    ref = reference()
    g = new_graph()
    for triple in ref.industry_graph:
        g.add(triple)
    for industry in ref.industries.values():
        node = URIRef(industry.iri)
        g.add((node, RDF.type, KG.Industry))
        g.add((node, RDFS.label, Literal(industry.name, lang="zh")))
    g.add((EXTRACTED_INDUSTRY_SCHEME, RDF.type, SKOS.ConceptScheme))
    g.add((EXTRACTED_INDUSTRY_SCHEME, SKOS.prefLabel, Literal("文章中出现而分类中没有的产业", lang="zh")))
    g.add((EXTRACTED_INDUSTRY_SCHEME, SKOS.prefLabel, Literal("Industries the articles name that the taxonomy lacks", lang="en")))
    # chains, segments and the code lists keep their SKOS labels; chains and segments also get
    # rdfs:label, the name every query and lookup reads
    for graph in (ref.chain_graph, code_lists().graph):
        for triple in graph:
            g.add(triple)
    for cls in (KG.IndustryChain, KG.ChainSegment):
        for node in ref.chain_graph.subjects(RDF.type, cls):
            for label in ref.chain_graph.objects(node, SKOS.prefLabel):
                g.add((node, RDFS.label, label))
    for place in ref.places.values():
        _add_place(g, place, ref.places)
    for programme in ref.programmes:
        node = URIRef(programme.iri)
        g.add((node, RDF.type, KG.Policy))
        g.add((node, RDFS.label, Literal(programme.name, lang="zh")))
        g.add((node, RDFS.label, Literal(programme.name_en, lang="en")))
        for alias in programme.aliases:
            g.add((node, SKOS.altLabel, Literal(alias, lang="zh")))
    return g


def _add_place(g: Graph, place: RefPlace, places: dict[str, RefPlace]) -> None:
    node = URIRef(place.iri)
    g.add((node, RDF.type, class_iri(place.label)))
    g.add((node, RDFS.label, Literal(place.name, lang="zh")))
    if place.name_en:
        g.add((node, RDFS.label, Literal(place.name_en, lang="en")))
    for name in place.names[1:]:
        g.add((node, SKOS.altLabel, Literal(name, lang="zh")))
    if place.code_kind:
        g.add((node, _CODE_PROPERTIES[place.code_kind], Literal(place.code)))
    if place.parent and place.parent in places:
        g.add((node, KG.partOf, URIRef(places[place.parent].iri)))


@cache
def ontology_graph() -> Graph:
    """The ontology, its blank nodes (owl:unionOf lists) given labels derived from their
    content, so every build writes the same graph (and a server is not sent it again)."""
    g = new_graph()
    for triple in to_canonical_graph(Graph().parse(ontology_file("kg.ttl"))):
        g.add(triple)
    return g


def shapes_graph() -> Graph:
    return Graph().parse(ontology_file("shapes.ttl"))
