"""Named queries on a hand-written graph with known answers; formats; errors; both stores agree."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.model.errors import QuerySyntaxError, UnknownIndustryError
from kg.serve.query import format_result, named_queries, resolve_term, run_named
from kg.serve.store import OxigraphStore, RdflibStore, open_store

from .conftest import trig_as_build
from .helpers import normalised_rows

STORES = ("rdflib", "oxigraph")


@pytest.fixture(scope="module", params=STORES)
def store(request, graph_dir):
    return open_store(graph_dir, request.param)


def column(result, name):
    return {str(row[name]) for row in result.rows if name in row}


def test_query_companies_of_chain_include_narrower_industries_leaders_first(store):
    result = run_named(store, "companies-of-chain", {"industry": "光伏"})
    assert [(str(r["name"]), str(r["role"])) for r in result.rows] == [("甲光伏", "leader"), ("乙能源", "member")]
    assert column(run_named(store, "companies-of-chain", {"industry": "智能光伏"}), "name") == {"甲光伏"}


def test_query_leaders_per_chain(store):
    result = run_named(store, "leaders-per-chain")
    assert {(str(r["industryName"]), str(r["leaders"])) for r in result.rows} == {("智能光伏", "甲光伏"), ("光电", "丙光电")}


def test_query_chains_of_a_city_roll_up_counties(store):
    result = run_named(store, "city-chains", {"city": "金华"})
    rows = {(str(r["industryName"]), str(r["role"])): str(r["names"]) for r in result.rows}
    assert rows == {("智能光伏", "prioritised by"): "金华市", ("智能光伏", "led by"): "甲光伏",
                    ("光伏", "prioritised by"): "东阳市"}


def test_query_platforms_of_a_city(store):
    assert column(run_named(store, "city-platforms", {"city": "金华市"}), "name") == {"东阳光伏产业园"}
    assert column(run_named(store, "city-platforms", {"city": "台州"}), "name") == {"台州数据中心"}


def test_query_programmes_and_their_targets(store):
    result = run_named(store, "programmes")
    assert {(str(r["name"]), str(r["implementedBy"]), str(r["targets"])) for r in result.rows} == {("光伏行动", "金华市", "光伏")}


PROGRAMMES = """
@prefix kg: <https://w3id.org/zjkg/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix id: <https://w3id.org/zjkg/id/> . @prefix place: <https://w3id.org/zjkg/id/place/> .
@prefix ind: <https://w3id.org/zjkg/id/industry/> .
id:graph\\/reference {
  place:330700 a kg:City ; rdfs:label "金华市"@zh , "Jinhua"@en .
  place:331000 a kg:City ; rdfs:label "台州市"@zh , "Taizhou"@en .
  ind:a a kg:Industry ; rdfs:label "甲产业"@zh . ind:b a kg:Industry ; rdfs:label "乙产业"@zh .
}
id:graph\\/a {
  id:doc\\/a a kg:Document .
  id:policy\\/two a kg:Policy ; rdfs:label "双城行动"@zh ; kg:mentionedIn id:doc\\/a ; kg:targets ind:a , ind:b .
  id:policy\\/none a kg:Policy ; rdfs:label "空白计划"@zh ; kg:mentionedIn id:doc\\/a .
  id:policy\\/unmentioned a kg:Policy ; rdfs:label "未提计划"@zh ; kg:targets ind:a .
  place:330700 kg:implements id:policy\\/two , id:policy\\/unmentioned . place:331000 kg:implements id:policy\\/two .
}
"""


@pytest.mark.parametrize("kind", STORES)
def test_query_programmes_without_implementers_or_targets_leave_them_unbound(tmp_path, kind):
    """Each programme once, most targets first; a list with nothing in it is no value, not an
    empty string; a programme no document mentions is left out."""
    (tmp_path / "g.trig").write_text(PROGRAMMES, encoding="utf-8")
    result = run_named(open_store(trig_as_build(tmp_path / "g.trig", tmp_path), kind), "programmes")
    rows = [(str(r["name"]), sorted(str(r.get("implementedBy", "-")).split("、")),
             sorted(str(r.get("targets", "-")).split("、"))) for r in result.rows]
    assert rows == [("双城行动", ["台州市", "金华市"], ["乙产业", "甲产业"]), ("空白计划", ["-"], ["-"])]


def test_query_figures_of_a_city_over_years(store):
    result = run_named(store, "city-figures", {"city": "金华"})
    assert sorted((str(r["regionName"]), int(r["year"]), float(r["value"])) for r in result.rows) == [
        ("东阳市", 2022, 120.0), ("金华市", 2021, 100.0)]


def test_query_companies_in_more_than_one_city(store):
    result = run_named(store, "multi-city-companies")
    assert [(str(r["name"]), int(r["cities"])) for r in result.rows] == [("乙能源", 2)]


def test_query_evidence_of_each_fact_and_of_one_entity(store):
    assert len(run_named(store, "evidence").rows) == 3
    result = run_named(store, "evidence", {"entity": "甲光伏"})
    assert column(result, "quote") == {"甲光伏为龙头的智能光伏", "位于东阳市的甲光伏"}


def test_query_parameters_are_bindings_not_text(store):
    # a value that would break a query pasted into text is only ever a name to look up
    with pytest.raises(UnknownIndustryError):
        run_named(store, "companies-of-chain", {"industry": '光伏" } } DROP ALL ; #'})


def test_query_unknown_industry_suggests_the_closest(store):
    with pytest.raises(UnknownIndustryError) as error:
        resolve_term(store, "光伏发电", "industry")
    assert "光伏" in error.value.suggestions


def test_query_syntax_error_gives_line_and_column(store):
    with pytest.raises(QuerySyntaxError) as error:
        store.query("SELECT ?s WHERE {\n  ?s ?p \n}")
    assert error.value.line is not None and error.value.column is not None


def test_query_formats(graph_dir):
    store = open_store(graph_dir, "rdflib")
    result = run_named(store, "leaders-per-chain")
    table = format_result(result, "table").splitlines()
    assert table[0].split() == ["industry", "industryName", "leaderCount", "leaders"] and len(table) == 4
    assert format_result(result, "csv").splitlines()[0] == "industry,industryName,leaderCount,leaders"
    assert format_result(result, "tsv").splitlines()[0] == "industry\tindustryName\tleaderCount\tleaders"
    data = json.loads(format_result(result, "json"))
    assert data["head"]["vars"] == ["industry", "industryName", "leaderCount", "leaders"]
    assert {b["leaders"]["value"] for b in data["results"]["bindings"]} == {"甲光伏", "丙光电"}
    assert data["results"]["bindings"][0]["industry"]["type"] == "uri"


def test_query_cli_list_named_stdin_errors_and_empty(graph_dir):
    runner = CliRunner()
    listing = runner.invoke(app, ["query", "--list"])
    assert all(name in listing.output for name in named_queries())
    named = runner.invoke(app, ["query", "--build", str(graph_dir), "--name", "city-figures", "--param", "city=金华",
                                "--format", "csv"])
    assert named.exit_code == 0 and "东阳市" in named.output
    piped = runner.invoke(app, ["query", "--build", str(graph_dir), "-"], input="ASK { ?s a <https://w3id.org/zjkg/ontology#Company> }")
    assert piped.output.strip() == "yes"
    bad = runner.invoke(app, ["query", "--build", str(graph_dir), "SELECT ?s WHERE { ?s ?p"])
    assert bad.exit_code == 1 and "line 1, column" in bad.output
    empty = runner.invoke(app, ["query", "--build", str(graph_dir), "SELECT ?s WHERE { ?s <http://x/none> ?o }"])
    assert empty.exit_code == 0 and "(no results)" in empty.output


def test_query_both_stores_give_identical_answers_on_every_named_query(corpus_build):
    build_dir = corpus_build.files["nquads"].parent
    rdflib_store, oxigraph_store = RdflibStore.load(build_dir / "graph.nq"), OxigraphStore.load(build_dir)
    params = {"city": "金华", "industry": "光电", "entity": "水晶光电"}
    for query in named_queries().values():
        values = {p.name: params[p.name] for p in query.params if p.name in params}
        a, b = run_named(rdflib_store, query.name, values), run_named(oxigraph_store, query.name, values)
        assert normalised_rows(a) == normalised_rows(b), query.name
        assert a.rows, query.name


def test_query_named_graphs_are_there_when_a_query_asks_for_them(graph_dir):
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    answers = [[(str(r["g"]), int(r["n"])) for r in open_store(graph_dir, kind).query(query).rows] for kind in STORES]
    assert answers[0] == answers[1] and len(answers[0]) >= 2


def test_query_oxigraph_loads_the_named_graphs_only_for_queries_that_name_them(graph_dir):
    store = open_store(graph_dir, "oxigraph")
    for query in named_queries().values():
        store.query(query.text)
    store.query("# which graph?\nSELECT ?s WHERE { ?s <https://schema.org/name> ?graph }")
    assert store._named_graphs is not None            # still only the union in memory
    store.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert store._named_graphs is None


def test_query_every_named_query_on_a_graph_without_the_asked_for_data(small_build):
    """金华 and 智能光伏 exist (reference data) but the small build says nothing about them."""
    build_dir = small_build.files["nquads"].parent
    params = {"city": "金华", "industry": "智能光伏", "entity": "金华"}
    stores = [open_store(build_dir, kind) for kind in STORES]
    for query in named_queries().values():
        values = {p.name: params[p.name] for p in query.params if p.name in params}
        answers = [normalised_rows(run_named(store, query.name, values)) for store in stores]
        assert answers[0] == answers[1], query.name
        if query.params:
            assert answers[0] == [], query.name
