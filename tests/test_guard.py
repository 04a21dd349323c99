"""Hostile queries on both stores and from `kg query`: nothing outside the graph is read or
contacted, the refusal says where, and what is allowed still works."""
from __future__ import annotations


import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.model.errors import QueryRefusedError, QuerySyntaxError
from kg.serve.guard import GraphSelection, check_query, tokens
from kg.serve.store import open_store

STORES = ("rdflib", "oxigraph")
GRAPH_A = "https://w3id.org/zjkg/id/graph/a"
REFERENCE = "https://w3id.org/zjkg/id/graph/reference"


@pytest.fixture(scope="module", params=STORES)
def store(request, graph_dir):
    return open_store(graph_dir, request.param)


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.ttl"
    path.write_text("<http://secret/s> <http://secret/p> \"top-secret-value\" .\n", encoding="utf-8")
    return path.as_uri()


HOSTILE = [
    ("SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }", "SERVICE", (1, 18)),
    ("SELECT * WHERE { SERVICE SILENT <{url}> { ?s ?p ?o } }", "SERVICE", (1, 18)),
    ("PREFIX x: <{url}>\nSELECT * WHERE {\n  ?s ?p ?o .\n  service x:sparql { ?s ?p ?o } }", "SERVICE", (4, 3)),
    ("SELECT * FROM <{url}> WHERE { ?s ?p ?o }", "FROM <", (1, 15)),
    ("SELECT * FROM NAMED <{url}> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM NAMED", (1, 21)),
    ("SELECT * FROM <{secret}> WHERE { ?s ?p ?o }", "no files", (1, 15)),
    ("SELECT * FROM NAMED <{secret}> WHERE { GRAPH ?g { ?s ?p ?o } }", "no files", (1, 21)),
    ("BASE <file:///>\nSELECT * FROM <etc/passwd> WHERE { ?s ?p ?o }", "FROM <etc/passwd>", (2, 15)),
    ("LOAD <{url}>", "read-only", (1, 1)),
    ("load <{secret}> INTO GRAPH <http://x/g>", "read-only", (1, 1)),
    ("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", "read-only", (1, 1)),
    ("PREFIX kg: <https://w3id.org/zjkg/ontology#> DELETE WHERE { ?s ?p ?o }", "read-only", (1, 46)),
    ("SELECT * WHERE { ?s ?p ?o } ; DROP ALL", "read-only", (1, 31)),
    ("SELECT * FROM <https://w3id.org/zjkg/id/graph/not-there> WHERE { ?s ?p ?o }", "no graph of that name", (1, 15)),
]


@pytest.mark.parametrize("template, says, where", HOSTILE)
def test_guard_refuses_what_reaches_outside_the_graph(store, listener, secret, template, says, where):
    url, seen = listener
    query = template.replace("{url}", url).replace("{secret}", secret)
    with pytest.raises(QueryRefusedError) as refused:
        store.query(query)
    assert says in str(refused.value) and (refused.value.line, refused.value.column) == where
    assert seen == []          # not even a connection


def test_guard_strings_comments_and_names_are_not_keywords(store):
    query = """PREFIX kg: <https://w3id.org/zjkg/ontology#>   # SERVICE <http://x/> and FROM <file:///etc/passwd>
SELECT ("SERVICE <http://x/>" AS ?a) ('''LOAD <file:///x>''' AS ?b) ?LOAD WHERE { BIND ("FROM" AS ?LOAD) }"""
    result = store.query(query)
    assert [str(result.rows[0][v]) for v in ("a", "b", "LOAD")] == ["SERVICE <http://x/>", "LOAD <file:///x>", "FROM"]


def test_guard_from_the_stores_own_graphs_reads_only_them(store):
    query = "SELECT DISTINCT ?s FROM <%s> WHERE { ?s a ?c }" % GRAPH_A
    from_a = {str(r["s"]) for r in store.query(query).rows}
    assert "https://w3id.org/zjkg/id/company/甲光伏" in from_a
    assert not any("/place/" in s for s in from_a)        # the places are in the reference graph
    named = store.query("SELECT DISTINCT ?g FROM NAMED <%s> WHERE { GRAPH ?g { ?s ?p ?o } }" % REFERENCE)
    assert [str(r["g"]) for r in named.rows] == [REFERENCE]


def test_guard_dataset_parameters_are_applied_over_the_named_graphs(store):
    query = "SELECT DISTINCT ?s WHERE { ?s a ?c }"
    whole = {str(r["s"]) for r in store.query(query).rows}
    only_a = {str(r["s"]) for r in store.query(query, dataset=GraphSelection(default=(GRAPH_A,))).rows}
    assert only_a and only_a < whole and not any("/place/" in s for s in only_a)
    # the Protocol's parameters win over the query's own FROM
    overridden = store.query("SELECT DISTINCT ?s FROM <%s> WHERE { ?s a ?c }" % REFERENCE,
                             dataset=GraphSelection(default=(GRAPH_A,)))
    assert {str(r["s"]) for r in overridden.rows} == only_a
    with pytest.raises(QueryRefusedError, match="default-graph-uri=http://x/nope"):
        store.query(query, dataset=GraphSelection(default=("http://x/nope",)))


def test_guard_huge_literal_and_injection_strings_are_just_data(store):
    big = "长" * 200_000
    result = store.query('SELECT (STRLEN("%s") AS ?n) WHERE {}' % big)
    assert int(result.rows[0]["n"]) == 200_000
    hostile = '\\" } ; DROP ALL ; SERVICE <http://x/> { #'
    assert store.query('ASK { FILTER (STRLEN("%s") > 0) }' % hostile).answer is True


@pytest.mark.parametrize("query, where, token", [
    ("SELECT ?s WHERE { ?s ?p }", (1, 25), "}"),
    ('SELECT ?s WHERE { ?s ?p "中文" . ?s ?p ?o ?x }', (1, 41), "?x"),
    ("SELECT ?s WHERE { ?s foo:bar ?o }", (1, 22), "foo:bar"),
    ('PREFIX : <http://x/>\nSELECT ?s WHERE {\n  ?s :p "长长长" ; nope:q ?o }', (3, 17), "nope:q"),
])
def test_guard_syntax_errors_point_at_the_offending_token_on_both_stores(store, query, where, token):
    with pytest.raises(QuerySyntaxError) as error:
        store.query(query)
    assert (error.value.line, error.value.column) == where
    assert token in str(error.value)


def test_guard_tokens_keep_offsets_of_the_text():
    query = 'SELECT ?x WHERE { ?x <http://a/中> "b#c" . } # done'
    assert [(t.kind, t.text) for t in tokens(query)][-4:] == [("iri", "<http://a/中>"), ("string", '"b#c"'),
                                                               ("punct", "."), ("punct", "}")]
    assert all(query[t.start:t.start + len(t.text)] == t.text for t in tokens(query))
    assert check_query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }").names_graphs


def test_guard_asks_the_store_for_from_graphs_each_time():
    # the verdict on a text is remembered, but whether the store holds a graph is not part of it
    query = f"SELECT * FROM <{GRAPH_A}> WHERE {{ ?s ?p ?o }}"
    assert check_query(query, None, lambda iri: iri == GRAPH_A).from_graphs == [GRAPH_A]
    with pytest.raises(QueryRefusedError, match="no graph of that name"):
        check_query(query, None, lambda iri: False)
    assert check_query(query, None, lambda iri: True).dataset


def test_guard_kg_query_exits_2_with_the_position(graph_dir, listener):
    url, seen = listener
    runner = CliRunner()
    for store in STORES:
        result = runner.invoke(app, ["query", "--build", str(graph_dir), "--store", store,
                                     f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"])
        assert result.exit_code == 2, result.output
        assert "line 1, column 18" in result.output and "SERVICE is refused" in result.output
    assert seen == []
