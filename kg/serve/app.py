"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint, linked-data pages and a web page.

Queries run in worker processes that hold the graph; one that runs past the time limit is
killed and replaced, so a pathological query costs its time limit and no more. Results
come in the format the client asks for (SPARQL JSON/XML/CSV/TSV; Turtle, JSON-LD,
N-Triples for CONSTRUCT and DESCRIBE). Updates and other writes are refused.
"""
from __future__ import annotations

import asyncio
import html
import re
from collections import OrderedDict
from pathlib import Path
from urllib.parse import quote, unquote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from rdflib import URIRef

from ..model.errors import (KGError, QueryLimitError, QueryRefusedError, QuerySyntaxError, UnknownNameError,
                            UnknownQueryError)
from .guard import check_iri
from .limits import Limits, protect
from .protocol import BadRequest, query_params, sparql_request
from .query import GRAPH_TYPES, SELECT_TYPES, named_queries, negotiate, xml_safe_graph
from .results import Result, with_values
from .workers import CLIENT, PoolBusyError, QueryPool
from ..model.vocab import BASE

_TEMPLATES = Path(__file__).resolve().parent / "templates"
MAP_CACHE_BYTES = 64 * 1024 * 1024   # drawn maps kept, by city and chain; the least recently used go first


# ====================================================================== the application
def create_app(pool: QueryPool, limits: Limits | None = None) -> FastAPI:
    app = FastAPI(title="kg SPARQL endpoint", docs_url=None, redoc_url=None)
    app.state.pool = pool

    @app.middleware("http")
    async def by_client(request: Request, call_next):
        CLIENT.set(request.client.host if request.client else "-")   # the pool's per-client limits
        return await call_next(request)

    protect(app, limits or Limits())

    def error(status: int, message: str, headers: dict | None = None) -> PlainTextResponse:
        return PlainTextResponse(message + "\n", status_code=status, headers=headers)

    def respond(result: Result, accept: str, fmt: str | None) -> Response:
        if result.kind == "graph":
            media = _media(fmt, GRAPH_TYPES, {"turtle": "text/turtle", "json-ld": "application/ld+json",
                                              "jsonld": "application/ld+json", "nt": "application/n-triples",
                                              "ntriples": "application/n-triples", "xml": "application/rdf+xml"})
            media = media or negotiate(accept, list(GRAPH_TYPES))
            if media is None:
                return error(406, f"this query gives RDF; acceptable types: {', '.join(GRAPH_TYPES)}")
            graph = xml_safe_graph(result.graph) if media == "application/rdf+xml" else result.graph
            return Response(graph.serialize(format=GRAPH_TYPES[media]), media_type=media)
        media = _media(fmt, SELECT_TYPES, {"json": "application/sparql-results+json",
                                           "xml": "application/sparql-results+xml", "csv": "text/csv",
                                           "tsv": "text/tab-separated-values"})
        media = media or negotiate(accept, list(SELECT_TYPES))
        if media is None:
            return error(406, f"this query gives results; acceptable types: {', '.join(SELECT_TYPES)}")
        return Response(SELECT_TYPES[media](result), media_type=media + ("" if "charset" in media else "; charset=utf-8"))

    async def execute(operation: str, payload, accept: str, fmt: str | None, dataset=None) -> Response:
        try:
            result = await asyncio.wrap_future(pool.submit(operation, payload, dataset=dataset))
        except (QuerySyntaxError, QueryRefusedError) as exc:
            return error(400, str(exc))
        except QueryLimitError as exc:
            return error(503 if "time limit" in str(exc) else 422, str(exc))
        except PoolBusyError as exc:
            return error(exc.status, str(exc), {"Retry-After": "2"})
        except (UnknownQueryError, UnknownNameError) as exc:
            return error(404, str(exc))
        except KGError as exc:
            return error(400, str(exc))
        except RuntimeError as exc:
            return error(500, f"the query failed: {exc}")
        return await _in_thread(respond, result, accept, fmt)

    @app.api_route("/sparql", methods=["GET", "POST"])
    async def sparql(request: Request) -> Response:
        try:
            asked = sparql_request(request.method, request.headers.get("content-type", ""),
                                   request.scope.get("query_string", b""), await request.body())
        except BadRequest as exc:
            return error(exc.status, str(exc))
        return await execute("sparql", asked.query, request.headers.get("accept", ""), asked.format, asked.dataset)

    @app.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"])
    async def sparql_write() -> Response:
        return error(405, "this endpoint is read-only")

    @app.api_route("/store", methods=["GET", "PUT", "POST", "DELETE", "PATCH"])
    async def graph_store(request: Request) -> Response:
        if request.method != "GET":
            return error(405, "this endpoint is read-only: the Graph Store Protocol's writes are refused")
        return error(404, "the graph store is not exposed; query /sparql")

    @app.get("/api/queries")
    async def api_queries() -> JSONResponse:
        return JSONResponse([{"name": q.name, "title": q.title, "description": q.description, "text": q.text,
                              "params": [{"name": p.name, "kind": p.kind, "description": p.description}
                                         for p in q.params]} for q in named_queries().values()])

    @app.get("/api/named/{name}")
    async def api_named(name: str, request: Request) -> Response:
        if name not in named_queries():
            return error(404, f"no named query {name!r}; /api/queries lists them")
        params = query_params(request.scope.get("query_string", b""))
        names = [k for k, _ in params]
        repeated = sorted({k for k in names if names.count(k) > 1})
        if repeated:
            return error(400, f"parameter given more than once: {', '.join(repeated)}")
        values = {k: v for k, v in params if k != "format" and v}
        return await execute("named", (name, values), request.headers.get("accept", ""),
                             request.query_params.get("format"))

    @app.get("/health")
    async def health() -> JSONResponse:
        return JSONResponse({"status": "ok", "triples": pool.triples})

    @app.get("/", response_class=HTMLResponse)
    async def home() -> HTMLResponse:
        page = (_TEMPLATES / "home.html").read_text(encoding="utf-8")
        return HTMLResponse(page.replace("{{ triples }}", str(pool.triples)).replace("{{ base }}", BASE))

    maps = MapCache(MAP_CACHE_BYTES)

    @app.get("/map", response_class=HTMLResponse)
    async def cluster_map(request: Request) -> Response:
        asked = (request.query_params.get("city") or None, request.query_params.get("chain") or None)
        try:
            key = (None, None) if asked == (None, None) else \
                await asyncio.wrap_future(pool.submit("map-key", asked))
            page = maps.get(key)
            if page is None:
                page = await asyncio.wrap_future(pool.submit("map", key, slow=True, timeout=max(pool.timeout, 120.0)))
                maps.put(key, page)
        except QueryLimitError as exc:
            return error(503, f"the map could not be drawn: {exc}")
        except PoolBusyError as exc:
            return error(exc.status, str(exc), {"Retry-After": "2"})
        except UnknownNameError as exc:
            return error(404, str(exc))
        except KGError as exc:
            return error(400, str(exc))
        return HTMLResponse(page)

    @app.get("/ontology")
    async def ontology() -> Response:
        from ..model.resources import ontology_file

        return Response(ontology_file("kg.ttl").read_text(encoding="utf-8"), media_type="text/turtle")

    @app.get("/id/{path:path}")
    async def entity(path: str, request: Request) -> Response:
        try:   # from the raw path, decoded once (the IRI's own %XX stay as they are)
            iri = URIRef(check_iri(BASE + "id/" + uri_to_iri(request.scope["raw_path"].decode("utf-8")[len("/id/"):])))
        except (QueryRefusedError, UnicodeDecodeError):
            return error(400, "not an entity path: /id/ followed by an IRI's path")
        accept = request.headers.get("accept", "")
        fmt = request.query_params.get("format")
        if fmt not in (None, "turtle", "json-ld", "jsonld", "nt", "html"):
            return error(400, f"unknown format={fmt}; one of turtle, json-ld, nt, html")
        wants_rdf = fmt in ("turtle", "json-ld", "jsonld", "nt") or (fmt is None and
            negotiate(accept, ["text/html", *GRAPH_TYPES]) not in (None, "text/html") and "text/html" not in accept)
        if wants_rdf:
            return await execute("sparql", _describe(iri), accept, fmt)
        return await _in_thread(_entity_page, pool, iri)

    return app


class MapCache:
    """Drawn map pages by (city IRI, chain IRI), at most `max_bytes` of them."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes, self.size = max_bytes, 0
        self._pages: OrderedDict[tuple, str] = OrderedDict()

    def get(self, key: tuple) -> str | None:
        page = self._pages.get(key)
        if page is not None:
            self._pages.move_to_end(key)
        return page

    def put(self, key: tuple, page: str) -> None:
        if key in self._pages or len(page) > self.max_bytes:
            return
        self._pages[key] = page
        self.size += len(page)
        while self.size > self.max_bytes:
            _, dropped = self._pages.popitem(last=False)
            self.size -= len(dropped)

    def __len__(self) -> int:
        return len(self._pages)


_UNRESERVED = re.compile(r"%([0-9A-Fa-f]{2})")


def uri_to_iri(path: str) -> str:
    """RFC 3987's URI → IRI mapping of a path: percent-encoded UTF-8 of non-ASCII characters
    and of unreserved ASCII ones is decoded; any other %XX (an IRI's own %2F, %22 …) stays."""
    def ascii_unreserved(match: re.Match) -> str:
        ch = chr(int(match.group(1), 16))
        return ch if ch.isalnum() and ch.isascii() or ch in "-._~" else match.group(0).upper()

    out, i = [], 0
    for run in re.finditer(r"(?:%[89A-Fa-f][0-9A-Fa-f])+", path):
        out.append(_UNRESERVED.sub(ascii_unreserved, path[i:run.start()]))
        try:
            out.append(unquote(run.group(), errors="strict"))
        except UnicodeDecodeError:
            out.append(run.group().upper())
        i = run.end()
    out.append(_UNRESERVED.sub(ascii_unreserved, path[i:]))
    return "".join(out)


def _media(fmt: str | None, offered: dict, aliases: dict[str, str]) -> str | None:
    if not fmt:
        return None
    media = aliases.get(fmt.lower(), fmt)
    return media if media in offered else None


async def _in_thread(function, *args):
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(function, *args)


def _describe(iri: URIRef) -> str:
    term = iri.n3()
    return f"""PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
CONSTRUCT {{ {term} ?p ?o . ?fact ?fp ?fo . }} WHERE {{
  {{ {term} ?p ?o }}
  UNION {{ ?fact rdf:subject {term} ; ?fp ?fo }}
  UNION {{ ?fact rdf:object {term} ; ?fp ?fo }}
}}"""


# ====================================================================== entity pages
_FACTS = """
PREFIX kg:   <https://w3id.org/zjkg/ontology#>
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
SELECT DISTINCT ?s ?sName ?p ?o ?oName ?quote ?doc ?confidence ?extractor WHERE {
  { ?fact rdf:subject ?entity } UNION { ?fact rdf:object ?entity }
  ?fact a kg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:quote ?quote ;
        kg:confidence ?confidence ; prov:wasDerivedFrom ?d ; prov:wasAttributedTo ?agent .
  ?d schema:name ?doc . ?agent rdfs:label ?extractor .
  OPTIONAL { ?s rdfs:label ?sName . FILTER (lang(?sName) = "zh") }
  OPTIONAL { ?o rdfs:label ?oName . FILTER (lang(?oName) = "zh") }
}
ORDER BY ?p ?doc"""
_ABOUT = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?p ?o ?oName WHERE {
  ?entity ?p ?o .
  OPTIONAL { ?o rdfs:label ?oName . FILTER (lang(?oName) = "zh") }
}"""
_FIGURES = """
PREFIX kg:   <https://w3id.org/zjkg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
SELECT ?indicator ?year ?value ?unit ?target ?quote ?doc WHERE {
  ?obs kg:region ?entity ; kg:indicator ?indicator ; kg:value ?value ; kg:unit ?unit ; kg:target ?target ;
       kg:quote ?quote ; prov:wasDerivedFrom ?d . ?d schema:name ?doc .
  OPTIONAL { ?obs kg:year ?year }
}
ORDER BY ?indicator ?year"""


def local_link(iri: str) -> str:
    """The server's path for an IRI of the graph (others link to themselves)."""
    if iri.startswith(BASE + "id/"):
        return "/id/" + quote(iri.removeprefix(BASE + "id/"), safe="/%!$&'()*+,;=:@-._~")
    return iri


def _short(iri: str) -> str:
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rsplit("/", 1)[-1]


def _entity_page(pool: QueryPool, iri: URIRef) -> Response:
    binding = {"entity": iri}
    try:
        about = pool.run("sparql", with_values(_ABOUT, binding))
        facts = pool.run("sparql", with_values(_FACTS, binding))
        figures = pool.run("sparql", with_values(_FIGURES, binding))
    except (KGError, RuntimeError) as exc:
        return PlainTextResponse(f"{exc}\n", status_code=503)
    if not about.rows and not facts.rows:
        return HTMLResponse(f"<!DOCTYPE html><title>Not found</title><p>No entity {html.escape(str(iri))} in the graph.</p>",
                            status_code=404)
    e = html.escape
    labels = [str(r["o"]) for r in about.rows if str(r["p"]).endswith(("#label", "#altLabel"))]
    classes = [_short(str(r["o"])) for r in about.rows if str(r["p"]).endswith("#type")]
    title = labels[0] if labels else _short(str(iri))
    out = [f"<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'><link rel='icon' href='data:,'><title>{e(title)}</title>",
           "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;width:100%}"
           "td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}"
           "q{color:#333}small{color:#777}</style></head><body>",
           "<p><a href='/'>kg</a></p>",
           f"<h1>{e(title)}</h1><p>{e(', '.join(sorted(set(classes))))} · <code>{e(str(iri))}</code></p>"]
    if len(labels) > 1:
        out.append(f"<p>Names: {e('、'.join(dict.fromkeys(labels)))}</p>")
    out.append(f"<h2>Facts ({len(facts.rows)})</h2><table id='facts'><tr><th>subject</th><th>relation</th>"
               "<th>object</th><th>evidence</th><th>document</th><th>confidence</th></tr>")
    for r in facts.rows:
        subject = f"<a href='{e(local_link(str(r['s'])))}'>{e(str(r.get('sName', _short(str(r['s'])))))}</a>"
        obj = f"<a href='{e(local_link(str(r['o'])))}'>{e(str(r.get('oName', _short(str(r['o'])))))}</a>"
        out.append(f"<tr><td>{subject}</td><td>{e(_short(str(r['p'])))}</td><td>{obj}</td>"
                   f"<td class='evidence'><q>{e(str(r['quote']))}</q></td><td>{e(str(r['doc']))}</td>"
                   f"<td>{e(str(r['confidence']))} <small>{e(str(r['extractor']))}</small></td></tr>")
    out.append("</table>")
    if figures.rows:
        out.append(f"<h2>Figures ({len(figures.rows)})</h2><table><tr><th>indicator</th><th>year</th><th>value</th>"
                   "<th>unit</th><th>target</th><th>evidence</th><th>document</th></tr>")
        for r in figures.rows:
            out.append(f"<tr><td>{e(str(r['indicator']))}</td><td>{e(str(r.get('year', '')))}</td>"
                       f"<td>{e(str(r['value']))}</td><td>{e(str(r['unit']))}</td><td>{e(str(r['target']))}</td>"
                       f"<td><q>{e(str(r['quote']))}</q></td><td>{e(str(r['doc']))}</td></tr>")
        out.append("</table>")
    related = [(str(r["p"]), str(r["o"]), str(r.get("oName", ""))) for r in about.rows
               if isinstance(r["o"], URIRef) and str(r["o"]).startswith(BASE + "id/")]
    if related:
        out.append("<h2>Links</h2><ul>")
        for p, o, name in sorted(set(related)):
            out.append(f"<li>{e(_short(p))} <a href='{e(local_link(o))}'>{e(name or _short(o))}</a></li>")
        out.append("</ul>")
    out.append(f"<p><a href='{e(local_link(str(iri)))}?format=turtle'>Turtle</a> · "
               f"<a href='{e(local_link(str(iri)))}?format=json-ld'>JSON-LD</a></p></body></html>")
    return HTMLResponse("".join(out))


# ====================================================================== running
def serve(build_dir: Path, host: str = "127.0.0.1", port: int = 8000, kind: str = "oxigraph", workers: int = 2,
          timeout: float = 10.0, max_rows: int = 10_000, endpoint: str | None = None,
          limits: Limits | None = None, per_client: int = 8, proxy: str | None = None) -> None:
    """Serve until stopped. Oxigraph by default whatever the graph's size: rdflib answers
    the same queries some 20-100× slower, which under load is the difference between
    hundreds of requests a second and a few."""
    import uvicorn

    from .limits import protocol_for, raise_file_limit

    limits = limits or Limits(bound_host=host)
    raise_file_limit()
    pool = QueryPool(build_dir, kind, workers, timeout, max_rows, endpoint, per_client=per_client)
    try:
        uvicorn.run(create_app(pool, limits), host=host, port=port, log_level="warning",
                    http=protocol_for(limits), timeout_keep_alive=limits.keep_alive,
                    limit_concurrency=limits.max_connections, h11_max_incomplete_event_size=limits.max_head + 1024,
                    proxy_headers=proxy is not None, forwarded_allow_ips=proxy or "127.0.0.1")
    finally:
        pool.close()
