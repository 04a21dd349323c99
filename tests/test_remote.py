"""Past one machine: `kg build --endpoint` loads a real Oxigraph server through the Graph Store
HTTP Protocol; `kg query`, `kg chain` and `kg serve` answer from it as from the local graph."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from kg.cli import app
from kg.build.emit import graph_iri
from kg.model.errors import EndpointError
from kg.build.pipeline import ENDPOINT_STATE, build
from kg.serve.query import named_queries, run_named
from kg.serve.remote import RemoteStore
from kg.serve.store import open_store
from kg.serve.viz import summary

from .conftest import CORPUS
from .helpers import free_port, kg_serve, normalised_rows, wait_for

pytestmark = pytest.mark.slow
PARAMS = {"city": "金华", "industry": "光电", "entity": "水晶光电"}


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(found).is_file():
        pytest.fail("the Oxigraph server is missing: pip install oxigraph (in the test extras)")
    return found


def start_oxigraph(location: Path, union: bool = True):
    port = free_port()
    args = [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(args + (["--union-default-graph"] if union else []),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/query?query=" + urllib.parse.quote("ASK {}"), process)
    return process, base


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    process, base = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def loaded(oxigraph, tmp_path_factory):
    """The seed corpus built into a folder and loaded into the server."""
    corpus = tmp_path_factory.mktemp("corpus")
    for path in CORPUS.glob("*.txt"):
        shutil.copy(path, corpus)
    out = tmp_path_factory.mktemp("out")
    result = build(corpus, out, endpoint=oxigraph + "/store")
    return corpus, out, result


def server_graphs(base: str) -> dict:
    rows = RemoteStore(base + "/query").query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    return _by_graph((r["s"], r["p"], r["o"], r["g"]) for r in rows)


def local_graphs(out: Path) -> dict:
    data = Dataset()
    data.parse(out / "graph.nq", format="nquads")
    return _by_graph(data.quads((None, None, None, None)))


def _by_graph(quads) -> dict:
    graphs: dict = {}
    for s, p, o, g in quads:
        graphs.setdefault(str(getattr(g, "identifier", g)), Graph()).add((s, p, o))
    return graphs


def same_graphs(a: dict, b: dict) -> bool:
    """Same graph names, each graph isomorphic (the ontology's blank nodes get new labels)."""
    return a.keys() == b.keys() and all(isomorphic(a[name], b[name]) for name in a)


def test_remote_build_loads_one_named_graph_per_document(loaded, oxigraph):
    corpus, out, result = loaded
    assert len(result.pushed.replaced) == len(list(corpus.glob("*.txt"))) + 3   # + reference, ontology, description
    assert same_graphs(server_graphs(oxigraph), local_graphs(out))


def test_remote_store_answers_every_named_query_as_the_local_graph(loaded, oxigraph):
    _, out, _ = loaded
    local, remote = open_store(out, "rdflib"), open_store(endpoint=oxigraph + "/query")
    for query in named_queries().values():
        values = {p.name: PARAMS[p.name] for p in query.params if p.name in PARAMS}
        expected = run_named(local, query.name, values)
        assert expected.rows, query.name
        assert normalised_rows(run_named(remote, query.name, values)) == normalised_rows(expected), query.name
    assert len(remote) == len(open_store(out, "oxigraph"))
    assert summary(remote) == summary(local)          # the cluster map does not depend on the store


def test_remote_cli_query_and_chain(loaded, oxigraph):
    _, out, _ = loaded
    runner = CliRunner()
    local = runner.invoke(app, ["chain", "智能光伏", "--json", "--build", str(out)])
    remote = runner.invoke(app, ["chain", "智能光伏", "--json", "--endpoint", oxigraph + "/query"])
    assert local.exit_code == remote.exit_code == 0, remote.output
    assert json.loads(remote.output) == json.loads(local.output)
    listed = runner.invoke(app, ["query", "--name", "leaders-per-chain", "--format", "csv",
                                 "--endpoint", oxigraph + "/query"])
    assert listed.exit_code == 0 and "智能光伏" in listed.output
    bad = runner.invoke(app, ["query", "SELECT ?s WHERE { ?s ?p", "--endpoint", oxigraph + "/query"])
    assert bad.exit_code == 1 and "SPARQL syntax error" in bad.output


def test_remote_rebuild_sends_only_what_changed_and_ends_equal_to_the_local_build(loaded, oxigraph):
    corpus, out, _ = loaded
    again = build(corpus, out, endpoint=oxigraph + "/store")
    assert again.pushed.replaced == [] and again.pushed.removed == []
    documents = sorted(corpus.glob("*.txt"))
    documents[0].unlink()                                     # removed
    documents[1].write_text(documents[1].read_text(encoding="utf-8") + "\n温州市大力发展新能源汽车产业。\n",
                            encoding="utf-8")                # changed
    (corpus / "new.txt").write_text("瑞安市加快培育汽车零部件产业集群。\n", encoding="utf-8")   # added
    changed = build(corpus, out, endpoint=oxigraph + "/store")
    replaced = set(changed.pushed.replaced)
    assert {str(graph_iri(documents[1].name)), str(graph_iri("new.txt"))} <= replaced
    assert changed.pushed.removed == [str(graph_iri(documents[0].name))]
    assert changed.pushed.unchanged >= 2                      # the ontology and reference graphs at least
    assert same_graphs(server_graphs(oxigraph), local_graphs(out))


def test_remote_errors_are_clear(tmp_path, small_corpus):
    process, base = start_oxigraph(tmp_path / "plain", union=False)
    try:
        with pytest.raises(EndpointError, match="holds no data"):
            RemoteStore(base + "/query").check()
        build(small_corpus, tmp_path / "out", endpoint=base + "/store")
        with pytest.raises(EndpointError, match="--union-default-graph"):
            open_store(endpoint=base + "/query")
    finally:
        process.terminate()
        process.wait(timeout=10)
    out, nowhere = tmp_path / "out2", f"http://127.0.0.1:{free_port()}/store"
    with pytest.raises(EndpointError, match="built in .* but not fully loaded .* cannot reach"):
        build(small_corpus, out, endpoint=nowhere)
    assert (out / "graph.nq").is_file()
    assert json.loads((out / ENDPOINT_STATE).read_text(encoding="utf-8")) == {nowhere: {}}


def test_remote_serve_answers_from_the_server(loaded, oxigraph):
    with kg_serve("--endpoint", oxigraph + "/query", "--workers", "1") as base:
        query = urllib.parse.urlencode({"query": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a "
                                                 "<https://w3id.org/zjkg/ontology#Company> }"})
        request = urllib.request.Request(base + "/sparql?" + query, headers={"Accept": "text/csv"})
        with urllib.request.urlopen(request, timeout=30) as response:
            served = response.read().decode().split()[1]
        local = open_store(loaded[1], "rdflib").query(
            "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <https://w3id.org/zjkg/ontology#Company> }")
        assert served == str(local.rows[0]["n"]) and int(served) > 10
