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


# ---------------------------------------------------------------------- the industry taxonomy and extracted industries
def test_every_taxonomy_concept_is_in_the_scheme_and_labelled_in_zh_and_en():
    from kg.build.emit import TAXONOMY_SCHEME
    from kg.model.reference import reference
    from rdflib.namespace import SKOS

    graph = reference().industry_graph
    concepts = [URIRef(i.iri) for i in reference().industries.values()]
    assert len(concepts) >= 140
    for concept in concepts:
        assert (concept, SKOS.inScheme, TAXONOMY_SCHEME) in graph, concept
        assert {o.language for o in graph.objects(concept, SKOS.prefLabel)} == {"zh", "en"}, concept


def test_taxonomy_concepts_map_to_gbt4754_classes_that_exist():
    from kg.model.reference import reference
    from rdflib.namespace import SKOS

    graph = reference().industry_graph
    scheme = URIRef("https://w3id.org/zjkg/id/gbt4754-scheme")
    mappings = [(s, p, o) for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch) for s, o in graph.subject_objects(p)]
    assert len(mappings) >= 35
    for concept, _, target in mappings:
        assert (target, SKOS.inScheme, scheme) in graph, target
        notation = str(graph.value(target, SKOS.notation))
        assert str(target).endswith("/" + notation) and graph.value(target, SKOS.prefLabel) is not None
    assert (URIRef("https://w3id.org/zjkg/id/industry/integrated-circuits"), SKOS.closeMatch,
            URIRef("https://w3id.org/zjkg/id/gbt4754/C3973")) in graph


def test_extracted_industries_live_in_their_own_namespace_under_the_concept_they_name(corpus_build):
    from rdflib.namespace import SKOS

    from kg.build.emit import EXTRACTED_INDUSTRY_SCHEME

    graph = Graph().parse(corpus_build.files["turtle"])
    taxonomy = {str(i) for i in graph.subjects(SKOS.inScheme, URIRef("https://w3id.org/zjkg/id/industry-scheme"))}
    industries = set(graph.subjects(RDF.type, vocab.KG.Industry))
    extracted = {i for i in industries if "/extracted-industry/" in i}
    assert extracted and {str(i) for i in industries - extracted} <= taxonomy
    assert all(str(i).startswith("https://w3id.org/zjkg/id/industry/") for i in industries - extracted)
    for industry in extracted:
        assert (industry, SKOS.inScheme, EXTRACTED_INDUSTRY_SCHEME) in graph
        assert graph.value(industry, SKOS.prefLabel) is not None
    broader = {i: graph.value(i, SKOS.broader) for i in extracted if graph.value(i, SKOS.broader) is not None}
    assert len(broader) >= 5 and all(str(b) in taxonomy for b in broader.values())


def test_figures_form_a_data_cube_with_an_explicit_unknown_year(corpus_build):
    from rdflib.namespace import XSD

    from kg.build.emit import UNKNOWN_PERIOD

    graph = Graph().parse(corpus_build.files["turtle"])
    QB = vocab.QB
    observations = set(graph.subjects(RDF.type, vocab.KG.Observation))
    dimensions = set(graph.objects(None, QB.dimension))
    assert {vocab.KG.region, vocab.KG.indicator, vocab.KG.refPeriod, vocab.KG.sourceDocument} <= dimensions
    keys = set()
    for obs in observations:
        assert graph.value(obs, QB.dataSet) == vocab.KG.figures
        key = tuple(graph.value(obs, d) for d in sorted(dimensions))
        assert None not in key, obs
        keys.add(key)
        year = graph.value(obs, vocab.KG.year)
        period = graph.value(obs, vocab.KG.refPeriod)
        assert period == (UNKNOWN_PERIOD if year is None else URIRef(f"https://w3id.org/zjkg/id/period/{year}"))
        assert year is None or year.datatype == XSD.integer
    assert len(keys) == len(observations) > 100
    assert (None, vocab.KG.refPeriod, UNKNOWN_PERIOD) in graph
    attributes = set(graph.objects(None, QB.attribute))
    assert vocab.KG.aboutIndustry in attributes and vocab.KG.year in attributes


def test_ontology_alignments_imply_nothing_kg_does_not_mean(ontology):
    schema = "https://schema.org/"
    assert not [s for s in ontology.subjects(RDFS.subClassOf, URIRef(schema + "Project"))]
    assert (URIRef(KG + "mentionedIn"), OWL.inverseOf, URIRef(schema + "mentions")) in ontology
    assert not list(ontology.subjects(RDFS.subPropertyOf, URIRef(schema + "subjectOf")))
    assert RDF.Statement not in set(ontology.objects(None, RDFS.subClassOf))


def test_ontology_top_classes_and_siblings_are_disjoint(ontology):
    groups = [set(ontology.items(ontology.value(axiom, OWL.members)))
              for axiom in ontology.subjects(RDF.type, OWL.AllDisjointClasses)]
    names = [{str(c).removeprefix(KG) for c in group} for group in groups]
    assert {"Place", "Organization", "Industry", "Platform", "Policy", "Project", "Document", "Assertion",
            "Observation", "Extractor"} <= max(names, key=len)
    for family in (["Province", "City", "County", "Town"], ["Company", "ResearchInstitute", "GovernmentBody", "Association"],
                   ["IndustrialPark", "DataCenter", "DigitalPlatform"]):
        assert set(family) in names, family
