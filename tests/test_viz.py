"""The cluster map: communities, sub-graphs, and the page as a person sees it in Chromium."""
from __future__ import annotations

import re
import time

import pytest

from kg.serve.store import open_store
from kg.serve.viz import communities, map_graph, map_html, subgraph, summary, write_map

from .conftest import need_built, network_requests

LOADED_FONT = ("return [...document.fonts].some(f => f.family.replace(/[\"']/g, '') === 'KG Sans' "
               "&& f.status === 'loaded')")


def need_font():
    from kg.serve.assets import font_installed

    need_built(font_installed(), "the pages' font")


@pytest.fixture(scope="module")
def store(corpus_build):
    return open_store(corpus_build.files["nquads"].parent)


def test_viz_map_has_clusters_of_companies_industries_places_and_platforms(store):
    graph, nodes = map_graph(store)
    families = {nodes[n].family for n in graph}
    assert families == {"Company", "Industry", "Place", "Platform"}
    assert all(graph.degree(n) > 0 for n in graph)
    membership = communities(graph)
    assert len(set(membership.values())) >= 4
    assert communities(graph) == membership          # fixed seed: the same map every build


def test_viz_map_is_the_same_whichever_store_holds_the_graph(store, corpus_build):
    other = open_store(corpus_build.files["nquads"].parent, "oxigraph")
    assert store.name == "rdflib" and summary(other) == summary(store)
    assert map_html(other) == map_html(store)


def test_viz_subgraph_for_a_city_and_a_chain(store):
    from kg.serve.query import resolve_term

    graph, nodes = map_graph(store)
    taizhou = str(resolve_term(store, "台州", "place"))
    part = subgraph(graph, nodes, city=taizhou)
    assert 0 < part.number_of_nodes() < graph.number_of_nodes()
    assert all(taizhou in nodes[n].cities for n in part)
    pv = str(resolve_term(store, "智能光伏", "industry"))
    chain = subgraph(graph, nodes, chain=pv)
    assert pv in chain and {"晶澳科技", "爱旭太阳能"} <= {nodes[n].label for n in chain}


def test_viz_page_loads_nothing_from_the_network(store, tmp_path):
    page = write_map(store, tmp_path / "map.html").read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert not re.search(r"url\(\s*[\"']?(?:https?:)?//", page)
    assert "vis.Network" in page and len(page) > 400_000          # vis-network is inlined


@pytest.mark.browser
def test_viz_page_renders_offline_in_chromium(store, tmp_path, chrome):
    path = write_map(store, tmp_path / "map.html")
    chrome.get_log("browser")
    network_requests(chrome)
    chrome.get(path.resolve().as_uri())
    deadline = time.time() + 20
    while time.time() < deadline and not chrome.execute_script(
            "return typeof network !== 'undefined' && document.getElementById('status').textContent.includes('settled')"):
        time.sleep(0.2)
    assert chrome.execute_script("return nodes.length") > 50
    assert chrome.execute_script("return document.querySelector('#network canvas') !== null")
    assert "settled" in chrome.execute_script("return document.getElementById('status').textContent")
    # Chinese labels are drawn with the font inlined into the page (this machine may have no CJK font)
    need_font()
    assert "font/woff;base64," in path.read_text(encoding="utf-8")
    assert chrome.execute_script(LOADED_FONT), "the page's font did not load"
    errors = [e for e in chrome.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    requests = [u for u in network_requests(chrome) if not u.startswith(("file://", "data:", "about:"))]
    assert requests == []
    # filtering by city hides the nodes of other cities
    chrome.execute_script(
        "var s = document.getElementById('city'); s.selectedIndex = 1; s.dispatchEvent(new Event('change'));")
    hidden = chrome.execute_script("return nodes.get().filter(function (n) { return n.hidden; }).length")
    assert 0 < hidden < chrome.execute_script("return nodes.length")
