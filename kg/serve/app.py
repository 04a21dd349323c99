"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint, linked-data pages and a web page.

Queries run in worker processes that hold the graph; one that runs past the time limit is
killed and replaced, so a pathological query costs its time limit and no more. Results
come in the format the client asks for (SPARQL JSON/XML/CSV/TSV; Turtle, JSON-LD,
N-Triples for CONSTRUCT and DESCRIBE). Updates and other writes are refused.
"""
from __future__ import annotations

import multiprocessing as mp
import queue
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from rdflib import URIRef

from ..model.errors import KGError, QueryFailedError, QueryLimitError, QuerySyntaxError
from .pages import add_routes, entity_page, page_response
from .query import GRAPH_TYPES, SELECT_TYPES, bind, named_queries, named_query, negotiate, resolve_term
from .results import Result
from .store import open_store
from .views import router as views_router
from ..model.vocab import BASE

_UPDATE = ("application/sparql-update",)


# ====================================================================== worker processes
def _worker_main(conn, build_dir: str, kind: str, endpoint: str | None) -> None:
    try:
        store = open_store(Path(build_dir), kind, endpoint)
    except Exception as exc:   # report why the graph could not be opened, then stop
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", len(store)))
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        operation, payload, max_rows = message
        try:
            if operation == "map":
                conn.send(("ok", _map_page(store, *payload)))
                continue
            if operation == "named":
                name, values = payload
                query = named_query(name)
                result = store.query(query.text, bind(store, query, values))
            else:
                result = store.query(payload)
            size = len(result)
            conn.send(("too-large", size) if size > max_rows else ("ok", result))
        except QuerySyntaxError as exc:
            conn.send(("syntax", (exc.detail, exc.line, exc.column)))
        except QueryFailedError as exc:
            conn.send(("error", str(exc)))
        except KGError as exc:
            conn.send(("bad", str(exc)))
        except Exception as exc:   # an engine error on a valid query: the client's 500, not the server's end
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


def _map_page(store, city: str | None, chain: str | None) -> str:
    from .viz import map_html

    city_iri = str(resolve_term(store, city, "place")) if city else None
    chain_iri = str(resolve_term(store, chain, "industry")) if chain else None
    return map_html(store, city_iri, chain_iri, entity_base="/id/")


@dataclass
class _Worker:
    process: Any
    conn: Any


class QueryPool:
    """Worker processes that each hold the graph; a query past the time limit kills its worker."""

    def __init__(self, build_dir: Path, kind: str = "auto", size: int = 2, timeout: float = 10.0,
                 max_rows: int = 10_000, endpoint: str | None = None) -> None:
        self.args = (str(build_dir), kind, endpoint)
        self.timeout, self.max_rows = timeout, max_rows
        self._context = mp.get_context("spawn")   # the server is multi-threaded: never fork it
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self.triples = 0
        for _ in range(size):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_worker_main, args=(child, *self.args), daemon=True)
        process.start()
        child.close()
        if not parent.poll(300):
            process.kill()
            raise KGError("the query worker did not load the graph within 300 s")
        status, detail = parent.recv()
        if status != "ready":
            process.join()
            raise KGError(f"the query worker could not open the graph: {detail}")
        self.triples = detail
        return _Worker(process, parent)

    def run(self, operation: str, payload, max_rows: int | None = None, timeout: float | None = None) -> Any:
        timeout = timeout or self.timeout
        worker = self._idle.get()
        try:
            worker.conn.send((operation, payload, max_rows or self.max_rows))
            if not worker.conn.poll(timeout):
                worker.process.kill()
                worker.process.join()
                worker = self._spawn()
                raise QueryLimitError(f"the query ran longer than the time limit of {timeout:g} s; "
                                      "add a LIMIT or narrow it down")
            reply = worker.conn.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError):
            worker = self._spawn()
            raise KGError("the query worker stopped; try again") from None
        finally:
            self._idle.put(worker)
        status, detail = reply
        if status == "ok":
            return detail
        if status == "too-large":
            raise QueryLimitError(f"the result has {detail} rows or triples, more than the limit of "
                                  f"{max_rows or self.max_rows}; add a LIMIT or narrow the query down")
        if status == "syntax":
            raise QuerySyntaxError(*detail)
        if status == "bad":
            raise KGError(detail)
        raise RuntimeError(detail)

    def close(self) -> None:
        while not self._idle.empty():
            worker = self._idle.get_nowait()
            try:
                worker.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
            worker.process.join(timeout=2)
            if worker.process.is_alive():
                worker.process.kill()


# ====================================================================== the application
def create_app(pool: QueryPool) -> FastAPI:
    app = FastAPI(title="kg SPARQL endpoint", docs_url=None, redoc_url=None)
    app.state.pool = pool
    # Browser-based SPARQL clients on other origins (YASGUI and the like) may query it: it is read-only.
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                       allow_headers=["Content-Type", "Accept"])
    add_routes(app, lambda sparql: pool.run("sparql", sparql), _query_list, lambda: pool.triples)

    def error(status: int, message: str) -> PlainTextResponse:
        return PlainTextResponse(message + "\n", status_code=status)

    def respond(result: Result, accept: str, fmt: str | None) -> Response:
        if result.kind == "graph":
            media = _media(fmt, GRAPH_TYPES, {"turtle": "text/turtle", "json-ld": "application/ld+json",
                                              "jsonld": "application/ld+json", "nt": "application/n-triples",
                                              "ntriples": "application/n-triples", "xml": "application/rdf+xml"})
            media = media or negotiate(accept, list(GRAPH_TYPES))
            if media is None:
                return error(406, f"this query gives RDF; acceptable types: {', '.join(GRAPH_TYPES)}")
            return Response(result.graph.serialize(format=GRAPH_TYPES[media]), media_type=media)
        media = _media(fmt, SELECT_TYPES, {"json": "application/sparql-results+json",
                                           "xml": "application/sparql-results+xml", "csv": "text/csv",
                                           "tsv": "text/tab-separated-values"})
        media = media or negotiate(accept, list(SELECT_TYPES))
        if media is None:
            return error(406, f"this query gives results; acceptable types: {', '.join(SELECT_TYPES)}")
        return Response(SELECT_TYPES[media](result), media_type=media + ("" if "charset" in media else "; charset=utf-8"))

    def execute(operation: str, payload, accept: str, fmt: str | None) -> Response:
        try:
            result = pool.run(operation, payload)
        except QuerySyntaxError as exc:
            return error(400, str(exc))
        except QueryLimitError as exc:
            return error(503 if "time limit" in str(exc) else 422, str(exc))
        except KGError as exc:
            return error(400, str(exc))
        except RuntimeError as exc:
            return error(500, f"the query failed: {exc}")
        return respond(result, accept, fmt)

    @app.api_route("/sparql", methods=["GET", "POST"])
    async def sparql(request: Request) -> Response:
        params = dict(request.query_params)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        text = None
        if request.method == "POST":
            if content_type in _UPDATE:
                return error(403, "this endpoint is read-only: SPARQL Update is refused")
            body = await request.body()
            if content_type == "application/sparql-query":
                text = body.decode("utf-8")
            elif content_type == "application/x-www-form-urlencoded":
                params.update({k: v[-1] for k, v in parse_qs(body.decode("utf-8")).items()})
            else:
                return error(415, "POST a query as application/sparql-query or as a form (query=…)")
        if "update" in params:
            return error(403, "this endpoint is read-only: SPARQL Update is refused")
        text = text if text is not None else params.get("query")
        if not text:
            return error(400, "no query: pass query=… (GET or form POST) or POST application/sparql-query")
        return await _in_thread(execute, "sparql", text, request.headers.get("accept", ""), params.get("format"))

    @app.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"])
    async def sparql_write() -> Response:
        return error(405, "this endpoint is read-only")

    @app.api_route("/store", methods=["GET", "PUT", "POST", "DELETE", "PATCH"])
    async def graph_store(request: Request) -> Response:
        if request.method != "GET":
            return error(405, "this endpoint is read-only: the Graph Store Protocol's writes are refused")
        return error(404, "the graph store is not exposed; query /sparql")

    @app.get("/api/queries")
    def api_queries() -> JSONResponse:
        return JSONResponse(_query_list())

    @app.get("/api/named/{name}")
    async def api_named(name: str, request: Request) -> Response:
        values = {k: v for k, v in request.query_params.items() if k != "format" and v}
        return await _in_thread(execute, "named", (name, values), request.headers.get("accept", ""),
                                request.query_params.get("format"))

    @app.get("/health")
    def health() -> JSONResponse:
        return JSONResponse({"status": "ok", "triples": pool.triples})

    maps: dict[tuple[str | None, str | None], str] = {}   # the graph does not change while served

    def map_page(city: str | None, chain: str | None) -> Response:
        key = (city or None, chain or None)
        if key not in maps:
            try:
                maps[key] = pool.run("map", key, timeout=max(pool.timeout, 120.0))
            except QueryLimitError as exc:
                return error(503, f"the map could not be drawn: {exc}")
            except KGError as exc:
                return error(404, str(exc))
        return HTMLResponse(maps[key])

    @app.get("/map", response_class=HTMLResponse)
    async def cluster_map(request: Request) -> Response:
        return await _in_thread(map_page, request.query_params.get("city"), request.query_params.get("chain"))

    @app.get("/ontology")
    def ontology() -> Response:
        from ..model.resources import ontology_file

        return Response(ontology_file("kg.ttl").read_text(encoding="utf-8"), media_type="text/turtle")

    @app.get("/id/{path:path}")
    async def entity(path: str, request: Request) -> Response:
        iri = URIRef(BASE + "id/" + unquote(path))
        accept = request.headers.get("accept", "")
        fmt = request.query_params.get("format")
        wants_rdf = fmt in ("turtle", "json-ld", "jsonld", "nt") or (
            negotiate(accept, ["text/html", *GRAPH_TYPES]) not in (None, "text/html") and "text/html" not in accept)
        if wants_rdf:
            return await _in_thread(execute, "sparql", _describe(iri), accept, fmt)
        return await _in_thread(page_response, entity_page, app.state.site, iri)

    app.include_router(views_router(pool))   # /chain, /place, /compare, /figures (kg/serve/views.py)
    return app


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
    return f"""PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
CONSTRUCT {{ {term} ?p ?o . ?fact ?fp ?fo . }} WHERE {{
  {{ {term} ?p ?o }}
  UNION {{ ?fact rdf:subject {term} ; ?fp ?fo }}
  UNION {{ ?fact rdf:object {term} ; ?fp ?fo }}
}}"""


# ====================================================================== running
def serve(build_dir: Path, host: str = "127.0.0.1", port: int = 8000, kind: str = "auto", workers: int = 2,
          timeout: float = 10.0, max_rows: int = 10_000, endpoint: str | None = None) -> None:
    import uvicorn

    pool = QueryPool(build_dir, kind, workers, timeout, max_rows, endpoint)
    try:
        uvicorn.run(create_app(pool), host=host, port=port, log_level="warning")
    finally:
        pool.close()

