"""The ordered stages, and the only module that imports them all.

    load → extraction → names                                   (per document, in a worker)
         → resolution of the names of all documents             (this process)
         → facts, RDF, SHACL validation, N-Quads/TriG/JSONL     (per document, in a worker)
         → joined into the graph files, written all or nothing  (this process)

Only what crosses documents happens here: resolution (which needs every document's names)
and joining the files (the union graph, the reference graph). Documents stream through in
order, a bounded number at a time, so no process holds the whole corpus or its graph; the
workers are local processes or a Dask cluster (`executor`), with the same bytes out.

Both kinds of per-document work are cached in `OUT/.cache` (JSON, never pickle): the
extraction by the document's content and the extractor's version, the document's files
by everything they are made from (its extraction, the entities of its names, the build
code). One more entry, the corpus index, keeps what the last build learnt of each file
(its document, by the file's size, times and inode) and of each extraction (its names),
so that an unchanged file is neither read nor hashed again, and resolution reads one
file rather than every extraction. A corrupt entry is ignored and rebuilt. And a rebuild
starts from the last build's files (`layout`): unchanged documents' parts and the union's
unchanged chunks are copied, not made or read again.
"""
from __future__ import annotations

import gc
import hashlib
import json
import os
import time
import zlib
from collections import Counter, deque
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

import pyoxigraph as ox
from rdflib import URIRef

from . import describe, emit, export, identifiers, layout
from ..model import codec
from ..model.errors import EmptyCorpusError, EndpointError, KGError, ValidationError
from ..extract import extract_document, extractor_version
from ..extract.load import DEFAULT_MAX_BYTES, load_corpus, read_article, scan_corpus
from .executor import executor_for
from .files import Appender, ShortSource, Staging, build_lock, write_atomic
from .resolve import document_names, resolve_document, resolve_names
from .serialise import (TURTLE_PREFIXES, SortedUnion, UnionFiles, UnionMismatch, graph_files, split_prefixes,
                        turtle_head, union_lines, update_union)
from ..model.resources import ontology_file
from ..model.terms import oxigraph_triples
from ..model.records import Document, DocumentExtraction, Entity, LoadProblem, Name, ResolvedDocument
from .validate import Validation, combine, validate_document, validate_triples

if TYPE_CHECKING:
    from .publish import PushReport

_BUILD = Path(__file__).resolve().parent


@cache
def build_version() -> str:
    """Changes whenever anything a document's graph files are made from changes: the
    extractor, the build code, the ontology and shapes (keys the document-files cache)."""
    digest = hashlib.sha256(extractor_version().encode())
    for path in [*sorted(_BUILD.glob("*.py")), ontology_file("kg.ttl"), ontology_file("shapes.ttl")]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------------- in the workers
@cache
def _prepare_process() -> None:
    """Load what every document needs (the model, the rules, the reference data, the shapes)
    once, then leave it out of the garbage collector's full passes (gc.freeze): it lives as
    long as the process, and walking its objects again on every full collection cost about
    a twentieth of the build."""
    from ..extract.engine import rules
    from ..extract.tagger import tagger
    from ..model.reference import reference
    from .validate import prepare_validation

    tagger(), rules(), reference(), prepare_validation()
    gc.collect()
    gc.freeze()


def extract_task(doc: Document) -> tuple[bytes, bytes, dict[str, float]]:
    """A document → (its extraction, its names, stage times), the first two encoded."""
    _prepare_process()
    times: dict[str, float] = {}
    extraction = extract_document(doc, times)
    return codec.dumps(extraction), codec.dumps(document_names(extraction), tuple[Name, ...]), times


@dataclass(frozen=True, slots=True)
class DocumentTable:
    """What a worker needs of the resolution to write one document: the entity of each of
    its names, and the administrative parents of its places that the corpus names."""
    names: tuple[tuple[Name, Entity], ...]
    context: tuple[Entity, ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentFiles:
    """One document's part of every output, as a worker sends it back (and as cached)."""
    nquads: bytes
    trig: bytes          # with its @prefix lines
    jsonl: bytes
    facts: int
    observations: int

    def pack(self) -> bytes:
        head = json.dumps([len(self.nquads), len(self.trig), len(self.jsonl), self.facts, self.observations])
        return zlib.compress(head.encode() + b"\n" + self.nquads + self.trig + self.jsonl, 1)

    @classmethod
    def unpack(cls, data: bytes) -> "DocumentFiles":
        try:
            raw = zlib.decompress(data)
            end = raw.index(b"\n")
            a, b, c, facts, observations = json.loads(raw[:end])
            body = raw[end + 1:]
            if len(body) != a + b + c or not all(isinstance(n, int) for n in (a, b, c, facts, observations)):
                raise ValueError("sizes do not match")
        except (zlib.error, ValueError, TypeError) as exc:
            raise codec.CodecError(f"not a document's files ({exc})") from None
        return cls(body[:a], body[a:a + b], body[a + b:], facts, observations)


def emit_task(extraction_data: bytes, doc: Document, table: DocumentTable,
              min_confidence: float) -> tuple[bytes | None, str, dict[str, float]]:
    """One document's facts, RDF, validation and file parts → (packed DocumentFiles or
    None if its graph does not conform, the validation report, stage times)."""
    _prepare_process()
    started = time.perf_counter()
    extraction = codec.loads(DocumentExtraction, extraction_data)
    # The cached extraction may be of the same content under another name or metadata.
    extraction = replace(extraction, document=replace(doc, text=extraction.document.text))
    entity_of = dict(table.names)
    entities = {e.iri: e for e in (*entity_of.values(), *table.context)}
    resolved = resolve_document(extraction, entity_of)
    triples = emit.document_triples(resolved, entities, min_confidence)
    rdf = time.perf_counter()
    validation = validate_document(triples, doc.name)
    times = {"rdf": rdf - started, "shacl": time.perf_counter() - rdf}
    if not validation.conforms:
        return None, validation.text, times
    nquads, trig = graph_files(emit.graph_iri(doc.name), triples)
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n"
                    for r in export.records([resolved], entities, min_confidence)).encode("utf-8")
    files = DocumentFiles(nquads, trig, jsonl, sum(1 for f in resolved.facts if f.confidence >= min_confidence),
                          sum(1 for o in resolved.observations if o.confidence >= min_confidence))
    times["files"] = time.perf_counter() - started - times["rdf"] - times["shacl"]
    return files.pack(), "", times


# ---------------------------------------------------------------------- in-memory extraction
Progress = Callable[[int, int], None]   # (documents done, documents in all), after each document


def extract_corpus(docs: Sequence[Document], workers: int = 1,
                   progress: Progress | None = None) -> list[DocumentExtraction]:
    """Extractions in the order of `docs` (for `kg extract`, `kg eval` and tests: small corpora)."""
    run = executor_for(None, workers)
    try:
        extractions = []
        for extraction in run.map(extract_document, ((doc,) for doc in docs)):
            extractions.append(extraction)
            if progress:
                progress(len(extractions), len(docs))
    except BaseException:
        run.close(abandon=True)
        raise
    run.close()
    return extractions


@dataclass
class Corpus:
    """A resolved corpus held in memory: what `kg extract` and `kg eval` score."""
    documents: list[Document]
    problems: list[LoadProblem]
    entities: dict[str, Entity]
    resolved: list[ResolvedDocument]
    times: dict[str, float] = field(default_factory=dict)
    identifiers: dict[str, identifiers.Identifier] = field(default_factory=dict)   # the registry after resolution


def extract(corpus_dir: Path, workers: int = 1, progress: Progress | None = None,
            previous_identifiers: dict[str, identifiers.Identifier] | None = None) -> Corpus:
    started = time.perf_counter()
    docs, problems = load_corpus(corpus_dir)
    times = {"load": time.perf_counter() - started}
    extractions = extract_corpus(docs, workers, progress)
    started = time.perf_counter()
    entity_of, registry = resolve_names((n for x in extractions for n in document_names(x)), previous_identifiers)
    resolved = [resolve_document(x, entity_of) for x in extractions]
    times["resolution"] = time.perf_counter() - started
    return Corpus(docs, problems, {e.iri: e for e in entity_of.values()}, resolved, times, registry)


# ---------------------------------------------------------------------- the cache
class _Cache:
    """Entries as files named by their key; anything unreadable counts as missing."""

    def __init__(self, folder: Path, tmp: Path) -> None:
        self.folder, self.tmp = folder, tmp

    def _path(self, key: str, kind: str) -> Path:
        return self.folder / f"{key}.{kind}"

    def has(self, key: str, kind: str) -> bool:
        return self._path(key, kind).is_file()

    def read(self, key: str, kind: str) -> bytes | None:
        try:
            return self._path(key, kind).read_bytes()
        except OSError:
            return None

    def write(self, key: str, kind: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(self._path(key, kind), data, self.tmp)

    def names(self, key: str) -> tuple[tuple[Name, ...], str] | None:
        """The names of a cached extraction and the entry's SHA-256, if it is intact (read
        from the extraction itself: for a document the corpus index does not know)."""
        data = self.read(key, "extraction")
        try:
            extraction = codec.loads(DocumentExtraction, data) if data is not None else None
        except codec.CodecError:
            return None
        return (document_names(extraction), hashlib.sha256(data).hexdigest()) if extraction else None

    def put_extraction(self, key: str, extraction: bytes) -> str:
        """Store an extraction; returns its SHA-256."""
        self.write(key, "extraction", extraction)
        return hashlib.sha256(extraction).hexdigest()

    def index(self) -> "_CorpusIndex | None":
        data = self.read("corpus", "index")
        try:
            index = codec.loads(_CorpusIndex, data) if data is not None else None
        except codec.CodecError:
            return None
        if index is None or not all(0 <= i < len(index.names) for x in index.extractions for i in x.names):
            return None
        return index

    def files(self, key: str) -> DocumentFiles | None:
        data = self.read(key, "files")
        try:
            return DocumentFiles.unpack(data) if data is not None else None
        except codec.CodecError:
            return None

    def layout(self) -> layout.Layout | None:
        data = self.read("build", "layout")
        try:
            return codec.loads(layout.Layout, data) if data is not None else None
        except codec.CodecError:
            return None

    def keep_layout(self, union: UnionFiles, record: layout.Layout, out_dir: Path) -> None:
        """Put the union's files into the cache and record where everything is (once the
        outputs are in place: the record holds their signatures)."""
        for name, path in zip(layout.UNION, (union.nt_path, union.counts_path)):
            os.replace(path, self.folder / name)
        self.write("build", "layout", codec.dumps(replace(record, files=layout.signatures(out_dir, self.folder))))

    def prune_files(self, keep: set[str]) -> None:
        """Drop document files no build will ask for again (they are keyed by the entities too)."""
        for path in self.folder.glob("*.files"):
            if path.stem not in keep:
                path.unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class _IndexedFile:
    signature: str               # load.file_signature when it was read
    document: Document           # as read then, without its text
    chars: int


@dataclass(frozen=True, slots=True)
class _IndexedExtraction:
    key: str
    sha256: str                  # of the cache's extraction entry, checked when it is read
    names: tuple[int, ...]       # positions in _CorpusIndex.names


@dataclass(frozen=True, slots=True)
class _CorpusIndex:
    """What the last build learnt of the corpus (see the module's docstring)."""
    files: tuple[_IndexedFile, ...]
    names: tuple[Name, ...]      # each distinct name once
    extractions: tuple[_IndexedExtraction, ...]


# ---------------------------------------------------------------------- building
@dataclass
class BuildResult:
    documents: list[Document]    # without their text
    problems: list[LoadProblem]
    entities: int
    files: dict[str, Path]
    triples: int
    facts: int
    observations: int
    times: dict[str, float]
    executor: str = ""
    pushed: "PushReport | None" = None


ENDPOINT_STATE = ".endpoint-state.json"   # what was last sent to each Graph Store endpoint
OUTPUTS = {"turtle": "graph.ttl", "trig": "graph.trig", "nquads": "graph.nq", "jsonl": "extraction.jsonl",
           "manifest": "manifest.json", "void": "void.ttl", "iris": identifiers.FILE, "map": "graph.html"}


@dataclass
class _Entry:
    doc: Document                # without its text
    key: str                     # of its extraction in the cache
    names: tuple[Name, ...] | None
    chars: int
    signature: str = ""          # of its file (load.file_signature)
    sha256: str = ""             # of its extraction entry


def _index_of(entries: list[_Entry]) -> _CorpusIndex:
    position: dict[Name, int] = {}
    extractions: dict[str, _IndexedExtraction] = {}
    for e in entries:
        if e.key not in extractions:
            extractions[e.key] = _IndexedExtraction(e.key, e.sha256,
                                                    tuple(position.setdefault(n, len(position)) for n in e.names))
    return _CorpusIndex(tuple(_IndexedFile(e.signature, e.doc, e.chars) for e in entries if e.signature),
                        tuple(position), tuple(extractions.values()))


def _metadata_of(doc: Document) -> dict[str, str]:
    """The metadata row a document was read with (for reading it again)."""
    return {"title": doc.title, "source": doc.source, "place": "|".join(doc.about), "date": doc.date,
            "publisher": doc.publisher, "url": doc.url}


def _extraction_key(doc: Document) -> str:
    return f"{doc.content_hash[:32]}-{extractor_version()}"


def _table(names: tuple[Name, ...], entity_of: dict[Name, Entity], by_iri: dict[str, Entity]) -> DocumentTable:
    pairs = tuple((n, entity_of[n]) for n in names)
    have = {e.iri for _, e in pairs}
    context = []
    for _, entity in pairs:
        parent = entity.parent
        while parent and parent not in have and parent in by_iri:
            have.add(parent)
            context.append(by_iri[parent])
            parent = by_iri[parent].parent
    return DocumentTable(pairs, tuple(context))


def _files_key(entry: _Entry, table: DocumentTable, min_confidence: float) -> str:
    plain = [entry.key, build_version(), min_confidence, codec.to_plain(replace(entry.doc, text="")),
             codec.to_plain(table)]
    return hashlib.sha256(json.dumps(plain, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


def _read_again(corpus_dir: Path, entry: _Entry, max_bytes: int) -> Document:
    """The document of an entry with its text, which must not have changed since the scan."""
    doc = read_article(Path(corpus_dir) / entry.doc.name, entry.doc.name, _metadata_of(entry.doc), max_bytes)
    if isinstance(doc, LoadProblem) or doc.content_hash != entry.doc.content_hash:
        raise KGError(f"{entry.doc.name} changed while the build was reading the corpus; build again")
    return doc


def prepare_output(out_dir: Path) -> Path:
    """The output folder, made if need be; a clear error if it cannot be."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise KGError(f"the output {out_dir} is a file, not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / ".kg-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise KGError(f"cannot write into the output folder {out_dir}: {exc.strerror or exc}") from None
    return out_dir


def build(corpus_dir: Path, out_dir: Path, *, min_confidence: float = 0.0, workers: int = 1,
          use_cache: bool = True, endpoint: str | None = None, executor: str | None = None,
          allow_empty: bool = False, max_document_bytes: int = DEFAULT_MAX_BYTES,
          finish: Callable[[Path], Iterable[str]] | None = None, progress: Progress | None = None) -> BuildResult:
    """Extract, resolve, emit, validate and write the graph, and load it into the Graph
    Store endpoint if one is given. All files or none: raises ValidationError (and leaves
    the previous outputs untouched) when the graph does not conform, EmptyCorpusError when
    no document could be read (unless `allow_empty`).

    `executor`: None for `workers` local processes, or `dask://HOST:PORT`. `finish`, if
    given, is called with the folder the files are staged in, once the graph files are
    there, and returns the names of further files it wrote there (the map), which are
    put in place with the rest. `progress(done, total)` is told how many documents are
    extracted: once the cache has been looked at, then after each document extracted."""
    out_dir = prepare_output(out_dir)
    started = describe.now()
    cpu = time.process_time()
    with build_lock(out_dir), Staging(out_dir) as staging:
        for reuse in (True, False):
            run = executor_for(executor, workers)
            try:
                result = _build(corpus_dir, staging, run, min_confidence, use_cache, allow_empty, max_document_bytes,
                                finish, progress, started, reuse)
            except (UnionMismatch, ShortSource):   # the last build's files are not what its layout says: built whole
                run.close(abandon=True)
                continue
            except BaseException:
                run.close(abandon=True)
                raise
            run.close()
            break
    result.times["main process CPU"] = time.process_time() - cpu
    if endpoint:
        from .publish import push

        started = time.perf_counter()
        try:
            result.pushed = push(endpoint, _graphs_of(result.files["nquads"]), out_dir / ENDPOINT_STATE)
        except EndpointError as exc:
            raise EndpointError(f"the graph was built in {out_dir} but not fully loaded into {endpoint}: {exc}") from None
        result.times["push"] = time.perf_counter() - started
    return result


def _build(corpus_dir: Path, staging: Staging, run, min_confidence: float, use_cache: bool, allow_empty: bool,
           max_document_bytes: int, finish, progress: Progress | None, build_started, reuse: bool) -> BuildResult:
    times: dict[str, float] = {}

    def add_times(more: dict[str, float]) -> None:
        for stage, seconds in more.items():
            times[stage] = times.get(stage, 0.0) + seconds

    cache_dir = staging.out_dir / ".cache" if use_cache else staging.path("extractions")
    store = _Cache(cache_dir, staging.folder)
    entries: list[_Entry] = []
    problems: list[LoadProblem] = []
    interned: dict[Name, Name] = {}

    # 1. every document extracted (or its extraction found in the cache), its names kept. The
    #    folder is read twice: once to look in the cache, once, when the work is handed out,
    #    for the documents to extract, so that no more than a window of texts is held. Files
    #    the corpus index knows unchanged are not read at all, nor their extractions.
    started = time.perf_counter()
    index = store.index() if use_cache else None
    known_files = {f.document.name: f for f in index.files} if index else {}
    known_names = {x.key: x for x in index.extractions} if index else {}

    def remembered(name: str, signature: str) -> Document | None:
        known = known_files.get(name)
        return known.document if known is not None and known.signature == signature else None

    for item, signature in scan_corpus(corpus_dir, max_document_bytes, remembered if use_cache else None):
        if isinstance(item, LoadProblem):
            problems.append(item)
            continue
        known = known_files.get(item.name)
        chars = known.chars if known is not None and item is known.document else len(item.text)
        entry = _Entry(replace(item, text=""), _extraction_key(item), None, chars, signature)
        indexed = known_names.get(entry.key)
        if indexed is not None:
            entry.names, entry.sha256 = tuple(index.names[i] for i in indexed.names), indexed.sha256
        elif use_cache and (found := store.names(entry.key)) is not None:
            entry.names, entry.sha256 = found
        entries.append(entry)
    missing = [e for e in entries if e.names is None]
    if progress:
        progress(len(entries) - len(missing), len(entries))
    waiting: deque[_Entry] = deque()

    def to_extract():
        for entry in missing:
            waiting.append(entry)
            yield (_read_again(corpus_dir, entry, max_document_bytes),)

    done = len(entries) - len(missing)
    for extraction, names, doc_times in run.map(extract_task, to_extract()):
        entry = waiting.popleft()
        entry.names = codec.loads(tuple[Name, ...], names)
        entry.sha256 = store.put_extraction(entry.key, extraction)
        add_times(doc_times)
        done += 1
        if progress:
            progress(done, len(entries))
    for entry in entries:
        entry.names = tuple(interned.setdefault(n, n) for n in entry.names)
    if use_cache:
        store.write("corpus", "index", codec.dumps(_index_of(entries)))
    times["extract (wall)"] = time.perf_counter() - started
    if not entries and not allow_empty:
        raise EmptyCorpusError(corpus_dir, problems, staging.out_dir)

    # 2. resolution: the only step that sees every document
    started = time.perf_counter()
    entity_of, registry = resolve_names((n for e in entries for n in e.names),
                                        _previous_identifiers(staging.out_dir))
    by_iri = {e.iri: e for e in entity_of.values()}
    times["resolution"] = time.perf_counter() - started

    # 3. each document's files, joined in order: copied from the last build's outputs where
    #    nothing they are made of changed, else found in the cache or made by the workers
    started = time.perf_counter()
    version = f"{build_version()}-{min_confidence}"
    last = store.layout() if use_cache and reuse else None
    if not layout.usable(last, version, staging.out_dir, store.folder):
        last = None
    placed_before = {p.graph: p for p in last.documents} if last else {}
    plan = []   # (entry, key of its files, its place in the last build's files if they are the same, cached)
    for entry in entries:
        key = _files_key(entry, _table(entry.names, entity_of, by_iri), min_confidence)
        placed = placed_before.get(str(emit.graph_iri(entry.doc.name)))
        if placed is not None and placed.files_key == key:
            plan.append((entry, key, placed, True))
        else:
            plan.append((entry, key, None, use_cache and store.has(key, "files")))

    def extraction_of(entry: _Entry) -> bytes:
        data = store.read(entry.key, "extraction")
        if data is not None and hashlib.sha256(data).hexdigest() == entry.sha256:
            return data
        # gone or damaged since its names were indexed: made again, here (it must give the same names)
        data, names, _ = extract_task(_read_again(corpus_dir, entry, max_document_bytes))
        if codec.loads(tuple[Name, ...], names) != entry.names:
            raise KGError(f"{entry.doc.name} changed while the build was reading the corpus; build again")
        entry.sha256 = store.put_extraction(entry.key, data)
        return data

    def emit_args(entry: _Entry):
        return extraction_of(entry), entry.doc, _table(entry.names, entity_of, by_iri), min_confidence

    made = run.map(emit_task, (emit_args(e) for e, _, _, cached in plan if not cached))
    sizes = describe.Sizes()
    failures: list[Validation] = []
    placed_now: list[layout.PlacedDocument] = []
    union = SortedUnion(staging.folder)
    change: Counter[bytes] = Counter()    # per union line, the graphs added that hold it less those removed
    names = ["graph.ttl", "graph.trig", "graph.nq", "extraction.jsonl"]
    with ExitStack() as stack:
        before, last_union = stack.enter_context(layout.opened(last, staging.out_dir, store.folder)) \
            if last else ({}, None)
        nquads, trig, jsonl, turtle = (stack.enter_context(Appender(staging.path(name)))
                                       for name in ("graph.nq", "graph.trig", "extraction.jsonl", "graph.ttl"))
        trig.write(turtle_head(ox.RdfFormat.TRIG))
        turtle.write(turtle_head())

        def write(graph: URIRef, graph_nquads: bytes, graph_trig: bytes, in_union: bool = True):
            """→ (where its N-Quads went, where its TriG went, its triples)"""
            triples = graph_nquads.count(b"\n")
            if in_union:
                sizes.add_graph(graph, triples)
                if last is None:
                    union.add(union_lines(graph, graph_nquads))
            return nquads.write(graph_nquads), trig.write(split_prefixes(graph_trig)[1]), triples

        def lines_before(placed: layout.PlacedDocument) -> list[bytes]:
            data = os.pread(before["graph.nq"], placed.nquads[1], placed.nquads[0])
            return union_lines(URIRef(placed.graph), data).splitlines(keepends=True)

        for entry, key, placed, cached in plan:
            graph = emit.graph_iri(entry.doc.name)
            if placed is not None:
                sizes.add_graph(graph, placed.triples)
                placed_now.append(replace(placed, nquads=nquads.copy(before["graph.nq"], *placed.nquads),
                                          trig=trig.copy(before["graph.trig"], *placed.trig),
                                          jsonl=jsonl.copy(before["extraction.jsonl"], *placed.jsonl)))
                continue
            files = store.files(key) if cached else None
            if files is None:
                # a cache entry found corrupt only now is made here, out of the workers' order
                packed, report, doc_times = next(made) if not cached else emit_task(*emit_args(entry))
                add_times(doc_times)
                if packed is None:
                    failures.append(Validation(False, report, [entry.doc.name]))
                    continue
                files = DocumentFiles.unpack(packed)
                if use_cache:
                    store.write(key, "files", packed)
            at_nquads, at_trig, triples = write(graph, files.nquads, files.trig)
            placed_now.append(layout.PlacedDocument(str(graph), key, at_nquads, at_trig, jsonl.write(files.jsonl),
                                                    triples, files.facts, files.observations))
            if last is not None:
                change.update(union_lines(graph, files.nquads).splitlines(keepends=True))
                if (old := placed_before.get(str(graph))) is not None:
                    change.subtract(lines_before(old))
        if last is not None:
            kept = {p.graph for p in placed_now}
            for old in last.documents:
                if old.graph not in kept:
                    change.subtract(lines_before(old))
        times["documents (wall)"] = time.perf_counter() - started
        run.close()   # no more work for the workers: their memory is free before the files are joined
        validation = combine([*failures, _validate_reference(store if use_cache else None)])
        if not validation.conforms:
            raise ValidationError(validation.text)
        started = time.perf_counter()
        for graph, triples in ((emit.REFERENCE_GRAPH, _shared_triples()[0]), (emit.ONTOLOGY_GRAPH, _shared_triples()[1])):
            write(graph, *graph_files(graph, triples))
        union_files = stack.enter_context(UnionFiles(staging.folder, turtle))
        if last_union is not None:
            update_union(last_union, change, union_files)
        else:
            union.merge(union_files)
        # The description counts the graphs above, so it comes after them and outside their union.
        sizes.union, sizes.typed = union_files.triples, union_files.typed()
        times_of_build = describe.BuildTimes(build_started, describe.now(),
                                             _first_issued(staging.out_dir) or build_started.date())
        description = oxigraph_triples(describe.description_graph(sizes, [e.doc for e in entries], times_of_build,
                                                                  extractor_version()))
        validation = validate_triples(description, "description")
        if not validation.conforms:
            raise ValidationError(validation.text)
        write(describe.DESCRIPTION_GRAPH, *graph_files(describe.DESCRIPTION_GRAPH, description), in_union=False)
        description_turtle = ox.serialize(sorted(description, key=str), format=ox.RdfFormat.TURTLE,
                                          prefixes=TURTLE_PREFIXES)
        turtle.write(split_prefixes(description_turtle)[1])
    facts = sum(p.facts for p in placed_now)
    observations = sum(p.observations for p in placed_now)
    triples = sizes.union + len(set(description))
    staging.path("void.ttl").write_bytes(description_turtle)
    staging.path(identifiers.FILE).write_bytes(identifiers.dumps(registry))
    names += ["void.ttl", identifiers.FILE]
    manifest = {
        "extractor_version": extractor_version(),
        "issued": times_of_build.issued.isoformat(),
        "modified": times_of_build.ended.isoformat(),
        "min_confidence": min_confidence,
        "documents": [{"name": e.doc.name, "content_hash": e.doc.content_hash, "encoding": e.doc.encoding,
                       "graph": str(emit.graph_iri(e.doc.name))} for e in entries],
        "skipped": [{"name": p.path, "reason": p.reason} for p in problems],
        "counts": {"documents": len(entries), "entities": len(by_iri), "facts": facts,
                   "observations": observations, "triples": triples},
    }
    staging.path("manifest.json").write_bytes((json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode())
    times["serialise"] = time.perf_counter() - started
    if finish is not None:
        started = time.perf_counter()
        names += list(finish(staging.folder))
        times["map"] = time.perf_counter() - started
    files = staging.commit([*names, "manifest.json"])
    if use_cache:
        store.prune_files({key for _, key, _, _ in plan})
        store.keep_layout(union_files, layout.Layout.of(version, placed_now, union_files.chunks), staging.out_dir)
    kinds = {v: k for k, v in OUTPUTS.items()}
    return BuildResult([e.doc for e in entries], problems, len(by_iri),
                       {kinds.get(name, Path(name).stem): path for name, path in files.items()},
                       triples, facts, observations, times, run.description)


@cache
def _shared_triples() -> tuple[list[ox.Triple], list[ox.Triple]]:
    return oxigraph_triples(emit.reference_graph()), oxigraph_triples(emit.ontology_graph())


def _previous_identifiers(out_dir: Path) -> dict[str, identifiers.Identifier]:
    """The IRIs the last build into `out_dir` minted (none on a first build)."""
    path = out_dir / identifiers.FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    return identifiers.loads(data, str(path))


def _first_issued(out_dir: Path):
    """The date the first build into `out_dir` issued the dataset, from its manifest."""
    from datetime import date

    try:
        return date.fromisoformat(json.loads((out_dir / OUTPUTS["manifest"]).read_text(encoding="utf-8"))["issued"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _validate_reference(store: _Cache | None) -> Validation:
    """The reference graph's validation, remembered per extractor version: the reference
    data ships with the code, so the same version always gives the same answer."""
    key = f"reference-{extractor_version()}"
    if store is not None and store.read(key, "conforms") is not None:
        return Validation(True)
    result = validate_triples(_shared_triples()[0], "reference")
    if result.conforms and store is not None:
        store.write(key, "conforms", b"")
    return result


def _graphs_of(nquads: Path) -> Iterable[tuple[str, list[ox.Triple]]]:
    """(graph IRI, its triples) of an N-Quads file whose graphs are contiguous, one at a time."""
    graph, triples = None, []
    for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
        if quad.graph_name != graph:
            if graph is not None:
                yield graph.value, triples
            graph, triples = quad.graph_name, []
        triples.append(quad.triple)
    if graph is not None:
        yield graph.value, triples
