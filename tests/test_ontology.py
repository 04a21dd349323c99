"""The ontology covers the annotation vocabulary, with labels, comments, domains and ranges."""
from __future__ import annotations

import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.model import vocab
from kg.model.resources import ontology_file

from .conftest import GOLD

KG = vocab.KG._NS


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_file("kg.ttl"))


def annotation_terms() -> tuple[set[str], set[str], set[str]]:
    """Classes, predicates and observation fields named in data/gold/ANNOTATION.md."""
    text = (GOLD / "ANNOTATION.md").read_text(encoding="utf-8")
    classes = set(re.findall(r"^\| (\w+) \| ", text.split("## Relations")[0], re.M)) - {"class"}
    predicates = set(re.findall(r"^\| (\w+) \| ", text.split("## Relations")[1].split("## Observations")[0], re.M))
    predicates -= {"predicate"}
    fields = set(re.findall(r'"(\w+)":', text.split("## Observations")[1].split("```")[1])) - {"doc", "kind", "evidence"}
    return classes, predicates, fields


def test_ontology_covers_every_class_relation_and_field_of_the_guidelines(ontology):
    classes, predicates, fields = annotation_terms()
    assert len(classes) == 15 and len(predicates) == 10 and {"region", "year", "value", "unit", "target"} <= fields
    for name in classes:
        assert (URIRef(KG + name), RDF.type, OWL.Class) in ontology, name
    for name in predicates:
        assert (URIRef(KG + name), RDF.type, OWL.ObjectProperty) in ontology, name
    for name in fields:
        assert (URIRef(KG + name), RDFS.domain, URIRef(KG + "Observation")) in ontology, name


def test_ontology_every_term_has_zh_and_en_labels_and_comments(ontology):
    terms = {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(KG))}
    assert len(terms) > 40
    for term in terms:
        for predicate in (RDFS.label, RDFS.comment):
            languages = {o.language for o in ontology.objects(term, predicate) if isinstance(o, Literal)}
            assert {"zh", "en"} <= languages, (term, predicate)


def test_ontology_relations_have_domain_and_range(ontology):
    for name in vocab.RELATION_PREDICATES:
        term = URIRef(KG + name)
        assert ontology.value(term, RDFS.domain) is not None, name
        assert ontology.value(term, RDFS.range) is not None, name


def test_ontology_class_hierarchy(ontology):
    expected = {
        "Place": ["Province", "City", "County", "Town"],
        "Organization": ["Company", "ResearchInstitute", "GovernmentBody", "Association"],
        "Platform": ["IndustrialPark", "DataCenter", "DigitalPlatform"],
    }
    for parent, children in expected.items():
        for child in children:
            assert (URIRef(KG + child), RDFS.subClassOf, URIRef(KG + parent)) in ontology


def test_ontology_is_aligned_to_public_vocabularies(ontology):
    namespaces = {str(o) for o in ontology.objects(None, RDFS.subClassOf) if isinstance(o, URIRef)}
    namespaces |= {str(o) for o in ontology.objects(None, RDFS.subPropertyOf) if isinstance(o, URIRef)}
    for prefix in ("https://schema.org/", "http://www.w3.org/ns/org#", "http://www.w3.org/2004/02/skos/core#",
                   "http://www.w3.org/ns/prov#", "http://purl.org/linked-data/cube#"):
        assert any(n.startswith(prefix) for n in namespaces), prefix
