"""The benchmark's generators and report (its figures are for `kg bench`, not for tests)."""
from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from kg.bench import scale_corpus, synthetic_graph
from kg.cli import app
from kg.extract.load import load_corpus
from kg.build.pipeline import extract
from kg.serve.store import open_store

from .conftest import FIXTURES, GOLD


def test_bench_scaled_corpus_has_distinct_documents_and_entities(tmp_path):
    documents, chars = scale_corpus(FIXTURES / "small", tmp_path / "x3", 3)
    texts = [p.read_text(encoding="utf-8") for p in sorted((tmp_path / "x3").glob("*.txt"))]
    assert documents == 3 and len(set(texts)) == 3 and chars == sum(map(len, texts))
    once = extract(FIXTURES / "small")
    thrice = extract(tmp_path / "x3")
    companies = lambda corpus: {e.iri for e in corpus.entities.values() if e.label == "Company"}  # noqa: E731
    assert len(companies(thrice)) == 3 * len(companies(once)) > 0
    places = lambda corpus: {e.iri for e in corpus.entities.values() if e.label in ("City", "County")}  # noqa: E731
    assert places(thrice) == places(once)                    # reference data is shared, not copied


def test_bench_scaled_corpus_keeps_the_metadata(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(FIXTURES / "small" / "lishui.txt", source)
    (source / "metadata.csv").write_text("file,title,place,source\nlishui.txt,丽水数字经济,丽水市,test\n", encoding="utf-8")
    scale_corpus(source, tmp_path / "x2", 2)
    documents, _ = load_corpus(tmp_path / "x2")
    assert [(d.title, d.about, d.source) for d in documents] == [("丽水数字经济", ("丽水市",), "test")] * 2


def test_bench_synthetic_graph_grows_by_renamed_copies(small_build, tmp_path):
    copies, triples = synthetic_graph(small_build.files["nquads"].parent, tmp_path, 3 * small_build.triples)
    assert copies >= 3 and triples >= 3 * small_build.triples
    store = open_store(tmp_path, "oxigraph")
    assert len(store) == triples
    company = "SELECT DISTINCT ?c WHERE { ?c a <https://w3id.org/zjkg/ontology#Company> }"
    names = {str(r["c"]) for r in store.query(company).rows}
    assert any(n.endswith("-s1") for n in names) and any(not n.endswith(("-s1", "-s2")) for n in names)
    place = "ASK { <https://w3id.org/zjkg/id/place/331100-s1> ?p ?o }"
    assert store.query(place).answer is False


@pytest.mark.slow
def test_bench_quick_run_reports_every_section(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH")   # the bench stamps the builds it compares itself
    report = tmp_path / "bench.md"
    result = CliRunner().invoke(app, ["bench", "--quick", "--corpus", str(FIXTURES / "small"), "--output", str(report)])
    assert result.exit_code == 0, result.output
    text = report.read_text(encoding="utf-8")
    for heading in ("Extraction throughput", "Builds of the scaled corpus", "Stores on the graph built",
                    "Stores on a synthetic graph", "The cluster map", "Targets"):
        assert f"### {heading}" in text
    assert "bare NER model" in text and "raw pyoxigraph" in text
    assert "| a Dask build writes the same bytes as a local one | identical | yes |" in text


def test_readme_sections_are_regenerated_between_their_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# kg\n\nbefore\n<!-- eval:start -->\nold figures\n<!-- eval:end -->\nafter\n", encoding="utf-8")
    gold = tmp_path / "gold"
    shutil.copytree(GOLD, gold, ignore=shutil.ignore_patterns("*.md"))
    first = sorted(gold.glob("*.jsonl"))[0]
    result = CliRunner().invoke(app, ["eval", "--gold", str(gold), "--predictions", str(first), "--readme", str(readme)])
    assert result.exit_code == 0, result.output
    text = readme.read_text(encoding="utf-8")
    assert "old figures" not in text and "entities F1" in text
    assert text.startswith("# kg\n\nbefore\n<!-- eval:start -->\n```") and text.endswith("<!-- eval:end -->\nafter\n")
    readme.write_text("no markers here\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "--gold", str(gold), "--predictions", str(first), "--readme", str(readme)])
    assert result.exit_code == 2 and "needs one <!-- eval:start -->" in result.output
