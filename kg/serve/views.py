"""Pages of the chain, place, compare and figures views on the server, with their JSON, CSV
(?format=csv, &bom=1 for Excel), Excel (?format=xlsx) and chart (?format=svg|png) forms.

The views run the same code as the command line, through a store that sends each query to the
server's worker pool, so every query keeps the server's time and size limits.
"""
from __future__ import annotations

import html
import tempfile
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from ..model.errors import KGError, QueryLimitError
from . import frames
from .markup import local_link as link
from .results import Result, with_values

_FORMATS = {"csv": "text/csv; charset=utf-8",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class PoolStore:
    """A store whose queries run in the server's worker processes (with their limits)."""
    name = "pool"

    def __init__(self, pool) -> None:
        self.pool = pool

    def query(self, sparql: str, bindings=None) -> Result:
        return self.pool.run("sparql", with_values(sparql, bindings))

    def __len__(self) -> int:
        return self.pool.triples


def router(pool) -> APIRouter:
    """The routes, answering from the pool's graph."""
    routes = APIRouter()
    store = PoolStore(pool)
    e = html.escape
    shared: dict[str, object] = {}

    def index():
        """What every view reads, read once: the graph does not change while it is served."""
        from .chain import ChainIndex

        if "index" not in shared:
            shared["index"] = ChainIndex(store)
        return shared["index"]

    def page(title: str, body: list[str]) -> HTMLResponse:
        from markupsafe import Markup

        from .pages import render

        # every value in `body` was escaped where it was written
        return HTMLResponse(render("view.html", title=title, body=Markup("".join(body))))

    def named(iri: str, name: str) -> str:
        return f"<a href='{e(link(iri))}'>{e(name)}</a>"

    def quoted(q) -> str:
        if q is None:
            return ""
        return f"<q>{e(q.text)}</q> <small>{e(frames.sources_text(q))}</small>"

    def answer(request: Request, build, html_page, tables, json_of=frames.to_json) -> Response:
        try:
            result = build()
        except QueryLimitError as exc:
            return PlainTextResponse(f"{exc}\n", status_code=503)
        except KGError as exc:
            return PlainTextResponse(f"{exc}\n", status_code=404)
        fmt = request.query_params.get("format", "html")
        if fmt == "json":
            return Response(json_of(result), media_type="application/json")
        if fmt == "csv":
            name = request.query_params.get("view") or next(iter(tables(result)))
            found = tables(result)
            if name not in found:
                return PlainTextResponse(f"no view {name!r}; one of {', '.join(found)}\n", status_code=400)
            return Response(frames.csv_bytes(found[name], request.query_params.get("bom") in ("1", "true")),
                            media_type=_FORMATS["csv"])
        if fmt == "xlsx":
            return Response(frames.xlsx_bytes(tables(result)), media_type=_FORMATS["xlsx"])
        if fmt != "html":
            return PlainTextResponse(f"unknown format {fmt!r}: html, json, csv or xlsx\n", status_code=400)
        return html_page(result)

    def downloads(path: str) -> str:
        sep = "&" if "?" in path else "?"
        return (f"<p><a href='{e(path + sep)}format=json'>JSON</a> · <a href='{e(path + sep)}format=csv&amp;bom=1'>CSV "
                f"(Excel)</a> · <a href='{e(path + sep)}format=xlsx'>Excel workbook</a></p>")

    @routes.get("/chain")
    async def chains_page(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        def listing() -> Response:
            try:
                chains = index().chains
            except KGError as exc:
                return PlainTextResponse(f"{exc}\n", status_code=503)
            rows = ["<table><tr><th>chain</th><th>segments, upstream to downstream</th></tr>"]
            for chain_def in sorted(chains.values(), key=lambda c: c.name):
                segments = " → ".join(e(s.name) for s in chain_def.segments)
                rows.append(f"<tr><td><a href='/chain/{quote(chain_def.name)}'>{e(chain_def.name)}</a> "
                            f"<small>{e(chain_def.name_en)}</small></td><td>{segments}</td></tr>")
            rows.append("</table><form action='/chain/' onsubmit=\"this.action='/chain/'+encodeURIComponent(this.q.value)\">"
                        "<label>chain or industry <input name='q' value='集成电路'></label> "
                        "<label>city <input name='city' value='绍兴'></label> <button>show</button></form>")
            return page("产业链 Industrial chains", rows)

        return await run_in_threadpool(listing)

    @routes.get("/chain/{name}")
    async def chain_page(name: str, request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        from .chain import chain, chain_frames

        city = request.query_params.get("city") or None
        as_of = request.query_params.get("as_of") or None

        def render(view) -> HTMLResponse:
            where = f" · {view.city}" if view.city else ""
            body = [f"<p>{len(view.segments)} segments, {len(view.companies)} companies, {len(view.leaders)} leaders"
                    + (f", {len(view.gaps)} gaps" if view.city else "") + "</p>",
                    downloads(f"/chain/{quote(name)}" + (f"?city={quote(city)}" if city else ""))]
            for seg in view.segments:
                body.append(f"<h2 id='{e(seg.iri.rsplit('/', 1)[-1])}'><span class='stage'>{e(seg.stage)}</span> "
                            f"{e(seg.chain_name)} · {e(seg.name)} "
                            f"<small>{e(seg.name_en)}</small>" + (" <span class='gap'>gap</span>" if seg.gap else "") + "</h2>")
                rows = [(c, "★" if c.leader else "") for c in seg.companies] + [(c, "→ candidate") for c in seg.candidates]
                if rows:
                    body.append("<table><tr><th></th><th>company</th><th>role</th><th>where</th><th>placed by</th>"
                                "<th>evidence</th></tr>")
                    for c, mark in rows:
                        body.append(f"<tr><td>{e(mark)}</td><td>{named(c.iri, c.name)}</td><td>{e(c.role)}</td>"
                                    f"<td>{e(c.where)}</td><td>{e('; '.join(c.placed_by))}</td>"
                                    f"<td>{quoted(c.quotes[0] if c.quotes else None)}</td></tr>")
                    body.append("</table>")
                if seg.platforms:
                    body.append("<p>parks and platforms: " + "、".join(named(p.iri, p.name) for p in seg.platforms) + "</p>")
            if view.unplaced:
                body.append("<h2>whole chain</h2><table>" + "".join(
                    f"<tr><td>{'★' if c.leader else ''}</td><td>{named(c.iri, c.name)}</td><td>{e(c.where)}</td>"
                    f"<td>{quoted(c.quotes[0] if c.quotes else None)}</td></tr>" for c in view.unplaced) + "</table>")
            return page(f"{view.name}{where}", body)

        return await run_in_threadpool(answer, request, lambda: chain(store, name, city, as_of, index=index()), render,
                                       chain_frames)

    @routes.get("/place/{name}")
    async def place_page(name: str, request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        from .place import place, place_frames

        as_of = request.query_params.get("as_of") or None

        def render(view) -> HTMLResponse:
            body = [downloads(f"/place/{quote(name)}"), "<h2>chains</h2><table><tr><th>chain</th><th>prioritised by</th>"
                    "<th>companies</th><th>segments covered</th><th>gaps</th><th>leaders</th></tr>"]
            for r in view.chains:
                title = f"<a href='/chain/{quote(r.chain)}?city={quote(view.name)}'>{e(r.chain)}</a>" if r.chain else \
                    e(r.industries[0])
                body.append(f"<tr><td>{title}</td><td>{e('、'.join(r.prioritised_by))}</td><td>{r.companies}</td>"
                            f"<td>{e('、'.join(r.covered))}</td><td class='gap'>{e('、'.join(r.gaps))}</td>"
                            f"<td>{e('、'.join(r.leaders))}</td></tr>")
            body.append("</table><h2>leaders</h2><table>")
            body += [f"<tr><td>{named(x.iri, x.name)}</td><td>{e('、'.join(x.industries))}</td><td>{e(x.where)}</td>"
                     f"<td>{quoted(x.quotes[0] if x.quotes else None)}</td></tr>" for x in view.leaders]
            body.append("</table><h2>parks and platforms</h2><table>")
            body += [f"<tr><td>{e(x.cls)}</td><td>{named(x.iri, x.name)}</td><td>{e('、'.join(x.industries))}</td></tr>"
                     for x in view.platforms]
            body.append("</table><h2>programmes</h2><table>")
            body += [f"<tr><td>{named(p.iri, p.name)}</td><td>{e('、'.join(p.by))}</td><td>{e('、'.join(p.targets))}</td>"
                     f"<td>{quoted(p.quote)}</td></tr>" for p in view.programmes]
            body.append(f"</table><h2>latest figures <small><a href='/figures/{quote(view.name)}'>series</a></small></h2><table>")
            body += [f"<tr><td>{e(p.indicator_name)}</td><td>{e(p.kind)}</td><td>{p.year}</td><td>{p.value:g} {e(p.unit)}</td>"
                     f"<td><q>{e(p.quotes[0])}</q></td></tr>" for p in view.figures]
            body.append("</table>")
            return page(f"{view.name}", body)

        return await run_in_threadpool(answer, request, lambda: place(store, name, as_of, index()), render, place_frames)

    @routes.get("/compare")
    async def compare_page(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        from .place import compare, compare_frame

        names = [n.strip() for n in request.query_params.get("places", "").replace("，", ",").split(",") if n.strip()]
        as_of = request.query_params.get("as_of") or None
        if len(names) < 2:
            return page("compare", ["<form><label>places (two or more, comma-separated): "
                                    "<input name='places' value='金华,台州'></label> <button>compare</button></form>"])

        def render(result) -> HTMLResponse:
            columns = result.places
            body = [downloads(f"/compare?places={quote(','.join(names))}"),
                    "<table><tr><th>section</th><th>row</th>" + "".join(f"<th>{e(c)}</th>" for c in columns) + "</tr>"]
            body += ["<tr>" + "".join(f"<td>{e(str(row.get(c, '')))}</td>" for c in ["section", "row", *columns]) + "</tr>"
                     for row in result.rows]
            body.append("</table>")
            return page(" · ".join(columns), body)

        return await run_in_threadpool(answer, request, lambda: compare(store, names, as_of, index()), render,
                                       lambda r: {"compare": compare_frame(r)})

    @routes.get("/figures/{name}")
    async def figures_page(name: str, request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        from .figures import chart, series, series_frame

        indicator = request.query_params.get("indicator") or None
        as_of = request.query_params.get("as_of") or None

        def drawn(result, suffix: str) -> bytes:
            with tempfile.TemporaryDirectory() as folder:
                return chart(result, Path(folder) / f"chart.{suffix}").read_bytes()

        def render(result) -> Response:
            fmt = request.query_params.get("chart")
            if fmt in ("svg", "png"):
                try:
                    return Response(drawn(result, fmt), media_type="image/svg+xml" if fmt == "svg" else "image/png")
                except KGError as exc:
                    return PlainTextResponse(f"{exc}\n", status_code=404)
            try:
                svg = drawn(result, "svg").decode("utf-8")
                svg = svg[svg.index("<svg"):]
            except KGError as exc:
                svg = f"<p>{e(str(exc))}</p>"
            table = series_frame(result)
            body = [downloads(f"/figures/{quote(name)}" + (f"?indicator={quote(indicator)}" if indicator else "")),
                    f"<figure class='chart'>{svg}</figure>",
                    "<table><tr>" + "".join(f"<th>{e(c)}</th>" for c in table.columns) + "</tr>"]
            body += ["<tr>" + "".join(f"<td>{e('' if v is None else str(v))}</td>" for v in row) + "</tr>"
                     for row in table.itertuples(index=False)]
            body.append("</table>")
            return page(f"{result.place} · figures", body)

        return await run_in_threadpool(answer, request, lambda: series(store, name, indicator, as_of), render,
                                       lambda r: {"figures": series_frame(r)})

    return routes
