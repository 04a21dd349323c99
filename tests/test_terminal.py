"""The terminal: names instead of IRIs, CSV/TSV as files want them, plurals, build progress."""
from __future__ import annotations

from typer.testing import CliRunner

from kg.cli import app
from kg.serve.terminal import plural

runner = CliRunner()


def test_terminal_table_shows_names_and_iris_on_request(graph_dir):
    query = "PREFIX kg: <https://w3id.org/zjkg/ontology#> SELECT ?company ?industry WHERE { ?company kg:leadsChain ?industry }"
    named = runner.invoke(app, ["query", "--build", str(graph_dir), query])
    assert named.exit_code == 0, named.output
    assert "甲光伏" in named.output and "智能光伏" in named.output and "丙光电" in named.output
    assert "https://" not in named.output and "2 rows" in named.output
    assert "┃" in named.output                                     # a rich table
    iris = runner.invoke(app, ["query", "--build", str(graph_dir), "--iris", query])
    assert "https://w3id.org/zjkg/id/company/甲光伏" in iris.output and "https://w3id.org/zjkg/id/industry/smart-pv" in iris.output


def test_terminal_table_names_what_has_no_label_by_its_prefixed_name(graph_dir):
    query = "SELECT ?p WHERE { VALUES ?p { <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> } }"
    result = runner.invoke(app, ["query", "--build", str(graph_dir), query])
    assert "rdf:predicate" in result.output and "http" not in result.output


def test_terminal_csv_and_tsv_end_without_a_blank_line_and_take_a_bom(graph_dir):
    for fmt in ("csv", "tsv"):
        out = runner.invoke(app, ["query", "--build", str(graph_dir), "-n", "leaders-per-chain", "--format", fmt]).stdout_bytes
        assert out.endswith(b"\n") and not out.endswith(b"\n\n") and not out.startswith(b"\xef\xbb\xbf")
        bom = runner.invoke(app, ["query", "--build", str(graph_dir), "-n", "leaders-per-chain", "--format", fmt, "--bom"])
        assert bom.stdout_bytes.startswith(b"\xef\xbb\xbf") and bom.stdout_bytes[3:] == out


def test_terminal_plurals():
    assert plural(1, "leader") == "1 leader" and plural(2, "leader") == "2 leaders"
    assert plural(1, "company", "companies") == "1 company" and plural(0, "company", "companies") == "0 companies"
    assert plural(10598, "triple") == "10,598 triples"


def test_terminal_chain_says_one_leader(graph_dir):
    result = runner.invoke(app, ["chain", "光电", "--build", str(graph_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "光电: 1 company, 1 leader"


def test_terminal_build_reports_progress_per_document(small_corpus, tmp_path):
    from kg.build.pipeline import build

    calls = []
    build(small_corpus, tmp_path / "out", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 1), (1, 1)]
    # from the cache: done at once
    calls.clear()
    build(small_corpus, tmp_path / "out", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 1)]


def test_terminal_long_table_comes_block_by_block_with_one_set_of_widths(graph_dir, monkeypatch):
    from rich.cells import cell_len

    from kg.serve import terminal
    from kg.serve.store import open_store

    monkeypatch.setattr(terminal, "TABLE_BLOCK", 3)    # rows printed at a time: several blocks here
    query = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?s ?name WHERE { ?s rdfs:label ?name }"
    count = len(open_store(graph_dir).query(query).rows)
    result = runner.invoke(app, ["query", "--build", str(graph_dir), query])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if "│" in line]
    # one line a row, more where a later cell is wider than the first block's and folds
    assert count > 2 * 3 and len(lines) >= count and f"{count} rows" in result.output
    assert len({cell_len(line) for line in lines}) == 1      # every block keeps the first block's columns
    assert "甲光伏" in result.stdout and "https://" not in result.stdout
