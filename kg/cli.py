"""The `kg` command: each subcommand parses its options and calls a plain function.

Exit codes: 0 success, 1 the graph does not conform / the query failed, 2 bad input.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Optional

import typer

from .model.errors import EmptyCorpusError, KGError, ValidationError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Knowledge graph of Zhejiang's regional digital economy.")

CORPUS = Path("data/corpus")
GOLD = Path("data/gold")
BUILD = Path("build")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"kg: {message}", err=True)
    raise typer.Exit(code)


def _stop_on_sigterm() -> None:
    """SIGTERM (what `kill` and service managers send) unwinds like Ctrl-C, so a build
    interrupted either way removes its temporary files."""
    import signal

    def stop(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, stop)


@app.command()
def build(
    input: Path = typer.Option(CORPUS, "--input", "-i", help="Folder of .txt articles (UTF-8, UTF-16, GB18030/GBK, Big5)."),
    output: Path = typer.Option(BUILD, "--output", "-o", help="Folder for the graph files."),
    min_confidence: float = typer.Option(0.0, "--min-confidence", min=0.0, max=1.0,
                                         help="Leave out facts and figures below this confidence."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Work on documents in this many local processes."),
    executor: Optional[str] = typer.Option(None, "--executor", help=(
        "Run the per-document work on a Dask distributed cluster: dask://HOST:PORT of its scheduler "
        "(its workers need kg installed). Same output as a local build.")),
    no_cache: bool = typer.Option(False, "--no-cache", help="Re-extract every document."),
    viz: bool = typer.Option(True, "--viz/--no-viz", help="Also write the cluster map (graph.html)."),
    times: bool = typer.Option(False, "--times", help="Also print the seconds each stage took."),
    allow_empty: bool = typer.Option(False, "--allow-empty", help=(
        "Build even when no document can be read (replacing the graph with an empty one).")),
    max_document_mb: float = typer.Option(8.0, "--max-document-mb", min=0.001,
                                          help="Skip (and report) documents larger than this."),
    endpoint: Optional[str] = typer.Option(None, "--endpoint", help=(
        "Also load the graph into this SPARQL Graph Store endpoint (e.g. http://127.0.0.1:7878/store): "
        "one named graph per document; only changed graphs are sent.")),
) -> None:
    """Build the graph (Turtle, TriG, N-Quads) and the cluster map from a folder of articles."""
    from .build.pipeline import build as run_build
    from .serve.terminal import plural, progress_bar

    def write_map(staged: Path) -> list[str]:
        from .serve.store import open_store
        from .serve.viz import write_map

        write_map(open_store(staged), staged / "graph.html")
        return ["graph.html"]

    _stop_on_sigterm()
    try:
        with progress_bar("extracting") as progress:
            result = run_build(input, output, min_confidence=min_confidence, workers=workers, use_cache=not no_cache,
                               endpoint=endpoint, executor=executor, allow_empty=allow_empty,
                               max_document_bytes=int(max_document_mb * 2**20), finish=write_map if viz else None,
                               progress=progress)
    except ValidationError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1)
    except EmptyCorpusError as exc:
        for problem in exc.problems:
            typer.echo(f"skipped {problem}", err=True)
        _fail(str(exc))
    except KGError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail(f"interrupted; the graph in {output} was left as it was", 130)
    for problem in result.problems:
        typer.echo(f"skipped {problem}", err=True)
    typer.echo(f"built {plural(len(result.documents), 'document')} ({len(result.problems)} skipped): "
               f"{plural(result.entities, 'entity', 'entities')}, {plural(result.facts, 'fact')}, "
               f"{plural(result.observations, 'figure')}, {plural(result.triples, 'triple')}; "
               "conforms to ontology/shapes.ttl")
    for kind, path in result.files.items():
        typer.echo(f"  {kind:<9} {path}")
    if times:
        typer.echo("times: " + ", ".join(f"{stage} {seconds:.3f}" for stage, seconds in result.times.items()))
    if result.pushed is not None:
        pushed = result.pushed
        typer.echo(f"loaded into {endpoint}: {len(pushed.replaced)} named graphs replaced, {pushed.unchanged} "
                   f"unchanged, {len(pushed.removed)} removed")


@app.command()
def extract(
    folder: Path = typer.Argument(CORPUS, help="Folder of .txt articles."),
    out: Optional[Path] = typer.Option(None, "--output", "-o", help="Write JSONL here instead of standard output."),
    min_confidence: float = typer.Option(0.0, "--min-confidence", min=0.0, max=1.0),
    workers: int = typer.Option(1, "--workers", "-w", min=1),
) -> None:
    """Extract entities, relations and figures as JSONL in the gold schema."""
    from .build.export import records, write_jsonl
    from .build.files import write_atomic
    from .build.pipeline import extract as run_extract

    try:
        corpus = run_extract(folder, workers)
    except KGError as exc:
        _fail(str(exc))
    for problem in corpus.problems:
        typer.echo(f"skipped {problem}", err=True)
    items = records(corpus.resolved, corpus.entities, min_confidence)
    if out is None:
        write_jsonl(items, sys.stdout)
    else:
        write_atomic(out, "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items).encode("utf-8"))
        typer.echo(f"wrote {out}", err=True)


@app.command("eval")
def evaluate(
    gold: Path = typer.Option(GOLD, "--gold", help="Folder of gold .jsonl files."),
    corpus: Path = typer.Option(CORPUS, "--corpus", help="Folder of the articles the gold describes."),
    predictions: Optional[Path] = typer.Option(None, "--predictions", "-p",
                                               help="Score this JSONL instead of extracting the corpus."),
    errors: bool = typer.Option(False, "--errors", help="List each miss and false hit, by document and cause."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
    readme: Optional[Path] = typer.Option(None, "--readme", help=(
        "Put the report into this file between <!-- SECTION:start --> and <!-- SECTION:end -->.")),
    section: str = typer.Option("eval", "--section", help="The marker name --readme writes between."),
) -> None:
    """Score the extraction against the gold standard (precision, recall, F1)."""
    from .build.evaluate import format_errors, format_report, read_folder, read_jsonl, score
    from .build.export import records
    from .build.pipeline import extract as run_extract

    try:
        gold_records = read_folder(gold)
        if predictions is not None:
            predicted = read_jsonl(predictions)
        else:
            extracted = run_extract(corpus)
            predicted = list(records(extracted.resolved, extracted.entities))
    except KGError as exc:
        _fail(str(exc))
    report = score(predicted, gold_records)
    if as_json:
        data = report.as_dict()
        if errors:
            data["errors"] = [{"doc": e.doc, "kind": e.kind, "side": e.side, "cause": e.cause, "record": e.record}
                              for e in report.errors]
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if errors:
        typer.echo(format_errors(report))
        typer.echo("")
    typer.echo(format_report(report))
    if readme is not None:
        _into_readme(readme, section, "```\n" + format_report(report) + "\n```")


def _into_readme(path: Path, name: str, report: str) -> None:
    """Replace the text between `<!-- NAME:start -->` and `<!-- NAME:end -->` in `path` with
    `report`, so documented figures are regenerated, never typed."""
    from .build.files import write_atomic

    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    try:
        document = path.read_text(encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot read {path}: {exc}")
    if document.count(start) != 1 or document.count(end) != 1 or document.index(start) > document.index(end):
        _fail(f"{path} needs one {start} line and one {end} line after it")
    head, rest = document.split(start)
    tail = rest.split(end)[1]
    write_atomic(path, f"{head}{start}\n{report.strip()}\n{end}{tail}".encode("utf-8"))
    typer.echo(f"updated {path}", err=True)


_EXAMPLE = re.compile(r"(<!-- example: (kg [^\n]*?) -->\n)(.*?)(<!-- example:end -->)", re.S)


@app.command()
def examples(
    readme: Path = typer.Option(Path("README.md"), "--readme", help="The file whose examples to run and refresh."),
    lines: int = typer.Option(40, "--lines", min=1, help="Lines of output to keep per example."),
) -> None:
    """Run the example commands a README shows (each between `<!-- example: kg … -->` and
    `<!-- example:end -->`), from the README's folder, and put their real output under each."""
    import shlex
    import subprocess

    from .build.files import write_atomic

    try:
        document = readme.read_text(encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot read {readme}: {exc}")

    def run(match: re.Match) -> str:
        command = match.group(2)
        typer.echo(f"$ {command}", err=True)
        done = subprocess.run([sys.executable, "-m", "kg.cli", *shlex.split(command)[1:]], cwd=readme.resolve().parent,
                              capture_output=True, text=True, encoding="utf-8")
        if done.returncode != 0:
            _fail(f"the example `{command}` failed ({done.returncode}): {done.stderr.strip()}")
        output = done.stdout.rstrip("\n").splitlines()
        if len(output) > lines:
            output = output[:lines] + [f"… ({len(output) - lines} more lines)"]
        return match.group(1) + "```\n$ " + command + "\n" + "\n".join(output) + "\n```\n" + match.group(4)

    refreshed, count = _EXAMPLE.subn(run, document)
    if not count:
        _fail(f"{readme} has no <!-- example: kg … --> blocks")
    write_atomic(readme, refreshed.encode("utf-8"))
    typer.echo(f"updated {count} examples in {readme}", err=True)


def _store(build_dir: Path, store: str, endpoint: str | None):
    from .serve.store import open_store

    return open_store(build_dir, store, endpoint)


ENDPOINT_HELP = "Answer from this SPARQL query endpoint (e.g. http://127.0.0.1:7878/query) instead of --build."


def _params(values: list[str]) -> dict[str, str]:
    out = {}
    for item in values:
        if "=" not in item:
            _fail(f"--param takes name=value, not {item!r}")
        name, value = item.split("=", 1)
        out[name.strip()] = value.strip()
    return out


@app.command()
def query(
    sparql: Optional[str] = typer.Argument(None, help="The query; '-' reads standard input."),
    file: Optional[Path] = typer.Option(None, "--file", "-f", help="Read the query from this file."),
    name: Optional[str] = typer.Option(None, "--name", "-n", help="Run a named query (see --list)."),
    param: list[str] = typer.Option([], "--param", "-p", help="A named query's parameter: name=value."),
    fmt: str = typer.Option("table", "--format", help="table, csv, tsv or json (SPARQL 1.1 Results JSON)."),
    iris: bool = typer.Option(False, "--iris", help="Show IRIs in the table, not the entities' names."),
    bom: bool = typer.Option(False, "--bom", help="Start CSV/TSV with a UTF-8 byte-order mark (for Excel)."),
    list_queries: bool = typer.Option(False, "--list", help="List the named queries."),
    build_dir: Path = typer.Option(BUILD, "--build", help="The folder `kg build` wrote."),
    store: str = typer.Option("auto", "--store", help="rdflib, oxigraph or auto (by size)."),
    endpoint: Optional[str] = typer.Option(None, "--endpoint", help=ENDPOINT_HELP),
    timeout: float = typer.Option(60.0, "--timeout", min=0.1, help="Seconds the query may run (then exit 1)."),
) -> None:
    """Run SPARQL against the built graph: from an argument, a file, standard input or by name.

    Rows are written as the engine produces them (a table a block at a time), so a large result
    needs no memory to speak of. A query that would reach outside the graph (SERVICE, LOAD,
    FROM a URL or file) exits 2."""
    from .model.errors import QueryFailedError, QueryRefusedError, QuerySyntaxError
    from .serve.query import FORMATS, bind, named_queries, named_query, write_result

    if list_queries:
        for q in named_queries().values():
            typer.echo(f"{q.name:<22} {q.title}")
            typer.echo(f"{'':<22} {q.description}")
            for p in q.params:
                typer.echo(f"{'':<22}   --param {p.name}=…  ({p.kind}) {p.description}")
        return
    sources = [x for x in (sparql, file, name) if x is not None]
    if len(sources) > 1:
        _fail("give one query: an argument, --file or --name")
    if fmt not in FORMATS:
        _fail(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    try:
        if name is not None:
            text = named_query(name).text
        elif file is not None:
            if not file.is_file():
                _fail(f"no such query file: {file}")
            text = file.read_text(encoding="utf-8")
        elif sparql is not None and sparql != "-":
            text = sparql
        elif sparql == "-" or not sys.stdin.isatty():
            text = sys.stdin.read()
        else:
            _fail("no query: give one as an argument, with --file, with --name, or on standard input")
        values = _params(param)
        if values and name is None:
            _fail("--param is for named queries")
        graph = _store(build_dir, store, endpoint)
        with _time_limit(timeout):
            bindings = bind(graph, named_query(name), values) if name is not None else None
            stream = graph.stream(text, bindings)
            if fmt == "table" and stream.kind == "select":
                _print_table(stream, graph, iris)
            else:
                if bom and fmt in ("csv", "tsv"):
                    sys.stdout.write("\ufeff")
                write_result(stream, fmt, sys.stdout)
        sys.stdout.flush()
    except QueryRefusedError as exc:
        _fail(str(exc))
    except (QuerySyntaxError, QueryFailedError) as exc:
        typer.echo(f"kg: {exc}", err=True)
        raise typer.Exit(1)
    except KGError as exc:
        _fail(str(exc))


def _print_table(stream, store, iris: bool) -> None:
    from rich.console import Console

    from .serve.terminal import plural, print_table

    # At a terminal the table fits its width; piped, it is as wide as its content.
    console = Console(width=None if sys.stdout.isatty() else 100_000, highlight=False, soft_wrap=False)
    count = print_table(console, stream.variables, stream.items, store, iris)
    typer.echo(plural(count, "row") if count else "(no results)", err=True)


def _time_limit(seconds: float):
    """Stop the whole process after `seconds`, with a message and exit code 1. A watchdog
    thread, not a signal: engines compute in native code where Python signals wait, and
    pyoxigraph and rdflib both let other threads run meanwhile."""
    import contextlib
    import os
    import threading

    @contextlib.contextmanager
    def limit():
        def stop() -> None:
            sys.stdout.flush()
            sys.stderr.write(f"\nkg: the query ran longer than --timeout {seconds:g} s and was stopped; "
                             "add a LIMIT, narrow it down, or give a longer --timeout\n")
            sys.stderr.flush()
            os._exit(1)

        timer = threading.Timer(seconds, stop)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    return limit()


def _show(answer, tables, text, as_json: bool, csv: Optional[Path], view: str, bom: bool, xlsx: Optional[Path]) -> None:
    """Compute a view (`answer()`), write its tables where asked, print it as text or JSON."""
    from .serve import frames

    try:
        result = answer()
        _tables(tables(result), csv, view, bom, xlsx)
    except KGError as exc:
        _fail(str(exc))
    typer.echo(frames.to_json(result) if as_json else text(result))


def _tables(tables: dict, csv: Optional[Path], view: str, bom: bool, xlsx: Optional[Path]) -> None:
    """Write a view as CSV and/or every view as an Excel workbook (one sheet each)."""
    from .serve import frames

    if csv is not None:
        if view not in tables:
            _fail(f"--view takes one of {', '.join(tables)}, not {view!r}")
        typer.echo(f"wrote {frames.write(csv, frames.csv_bytes(tables[view], bom))}", err=True)
    if xlsx is not None:
        typer.echo(f"wrote {frames.write(xlsx, frames.xlsx_bytes(tables))}", err=True)


# Options the view commands (chain, place, compare, figures) share.
AS_OF = typer.Option(None, "--as-of", help="Only what articles dated up to this ISO date (2023-06-30, 2023) state.")
AS_JSON = typer.Option(False, "--json", help="Print the answer as JSON.")
VIEW_CSV = typer.Option(None, "--csv", help="Also write one view (--view) as CSV (UTF-8; --bom for Excel) to this file.")
TABLE_CSV = typer.Option(None, "--csv", help="Also write the table as CSV (UTF-8; --bom for Excel) to this file.")
BOM = typer.Option(False, "--bom", help="Start the CSV with a UTF-8 byte-order mark (for Excel).")
VIEWS_XLSX = typer.Option(None, "--xlsx", help="Also write every view as an Excel workbook, one sheet per view.")
TABLE_XLSX = typer.Option(None, "--xlsx", help="Also write the table as an Excel workbook.")
BUILD_DIR = typer.Option(BUILD, "--build", help="The folder `kg build` wrote.")
STORE = typer.Option("auto", "--store", help="rdflib, oxigraph or auto (by size).")
ENDPOINT = typer.Option(None, "--endpoint", help=ENDPOINT_HELP)


@app.command()
def chain(
    industry: str = typer.Argument(..., help="A chain or an industry: 集成电路, 智能光伏, 光伏产业, an IRI …"),
    city: Optional[str] = typer.Option(None, "--city", help="This place's companies, platforms and gaps."),
    quotes: int = typer.Option(1, "--quotes", min=0, help="Quotes to show per company."),
    candidates: int = typer.Option(3, "--candidates", min=0, help="Candidates to show per gap (all in --json/--csv)."),
    as_of: Optional[str] = AS_OF,
    as_json: bool = AS_JSON,
    csv: Optional[Path] = VIEW_CSV,
    view: str = typer.Option("companies", "--view", help="The view --csv writes: segments, companies, platforms, gaps."),
    bom: bool = BOM,
    xlsx: Optional[Path] = VIEWS_XLSX,
    build_dir: Path = BUILD_DIR,
    store: str = STORE,
    endpoint: Optional[str] = ENDPOINT,
) -> None:
    """An industrial chain segment by segment, upstream to downstream: companies (leaders first,
    county, city, quote), parks and platforms; with --city, the gaps and who elsewhere could fill them."""
    from .serve.chain import chain as find_chain, chain_frames, format_chain

    _show(lambda: find_chain(_store(build_dir, store, endpoint), industry, city, as_of), chain_frames,
          lambda r: format_chain(r, quotes, candidates), as_json, csv, view, bom, xlsx)


@app.command()
def place(
    name: str = typer.Argument(..., help="A place: 金华, 金华市, 义乌, an IRI …"),
    quotes: int = typer.Option(1, "--quotes", min=0, help="Quotes to show per leader."),
    as_of: Optional[str] = AS_OF,
    as_json: bool = AS_JSON,
    csv: Optional[Path] = VIEW_CSV,
    view: str = typer.Option("chains", "--view", help="The view --csv writes: chains, leaders, platforms, programmes, figures."),
    bom: bool = BOM,
    xlsx: Optional[Path] = VIEWS_XLSX,
    build_dir: Path = BUILD_DIR,
    store: str = STORE,
    endpoint: Optional[str] = ENDPOINT,
) -> None:
    """A place's profile: its chains and their segments, leaders, parks, platforms, programmes and
    latest figures with their year."""
    from .serve.place import format_place, place as place_view, place_frames

    _show(lambda: place_view(_store(build_dir, store, endpoint), name, as_of), place_frames,
          lambda r: format_place(r, quotes), as_json, csv, view, bom, xlsx)


@app.command()
def compare(
    names: list[str] = typer.Argument(..., help="Two or more places: 金华 台州 温州 …"),
    as_of: Optional[str] = AS_OF,
    as_json: bool = AS_JSON,
    csv: Optional[Path] = TABLE_CSV,
    bom: bool = BOM,
    xlsx: Optional[Path] = TABLE_XLSX,
    build_dir: Path = BUILD_DIR,
    store: str = STORE,
    endpoint: Optional[str] = ENDPOINT,
) -> None:
    """Places side by side on the same rows: chains, leaders, parks, platforms, programmes, figures."""
    from .serve.place import compare as compare_view, compare_frame, format_compare

    _show(lambda: compare_view(_store(build_dir, store, endpoint), names, as_of),
          lambda r: {"compare": compare_frame(r)}, format_compare, as_json, csv, "compare", bom, xlsx)


@app.command()
def figures(
    name: str = typer.Argument(..., help="A place: 金华, 台州市 …"),
    indicator: Optional[str] = typer.Option(None, "--indicator", help=(
        "One indicator: its code (dex-core-value-added), its name or a word of it (增加值).")),
    chart: Optional[Path] = typer.Option(None, "--chart", help="Also draw the series to this .png or .svg file."),
    as_of: Optional[str] = AS_OF,
    as_json: bool = AS_JSON,
    csv: Optional[Path] = TABLE_CSV,
    bom: bool = BOM,
    xlsx: Optional[Path] = TABLE_XLSX,
    build_dir: Path = BUILD_DIR,
    store: str = STORE,
    endpoint: Optional[str] = ENDPOINT,
) -> None:
    """A place's figures as series: one indicator of one region over the years, actual and target
    apart, as a table and (with --chart) a chart with Chinese labels."""
    from .serve.figures import chart as draw, format_series, series, series_frame

    def answer():
        result = series(_store(build_dir, store, endpoint), name, indicator, as_of)
        if chart is not None:
            typer.echo(f"wrote {draw(result, chart)}", err=True)
        return result

    _show(answer, lambda r: {"figures": series_frame(r)}, format_series, as_json, csv, "figures", bom, xlsx)


@app.command()
def viz(
    out: Path = typer.Option(None, "--output", "-o", help="Where to write the page (default: BUILD/graph.html)."),
    city: Optional[str] = typer.Option(None, "--city", help="Draw only this city's part of the map."),
    chain_name: Optional[str] = typer.Option(None, "--chain", help="Draw only this industry chain."),
    build_dir: Path = typer.Option(BUILD, "--build"),
    store: str = typer.Option("auto", "--store"),
) -> None:
    """Write the interactive cluster map: one self-contained HTML page that works offline."""
    from .serve.query import resolve_term
    from .serve.viz import summary, write_map

    try:
        graph = _store(build_dir, store, None)
        city_iri = str(resolve_term(graph, city, "place")) if city else None
        chain_iri = str(resolve_term(graph, chain_name, "industry")) if chain_name else None
        path = write_map(graph, out or build_dir / "graph.html", city_iri, chain_iri)
    except KGError as exc:
        _fail(str(exc))
    typer.echo(f"wrote {path}")
    for name, size, members in summary(graph, city_iri, chain_iri)[:8]:
        typer.echo(f"  cluster {name} ({size}): {'、'.join(members)}")


@app.command()
def serve(
    build_dir: Path = typer.Option(BUILD, "--build", help="The folder `kg build` wrote."),
    host: str = typer.Option("127.0.0.1", "--host", help="The address to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(8000, "--port"),
    store: str = typer.Option("oxigraph", "--store", help="oxigraph (the default, whatever the size) or rdflib."),
    workers: int = typer.Option(2, "--workers", min=1, help="Query worker processes (one is kept for short queries)."),
    timeout: float = typer.Option(10.0, "--timeout", min=0.1, help="Seconds a query may run."),
    max_results: int = typer.Option(10_000, "--max-results", min=1, help="Rows (or triples) a result may have."),
    per_client: int = typer.Option(8, "--per-client", min=1, help="Requests one client may have running or waiting."),
    max_body: int = typer.Option(1 << 20, "--max-body", min=1024, help="Bytes a request body may have."),
    cors: list[str] = typer.Option([], "--cors", help=(
        "Let web pages from this origin (e.g. https://yasgui.example) read the answers; repeatable. Default: none.")),
    allow_host: list[str] = typer.Option([], "--allow-host", help=(
        "Also answer requests whose Host header names this host (behind a proxy, the public name); repeatable.")),
    proxy: Optional[str] = typer.Option(None, "--proxy", help=(
        "The address of a reverse proxy whose X-Forwarded-For names the client (for the per-client limits).")),
    endpoint: Optional[str] = typer.Option(None, "--endpoint", help=ENDPOINT_HELP),
) -> None:
    """Serve the graph: a read-only SPARQL 1.1 endpoint (/sparql), entity pages (/id/…) and a web page (/)."""
    from .serve.app import serve as run_server
    from .serve.limits import Limits

    limits = Limits(bound_host=host, allowed_hosts=frozenset(h.lower() for h in allow_host),
                    cors_origins=tuple(cors), max_body=max_body)
    source = endpoint or build_dir
    typer.echo(f"kg: serving {source} at http://{host}:{port}/ (SPARQL endpoint: http://{host}:{port}/sparql)")
    try:
        run_server(build_dir, host, port, store, workers, timeout, max_results, endpoint, limits, per_client, proxy)
    except KGError as exc:
        _fail(str(exc))


def _numbers(option: str, text: str) -> list[int]:
    try:
        values = sorted({int(v.replace("_", "")) for v in text.split(",") if v.strip()})
    except ValueError:
        _fail(f"{option} takes whole numbers separated by commas, not {text!r}")
    if not values or values[0] < 1:
        _fail(f"{option} needs at least one number of 1 or more")
    return values


@app.command()
def bench(
    corpus: Path = typer.Option(CORPUS, "--corpus", help="The corpus to measure and to scale up."),
    scales: str = typer.Option("1,10,100", "--scales", help="Corpus sizes to build, as multiples of --corpus."),
    workers: int = typer.Option(2, "--workers", min=1, help="Worker processes for the scaled builds."),
    triples: str = typer.Option("1000000", "--triples", help="Sizes of the synthetic graphs for the stores (commas)."),
    large: bool = typer.Option(False, "--large", help=(
        "Also build the 1,000× corpus (~22 M chars) and measure the stores on ~10 M triples (about an hour).")),
    runs: int = typer.Option(5, "--runs", min=1, help="Runs per measurement (the median is reported)."),
    map_nodes: int = typer.Option(5000, "--map-nodes", min=10, help="Nodes of the cluster map to draw."),
    limit: float = typer.Option(60.0, "--limit", min=1.0, help="Seconds after which a query is stopped."),
    quick: bool = typer.Option(False, "--quick", help="A small run that checks the benchmark works (1×, 2×; 20k triples)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Also write the report (Markdown) here."),
    readme: Optional[Path] = typer.Option(None, "--readme", help=(
        "Put the report into this file between <!-- bench:start --> and <!-- bench:end -->.")),
    serve_load: bool = typer.Option(False, "--serve", help=(
        "Instead: `kg serve` under load on loopback (rdflib and Oxigraph stores): throughput, p50/p99, "
        "errors, server memory before and after.")),
    build_dir: Optional[Path] = typer.Option(None, "--build", help="With --serve: the graph to serve (default: "
                                                                   "--corpus built into a temporary folder)."),
    clients: int = typer.Option(20, "--clients", min=1, help="With --serve: concurrent clients."),
    slow_clients: int = typer.Option(5, "--slow-clients", min=0, help="With --serve: clients sending slow queries."),
    requests: int = typer.Option(50, "--requests", min=1, help="With --serve: requests per client."),
) -> None:
    """Measure speed and memory: stages vs the bare NER model, scaled builds (local and on
    Dask), incremental rebuilds, stores, the map; or, with --serve, the endpoint under load."""
    from .bench import run as run_bench
    from .build.files import write_atomic

    if serve_load:
        text = _serve_load(corpus, build_dir, clients, slow_clients, requests, workers, min(limit, 10.0))
        typer.echo(text)
        if output is not None:
            write_atomic(output, text.encode("utf-8"))
        return

    if quick:
        scales, triples, runs, map_nodes = "1,2", "20000", 1, 300
    factors, sizes = _numbers("--scales", scales), _numbers("--triples", triples)
    if large:
        factors, sizes = sorted({*factors, 1000}), sorted({*sizes, 10_000_000})
    if sizes[0] < 1000:
        _fail("--triples needs sizes of 1000 or more")
    try:
        report = run_bench(corpus, factors, workers, sizes, runs, map_nodes, limit,
                           log=lambda m: typer.echo(m, err=True))
    except KGError as exc:
        _fail(str(exc))
    text = report.markdown()
    typer.echo(text)
    if output is not None:
        write_atomic(output, text.encode("utf-8"))
    if readme is not None:
        _into_readme(readme, "bench", text)


def _serve_load(corpus: Path, build_dir: Path | None, clients: int, slow_clients: int, requests: int,
                workers: int, timeout: float) -> str:
    import tempfile

    from .loadtest import measure, summary

    with tempfile.TemporaryDirectory(prefix="kg-load-") as work:
        if build_dir is None:
            from .build.pipeline import build as run_build

            build_dir = Path(work) / "build"
            typer.echo(f"building {corpus} …", err=True)
            run_build(corpus, build_dir, use_cache=False)
        try:
            reports = measure(build_dir, clients=clients, slow_clients=slow_clients, requests=requests,
                              workers=workers, timeout=timeout, log=lambda m: typer.echo(m, err=True))
        except RuntimeError as exc:
            _fail(str(exc))
    return summary(reports, clients, slow_clients, workers, timeout)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
