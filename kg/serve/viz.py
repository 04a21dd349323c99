"""The cluster map: RDF → networkx → communities → one self-contained vis-network page.

Nodes are the companies, industries, places and platforms the documents name; edges are
the relations between them. Communities (igraph's Louvain, fixed seed) colour the nodes,
the class sets the shape, the degree the size; tooltips give class, places and evidence
quotes.
The page inlines vis-network from the pyvis package: it needs no network at all.
"""
from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import igraph
import networkx as nx
import pyvis
from jinja2 import Environment, FileSystemLoader, select_autoescape
from .assets import FONT_FAMILY, inline_font_css
from .markup import script_json
from .store import Store

KG = "https://w3id.org/zjkg/ontology#"
FAMILIES = {
    "Company": "Company", "Industry": "Industry",
    "Province": "Place", "City": "Place", "County": "Place", "Town": "Place", "Place": "Place",
    "IndustrialPark": "Platform", "DataCenter": "Platform", "DigitalPlatform": "Platform",
}
SHAPES = {"Company": "dot", "Industry": "diamond", "Place": "triangle", "Platform": "square"}
FAMILY_NAMES = {"Company": "企业 Company", "Industry": "产业 Industry", "Place": "地点 Place",
                "Platform": "平台 Platform"}
PREDICATES = ("locatedIn", "leadsChain", "inIndustry", "prioritizes", "hosts", "operates", "partOf")
# Industry ties weigh more than administrative ones, so that clusters gather around what is made.
WEIGHTS = {"leadsChain": 3.0, "inIndustry": 2.0, "hosts": 2.0, "prioritizes": 1.5, "operates": 1.0,
           "locatedIn": 1.0, "partOf": 0.5}
PALETTE = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324",
           "#469990", "#800000", "#808000", "#000075", "#bfef45", "#fabed4", "#dcbeff", "#ffd8b1")
_TEMPLATES = Path(__file__).resolve().parent / "templates"
FONT_STACK = "'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', '" + FONT_FAMILY + "', sans-serif"
_FONT_MARK = "/* the font */"
VIS_DIR = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"   # the vis-network pyvis ships

_NODES = f"""
PREFIX kg: <{KG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?e ?class ?label WHERE {{
  ?e a ?class ; rdfs:label ?label ; kg:mentionedIn ?doc .
  VALUES ?class {{ {" ".join("kg:" + c for c in FAMILIES)} }}
  FILTER (lang(?label) = "zh")
}}"""
_EDGES = f"""
PREFIX kg: <{KG}>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?s ?p ?o ?quote ?d WHERE {{
  ?a a kg:Assertion ; kg:subject ?s ; kg:predicate ?p ; kg:object ?o ; kg:quote ?quote ;
     prov:wasDerivedFrom ?d .
  VALUES ?p {{ {" ".join("kg:" + p for p in PREDICATES)} }}
}}"""
# Apart from the edges: joined in the query, the few documents cost three times the edges.
_DOCUMENTS = """
PREFIX schema: <https://schema.org/>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?d ?name ?title WHERE { ?d schema:name ?name . OPTIONAL { ?d dct:title ?title } }"""
_NAMES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?e ?name WHERE { ?e rdfs:label|skos:altLabel|skos:prefLabel ?name . }"""
_PARENTS = f"""
PREFIX kg: <{KG}>
SELECT ?place ?parent WHERE {{ ?place kg:partOf ?parent . }}"""


@dataclass
class MapNode:
    iri: str
    label: str
    cls: str
    family: str
    places: set[str] = field(default_factory=set)      # IRIs of the places it is in
    cities: set[str] = field(default_factory=set)      # prefecture-level cities, for the filter
    chains: set[str] = field(default_factory=set)      # industries it belongs to
    quotes: list[tuple[str, str]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)        # every name, zh and en, for the map's search
    leader: bool = False                                # leads a chain


def map_graph(store: Store) -> tuple[nx.Graph, dict[str, MapNode]]:
    """The company–industry–place–platform graph of the store, with per-node details."""
    # Rows are sorted first: engines return them in different orders, and the communities,
    # tooltips and a node's class must not depend on the store.
    def rows(query: str, *keys: str) -> list[dict]:
        return sorted(store.query(query).rows, key=lambda r: tuple(str(r.get(k, "")) for k in keys))

    nodes: dict[str, MapNode] = {}
    for row in rows(_NODES, "e", "class", "label"):
        cls = str(row["class"]).removeprefix(KG)
        iri = str(row["e"])
        if iri not in nodes:
            nodes[iri] = MapNode(iri, str(row["label"]), cls, FAMILIES[cls])
    parents = {str(r["place"]): str(r["parent"]) for r in rows(_PARENTS, "place", "parent")}
    for row in store.query(_NAMES).rows:
        if str(row["e"]) in nodes:
            nodes[str(row["e"])].names.add(str(row["name"]))
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    documents = {str(r["d"]): str(r.get("title") or r["name"]) for r in rows(_DOCUMENTS, "d", "title", "name")}
    edges = [{**r, "doc": documents.get(str(r["d"]), "")} for r in store.query(_EDGES).rows if str(r["d"]) in documents]
    for row in sorted(edges, key=lambda r: (str(r["s"]), str(r["p"]), str(r["o"]), r["doc"], str(r["quote"]))):
        s, p, o = str(row["s"]), str(row["p"]).removeprefix(KG), str(row["o"])
        if s not in nodes or o not in nodes:
            continue
        graph.add_edge(s, o, predicate=p, weight=max(WEIGHTS[p], graph.get_edge_data(s, o, {}).get("weight", 0)))
        for end in (s, o):
            if len(nodes[end].quotes) < 4:
                nodes[end].quotes.append((str(row["quote"]), str(row["doc"])))
        if p == "locatedIn":
            nodes[s].places.add(o)
        if p in ("inIndustry", "leadsChain"):
            nodes[s].chains.add(o)
        nodes[s].leader |= p == "leadsChain"
        if p == "prioritizes":
            nodes[s].chains.add(o)
    for node in nodes.values():
        if node.family == "Place":
            node.cities |= _cities(node.iri, parents, nodes)
        elif node.family == "Industry":
            node.chains.add(node.iri)
        for place in node.places:
            node.cities |= _cities(place, parents, nodes)
    for s, o, data in graph.edges(data=True):     # industries appear in their places and chains
        for a, b in ((s, o), (o, s)):
            if nodes[a].family == "Industry":
                nodes[a].cities |= nodes[b].cities
            if nodes[b].family == "Industry" and nodes[a].family != "Industry":
                nodes[a].chains.add(b)
    graph.remove_nodes_from([n for n in list(graph) if graph.degree(n) == 0])   # named but related to nothing
    return graph, nodes


def _cities(place: str, parents: dict[str, str], nodes: dict[str, MapNode]) -> set[str]:
    """The prefecture-level city a place rolls up to (itself for a city)."""
    current, seen = place, set()
    while current and current not in seen:
        seen.add(current)
        if current in nodes and nodes[current].cls == "City":
            return {current}
        current = parents.get(current, "")
    return {place} if place in nodes and nodes[place].cls in ("City", "Province", "Place") else set()


def communities(graph: nx.Graph) -> dict[str, int]:
    """Louvain communities (igraph's, in C: networkx's took half the map's time on 10 k
    nodes), largest first. Nodes and edges go in sorted and igraph draws from its own
    seeded generator, so the map is the same on every build."""
    if graph.number_of_edges() == 0:
        return {n: i for i, n in enumerate(sorted(graph))}
    order = sorted(graph)
    index = {n: i for i, n in enumerate(order)}
    edges = sorted((min(index[s], index[o]), max(index[s], index[o]), data["weight"])
                   for s, o, data in graph.edges(data=True))
    network = igraph.Graph(n=len(order), edges=[(a, b) for a, b, _ in edges])
    network.es["weight"] = [weight for _, _, weight in edges]
    igraph.set_random_number_generator(random.Random(7))
    try:
        found = [{order[i] for i in members} for members in network.community_multilevel(weights="weight")]
    finally:
        igraph.set_random_number_generator(random)
    ordered = sorted(found, key=lambda c: (-len(c), min(c)))
    return {node: i for i, members in enumerate(ordered) for node in members}


def subgraph(graph: nx.Graph, nodes: dict[str, MapNode], city: str | None = None,
             chain: str | None = None) -> nx.Graph:
    """The part of the map about one city (its IRI) and/or one chain (an industry IRI)."""
    keep = set(graph)
    if city:
        keep = {n for n in keep if city in nodes[n].cities}
    if chain:
        keep = {n for n in keep if chain in nodes[n].chains or n == chain}
    return graph.subgraph(keep).copy()


def cluster_names(graph: nx.Graph, nodes: dict[str, MapNode], membership: dict[str, int]) -> dict[int, str]:
    """Name each community after its best-connected place and industries (金华市 · 数字影视/智能光伏)."""
    groups: dict[int, list[str]] = {}
    for n, c in membership.items():
        groups.setdefault(c, []).append(n)
    names = {}
    for community, members in groups.items():

        def best(family: str, k: int) -> list[str]:
            pool = [n for n in members if nodes[n].family == family]
            return [nodes[n].label for n in sorted(pool, key=lambda n: (-graph.degree(n), nodes[n].label))[:k]]

        place, industries = best("Place", 1), best("Industry", 2)
        parts = place + (["/".join(industries)] if industries else [])
        names[community] = " · ".join(parts) or nodes[max(members, key=graph.degree)].label
    return names


def hubs(graph: nx.Graph, nodes: dict[str, MapNode], most: int = 30) -> set[str]:
    """The nodes whose labels the map shows at the fitted zoom: cities and the province, the
    chains most linked, the chains' leaders, then the best-connected others, `most` at most."""
    def rank(n: str) -> tuple:
        node = nodes[n]
        kind = 0 if node.cls in ("City", "Province") else 1 if node.family == "Industry" else 2 if node.leader else 3
        return kind, -graph.degree(n), node.label
    wanted = [n for n in graph if nodes[n].cls in ("City", "Province") or nodes[n].leader
              or (nodes[n].family == "Industry" and graph.degree(n) >= 4)]
    chosen = set(wanted)
    others = sorted((n for n in graph if n not in chosen), key=lambda n: (-graph.degree(n), nodes[n].label))
    return set(sorted(wanted, key=rank)[:most] + others[:max(0, min(10, most - len(wanted)))])


def render(graph: nx.Graph, nodes: dict[str, MapNode], title: str = "浙江数字经济产业集群图",
           entity_base: str | None = None) -> str:
    """The page. `entity_base` is where entity pages are (kg serve's /id/); without it a node
    links to its IRI."""
    membership = communities(graph)
    shown = hubs(graph, nodes)
    names = cluster_names(graph, nodes, membership)
    # vis-network's own data format, written directly: pyvis's add_edge compares each new
    # edge with every edge before it, which is quadratic (10,000 edges take ~2 s).
    data_nodes = []
    for iri in sorted(graph):
        node, community = nodes[iri], membership[iri]
        data_nodes.append({"id": iri, "label": node.label, "shape": SHAPES[node.family],
                           "color": PALETTE[community % len(PALETTE)], "size": 10 + 3 * min(graph.degree(iri), 12),
                           "title": _tooltip(node, nodes, names[community]), "family": node.family,
                           "cls": node.cls, "cluster": community, "cities": sorted(node.cities),
                           "chains": sorted(node.chains), "hub": iri in shown, "degree": graph.degree(iri),
                           "names": sorted(node.names - {node.label})})
    data_edges = [{"from": s, "to": o, "title": data["predicate"], "label": "", "arrows": "to", "color": "#999999"}
                  for s, o, data in sorted(graph.edges(data=True))]
    options = {
        "physics": {"solver": "barnesHut", "barnesHut": {"gravitationalConstant": -6000, "springLength": 120},
                    "stabilization": {"enabled": True, "iterations": 300, "updateInterval": 50}},
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False},
        "edges": {"smooth": False, "width": 1},
        # Labels smaller than 8 px on screen are not drawn: the hubs' are sized to the fitted zoom.
        "nodes": {"font": {"face": FONT_STACK, "size": 13, "strokeWidth": 3, "strokeColor": "#ffffff"},
                  "scaling": {"label": {"drawThreshold": 8, "maxVisible": 30}}},
    }
    env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html"]))
    template = env.get_template("map.html")
    clusters = Counter(membership.values())
    legend_clusters = [{"id": c, "name": names[c], "size": clusters[c], "color": PALETTE[c % len(PALETTE)]}
                       for c in sorted(clusters)]
    cities = sorted({c for n in nodes.values() for c in n.cities if c in graph}, key=lambda c: nodes[c].label)
    chains = sorted({n for n in graph if nodes[n].family == "Industry"}, key=lambda n: nodes[n].label)
    page = template.render(
        title=title, entity_base=entity_base or "", font_css=_FONT_MARK, font_family=FONT_FAMILY,
        vis_js=(VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8"),
        vis_css=(VIS_DIR / "vis-network.css").read_text(encoding="utf-8"),
        nodes_json=script_json(data_nodes),
        edges_json=script_json(data_edges),
        options_json=script_json(options),
        clusters=legend_clusters,
        families=[{"id": f, "name": FAMILY_NAMES[f], "shape": SHAPES[f]} for f in FAMILY_NAMES],
        cities=[{"iri": c, "label": nodes[c].label} for c in cities],
        chains=[{"iri": c, "label": nodes[c].label} for c in chains],
        node_count=graph.number_of_nodes(), edge_count=graph.number_of_edges(),
    )
    # The font holds just the characters the page has: a few hundred kB, not the whole 1.5 MB.
    return page.replace(_FONT_MARK, inline_font_css(page), 1)


def _tooltip(node: MapNode, nodes: dict[str, MapNode], cluster: str) -> str:
    lines = [node.label, f"{node.cls} · 集群 cluster: {cluster}"]
    places = sorted(nodes[p].label for p in node.places if p in nodes)
    if places:
        lines.append("位于 " + "、".join(places))
    for quote, doc in node.quotes[:3]:
        short = quote if len(quote) <= 70 else quote[:68] + "…"
        lines.append(f"“{short}” — {doc if len(doc) <= 24 else doc[:23] + '…'}")
    return "\n".join(lines)


def map_html(store: Store, city: str | None = None, chain: str | None = None, entity_base: str | None = None) -> str:
    """The cluster map page, optionally cut down to one city's or one chain's part."""
    graph, nodes = map_graph(store)
    if city or chain:
        graph = subgraph(graph, nodes, city, chain)
    return render(graph, nodes, entity_base=entity_base)


def write_map(store: Store, out: Path, city: str | None = None, chain: str | None = None) -> Path:
    from ..build.files import write_atomic

    write_atomic(Path(out), map_html(store, city, chain).encode("utf-8"))
    return Path(out)


def summary(store: Store, city: str | None = None, chain: str | None = None) -> list[tuple[str, int, list[str]]]:
    """(cluster name, size, its best-connected members) for each community, largest first."""
    graph, nodes = map_graph(store)
    if city or chain:
        graph = subgraph(graph, nodes, city, chain)
    membership = communities(graph)
    names = cluster_names(graph, nodes, membership)
    members: dict[int, list[str]] = defaultdict(list)
    for n, c in membership.items():
        members[c].append(n)
    out = []
    for c in sorted(members, key=lambda c: (-len(members[c]), c)):
        top = sorted(members[c], key=lambda n: (-graph.degree(n), nodes[n].label))[:6]
        out.append((names[c], len(members[c]), [nodes[n].label for n in top]))
    return out
