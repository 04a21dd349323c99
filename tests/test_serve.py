"""kg serve: the SPARQL 1.1 Protocol, limits, read-only, entity pages, and the web page in Chromium."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from kg.serve.query import run_named
from kg.serve.store import open_store

from .conftest import network_requests
from .helpers import fetch, kg_serve

pytestmark = pytest.mark.slow

COMPANIES = """PREFIX kg: <https://w3id.org/zjkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?company ?name WHERE { ?company a kg:Company ; rdfs:label ?name }"""


@pytest.fixture(scope="module")
def server(corpus_build):
    build_dir = corpus_build.files["nquads"].parent
    # 5 s: rdflib takes 1.4 s for the size-limit test's query alone, more beside the browser tests
    with kg_serve("--build", str(build_dir), "--timeout", "5", "--max-results", "5000", "--workers", "2",
                  "--cors", "http://yasgui.example") as base:
        yield base, build_dir


def ask(base: str, query: str, headers: dict | None = None):
    """GET the query from the endpoint: (status, media type, body)."""
    return fetch(base + "/sparql?" + urllib.parse.urlencode({"query": query}), headers=headers)


def test_serve_sparqlwrapper_gets_the_rows_kg_query_gets(server):
    from SPARQLWrapper import JSON, SPARQLWrapper

    base, build_dir = server
    client = SPARQLWrapper(base + "/sparql")
    client.setQuery(COMPANIES)
    client.setReturnFormat(JSON)
    remote = {(b["company"]["value"], b["name"]["value"]) for b in client.query().convert()["results"]["bindings"]}
    local = {(str(r["company"]), str(r["name"])) for r in open_store(build_dir).query(COMPANIES).rows}
    assert remote == local and len(remote) > 30


def test_serve_named_query_matches_kg_query(server):
    base, build_dir = server
    status, _, body = fetch(base + "/api/named/city-chains?city=" + urllib.parse.quote("金华"),
                           headers={"Accept": "application/sparql-results+json"})
    remote = {b["industryName"]["value"] for b in json.loads(body)["results"]["bindings"]}
    local = {str(r["industryName"]) for r in run_named(open_store(build_dir), "city-chains", {"city": "金华"}).rows}
    assert status == 200 and remote == local


@pytest.mark.parametrize("accept, marker", [
    ("application/sparql-results+json", '"bindings"'),
    ("application/sparql-results+xml", "<sparql xmlns"),
    ("text/csv", "company,name"),
    ("text/tab-separated-values", "?company\t?name"),
])
def test_serve_results_by_content_negotiation(server, accept, marker):
    base, _ = server
    for method in ("GET", "POST"):
        if method == "GET":
            status, media, body = ask(base, COMPANIES, {"Accept": accept})
        else:
            status, media, body = fetch(base + "/sparql", COMPANIES.encode(), method="POST",
                                       headers={"Accept": accept, "Content-Type": "application/sparql-query"})
        assert status == 200 and media.startswith(accept) and marker in body


def test_serve_construct_as_turtle_and_json_ld(server):
    base, _ = server
    query = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 5"
    status, media, body = fetch(base + "/sparql", urllib.parse.urlencode({"query": query}).encode(),
                               headers={"Accept": "text/turtle", "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and media.startswith("text/turtle") and " a " in body
    status, media, body = ask(base, query, {"Accept": "application/ld+json"})
    assert status == 200 and media.startswith("application/ld+json") and isinstance(json.loads(body), (list, dict))


def test_serve_refuses_updates_and_writes(server):
    base, _ = server
    update = "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"
    assert fetch(base + "/sparql", update.encode(), {"Content-Type": "application/sparql-update"}, "POST")[0] == 403
    form = urllib.parse.urlencode({"update": update}).encode()
    status, _, body = fetch(base + "/sparql", form, {"Content-Type": "application/x-www-form-urlencoded"}, "POST")
    assert status == 403 and "read-only" in body
    assert fetch(base + "/sparql", b"", method="PUT")[0] == 405
    assert fetch(base + "/store?default", b"<a:b> <a:c> <a:d> .", {"Content-Type": "text/turtle"}, "PUT")[0] == 405
    # nothing was written
    status, _, body = ask(base, "ASK { <http://x/a> ?p ?o }", {"Accept": "application/sparql-results+json"})
    assert json.loads(body)["boolean"] is False


def test_serve_answers_cross_origin_only_for_the_origins_given_with_cors(server):
    base, _ = server
    status, _, _ = fetch(base + "/sparql", method="OPTIONS", headers={
        "Origin": "http://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 200
    for origin, allowed in (("http://yasgui.example", "http://yasgui.example"), ("http://evil.example", None)):
        request = urllib.request.Request(base + "/sparql?query=" + urllib.parse.quote("ASK { ?s ?p ?o }"),
                                         headers={"Origin": origin})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.headers["Access-Control-Allow-Origin"] == allowed


def test_serve_bad_query_is_a_400_with_the_parser_message(server):
    base, _ = server
    status, _, body = ask(base, "SELECT ?s WHERE { ?s ?p")
    assert status == 400 and "line 1, column" in body


def test_serve_time_limit_holds_on_a_pathological_query(server):
    base, _ = server
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.time()
    status, _, body = ask(base, query)
    assert status == 503 and "time limit" in body
    assert time.time() - started < 10
    # the server answers the next query
    status, _, _ = ask(base, "ASK { ?s ?p ?o }")
    assert status == 200


def test_serve_result_size_limit(server):
    base, _ = server
    status, _, body = ask(base, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 422 and "limit of 5000" in body


def test_serve_entity_page_and_its_rdf(server):
    base, _ = server
    path = "/id/company/" + urllib.parse.quote("晶科")   # minted from its shortest name
    status, media, body = fetch(base + path, headers={"Accept": "text/html"})
    assert status == 200 and "text/html" in media
    assert "<q>" in body and "/id/doc/000_e2287a8c5824cdbc" in body and "/id/industry/smart-pv" in body
    status, media, body = fetch(base + path, headers={"Accept": "text/turtle"})
    assert status == 200 and media.startswith("text/turtle") and "kg:Assertion" in body
    assert fetch(base + "/id/company/" + urllib.parse.quote("没有这家公司"), headers={"Accept": "text/html"})[0] == 404


def test_serve_draws_the_map_and_its_city_part(server):
    base, _ = server
    status, media, whole = fetch(base + "/map")
    assert status == 200 and "text/html" in media and "vis.Network" in whole and "<script src=\"http" not in whole
    status, _, city = fetch(base + "/map?city=" + urllib.parse.quote("衢州"))
    assert status == 200 and 0 < len(city) < len(whole)
    status, _, body = fetch(base + "/map?city=" + urllib.parse.quote("不存在市"))
    assert status == 404 and "不存在市" in body


@pytest.mark.browser
def test_serve_page_runs_a_query_and_follows_a_link_to_evidence(server, chrome):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    base, _ = server
    chrome.get_log("browser")
    network_requests(chrome)
    chrome.get(base + "/")
    wait = WebDriverWait(chrome, 20)
    wait.until(lambda d: d.execute_script("return window.kgQueryPage !== undefined"))
    chrome.execute_script("kgQueryPage.editor.setValue(arguments[0])", "PREFIX kg: <https://w3id.org/zjkg/ontology#>\n"
                          "SELECT ?company WHERE { ?company kg:leadsChain ?industry } LIMIT 20")
    chrome.find_element(By.ID, "run").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#results tr.row")) > 0)
    rows = chrome.find_elements(By.CSS_SELECTOR, "#results tr.row")
    assert len(rows) >= 5

    def follow_first_link(driver):
        """The table may be drawn again (labels arrive after the rows): click what is there now."""
        try:
            driver.find_elements(By.CSS_SELECTOR, "#results tr.row")[0].find_element(By.TAG_NAME, "a").click()
            return True
        except (StaleElementReferenceException, IndexError):
            return False
    wait.until(follow_first_link)
    wait.until(ec.presence_of_element_located((By.ID, "statements")))
    evidence = chrome.find_elements(By.CSS_SELECTOR, "#statements li.evidence q")
    assert evidence and all(q.text for q in evidence)
    assert [e for e in chrome.get_log("browser") if e["level"] == "SEVERE"] == []
    outside = [u for u in network_requests(chrome) if not u.startswith((base, "data:", "about:"))]
    assert outside == []
