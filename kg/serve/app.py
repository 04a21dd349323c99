"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint, linked-data pages and a web page.

Queries run in worker processes that hold the graph; one that runs past the time limit is
killed and replaced, so a pathological query costs its time limit and no more. Results
come in the format the client asks for (SPARQL JSON/XML/CSV/TSV; Turtle, JSON-LD,
N-Triples for CONSTRUCT and DESCRIBE). Updates and other writes are refused.

The explorer's pages and APIs (pages.py) ask the same worker pool and its scheduler
(workers.py), behind the same request limits, Host check and CORS policy (limits.py).
"""
from __future__ import annotations

import asyncio
from collections import OrderedDict
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from rdflib import URIRef

from ..model.errors import (KGError, QueryLimitError, QueryRefusedError, QuerySyntaxError, UnknownNameError,
                            UnknownQueryError)
from .limits import Limits, protect
from .markup import local_link, path_iri
from .page_queries import page_query
from .pages import add_routes, entity_page, page_response
from .protocol import BadRequest, query_params, sparql_request
from .query import GRAPH_TYPES, SELECT_TYPES, named_queries, negotiate, xml_safe_graph
from .results import Result, with_values
from .views import router as views_router
from .workers import CLIENT, PoolBusyError, QueryPool

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
    # The pages' queries go through the pool like the endpoint's: the same guard, scheduler and limits.
    add_routes(app, lambda sparql: pool.run("sparql", sparql), _query_list, lambda: pool.triples)

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

    async def ask(operation: str, payload, dataset=None) -> Result | Response:
        """The pool's answer, or the error response saying why there is none."""
        try:
            return await asyncio.wrap_future(pool.submit(operation, payload, dataset=dataset))
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

    async def execute(operation: str, payload, accept: str, fmt: str | None, dataset=None) -> Response:
        result = await ask(operation, payload, dataset)
        if isinstance(result, Response):
            return result
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
        return JSONResponse(_query_list())

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
        try:
            iri = URIRef(path_iri(request.scope["raw_path"], "/id/"))
        except ValueError as exc:
            return error(400, str(exc))
        accept = request.headers.get("accept", "")
        fmt = request.query_params.get("format")
        if fmt not in (None, "turtle", "json-ld", "jsonld", "nt", "html"):
            return error(400, f"unknown format={fmt}; one of turtle, json-ld, nt, html")
        alias = await ask("sparql", with_values(page_query("entity-alias"), {"entity": iri}))
        if isinstance(alias, Response):
            return alias
        if alias.rows:   # an older IRI of a merged entity (owl:sameAs): it keeps resolving
            query = request.scope.get("query_string", b"").decode("latin-1")
            return RedirectResponse(local_link(str(alias.rows[0]["target"])) + (f"?{query}" if query else ""),
                                    status_code=301)
        wants_rdf = fmt in ("turtle", "json-ld", "jsonld", "nt") or (fmt is None and
            negotiate(accept, ["text/html", *GRAPH_TYPES]) not in (None, "text/html") and "text/html" not in accept)
        if wants_rdf:
            return await execute("sparql", _describe(iri), accept, fmt)
        return await _in_thread(page_response, entity_page, app.state.site, iri)

    app.include_router(views_router(pool))   # /chain, /place, /compare, /figures (kg/serve/views.py)
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


def _query_list() -> list[dict]:
    return [{"name": q.name, "title": q.title, "description": q.description, "text": q.text,
             "params": [{"name": p.name, "kind": p.kind, "description": p.description} for p in q.params]}
            for q in named_queries().values()]


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
    return f"""PREFIX kg: <https://w3id.org/zjkg/ontology#>
CONSTRUCT {{ {term} ?p ?o . ?fact ?fp ?fo . }} WHERE {{
  {{ {term} ?p ?o }}
  UNION {{ ?fact kg:subject {term} ; ?fp ?fo }}
  UNION {{ ?fact kg:object {term} ; ?fp ?fo }}
}}"""


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
