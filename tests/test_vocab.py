"""The Python mirror of the ontology is closed and agrees with the Turtle file."""
from __future__ import annotations

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.model import vocab
from kg.model.resources import ontology_file

KG = vocab.KG._NS


def test_vocab_mirror_matches_the_ontology_term_for_term():
    ontology = Graph().parse(ontology_file("kg.ttl"))
    in_turtle = {str(s).removeprefix(str(KG)) for s in ontology.subjects(RDF.type, None)
                 if str(s).startswith(str(KG))}
    in_python = {name for name in vocab.KG.__annotations__}
    assert in_turtle == in_python


def test_vocab_misspelt_term_is_an_error():
    with pytest.raises(AttributeError):
        vocab.KG.Compnay  # noqa: B018
    with pytest.raises(AttributeError):
        vocab.class_iri("Compnay")
    with pytest.raises(AttributeError):
        vocab.predicate_iri("locatedAt")


def _closure(ontology: Graph, cls: URIRef) -> set[str]:
    """The class, or the members of its union, and all their subclasses (local names)."""
    members = [cls]
    union = ontology.value(cls, OWL.unionOf)
    if union is not None:
        members = list(ontology.items(union))
    names = set()
    for member in members:
        frontier = [member]
        while frontier:
            current = frontier.pop()
            names.add(str(current).removeprefix(str(KG)))
            frontier.extend(ontology.subjects(RDFS.subClassOf, current))
    return {n for n in names if n in vocab.ENTITY_CLASSES}


def test_vocab_signatures_match_domains_and_ranges():
    ontology = Graph().parse(ontology_file("kg.ttl"))
    for name, (domain, range_) in vocab.SIGNATURES.items():
        term = URIRef(KG + name)
        assert _closure(ontology, ontology.value(term, RDFS.domain)) == set(domain), name
        assert _closure(ontology, ontology.value(term, RDFS.range)) == set(range_), name


def test_vocab_signatures_match_the_classes_the_shapes_allow():
    ontology = Graph().parse(ontology_file("kg.ttl"))
    shapes = Graph().parse(ontology_file("shapes.ttl"))
    SH = Namespace("http://www.w3.org/ns/shacl#")
    for name, (domain, range_) in vocab.SIGNATURES.items():
        term = URIRef(KG + name)
        shape = next(s for s in shapes.subjects(SH.targetSubjectsOf, term) if (s, SH["class"], None) in shapes)
        assert _closure(ontology, shapes.value(shape, SH["class"])) == set(domain), name
        ranges = [shapes.value(p, SH["class"]) for p in shapes.objects(shape, SH.property) if shapes.value(p, SH.path) == term]
        assert len(ranges) == 1 and _closure(ontology, ranges[0]) == set(range_), name


def test_vocab_domains_and_ranges_are_named_classes():
    """OWL 2 RL allows no union as a domain or range: each is a named class."""
    ontology = Graph().parse(ontology_file("kg.ttl"))
    for predicate in (RDFS.domain, RDFS.range):
        for value in ontology.objects(None, predicate):
            assert isinstance(value, URIRef), value
