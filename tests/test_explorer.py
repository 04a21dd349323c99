"""The explorer as a person uses it: the query page (editor with completion, Ctrl-Enter,
paging, sorting, downloads, chart, errors), search, entity and document pages, the map.

The browser tests drive Debian's Chromium; they need the editor's bundle, which
`make test` builds with npm (skipped without it, unless KG_REQUIRE_BROWSER is set).
"""
from __future__ import annotations

import csv
import io
import time
import urllib.parse

import pytest

from kg.serve import assets
from kg.serve.markup import script_json
from kg.serve.pages import Site, chain_groups, home_page
from kg.serve.search import SearchIndex
from kg.serve.store import open_store

from .conftest import need_built, network_requests
from .helpers import fetch, kg_serve
from .test_viz import LOADED_FONT, need_font

pytestmark = pytest.mark.slow
ID = "https://w3id.org/zjkg/id/"
FIGURES_BY_YEAR = """PREFIX kg: <https://w3id.org/zjkg/ontology#>
SELECT ?year (COUNT(?obs) AS ?figures) WHERE { ?obs a kg:Observation ; kg:year ?year } GROUP BY ?year ORDER BY ?year"""


@pytest.fixture(scope="module")
def server(corpus_build):
    with kg_serve("--build", str(corpus_build.files["nquads"].parent), "--workers", "1") as base:
        yield base


@pytest.fixture
def downloads(chrome, tmp_path):
    chrome.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    return tmp_path


def until(driver, script: str, seconds: float = 20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out: {script}")


def downloaded(folder, name: str, seconds: float = 10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        path = folder / name
        if path.is_file() and path.stat().st_size and not list(folder.glob("*.crdownload")):
            return path
        time.sleep(0.1)
    raise AssertionError(f"{name} was not downloaded")


def need_editor():
    need_built(assets.EDITOR_BUNDLE.is_file(), "the SPARQL editor's bundle")


def quiet_and_offline(driver, base: str) -> None:
    assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
    assert [u for u in network_requests(driver) if not u.startswith((base, "data:", "about:", "blob:"))] == []


# ---------------------------------------------------------------------- without a browser
def test_explorer_search_finds_entities_by_name_alias_english_and_typo(corpus_build):
    store = open_store(corpus_build.files["nquads"].parent)
    index = SearchIndex.from_store(store.query)
    first = lambda q: index.search(q, 3)[0]
    assert first("晶科").iri == ID + "company/晶科" and first("晶科").matched == "晶科"    # an alias
    assert first("jinhua").iri == ID + "place/330700" and first("jinhua").label == "金华市"  # an English label
    assert first("Smart photovoltaic").label == "智能光伏"                                     # close, not equal
    assert first("晶科能源公司").iri == ID + "company/晶科"                                 # the name inside the query
    assert all(h.iri.startswith(ID + "place/") for h in index.search("金华", 5, namespace=ID + "place/"))
    assert index.search("zzqqxx") == []


def test_explorer_search_loads_more_names_than_a_query_may_return(corpus_build):
    store = open_store(corpus_build.files["nquads"].parent, "oxigraph")   # a page at a time: rdflib sorts each
    everything = SearchIndex.from_store(store.query)
    limited = SearchIndex.from_store(lambda sparql: store.query(sparql, limit=600))  # as a server's --max-results
    assert len(everything.labels) > 1000 and limited.labels == everything.labels
    assert limited.search("横店", 1)[0].label == "横店镇"


def test_explorer_json_in_script_cannot_end_the_script():
    text = str(script_json({"quote": "</script><script>alert(1)</script> & \u2028 <!--"}))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert "\\u003c/script\\u003e" in text


def test_explorer_place_chains_nest_narrower_industries_and_put_leaders_first():
    kg = "https://w3id.org/zjkg/ontology#"
    rows = [
        {"industry": ID + "industry/pv", "industryName": "光伏", "member": ID + "place/1", "role": kg + "prioritizes",
         "quote": "重点发展光伏", "docName": "a.txt"},
        {"industry": ID + "industry/smart-pv", "industryName": "智能光伏", "broader": ID + "industry/pv",
         "member": ID + "company/乙", "memberName": "乙", "role": kg + "inIndustry"},
        {"industry": ID + "industry/smart-pv", "industryName": "智能光伏", "broader": ID + "industry/pv",
         "member": ID + "company/甲", "memberName": "甲", "role": kg + "leadsChain"},
    ]
    [pv] = chain_groups(rows)
    assert pv.name == "光伏" and pv.prioritised[0].quote == "重点发展光伏"
    assert [s.name for s in pv.segments] == ["智能光伏"]
    assert [m["name"] for m in pv.segments[0].members] == ["甲", "乙"]
    # a graph with chains and segments: industries in their chain, segments upstream first
    chain = {"chain": ID + "chain/pv", "chainName": "智能光伏产业链"}
    rows = [dict(rows[1], **chain, segment=ID + "chain/pv.cells", segmentName="电池片", rank=2),
            dict(rows[2], **chain, segment=ID + "chain/pv.silicon", segmentName="硅料", rank=1)]
    [pv] = chain_groups(rows)
    assert pv.name == "智能光伏产业链" and [s.name for s in pv.segments] == ["硅料", "电池片"]
    assert [[m["name"] for m in s.members] for s in pv.segments] == [["甲"], ["乙"]]


def test_explorer_query_page_falls_back_to_a_textarea_and_says_why(graph_dir, monkeypatch, tmp_path):
    store = open_store(graph_dir)
    monkeypatch.setattr(assets, "EDITOR_BUNDLE", tmp_path / "editor.js")
    monkeypatch.setattr(assets, "BUILT", tmp_path)
    page = home_page(Site(store.query), len(store), [])
    assert 'id="editor-fallback"' in page and "make build" in page and '<script src="/static/build/editor.js">' not in page
    (tmp_path / "unavailable.txt").write_text("npm (Node.js) was not found when kg was built", encoding="utf-8")
    assert "npm (Node.js) was not found" in home_page(Site(store.query), len(store), [])


def test_explorer_entity_page_groups_facts_with_labels_and_document_titles(server):
    status, _, body = fetch(server + "/id/company/" + urllib.parse.quote("晶科"), headers={"Accept": "text/html"})
    assert status == 200
    assert 'data-relation="kg:leadsChain"' in body and "链主/龙头 · leads chain" in body
    assert "位于 · located in" in body and "locatedIn</td>" not in body
    # the document by its title, linking to its page
    assert "金华：构筑新优势，领跑新赛道" in body and 'href="/id/doc/000_e2287a8c5824cdbc"' in body
    status, _, doc = fetch(server + "/id/doc/000_e2287a8c5824cdbc", headers={"Accept": "text/html"})
    assert status == 200 and "Facts (0)" not in doc and "晶科能源" in doc
    facts = int(doc.split("事实 Facts (")[1].split(")")[0])
    assert facts > 50 and doc.count('class="evidence"') == facts


def test_explorer_place_page_groups_by_chain_and_links_here(server):
    status, _, body = fetch(server + "/id/place/330700", headers={"Accept": "text/html"})
    assert status == 200 and 'id="chains"' in body
    chains = body.split('id="chains"')[1].split('id="statements"')[0]
    assert "智能光伏" in chains and "★" in chains and "晶科能源" in chains
    status, _, links = fetch(server + "/links/place/330700")
    assert status == 200 and "位于 · located in" in links and "晶科能源" in links
    assert fetch(server + "/id/place/330700?format=turtle")[1].startswith("text/turtle")


def test_explorer_an_iri_that_is_not_one_is_refused_and_never_queried(server):
    # Paths are decoded once: an IRI's own %3E stays %3E, so these name IRIs the graph lacks
    for path in ("/id/company/x%3E%20%3Fp%20%3Fo%20%7D", "/links/company/x%3E%7B"):
        status, _, body = fetch(server + path, headers={"Accept": "text/html"})
        assert status == 404 and "Not found" in body
    # what no IRI can hold (a bare > or {, bytes that are not UTF-8) is refused before any query
    for path in ("/id/company/x>%20%3Fp%20%3Fo%20}", "/links/company/x>{", "/id/%FF", "/links/%FF"):
        status, _, body = fetch(server + path, headers={"Accept": "text/html"})
        assert status == 400, path


def test_explorer_pages_have_the_endpoints_protections(server):
    """The pages and their APIs sit behind the same checks as /sparql: the Host header must name
    the server (DNS rebinding), and no other origin may read them (this server has no --cors)."""
    import http.client

    port = int(server.rsplit(":", 1)[1])
    paths = ("/", "/search?q=jinhua", "/id/place/330700", "/links/place/330700", "/api/search?q=jinhua",
             "/api/vocabulary", "/static/results.js", "/map")
    for path in paths:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers={"Host": f"rebind.evil.example:{port}", "Accept": "text/html"})
        response = conn.getresponse()
        assert response.status == 421 and b"DNS rebinding" in response.read(), path
        conn.request("GET", path, headers={"Origin": "http://evil.example", "Accept": "text/html"})
        response = conn.getresponse()
        response.read()
        assert response.status == 200 and response.getheader("Access-Control-Allow-Origin") is None, path
        conn.close()


def test_explorer_assets_are_served_from_the_package(server):
    need_built(assets.EDITOR_BUNDLE.is_file() and assets.font_installed(), "the front end")
    status, media, editor = fetch(server + "/static/build/editor.js")
    assert status == 200 and "javascript" in media and "KGEditor" in editor
    status, _, css = fetch(server + "/static/fonts.css")
    assert status == 200 and "@font-face" in css and "url(/static/build/fonts/" in css and "//" not in css.split("url(")[1][:3]
    assert fetch(server + "/static/vis-network.min.js")[0] == 200
    assert fetch(server + "/static/nothing.js")[0] == 404


def test_explorer_search_api_and_page(server):
    status, media, body = fetch(server + "/api/search?q=jinhua")
    assert status == 200 and media.startswith("application/json") and '"金华市"' in body
    status, _, page = fetch(server + "/search?q=" + urllib.parse.quote("晶科"))
    assert status == 200 and 'href="/id/company/%E6%99%B6%E7%A7%91"' in page


# ---------------------------------------------------------------------- in Chromium
@pytest.mark.browser
def test_explorer_query_page_as_a_person_uses_it(server, chrome, downloads):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    need_editor()
    chrome.get_log("browser")
    network_requests(chrome)
    chrome.get(server + "/")
    until(chrome, "return document.querySelector('.cm-content') !== null")
    assert chrome.execute_script("return document.body.dataset.editor") == "codemirror"
    content = chrome.find_element(By.CSS_SELECTOR, ".cm-content")
    content.click()
    content.send_keys(Keys.CONTROL, "a")
    content.send_keys(Keys.DELETE)
    # completion of an ontology term declares its prefix; so does an undeclared one
    content.send_keys("SELECT ?c ?n WHERE { ?c a kg:Compa")
    until(chrome, "return [...document.querySelectorAll('.cm-tooltip-autocomplete li')].some(li => li.textContent.includes('kg:Company'))")
    time.sleep(0.3)          # CodeMirror ignores Enter for 75 ms after the list opens, so a fast typist's Enter stays a newline
    content.send_keys(Keys.ENTER)
    content.send_keys(" ; rdfs:lab")
    until(chrome, "return [...document.querySelectorAll('.cm-tooltip-autocomplete li')].some(li => li.textContent.includes('rdfs:label'))")
    time.sleep(0.3)
    content.send_keys(Keys.ENTER)
    content.send_keys(" ?n } LIMIT 51")
    text = chrome.execute_script("return kgQueryPage.editor.getValue()")
    assert "PREFIX kg: <https://w3id.org/zjkg/ontology#>" in text and "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>" in text
    assert "?c a kg:Company ; rdfs:label ?n }" in text
    # the editor highlights: keywords and variables have their own styles
    assert len(chrome.find_elements(By.CSS_SELECTOR, ".cm-line span")) > 5
    content.send_keys(Keys.CONTROL, Keys.ENTER)
    until(chrome, "return document.querySelectorAll('#results tr.row').length === 25")
    assert chrome.find_element(By.ID, "status").text.startswith("51 rows")
    assert chrome.find_element(By.ID, "page-info").text == "page 1 of 3"
    assert "query=" in chrome.current_url and "kg%3ACompany" in chrome.current_url
    # labels beside IRIs
    until(chrome, "return document.querySelector('#results td.uri code.iri') !== null")
    first_page = [r.text for r in chrome.find_elements(By.CSS_SELECTOR, "#results tr.row")]
    chrome.find_element(By.ID, "page-next").click()
    assert chrome.find_element(By.ID, "page-info").text == "page 2 of 3"
    assert [r.text for r in chrome.find_elements(By.CSS_SELECTOR, "#results tr.row")] != first_page
    # sorting: by name, then reversed
    unsorted = chrome.execute_script("return kgQueryPage.results.rows.map(r => r.n.value)")
    chrome.find_element(By.CSS_SELECTOR, "th[data-var='n']").click()
    ascending = chrome.execute_script("return kgQueryPage.results.visibleRows().map(r => r.n.value)")
    chrome.find_element(By.CSS_SELECTOR, "th[data-var='n']").click()
    descending = chrome.execute_script("return kgQueryPage.results.visibleRows().map(r => r.n.value)")
    assert descending == ascending[::-1] and ascending != unsorted and sorted(ascending) == sorted(unsorted)
    assert chrome.find_element(By.CSS_SELECTOR, "th[data-var='n']").get_attribute("aria-sort") == "descending"
    # the filter narrows the rows, and the download holds what is shown
    chrome.find_element(By.ID, "results-filter").send_keys("科技")
    kept = chrome.execute_script("return kgQueryPage.results.visibleRows().map(r => r.n.value)")
    assert 0 < len(kept) < 51 and all("科技" in k for k in kept)
    chrome.find_element(By.ID, "download-csv").click()
    rows = list(csv.reader(io.StringIO(downloaded(downloads, "kg-results.csv").read_text(encoding="utf-8"))))
    assert rows[0] == ["c", "n"] and [r[1] for r in rows[1:]] == kept and rows[1][0].startswith(ID + "company/")
    # figures by year as a chart, its query in the address
    chrome.execute_script("kgQueryPage.editor.setValue(arguments[0])", FIGURES_BY_YEAR)
    content.send_keys(Keys.CONTROL, Keys.ENTER)
    until(chrome, "return document.getElementById('status').className === 'ok'")
    years = chrome.execute_script("return kgQueryPage.results.rows.length")
    chrome.find_element(By.ID, "view-chart").click()
    assert len(chrome.find_elements(By.CSS_SELECTOR, "#chart .point")) == years > 1
    assert "?figures by ?year" in chrome.find_element(By.ID, "chart-caption").text
    assert "view=chart" in chrome.current_url
    # a shared address runs the same query in the same view
    chrome.get(chrome.current_url)
    until(chrome, "return document.querySelectorAll('#chart .point').length > 0")
    # an error replaces the results and is marked in the editor
    chrome.execute_script("kgQueryPage.editor.setValue('SELECT ?s WHERE { ?s ?p')")
    chrome.find_element(By.ID, "run").click()
    until(chrome, "return document.getElementById('status').className === 'error'")
    assert "line 1, column" in chrome.find_element(By.ID, "status").text
    assert chrome.find_elements(By.CSS_SELECTOR, "#chart .point, #results tr.row") == []
    until(chrome, "return document.querySelector('.cm-lintRange-error, .cm-lint-marker-error') !== null")
    logs = [e for e in chrome.get_log("browser") if e["level"] == "SEVERE" and "/sparql" not in e["message"]]
    assert logs == []                                          # the 400 of the bad query is the only error
    assert [u for u in network_requests(chrome) if not u.startswith((server, "data:", "about:", "blob:"))] == []


@pytest.mark.browser
def test_explorer_search_box_jumps_to_the_entity_page(server, chrome):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    chrome.get_log("browser")
    network_requests(chrome)
    chrome.get(server + "/id/company/" + urllib.parse.quote("晶科"))
    box = chrome.find_element(By.ID, "site-search")
    box.send_keys("jinhua")
    until(chrome, "return document.querySelectorAll('#site-search-hits li').length > 0")
    assert chrome.find_elements(By.CSS_SELECTOR, "#site-search-hits li a")[0].text == "金华市"
    box.send_keys(Keys.ENTER)
    until(chrome, "return location.pathname === '/id/place/330700'")
    assert chrome.find_element(By.ID, "title").text.startswith("金华市")
    assert chrome.find_elements(By.CSS_SELECTOR, "#chains .chain")
    # Chinese is drawn with the shipped font where the machine has none
    need_font()
    until(chrome, LOADED_FONT)
    quiet_and_offline(chrome, server)


@pytest.mark.browser
def test_explorer_map_labels_hubs_and_a_click_opens_the_node_page(server, chrome, downloads):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    chrome.get_log("browser")
    network_requests(chrome)
    chrome.get(server + "/map")
    until(chrome, "return document.getElementById('status').textContent.includes('settled')", 60)
    # at the fitted zoom every hub's label is drawn at a readable size, the others' are not drawn
    sizes = chrome.execute_script("""
        var s = network.getScale();
        return nodes.get().map(n => [n.hub, network.body.nodes[n.id].options.font.size * s]);""")
    hub_sizes = [size for hub, size in sizes if hub]
    assert len(hub_sizes) >= 10 and min(hub_sizes) >= 12
    assert max(size for hub, size in sizes if not hub) < 8
    labels = chrome.execute_script("return kgMap.hubs().map(id => nodes.get(id).label)")
    assert {"金华市", "台州市", "智能光伏"} <= set(labels)
    # search highlights the matches
    chrome.find_element(By.ID, "map-search").send_keys("晶科")
    dimmed = chrome.execute_script("return nodes.get().filter(n => n.opacity < 1).length")
    assert 0 < dimmed < chrome.execute_script("return nodes.length")
    # click the node where it is drawn; its details link to its page
    target = chrome.execute_script("return nodes.get().find(n => n.label === '晶科能源').id")
    chrome.execute_script("network.focus(arguments[0], {scale: 1.2}); network.redraw();", target)
    x, y = chrome.execute_script("var p = network.canvasToDOM(network.getPositions([arguments[0]])[arguments[0]]);"
                                 "return [p.x, p.y];", target)
    canvas = chrome.find_element(By.CSS_SELECTOR, "#network canvas")
    ActionChains(chrome).move_to_element_with_offset(canvas, x - canvas.size["width"] / 2,
                                                     y - canvas.size["height"] / 2).click().perform()
    until(chrome, "return !document.getElementById('details').hidden")
    assert chrome.find_element(By.CSS_SELECTOR, "#details h3").text == "晶科能源"
    # neighbours shown even where a filter hides them
    chrome.execute_script("var s = document.getElementById('city'); s.value = s.options[s.options.length - 1].value;"
                          "s.dispatchEvent(new Event('change'));")
    chrome.find_element(By.ID, "expand").click()
    assert chrome.execute_script("return nodes.get(arguments[0]).hidden", target) is False
    # export as PNG
    chrome.find_element(By.ID, "export-png").click()
    assert downloaded(downloads, "kg-map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    chrome.find_element(By.ID, "open-entity").click()
    until(chrome, "return location.pathname.startsWith('/id/company/')")
    assert chrome.find_element(By.ID, "title").text == "晶科能源"
    quiet_and_offline(chrome, server)
