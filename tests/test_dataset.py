"""Every build describes the dataset (VoID, DCAT) and itself (PROV), and states the licence."""
from __future__ import annotations

from datetime import datetime

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

from kg.build import emit, pipeline
from kg.build.describe import DATA_LICENCE, DATASET, DESCRIPTION_GRAPH, SPARQL_ENDPOINT, typed_counts
from kg.model.vocab import DCAT, ENTITY_CLASSES, KG, SCHEMA, VOID

from .conftest import ROOT


def test_build_writes_a_void_and_dcat_description(corpus_build):
    files = corpus_build.files
    void = Graph().parse(files["void"])
    data = Dataset()
    data.parse(files["nquads"], format="nquads")
    assert set(data.graph(DESCRIPTION_GRAPH)) == set(void)
    d = DATASET
    assert {VOID.Dataset, DCAT.Dataset} <= set(void.objects(d, RDF.type))
    assert {t.language for t in void.objects(d, DCTERMS.title)} == {"zh", "en"}
    assert void.value(d, DCTERMS.license) == DATA_LICENCE and "copyright" in str(void.value(d, DCTERMS.rights))
    assert void.value(d, DCTERMS.issued).datatype and void.value(d, DCTERMS.modified).datatype
    assert void.value(d, VOID.sparqlEndpoint) == SPARQL_ENDPOINT
    # Size: the triples of every other graph, and the entities of each class.
    others = {t for g in data.graphs() if g.identifier != DESCRIPTION_GRAPH for t in g}
    assert int(void.value(d, VOID.triples)) == len(others)
    for partition in void.objects(d, VOID.classPartition):
        cls = void.value(partition, VOID["class"])
        assert int(void.value(partition, VOID.entities)) == len({s for s, _, o in others if _ == RDF.type and o == cls})
    assert {void.value(p, VOID["class"]) for p in void.objects(d, VOID.classPartition)} == {KG[c] for c in ENTITY_CLASSES}
    # Dumps and named graphs, each with its source.
    dumps = set(void.objects(d, VOID.dataDump))
    assert {str(u).rsplit("/", 1)[1] for u in dumps} == {"graph.nq", "graph.trig", "graph.ttl"}
    assert all((u, DCAT.downloadURL, u) in void and void.value(u, DCAT.mediaType) for u in dumps)
    subsets = set(void.objects(d, VOID.subset))
    assert subsets == {g.identifier for g in data.graphs() if g.identifier not in (DESCRIPTION_GRAPH,)} - {
        URIRef("urn:x-rdflib:default")}
    for doc in corpus_build.documents:
        assert void.value(emit.graph_iri(doc.name), DCTERMS.source) == emit.document_iri(doc.name)
    assert len(list(void.objects(emit.REFERENCE_GRAPH, DCTERMS.source))) >= 3


def test_build_is_a_prov_activity_of_the_kg_software(corpus_build):
    void = Graph().parse(corpus_build.files["void"])
    build = void.value(DATASET, PROV.wasGeneratedBy)
    assert (build, RDF.type, PROV.Activity) in void
    started, ended = (void.value(build, p).toPython() for p in (PROV.startedAtTime, PROV.endedAtTime))
    assert isinstance(started, datetime) and started <= ended
    used = set(void.objects(build, PROV.used))
    assert {emit.document_iri(d.name) for d in corpus_build.documents} | {emit.REFERENCE_GRAPH} <= used
    software = void.value(build, PROV.wasAssociatedWith)
    assert (software, RDF.type, PROV.SoftwareAgent) in void and void.value(software, SCHEMA.softwareVersion)


def test_issued_stays_the_first_build_date_and_modified_follows_the_build(small_corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")   # 2026-01-01
    first = Graph().parse(pipeline.build(small_corpus, out, use_cache=False).files["void"])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1769904000")   # 2026-02-01
    second = Graph().parse(pipeline.build(small_corpus, out, use_cache=False).files["void"])
    assert first.value(DATASET, DCTERMS.issued) == second.value(DATASET, DCTERMS.issued) == Literal(
        "2026-01-01", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))
    assert str(second.value(DATASET, DCTERMS.modified)).startswith("2026-02-01")


def test_code_and_data_licences_are_stated():
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in licence and "Permission is hereby granted" in licence
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    data_section = readme.split("## Data model", 1)[1]
    assert "CC BY 4.0" in data_section and str(DATA_LICENCE) in data_section
    assert "metadata.csv" in data_section   # where each quote's source is named


def test_the_entity_count_reads_typing_lines_and_not_the_words_of_a_literal():
    typed, company = f"<{RDF.type}>", f"<{KG.Company}>"
    ntriples = (f"<http://example.org/a> {typed} {company} .\n"
                f'<http://example.org/b> <{RDFS.label}> "b {typed} {company} ." .\n'
                f"<http://example.org/c> {typed} <{KG.Policy}> .\n").encode()
    counts = dict(zip([*ENTITY_CLASSES, "any"], typed_counts(ntriples)))
    assert counts["Company"] == 1 and counts["Policy"] == 1 and counts["any"] == 2
    assert typed_counts(ntriples.replace(b"<http://example.org/c>", b"<http://example.org/a>"))[-1] == 1
