"""The SHACL gate accepts built graphs and catches each corruption of one, naming the node.

Every mutation below corrupts a graph as `kg build` made it (a document's graph with what the
gate adds to it, the reference graph, or the dataset description) in one way; the gate must
then fail with a message that names the corrupted node. The fast engine (pyshacl-turbo) is
checked against pySHACL on a few of them.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from kg.build import emit
from kg.build.describe import DATASET
from kg.build.validate import document_data, validate_triples
from kg.model.terms import from_oxigraph, oxigraph_triples
from kg.model.vocab import ID, KG


def _rdflib(triples) -> Graph:
    graph = Graph()
    for t in triples:
        graph.add((from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object)))
    return graph


@pytest.fixture(scope="module")
def graphs(small_build, corpus_build) -> dict[str, Graph]:
    """The graphs the gate validates: a document's (the small article's), the reference data
    and the description, as built."""
    document = Dataset()
    document.parse(small_build.files["nquads"], format="nquads")
    article = document.graph(emit.graph_iri(small_build.documents[0].name))
    return {"document": _rdflib(document_data(oxigraph_triples(article))), "reference": emit.reference_graph(),
            "description": Graph().parse(corpus_build.files["void"], format="turtle")}


def check(graphs: dict[str, Graph], which: str, change, engine: str = "turbo"):
    copy = Graph()
    copy += graphs[which]
    node = change(copy)
    return node, validate_triples(oxigraph_triples(copy), which, engine)


def first(g: Graph, cls) -> URIRef:
    return sorted(g.subjects(RDF.type, cls))[0]


def company(g: Graph) -> URIRef:
    return first(g, KG.Company)


def extracted_industry(g: Graph) -> URIRef:
    return sorted(s for s in g.subjects(RDF.type, KG.Industry) if "/extracted-industry/" in s)[0]


# ---------------------------------------------------------------------- corruptions of a document's graph
def drop_assertion(g):
    node = first(g, KG.Assertion)
    subject = g.value(node, KG.subject)
    g.remove((node, None, None))
    return subject


def place_leads_chain(g):
    g.add((URIRef(ID["place/331100"]), KG.leadsChain, URIRef(ID["industry/semiconductors"])))
    return URIRef(ID["place/331100"])


def offsets_reversed(g):
    node = first(g, KG.Assertion)
    g.set((node, KG.startOffset, Literal(500, datatype=XSD.integer)))
    g.set((node, KG.endOffset, Literal(10, datatype=XSD.integer)))
    return node


def confidence_above_one(g):
    node = first(g, KG.Assertion)
    g.set((node, KG.confidence, Literal(Decimal("1.5"), datatype=XSD.decimal)))
    return node


def observation_without_unit(g):
    node = first(g, KG.Observation)
    g.remove((node, KG.unit, None))
    return node


def assertion_of_absent_triple(g):
    node = first(g, KG.Assertion)
    g.remove((g.value(node, KG.subject), g.value(node, KG.predicate), g.value(node, KG.object)))
    return node


def quote_missing(g):
    node = first(g, KG.Assertion)
    g.remove((node, KG.quote, None))
    return node


def quote_longer_than_its_offsets(g):
    node = first(g, KG.Assertion)
    g.set((node, KG.quote, Literal(str(g.value(node, KG.quote)) + "多")))
    return node


def company_also_a_place(g):
    node = company(g)
    g.add((node, RDF.type, KG.Place))
    return node


def company_also_a_research_institute(g):
    node = company(g)
    g.add((node, RDF.type, KG.ResearchInstitute))
    return node


def city_also_a_county(g):
    node = URIRef(ID["place/331100"])
    g.add((node, RDF.type, KG.County))
    return node


def untagged_label(g):
    node = company(g)
    label = g.value(node, RDFS.label)
    g.remove((node, RDFS.label, None))
    g.add((node, RDFS.label, Literal(str(label))))
    return node


def two_zh_labels(g):
    node = company(g)
    g.add((node, RDFS.label, Literal("另一个名字", lang="zh")))
    return node


def two_zh_preflabels(g):
    node = extracted_industry(g)
    g.add((node, SKOS.prefLabel, Literal("另一个名字", lang="zh")))
    return node


def broader_to_a_company(g):
    node = extracted_industry(g)
    g.add((node, SKOS.broader, company(g)))
    return node


def province_part_of_a_county(g):
    province = URIRef(ID["place/330000"])
    g.add((province, KG.partOf, URIRef(ID["place/331102"])))
    return province


def part_of_cycle(g):
    a, b = URIRef(ID["place/x-a"]), URIRef(ID["place/x-b"])
    for node, other in ((a, b), (b, a)):
        g.add((node, RDF.type, KG.Place))
        g.add((node, RDFS.label, Literal(str(node)[-3:], lang="zh")))
        g.add((node, KG.partOf, other))
        fact = URIRef(str(node) + "-fact")
        for p, o in ((KG.subject, node), (KG.predicate, KG.partOf), (KG.object, other)):
            g.add((fact, p, o))
    return a


def mentioned_in_a_place(g):
    node = company(g)
    g.add((node, KG.mentionedIn, URIRef(ID["place/331100"])))
    return node


def misspelt_property(g):
    node = company(g)
    g.add((node, URIRef(KG._NS + "locatedAt"), URIRef(ID["place/331102"])))
    return node


def misspelt_class(g):
    node = company(g)
    g.add((node, RDF.type, URIRef(KG._NS + "Compnay")))
    return node


def industry_minted_into_the_taxonomy(g):
    node = URIRef(ID["industry/正抢抓智能汽车"])
    g.add((node, RDF.type, KG.Industry))
    g.add((node, RDFS.label, Literal("正抢抓智能汽车", lang="zh")))
    g.add((node, SKOS.inScheme, emit.EXTRACTED_INDUSTRY_SCHEME))
    return node


def industry_in_no_scheme(g):
    node = extracted_industry(g)
    g.remove((node, SKOS.inScheme, None))
    return node


def observation_without_a_dimension(g):
    node = first(g, KG.Observation)
    g.remove((node, KG.refPeriod, None))
    return node


def two_observations_with_one_key(g):
    node = first(g, KG.Observation)
    twin = URIRef(str(node) + "-twin")
    for p, o in g.predicate_objects(node):
        g.add((twin, p, Literal(Decimal("7"), datatype=XSD.decimal) if p == KG.value else o))
    return node


def year_and_period_disagree(g):
    node = first(g, KG.Observation)
    g.set((node, KG.refPeriod, emit.UNKNOWN_PERIOD))
    g.add((emit.UNKNOWN_PERIOD, RDF.type, KG.Period))
    g.add((emit.UNKNOWN_PERIOD, RDFS.label, Literal("年份未知", lang="zh")))
    return node


def region_not_a_place(g):
    node = first(g, KG.Observation)
    g.set((node, KG.region, company(g)))
    return node


# ---------------------------------------------------------------------- corruptions of the reference graph
def duplicate_admin_code(g):
    node = URIRef(ID["place/330782"])
    g.set((node, KG.adminCode, Literal("330783")))
    return node


def malformed_code_of_a_plain_place(g):
    node = URIRef(ID["place/310000"])   # 上海: a municipality, typed kg:Place
    assert (node, RDF.type, KG.Place) in g
    g.set((node, KG.adminCode, Literal("31000")))
    return node


def city_with_a_county_code(g):
    node = URIRef(ID["place/330700"])
    g.set((node, KG.adminCode, Literal("330701")))
    return node


def county_outside_its_city_code(g):
    node = URIRef(ID["place/330782"])   # 义乌市, partOf 金华市 330700
    g.set((node, KG.partOf, URIRef(ID["place/331100"])))
    return node


def town_outside_its_county_code(g):
    node = URIRef(ID["place/330783123"])   # 横店镇, partOf 东阳市 330783
    g.set((node, KG.partOf, URIRef(ID["place/330782"])))
    return node


def malformed_division_code(g):
    node = URIRef(ID["place/330783123"])
    g.set((node, KG.divisionCode, Literal("33078312")))
    return node


def taxonomy_concept_in_no_scheme(g):
    node = URIRef(ID["industry/smart-pv"])
    g.remove((node, SKOS.inScheme, None))
    return node


# ---------------------------------------------------------------------- corruptions of the description
def dataset_without_a_licence(g):
    g.remove((DATASET, DCTERMS.license, None))
    return DATASET


def dataset_without_its_build(g):
    g.remove((DATASET, URIRef("http://www.w3.org/ns/prov#wasGeneratedBy"), None))
    return DATASET


DOCUMENT_CORRUPTIONS = [
    (drop_assertion, "has no kg:Assertion"), (place_leads_chain, "Company"), (offsets_reversed, "LessThan"),
    (confidence_above_one, "MaxInclusive"), (observation_without_unit, "unit"),
    (assertion_of_absent_triple, "is not in the graph"), (quote_missing, "quote"),
    (quote_longer_than_its_offsets, "but its offsets span"), (company_also_a_place, "declares disjoint"),
    (company_also_a_research_institute, "declares disjoint"), (city_also_a_county, "declares disjoint"),
    (untagged_label, "language-tagged"), (two_zh_labels, "language-tagged"), (two_zh_preflabels, "prefLabel"),
    (broader_to_a_company, "broader of an industry"), (province_part_of_a_county, "not of a higher level"),
    (part_of_cycle, "through a cycle"), (mentioned_in_a_place, "must point to a kg:Document"),
    (misspelt_property, "locatedAt, which the ontology does not declare"),
    (misspelt_class, "Compnay, which the ontology does not declare"),
    (industry_minted_into_the_taxonomy, "not in that scheme"), (industry_in_no_scheme, "is in the taxonomy's scheme"),
    (observation_without_a_dimension, "refPeriod, which the structure"),
    (two_observations_with_one_key, "same values for every dimension"), (year_and_period_disagree, "reference period"),
    (region_not_a_place, "Place"),
]
REFERENCE_CORRUPTIONS = [
    (duplicate_admin_code, "which https://w3id.org/zjkg/id/place/330783 has too"),
    (malformed_code_of_a_plain_place, "Pattern"), (city_with_a_county_code, "is not of that level"),
    (county_outside_its_city_code, "whose code does not contain it"),
    (taxonomy_concept_in_no_scheme, "is in the taxonomy's scheme"),
    (town_outside_its_county_code, "outside the code 330782"), (malformed_division_code, "Pattern"),
]
DESCRIPTION_CORRUPTIONS = [(dataset_without_a_licence, "license"), (dataset_without_its_build, "wasGeneratedBy")]


@pytest.mark.parametrize("which", ["document", "reference", "description"])
def test_shapes_accept_the_graphs_a_build_makes(graphs, which):
    result = validate_triples(oxigraph_triples(graphs[which]), which)
    assert result.conforms, result.text


@pytest.mark.parametrize("which,change,says",
                         [("document", c, s) for c, s in DOCUMENT_CORRUPTIONS]
                         + [("reference", c, s) for c, s in REFERENCE_CORRUPTIONS]
                         + [("description", c, s) for c, s in DESCRIPTION_CORRUPTIONS],
                         ids=lambda v: v.__name__ if callable(v) else None)
def test_shapes_catch_each_corruption_and_name_the_node(graphs, which, change, says):
    node, result = check(graphs, which, change)
    assert not result.conforms, change.__name__
    failing = [part for part in result.text.split("Constraint Violation") if f"<{node}>" in part or str(node) in part]
    assert failing, f"{change.__name__}: no violation names {node}\n{result.text}"
    assert any(says in part for part in failing), f"{change.__name__}: no message '{says}' about {node}\n{result.text}"


@pytest.mark.slow
@pytest.mark.parametrize("change", [drop_assertion, company_also_a_place, misspelt_property,
                                    two_observations_with_one_key],
                         ids=lambda c: c.__name__)
def test_shapes_fast_engine_agrees_with_pyshacl(graphs, change):
    _, reference_engine = check(graphs, "document", change, "pyshacl")
    _, fast = check(graphs, "document", change, "turbo")
    assert reference_engine.conforms is fast.conforms is False
    assert validate_triples(oxigraph_triples(graphs["document"]), "document", "pyshacl").conforms


def test_shapes_accept_evidence_on_a_sub_property(graphs):
    """leadsChain ⊑ inIndustry: the inIndustry fact a reasoner infers from a leadsChain fact
    is backed by the leadsChain assertion."""
    g = Graph()
    g += graphs["document"]
    node = company(g)
    industry = g.value(node, KG.inIndustry)
    fact = URIRef(ID["fact/lead"])
    g.remove((node, KG.inIndustry, industry))
    for s, p, o in list(g.triples((None, KG.predicate, KG.inIndustry))):
        if g.value(s, KG.subject) == node:
            g.set((s, KG.predicate, KG.leadsChain))
            fact = s
    g.add((node, KG.leadsChain, industry))
    assert validate_triples(oxigraph_triples(g), "lead").conforms
    g.add((node, KG.inIndustry, industry))   # what RDFS adds: backed by the leadsChain assertion
    assert validate_triples(oxigraph_triples(g), "lead").conforms, fact
    g.remove((fact, None, None))
    assert not validate_triples(oxigraph_triples(g), "lead").conforms
