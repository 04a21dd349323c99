"""The web pages of `kg serve`: the query page, entity pages (places grouped by chain),
document pages, "what links here", search; and the small JSON APIs they use.

Every page is read from the graph through `run(sparql)` (the server's query pool), with
the texts in kg/serve/queries/pages/. The graph does not change while it is served, so
the vocabulary and the search index are built once, on first use.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from rdflib import URIRef
from starlette.concurrency import run_in_threadpool

from ..build.emit import PREFIXES
from ..model.errors import KGError
from ..model.vocab import BASE
from .assets import STATIC, editor_status, served_font_css
from .guard import is_iri
from .markup import ID, local_link, path_iri, script_json, short_name
from .page_queries import page_query, with_iris
from .results import Result, with_values
from .search import SearchIndex
from .workers import PoolBusyError

TEMPLATES = Path(__file__).resolve().parent / "templates"
KG = BASE + "ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PLACE_CLASSES = ("Province", "City", "County", "Town", "Place")
# Relations whose facts are about the place's chains: shown in the chains section.
CHAIN_ROLES = ("prioritizes", "leadsChain", "inIndustry", "hosts", "operates", "targets")
Run = Callable[[str], Result]
# Terms of the public vocabularies the graph uses, offered by the editor beside the ontology's.
COMMON_TERMS = {
    "rdf:type": "类型 type", "rdf:subject": "subject of an assertion", "rdf:predicate": "predicate of an assertion",
    "rdf:object": "object of an assertion", "rdfs:label": "名称 label", "rdfs:comment": "comment",
    "skos:prefLabel": "首选名称 preferred label", "skos:altLabel": "别名 alias", "skos:broader": "上位 broader",
    "skos:narrower": "下位 narrower", "prov:wasDerivedFrom": "出自文档 the document", "prov:wasAttributedTo": "抽取规则 rule",
    "schema:name": "文件名 file name", "schema:about": "关于 about", "dct:title": "标题 title", "dct:date": "日期 date",
    "dct:source": "来源 source", "qb:dataSet": "dataset",
}


_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
_env.filters["script_json"] = script_json
_env.filters["link"] = local_link
_env.filters["short"] = short_name


def render(template: str, **context) -> str:
    return _env.get_template(template).render(**context)


# ====================================================================== what the pages know
@dataclass(frozen=True)
class Term:
    iri: str
    kind: str
    zh: str
    en: str
    comment: str

    @property
    def label(self) -> str:
        return " · ".join(x for x in (self.zh, self.en) if x) or short_name(self.iri)


class Site:
    """The served graph as the pages see it: a query runner, the ontology's labels and the search index."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self._lock = threading.Lock()
        self._terms: dict[str, Term] | None = None
        self._index: SearchIndex | None = None

    @property
    def terms(self) -> dict[str, Term]:
        with self._lock:
            if self._terms is None:
                self._terms = {}
                for r in self.run(page_query("vocabulary")).rows:
                    iri = str(r["term"])
                    if iri not in self._terms or not self._terms[iri].zh:
                        self._terms[iri] = Term(iri, str(r["kind"]), str(r.get("zh", "")), str(r.get("en", "")),
                                                str(r.get("comment", "")))
            return self._terms

    @property
    def index(self) -> SearchIndex:
        with self._lock:
            if self._index is None:
                self._index = SearchIndex.from_store(self.run)
            return self._index

    def term(self, iri: str) -> Term:
        return self.terms.get(iri) or Term(iri, "", "", "", "")

    def vocabulary(self) -> dict:
        """What the editor completes: prefixes, the ontology's terms, the prefixes of entities."""
        prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
        terms = [{"name": short_name(t.iri), "kind": t.kind, "zh": t.zh, "en": t.en, "comment": t.comment}
                 for t in self.terms.values() if t.iri.startswith(KG)]
        terms += [{"name": name, "kind": "property", "zh": "", "en": label, "comment": ""}
                  for name, label in COMMON_TERMS.items()]
        entity_prefixes = [p for p, ns in prefixes.items() if ns.startswith(ID) and ns != ID]
        return {"prefixes": prefixes, "terms": sorted(terms, key=lambda t: t["name"]), "entityPrefixes": entity_prefixes}

    def labels(self, iris: list[str]) -> dict[str, dict[str, str]]:
        """zh/en labels of IRIs of the graph or the ontology: {iri: {"zh": …, "en": …}}."""
        wanted = [i for i in dict.fromkeys(iris) if is_iri(i)][:2000]
        out: dict[str, dict[str, str]] = {}
        for iri in wanted:
            if iri in self.terms:
                out[iri] = {k: v for k, v in (("zh", self.terms[iri].zh), ("en", self.terms[iri].en)) if v}
        rest = [i for i in wanted if i not in out and i.startswith(ID)]
        if rest:
            for r in self.run(with_iris(page_query("labels"), "iri", rest)).rows:
                lang = getattr(r["label"], "language", None) or "zh"
                out.setdefault(str(r["iri"]), {}).setdefault(lang, str(r["label"]))
        return out


# ====================================================================== entity pages
@dataclass
class Evidence:
    quote: str
    doc: str            # the document's IRI
    doc_title: str
    doc_date: str
    confidence: str
    extractor: str
    start: int


@dataclass
class Statement:
    other: str
    other_name: str
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class RelationGroup:
    term: Term
    direction: str      # out: this entity is the subject; in: the object
    statements: list[Statement]

    @property
    def count(self) -> int:
        return len(self.statements)


@dataclass
class ChainGroup:
    industry: str
    name: str
    prioritised: list[Evidence]
    members: list[dict]                 # {iri, name, role, where, quote, doc}
    segments: list["ChainGroup"] = field(default_factory=list)


def _doc_title(row: dict, prefix: str = "doc") -> str:
    return str(row.get(prefix + "Title") or row.get(prefix + "Name") or "")


def _evidence(row: dict) -> Evidence:
    return Evidence(str(row["quote"]), str(row["doc"]), _doc_title(row), str(row.get("docDate", "")),
                    str(row["confidence"]), str(row["extractor"]), int(row["start"]))


def relation_groups(site: Site, rows: list[dict]) -> list[RelationGroup]:
    """Facts grouped by relation and direction, each statement with all its evidence."""
    groups: dict[tuple[str, str], dict[str, Statement]] = defaultdict(dict)
    for r in sorted(rows, key=lambda r: (str(r["docName"]), int(r["start"]))):
        key = (str(r["direction"]), str(r["p"]))
        other = str(r["other"])
        statement = groups[key].setdefault(other, Statement(other, str(r.get("otherName", "")) or short_name(other)))
        evidence = _evidence(r)
        if all((e.doc, e.start) != (evidence.doc, evidence.start) for e in statement.evidence):
            statement.evidence.append(evidence)
    out = [RelationGroup(site.term(p), direction, sorted(found.values(), key=lambda s: (-len(s.evidence), s.other_name)))
           for (direction, p), found in groups.items()]
    return sorted(out, key=lambda g: (g.direction != "out", -g.count, g.term.label))


def chain_groups(rows: list[dict]) -> list[ChainGroup]:
    """A place's chains: what the place says of each and who works on it there. Where the
    graph has chains with segments, an industry is shown in its chain, in its segment
    (upstream first); elsewhere each industry is a group, inside its broader one if that is
    a group too."""
    groups: dict[str, ChainGroup] = {}
    inside: dict[str, str] = {}          # group → the group it is shown in
    rank: dict[str, int] = {}
    seen: set[tuple] = set()
    for r in sorted(rows, key=lambda r: (str(r["industryName"]), str(r.get("docName", "")), str(r.get("quote", "")))):
        industry = str(r["industry"])
        if "chain" in r:
            key = str(r["chain"])
            groups.setdefault(key, ChainGroup(key, str(r["chainName"]), [], []))
            if "segment" in r:
                inside[str(r["segment"])], key = key, str(r["segment"])
                groups.setdefault(key, ChainGroup(key, str(r["segmentName"]), [], []))
                rank[key] = int(r["rank"]) if "rank" in r else 0
        else:
            key = industry
            groups.setdefault(key, ChainGroup(key, str(r["industryName"]), [], []))
            if "broader" in r:
                inside[key] = str(r["broader"])
        group = groups[key]
        role = str(r["role"]).removeprefix(KG)
        if role == "prioritizes":
            if "quote" in r and ("p", key, str(r["quote"])) not in seen:
                seen.add(("p", key, str(r["quote"])))
                group.prioritised.append(Evidence(str(r["quote"]), "", _doc_title(r), "", "", "", 0))
            continue
        if (key, str(r["member"]), role) in seen:
            continue
        seen.add((key, str(r["member"]), role))
        group.members.append({"iri": str(r["member"]), "name": str(r.get("memberName", "")) or short_name(str(r["member"])),
                              "role": role, "where": str(r.get("whereName", "")), "quote": str(r.get("quote", "")),
                              "doc": _doc_title(r), "industry": str(r["industryName"])})
    top = []
    for key, group in sorted(groups.items(), key=lambda item: (rank.get(item[0], 0), -len(item[1].members), item[1].name)):
        group.members.sort(key=lambda m: (m["role"] != "leadsChain", m["name"]))
        parent = inside.get(key)
        if parent in groups and parent != key:
            groups[parent].segments.append(group)
        else:
            top.append(group)
    return top


def _rows(run: Run, name: str, iri: URIRef) -> list[dict]:
    return run(with_values(page_query(name), {"entity": iri})).rows


def entity_page(site: Site, iri: URIRef) -> tuple[int, str]:
    """(status, HTML) of the page of any IRI of the graph: an entity, a place, a document."""
    if not is_iri(str(iri)):        # never written into a query
        return 404, render("notfound.html", iri=str(iri), hits=[])
    about = _rows(site.run, "entity-about", iri)
    classes = sorted({str(r["o"]) for r in about if str(r["p"]) == RDF_TYPE})
    if KG + "Document" in classes:
        return document_page(site, iri, about)
    facts = _rows(site.run, "entity-facts", iri)
    if not about and not facts:
        return 404, render("notfound.html", iri=str(iri), hits=site.index.search(_local(str(iri)), 8))
    labels = [r["o"] for r in about if str(r["p"]).endswith(("#label", "#prefLabel"))]
    zh = next((str(x) for x in labels if getattr(x, "language", "") == "zh"), "")
    en = next((str(x) for x in labels if getattr(x, "language", "") == "en"), "")
    aliases = sorted({str(r["o"]) for r in about if str(r["p"]).endswith("#altLabel")} - {zh, en})
    is_place = any(c.removeprefix(KG) in PLACE_CLASSES for c in classes)
    chains = chain_groups(_rows(site.run, "place-chains", iri)) if is_place else []
    figures = sorted(_rows(site.run, "entity-figures", iri),
                     key=lambda r: (str(r["indicator"]), int(r["year"]) if "year" in r else 0, str(r["docName"])))
    details = [(site.term(str(r["p"])), r["o"], str(r.get("oName", ""))) for r in about
               if str(r["p"]) != RDF_TYPE and not str(r["p"]).endswith(("#label", "#prefLabel", "#altLabel"))]
    return 200, render(
        "entity.html", iri=str(iri), title=zh or en or _local(str(iri)), zh=zh, en=en, aliases=aliases,
        classes=[site.term(c) for c in classes if c.startswith(KG)],
        groups=relation_groups(site, facts), fact_count=len(facts), chains=chains, is_place=is_place,
        figures=figures, details=sorted(details, key=lambda d: (d[0].label, str(d[1]))),
        mentioned=[(str(o), name) for t, o, name in details if t.iri == KG + "mentionedIn"])


def document_page(site: Site, iri: URIRef, about: list[dict]) -> tuple[int, str]:
    values = {str(r["p"]).rsplit("/", 1)[-1].rsplit("#", 1)[-1]: str(r["o"]) for r in about}
    facts = sorted(_rows(site.run, "document-facts", iri), key=lambda r: int(r["start"]))
    figures = sorted(_rows(site.run, "document-figures", iri), key=lambda r: int(r["start"]))
    grouped: dict[str, list[dict]] = defaultdict(list)
    for r in facts:
        grouped[str(r["p"])].append(r)
    groups = sorted(((site.term(p), rows) for p, rows in grouped.items()), key=lambda g: (-len(g[1]), g[0].label))
    about_places = [(str(r["o"]), str(r.get("oName", ""))) for r in about if str(r["p"]).endswith("/about")]
    return 200, render("document.html", iri=str(iri), title=values.get("title") or values.get("name", _local(str(iri))),
                       name=values.get("name", ""), date=values.get("issued") or values.get("date", ""), source=values.get("source", ""),
                       content_hash=values.get("contentHash", ""), groups=groups, fact_count=len(facts),
                       figures=figures, about_places=about_places)


def links_page(site: Site, iri: URIRef) -> tuple[int, str]:
    if not is_iri(str(iri)):
        return 404, render("notfound.html", iri=str(iri), hits=[])
    rows = _rows(site.run, "links-here", iri)
    if not rows and not _rows(site.run, "entity-about", iri):     # an IRI the graph does not have
        return 404, render("notfound.html", iri=str(iri), hits=site.index.search(_local(str(iri)), 8))
    grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in rows:
        grouped[str(r["p"])].append((str(r["s"]), str(r.get("sName", "")) or short_name(str(r["s"]))))
    groups = sorted(((site.term(p), sorted(set(items), key=lambda i: i[1])) for p, items in grouped.items()),
                    key=lambda g: (-len(g[1]), g[0].label))
    name = site.index.label(str(iri)) or _local(str(iri))
    return 200, render("links.html", iri=str(iri), title=name, groups=groups, count=len(rows))


def search_page(site: Site, query: str) -> str:
    hits = site.index.search(query, 50) if query.strip() else []
    return render("search.html", query=query, hits=hits, classes={h.cls: site.term(KG + h.cls) for h in hits})


def home_page(site: Site, triples: int, examples: list[dict]) -> str:
    """The query page: editor, named queries, results."""
    available, reason = editor_status()
    return render("home.html", triples=triples, examples=examples, editor=available, editor_reason=reason,
                  vocabulary=site.vocabulary(), base=BASE)


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]



# ====================================================================== routes
def page_response(function, *args) -> Response:
    """The page `function(*args)` makes, as (status, HTML); see `_unanswered` if the graph could not answer."""
    try:
        status, page = function(*args)
    except (KGError, RuntimeError) as exc:
        return _unanswered(exc)
    return HTMLResponse(page, status_code=status)


def json_response(function, *args) -> Response:
    """The JSON `function(*args)` gives; see `_unanswered` if the graph could not answer."""
    try:
        return JSONResponse(function(*args))
    except (KGError, RuntimeError) as exc:
        return _unanswered(exc)


def _unanswered(exc: Exception) -> Response:
    """503 with the reason; 429 (or the pool's 503) when this client already has its share of
    the query workers, with a time to try again."""
    if isinstance(exc, PoolBusyError):
        return PlainTextResponse(f"{exc}\n", status_code=exc.status, headers={"Retry-After": "2"})
    return PlainTextResponse(f"{exc}\n", status_code=503)


def add_routes(app, run: Run, examples: Callable[[], list[dict]], triples: Callable[[], int]) -> Site:
    """The pages' routes and APIs on the FastAPI app; `run(sparql)` answers from the graph."""
    from .viz import VIS_DIR

    site = Site(run)
    app.state.site = site
    app.mount("/static/build", StaticFiles(directory=STATIC / "build", check_dir=False), name="built")

    def static_file(name: str, media: str) -> Response:
        return Response((STATIC / name).read_bytes(), media_type=media, headers={"Cache-Control": "max-age=3600"})

    @app.get("/static/{name}.js")
    def script(name: str) -> Response:
        if name == "vis-network.min":      # the graph view's library: the copy pyvis ships
            return Response((VIS_DIR / "vis-network.min.js").read_bytes(), media_type="text/javascript")
        if name not in ("query", "results", "search"):
            return PlainTextResponse("no such file\n", status_code=404)
        return static_file(f"{name}.js", "text/javascript")

    @app.get("/static/style.css")
    def style() -> Response:
        return static_file("style.css", "text/css")

    @app.get("/static/fonts.css")
    def fonts() -> Response:
        return Response(served_font_css(), media_type="text/css")

    guarded = page_response

    @app.get("/api/search")
    async def api_search(q: str = "", limit: int = 10, namespace: str | None = None) -> Response:
        return await run_in_threadpool(json_response, lambda: [
            h.as_dict() for h in site.index.search(q[:200], max(1, min(limit, 50)), namespace)])

    @app.post("/api/labels")
    async def api_labels(request: Request) -> Response:
        try:
            iris = await request.json()
        except ValueError:
            return PlainTextResponse("POST a JSON list of IRIs\n", status_code=400)
        if not isinstance(iris, list) or not all(isinstance(i, str) for i in iris):
            return PlainTextResponse("POST a JSON list of IRIs\n", status_code=400)
        return await run_in_threadpool(json_response, site.labels, iris)

    @app.get("/api/vocabulary")
    async def api_vocabulary() -> Response:
        return await run_in_threadpool(json_response, site.vocabulary)

    @app.get("/search", response_class=HTMLResponse)
    async def search(q: str = "") -> Response:
        return await run_in_threadpool(guarded, lambda: (200, search_page(site, q[:200])))

    @app.get("/links/{path:path}", response_class=HTMLResponse)
    async def links(request: Request) -> Response:
        try:       # decoded once, as /id/ is
            iri = URIRef(path_iri(request.scope["raw_path"], "/links/"))
        except ValueError as exc:
            return PlainTextResponse(f"{exc}\n", status_code=400)
        return await run_in_threadpool(guarded, links_page, site, iri)

    @app.get("/", response_class=HTMLResponse)
    async def home() -> Response:
        return await run_in_threadpool(guarded, lambda: (200, home_page(site, triples(), examples())))

    return site
