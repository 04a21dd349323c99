"""Building graphs: expected triples, exact provenance, stable IRIs, bad input, atomic output."""
from __future__ import annotations

import json
import random

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from typer.testing import CliRunner

from kg.build import pipeline
from kg.model import vocab
from kg.cli import app
from kg.model.errors import ValidationError
from kg.extract.load import load_corpus
from kg.build.resolve import resolve

from .conftest import CORPUS, FIXTURES

KG_NS = str(vocab.KG._NS)


def projection(graph: Graph) -> Graph:
    """Entity classes and relations between entities: what expected.ttl states."""
    out = Graph()
    entities = set()
    for s, o in graph.subject_objects(RDF.type):
        if str(o).startswith(KG_NS) and str(o).removeprefix(KG_NS) in vocab.ENTITY_CLASSES:
            entities.add(s)
    for name in vocab.RELATION_PREDICATES:
        for s, o in graph.subject_objects(vocab.KG[name]):
            out.add((s, vocab.KG[name], o))
    mentioned = set(graph.subjects(vocab.KG.mentionedIn, None))
    involved = mentioned | {s for s, _, _ in out} | {o for _, _, o in out}
    for s, o in graph.subject_objects(RDF.type):
        if s in entities & involved and str(o).startswith(KG_NS):
            out.add((s, RDF.type, o))
    return out


def built_graph(result) -> Graph:
    data = Dataset()
    data.parse(result.files["nquads"], format="nquads")
    graph = Graph()
    for name, graph_iri in [(d.name, pipeline.emit.graph_iri(d.name)) for d in result.documents]:
        for triple in data.graph(graph_iri):
            graph.add(triple)
    return graph


def test_build_small_article_yields_expected_triples(small_build):
    expected = Graph().parse(FIXTURES / "small" / "expected.ttl")
    assert isomorphic(projection(built_graph(small_build)), expected)


def test_build_small_article_figures(small_build):
    graph = built_graph(small_build)
    figures = {(float(graph.value(o, vocab.KG.value)), str(graph.value(o, vocab.KG.unit)),
                int(graph.value(o, vocab.KG.year)), graph.value(o, vocab.KG.target).toPython())
               for o in graph.subjects(RDF.type, vocab.KG.Observation)}
    assert figures == {(120.0, "亿元", 2022, False), (15.5, "%", 2022, False)}


def test_build_every_fact_quotes_its_document_exactly(corpus_build):
    graph = built_graph(corpus_build)
    texts = {pipeline.emit.document_iri(d.name): (CORPUS / d.name).read_text(encoding="utf-8")
             for d in corpus_build.documents}
    checked = 0
    for cls in (vocab.KG.Assertion, vocab.KG.Observation):
        for node in graph.subjects(RDF.type, cls):
            doc = graph.value(node, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
            start, end = int(graph.value(node, vocab.KG.startOffset)), int(graph.value(node, vocab.KG.endOffset))
            assert texts[doc][start:end] == str(graph.value(node, vocab.KG.quote))
            confidence = float(graph.value(node, vocab.KG.confidence))
            assert 0 < confidence <= 1
            checked += 1
    assert checked > 300


def test_build_writes_one_named_graph_per_document(corpus_build):
    data = Dataset()
    data.parse(corpus_build.files["trig"], format="trig")
    names = {str(g.identifier) for g in data.graphs() if len(g)}
    for doc in corpus_build.documents:
        assert str(pipeline.emit.graph_iri(doc.name)) in names
    assert str(pipeline.emit.REFERENCE_GRAPH) in names and str(pipeline.emit.ONTOLOGY_GRAPH) in names
    turtle = Graph().parse(corpus_build.files["turtle"])
    assert len(turtle) == corpus_build.triples


def test_build_iris_are_stable_whatever_the_document_order():
    docs, _ = load_corpus(CORPUS)
    extractions = pipeline.extract_corpus(docs)
    entities, resolved = resolve(extractions)
    shuffled = list(extractions)
    random.Random(3).shuffle(shuffled)
    entities2, resolved2 = resolve(list(reversed(shuffled)))
    assert set(entities) == set(entities2)
    assert {e.iri: e.name for e in entities.values()} == {e.iri: e.name for e in entities2.values()}
    facts = {(f.doc, f.subject, f.predicate, f.object) for r in resolved for f in r.facts}
    facts2 = {(f.doc, f.subject, f.predicate, f.object) for r in resolved2 for f in r.facts}
    assert facts == facts2


def test_build_skips_bad_documents_with_a_message(small_corpus, tmp_path):
    (small_corpus / "empty.txt").write_bytes(b"  \n")
    (small_corpus / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (small_corpus / "latin1.txt").write_bytes("Zhèjiang économie numérique".encode("latin-1"))
    result = CliRunner().invoke(app, ["build", "--input", str(small_corpus), "--output", str(tmp_path / "out"),
                                      "--no-viz"])
    assert result.exit_code == 0, result.output
    assert "skipped empty.txt: empty file" in result.output
    assert "skipped binary.txt: binary file" in result.output
    assert "skipped latin1.txt: not UTF-8 text (invalid byte 0xe8 at offset 2), nor UTF-16, GB18030 or Big5" in result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert [d["name"] for d in manifest["documents"]] == ["lishui.txt"]
    assert {s["name"] for s in manifest["skipped"]} == {"empty.txt", "binary.txt", "latin1.txt"}


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_build_interrupted_leaves_previous_graph_intact(small_corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    pipeline.build(small_corpus, out)
    before = _snapshot(out)
    (small_corpus / "lishui.txt").write_text("# 丽水\n\n丽水市重点发展光伏产业。\n", encoding="utf-8")

    def interrupted_while_writing_the_union(last, change, files):
        files.turtle.write(b"<https://w3id.org/zjkg/id/doc/x> ")    # N-Quads and TriG are staged by then
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "update_union", interrupted_while_writing_the_union)
    with pytest.raises(KeyboardInterrupt):
        pipeline.build(small_corpus, out)
    assert _snapshot(out) == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".cache"]


def test_build_refuses_a_graph_that_does_not_conform(small_corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    pipeline.build(small_corpus, out)
    before = _snapshot(out)
    original = pipeline.emit.document_triples

    def without_evidence(*args, **kwargs):
        triples = original(*args, **kwargs)
        assertion = ox.NamedNode(str(vocab.KG.Assertion))
        assertions = {t.subject for t in triples if t.object == assertion}
        return [t for t in triples if t.subject not in assertions]

    monkeypatch.setattr(pipeline.emit, "document_triples", without_evidence)
    with pytest.raises(ValidationError) as error:
        pipeline.build(small_corpus, out, use_cache=False)    # the cache holds the conforming files
    assert "has no kg:Assertion carrying its evidence" in str(error.value)
    assert _snapshot(out) == before
    result = CliRunner().invoke(app, ["build", "--input", str(small_corpus), "--output", str(out), "--no-viz",
                                      "--no-cache"])
    assert result.exit_code == 1
    assert "does not conform" in result.output


def test_build_min_confidence_drops_weaker_facts(small_corpus, tmp_path):
    everything = pipeline.build(small_corpus, tmp_path / "all")
    strict = pipeline.build(small_corpus, tmp_path / "strict", min_confidence=0.8)
    confidences = [f.confidence for r in pipeline.extract(small_corpus).resolved for f in r.facts]
    assert strict.facts == sum(1 for c in confidences if c >= 0.8) < everything.facts


def _outputs(out):
    """What a build wrote, minus the manifest's timing-free but order-sensitive parts."""
    return {name: (out / name).read_bytes()
            for name in ("graph.ttl", "graph.trig", "graph.nq", "extraction.jsonl", "void.ttl", "identifiers.json")}


def test_build_with_worker_processes_writes_the_same_files_as_one_process(tmp_path):
    one = pipeline.build(CORPUS, tmp_path / "one", use_cache=False, workers=1)
    three = pipeline.build(CORPUS, tmp_path / "three", use_cache=False, workers=3)
    assert _outputs(tmp_path / "one") == _outputs(tmp_path / "three")
    assert one.triples == three.triples > 5000


def test_build_incremental_equals_a_full_build_after_adding_changing_and_removing(tmp_path, monkeypatch):
    import shutil

    corpus, out = tmp_path / "corpus", tmp_path / "out"
    shutil.copytree(CORPUS, corpus)
    shutil.copy(FIXTURES / "small" / "lishui.txt", corpus)
    pipeline.build(corpus, out)
    # The full build starts from the same IRI registry: IRIs minted once are kept (a removed
    # document's short name 晶科 stays the IRI of 晶科能源), so both must give the same files.
    (tmp_path / "full").mkdir()
    shutil.copy(out / "identifiers.json", tmp_path / "full")
    names = sorted(p.name for p in corpus.glob("*.txt"))
    (corpus / names[0]).unlink()                                               # removed
    changed = corpus / names[1]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n宁波市积极培育工业互联网平台。\n", encoding="utf-8")
    (corpus / "added.txt").write_text("# 嘉兴\n\n嘉兴市重点发展智能光伏产业，以晶科为龙头。\n", encoding="utf-8")

    extracted = []
    real = pipeline.extract_document
    monkeypatch.setattr(pipeline, "extract_document", lambda doc, times: extracted.append(doc.name) or real(doc, times))
    pipeline.build(corpus, out)
    assert sorted(extracted) == sorted(["added.txt", names[1]])                 # the rest came from the cache
    pipeline.build(corpus, tmp_path / "full", use_cache=False)
    assert _outputs(out) == _outputs(tmp_path / "full")


def test_build_outputs_are_ordinary_readable_files(small_build):
    import os
    import stat

    umask = os.umask(0)
    os.umask(umask)
    for path in small_build.files.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path


def test_build_files_are_the_same_bytes_in_every_process(small_corpus, tmp_path):
    import os
    import subprocess
    import sys

    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        subprocess.run([sys.executable, "-m", "kg.cli", "build", "-i", str(small_corpus), "-o", str(out), "--no-viz"],
                       check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed})
        outputs.append(_outputs(out))
    assert outputs[0] == outputs[1]
