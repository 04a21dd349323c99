"""The SHACL shapes accept a built graph and reject graphs that break them, in both engines."""
from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.model.terms import oxigraph_triples
from kg.model.terms import from_oxigraph
from kg.build.validate import document_data, validate_triples
from kg.model.vocab import ID, KG

ENGINES = ("turbo", "pyshacl")


@pytest.fixture(scope="module")
def valid_graph(small_build) -> Graph:
    from kg.build import emit

    resolved = small_build.corpus.resolved[0]
    graph = Graph()
    for t in document_data(oxigraph_triples(emit.document_graph(resolved, small_build.corpus.entities))):
        graph.add((from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object)))
    return graph


def broken(graph: Graph, change) -> Graph:
    copy = Graph()
    copy += graph
    change(copy)
    return copy


def _first_assertion(g: Graph):
    return sorted(g.subjects(RDF.type, KG.Assertion))[0]


def drop_assertion(g: Graph) -> None:
    node = _first_assertion(g)
    for triple in list(g.triples((node, None, None))):
        g.remove(triple)


def place_leads_chain(g: Graph) -> None:
    g.add((URIRef(ID["place/331100"]), KG.leadsChain, URIRef(ID["industry/semiconductors"])))


def offsets_reversed(g: Graph) -> None:
    node = _first_assertion(g)
    g.set((node, KG.startOffset, Literal(500, datatype=XSD.integer)))
    g.set((node, KG.endOffset, Literal(10, datatype=XSD.integer)))


def confidence_above_one(g: Graph) -> None:
    g.set((_first_assertion(g), KG.confidence, Literal(Decimal("1.5"), datatype=XSD.decimal)))


def observation_without_unit(g: Graph) -> None:
    node = sorted(g.subjects(RDF.type, KG.Observation))[0]
    g.remove((node, KG.unit, None))


def assertion_of_absent_triple(g: Graph) -> None:
    node = _first_assertion(g)
    s, p, o = g.value(node, RDF.subject), g.value(node, RDF.predicate), g.value(node, RDF.object)
    g.remove((s, p, o))


def quote_missing(g: Graph) -> None:
    g.remove((_first_assertion(g), KG.quote, None))


@pytest.mark.parametrize("engine", ENGINES)
def test_shapes_accept_a_built_graph(valid_graph, engine):
    result = validate_triples(oxigraph_triples(valid_graph), "small", engine)
    assert result.conforms, result.text


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("change", [drop_assertion, place_leads_chain, offsets_reversed, confidence_above_one,
                                    observation_without_unit, assertion_of_absent_triple, quote_missing])
def test_shapes_reject_a_graph_that_breaks_them(valid_graph, engine, change):
    result = validate_triples(oxigraph_triples(broken(valid_graph, change)), "broken", engine)
    assert not result.conforms
    assert "Constraint Violation" in result.text
