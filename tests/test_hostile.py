"""A hostile corpus (HTML, script, quotes and control characters in the text, the file name
and the metadata) built and served: no page runs its script (checked in Chromium), XML
outputs stay well-formed, and the endpoint refuses over HTTP what reaches outside the graph."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import xml.dom.minidom

import pytest

from .helpers import fetch, kg_serve

pytestmark = pytest.mark.slow

DOC = '"<img src=x onerror=window.kgPwned=4>".txt'
TEXT = ('# 永康市数字经济发展报告\n\n'
        '永康市建设"</script><img src=x onerror=window.kgPwned=1>产业大脑"，推动五金产业数字化转型。\n\n'
        '永康市大力发展智能光伏产业，以“<b onmouseover=window.kgPwned=2>\'甲&乙\'光伏</b>科技有限公司”为龙头。\n\n'
        '2023年，永康市\x01数字经济\x0b核心产业增加值达到120亿元，同比增长8.5%。\n')
TITLE = "<script>window.kgPwned=5</script>标题\x02"
YONGKANG = "https://w3id.org/zjkg/id/place/330784"


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    from kg.build.pipeline import build
    from kg.serve.store import open_store
    from kg.serve.viz import write_map

    corpus = tmp_path_factory.mktemp("hostile")
    (corpus / DOC).write_text(TEXT, encoding="utf-8")
    name = DOC.replace('"', '""')
    (corpus / "metadata.csv").write_text(f'file,title,place,source\n"{name}","{TITLE}",永康,javascript:window.kgPwned=6\n',
                                         encoding="utf-8")
    out = tmp_path_factory.mktemp("hostile-build")
    result = build(corpus, out, use_cache=False)
    assert not result.problems
    write_map(open_store(out), out / "graph.html")
    return out


@pytest.fixture(scope="module")
def server(hostile_build):
    """The rdflib store: the one that would fetch FROM URLs if the guard let it."""
    with kg_serve("--build", str(hostile_build), "--store", "rdflib", "--timeout", "5") as base:
        yield base


def sparql(base: str, query: str, accept: str = "application/sparql-results+json", **params):
    return fetch(base + "/sparql?" + urllib.parse.urlencode({"query": query, **params}, doseq=True),
                headers={"Accept": accept})


def test_hostile_text_reaches_the_graph_cleaned_of_what_xml_forbids(server):
    status, _, body = sparql(server, "SELECT ?q ?start ?end WHERE { ?a kg:quote ?q ; kg:startOffset ?start ; "
                                  "kg:endOffset ?end }")
    rows = json.loads(body)["results"]["bindings"]
    quotes = [r["q"]["value"] for r in rows]
    assert status == 200 and any("onerror=window.kgPwned=1" in q for q in quotes)
    assert not any(ch in q for q in quotes for ch in "\x01\x0b")
    # the offsets are those of the document's text: the quote is that span, each control character
    # replaced by U+FFFD so its length still matches the offsets (issue 15's shape kgs:quoteLength)
    assert any("\ufffd" in q for q in quotes)
    for row in rows:
        span = TEXT[int(row["start"]["value"]):int(row["end"]["value"])]
        assert row["q"]["value"] == span.replace("\x01", "\ufffd").replace("\x0b", "\ufffd")


@pytest.mark.parametrize("query, accept", [
    ("SELECT ?q ?t WHERE { { ?a kg:quote ?q } UNION { ?d dct:title ?t } }", "application/sparql-results+xml"),
    ('SELECT ?x WHERE { BIND ("a\\u0001b\\u000Bc" AS ?x) }', "application/sparql-results+xml"),
    ("CONSTRUCT { ?a kg:quote ?q } WHERE { ?a kg:quote ?q }", "application/rdf+xml"),
    ('CONSTRUCT { <http://x/s> <http://x/p> ?x } WHERE { BIND ("a\\u0001b" AS ?x) }', "application/rdf+xml"),
])
def test_hostile_xml_outputs_are_well_formed(server, query, accept):
    status, _, body = sparql(server, query, accept)
    assert status == 200
    xml.dom.minidom.parseString(body.encode("utf-8"))


def test_hostile_queries_over_http_are_400s_and_reach_nothing(server, listener, tmp_path):
    url, seen = listener
    secret = tmp_path / "secret.ttl"
    secret.write_text('<http://s/s> <http://s/p> "top-secret" .\n', encoding="utf-8")
    for query in (f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
                  f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
                  f"SELECT * FROM NAMED <{secret.as_uri()}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                  f"SELECT * FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}",
                  "SELECT * FROM <https://w3id.org/zjkg/id/graph/none> WHERE { ?s ?p ?o }"):
        status, _, body = sparql(server, query)
        assert status == 400 and "refused" in body and "top-secret" not in body, (query, body)
    status, _, body = sparql(server, "ASK { ?s ?p ?o }", **{"default-graph-uri": secret.as_uri()})
    assert status == 400 and "default-graph-uri" in body
    assert seen == []


def test_hostile_protocol_cases_over_http(server):
    reference = "https://w3id.org/zjkg/id/graph/reference"
    everything = json.loads(sparql(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[2])
    only_reference = json.loads(sparql(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                       **{"default-graph-uri": reference})[2])
    count = lambda data: int(data["results"]["bindings"][0]["n"]["value"])   # noqa: E731
    assert 0 < count(only_reference) < count(everything)
    two = urllib.parse.urlencode([("query", "ASK {}"), ("query", "SELECT * {}")])
    assert fetch(server + "/sparql?" + two)[0] == 400
    utf16 = 'SELECT ?n WHERE { ?d schema:name ?n FILTER (CONTAINS(?n, "onerror")) }'.encode("utf-16")
    status, _, body = fetch(server + "/sparql", utf16, {"Content-Type": "application/sparql-query; charset=utf-16",
                                                   "Accept": "application/sparql-results+json"})
    assert status == 200 and "kgPwned=4" in body
    assert fetch(server + "/sparql", b"ASK { \xff }", {"Content-Type": "application/sparql-query"})[0] == 400
    assert fetch(server + "/sparql?query=ASK%20%7B%FF%7D")[0] == 400


def test_hostile_entity_paths_decode_once_and_bad_ones_are_400_or_404(server):
    from kg.build.emit import document_iri
    from kg.serve.markup import local_link

    doc = str(document_iri(DOC))      # id/doc/~22~3Cimg~20src=x~20onerror=… (iri_segment: no '%' in IRIs)
    status, _, body = fetch(server + local_link(doc), headers={"Accept": "text/html"})
    assert status == 200 and "kgPwned=4" in body and "<img src=x" not in body
    status, _, body = fetch(server + local_link(doc) + "?format=turtle")
    assert status == 200 and "kgPwned=4" in body
    # decoded once, %22 stays %22 (an IRI holds no '"'): a graph IRI that does not exist, so 404
    assert fetch(server + "/id/doc/%22%3Cimg%20src=x%20onerror=window.kgPwned=4%3E%22",
                headers={"Accept": "text/html"})[0] == 404
    assert fetch(server + "/id/%00", headers={"Accept": "text/html"})[0] == 404
    assert fetch(server + "/id/%FF", headers={"Accept": "text/html"})[0] == 400
    assert fetch(server + "/id/company/x?format=bogus")[0] == 400
    assert fetch(server + "/api/named/no-such-query")[0] == 404
    assert fetch(server + "/api/named/evidence?entity=" + urllib.parse.quote("http://x y"))[0] == 400
    assert fetch(server + "/api/named/companies-of-chain?industry=" + urllib.parse.quote("不存在的产业"))[0] == 404
    for i in range(3):    # unknown cities are not drawn, so not cached
        assert fetch(server + "/map?city=" + urllib.parse.quote(f"http://x/{i}"))[0] == 404


@pytest.mark.browser
def test_hostile_pages_run_no_script_in_chromium(server, hostile_build, chrome):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from kg.serve.markup import local_link

    def unharmed() -> None:
        assert chrome.execute_script("return window.kgPwned === undefined")

    pages = [server + "/map", server + local_link(YONGKANG), (hostile_build / "graph.html").as_uri(),
             server + local_link("https://w3id.org/zjkg/id/doc/%22%3Cimg%20src=x%20onerror=window.kgPwned=4%3E%22"),
             # the explorer's search and "what links here" pages show the same names
             server + "/search?q=" + urllib.parse.quote("标题"), server + "/links" + local_link(YONGKANG)[3:]]
    wait = WebDriverWait(chrome, 20)
    for page in pages:
        chrome.get(page)
        wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
        assert "window.kgPwned=" in chrome.page_source   # a payload is there, as text
        if "map" in page or page.endswith(".html"):
            nodes = chrome.execute_script("return allNodes.map(function (n) { return n.title; })")
            assert any("kgPwned=1" in title for title in nodes)
            # hover every node so vis-network shows each tooltip
            canvas = chrome.find_element(By.TAG_NAME, "canvas")
            for node_id in chrome.execute_script("return allNodes.map(function (n) { return n.id; })"):
                x, y = chrome.execute_script(
                    "var p = network.canvasToDOM(network.getPosition(arguments[0])); return [p.x, p.y];", node_id)
                size = canvas.size
                ActionChains(chrome).move_to_element_with_offset(canvas, int(x - size["width"] / 2),
                                                                 int(y - size["height"] / 2)).pause(0.4).perform()
                unharmed()
        unharmed()
    # the query page, with the hostile quotes and names as results
    chrome.get(server + "/")
    wait.until(lambda d: d.execute_script("return window.kgQueryPage !== undefined"))
    chrome.execute_script("kgQueryPage.editor.setValue(arguments[0])",
                          "SELECT ?q ?n ?t ?s WHERE { { ?a kg:quote ?q } UNION { ?d schema:name ?n ; dct:title ?t ; "
                          "dct:source ?s } }")
    chrome.find_element(By.ID, "run").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#results tr.row")) > 0)
    assert "onerror=window.kgPwned=1" in chrome.find_element(By.ID, "results").text
    unharmed()
