"""The ordered stages, and the only module that imports them all.

    load → sentences → tags → mentions → relations, figures      (per document)
         → resolution                                           (whole corpus)
         → RDF → SHACL validation → files                       (per document, then joined)

Per-document extraction is a pure function of the document's text and the extractor's
code and reference data, so its result is cached by content hash and may run in worker
processes; resolution sees every document at once and decides IRIs.
"""
from __future__ import annotations

import json
import pickle
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

import pyoxigraph as ox
from rdflib import URIRef

from . import emit, export
from ..model.errors import EndpointError, ValidationError
from ..extract import extract_document, extractor_version
from ..extract.load import load_corpus
from .resolve import resolve
from .files import bytes_writer, write_all_atomic, write_atomic
from .serialise import graph_writers, union
from ..model.terms import oxigraph_triples
from ..model.records import Document, DocumentExtraction, Entity, LoadProblem, ResolvedDocument
from .validate import Validation, combine, validate_document, validate_triples

if TYPE_CHECKING:
    from .publish import PushReport

def _extract_timed(doc: Document) -> tuple[DocumentExtraction, dict[str, float]]:
    times: dict[str, float] = {}
    return extract_document(doc, times), times


Progress = Callable[[int, int], None]   # (documents done, documents in all), after each document


def extract_corpus(docs: Sequence[Document], workers: int = 1, cache_dir: Path | None = None,
                   times: dict[str, float] | None = None, progress: Progress | None = None) -> list[DocumentExtraction]:
    """Extractions in the order of `docs`; unchanged documents come from the cache."""
    results: dict[str, DocumentExtraction] = {}
    todo = []
    for doc in docs:
        cached = _cache_read(cache_dir, doc) if cache_dir else None
        if cached is not None:
            results[doc.name] = cached
        else:
            todo.append(doc)
    if progress:
        progress(len(results), len(docs))
    if todo:
        if workers > 1 and len(todo) > 1:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                done = list(_reporting(pool.map(_extract_timed, todo, chunksize=max(1, len(todo) // (workers * 4))),
                                       progress, len(results), len(docs)))
        else:
            done = list(_reporting(map(_extract_timed, todo), progress, len(results), len(docs)))
        for doc, (extraction, doc_times) in zip(todo, done):
            results[doc.name] = extraction
            if times is not None:
                for stage, seconds in doc_times.items():
                    times[stage] = times.get(stage, 0.0) + seconds
            if cache_dir:
                _cache_write(cache_dir, extraction)
    return [results[doc.name] for doc in docs]


def _reporting(items, progress: Progress | None, done: int, total: int):
    for item in items:
        done += 1
        if progress:
            progress(done, total)
        yield item


def _cache_path(cache_dir: Path, doc: Document) -> Path:
    return cache_dir / f"{doc.content_hash[:32]}-{extractor_version()}.pickle"


def _cache_read(cache_dir: Path, doc: Document) -> DocumentExtraction | None:
    path = _cache_path(cache_dir, doc)
    try:
        with path.open("rb") as handle:
            extraction = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        return None
    # Same content under another name or metadata: reuse the work, keep this document.
    if extraction.document != doc:
        extraction = DocumentExtraction(doc, extraction.sentences, extraction.mentions,
                                        extraction.relations, extraction.figures)
    return extraction


def _cache_write(cache_dir: Path, extraction: DocumentExtraction) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(_cache_path(cache_dir, extraction.document), pickle.dumps(extraction, protocol=5))


# ---------------------------------------------------------------------- building
@dataclass
class Corpus:
    """The resolved corpus: what every output is made from."""
    documents: list[Document]
    problems: list[LoadProblem]
    entities: dict[str, Entity]
    resolved: list[ResolvedDocument]
    times: dict[str, float] = field(default_factory=dict)


def extract(corpus_dir: Path, workers: int = 1, cache_dir: Path | None = None, progress: Progress | None = None) -> Corpus:
    times: dict[str, float] = {}
    started = time.perf_counter()
    docs, problems = load_corpus(corpus_dir)
    times["load"] = time.perf_counter() - started
    extractions = extract_corpus(docs, workers, cache_dir, times, progress)
    started = time.perf_counter()
    entities, resolved = resolve(extractions)
    times["resolution"] = time.perf_counter() - started
    return Corpus(docs, problems, entities, resolved, times)


@dataclass
class BuildResult:
    corpus: Corpus
    files: dict[str, Path]
    triples: int
    facts: int
    observations: int
    validation: Validation
    pushed: "PushReport | None" = None


ENDPOINT_STATE = ".endpoint-state.json"   # what was last sent to each Graph Store endpoint
OUTPUTS = {"turtle": "graph.ttl", "trig": "graph.trig", "nquads": "graph.nq", "jsonl": "extraction.jsonl",
           "manifest": "manifest.json"}


def named_triples(corpus: Corpus, min_confidence: float = 0.0) -> dict[URIRef, list[ox.Triple]]:
    """Graph IRI → its triples: one graph per document, then the reference data and the
    ontology. Each document's rdflib graph is converted as soon as it is made, so only one
    is held at a time."""
    named = {emit.graph_iri(r.document.name): oxigraph_triples(emit.document_graph(r, corpus.entities, min_confidence))
             for r in corpus.resolved}
    named[emit.REFERENCE_GRAPH], named[emit.ONTOLOGY_GRAPH] = _shared_triples()
    return named


@cache
def _shared_triples() -> tuple[list[ox.Triple], list[ox.Triple]]:
    return oxigraph_triples(emit.reference_graph()), oxigraph_triples(emit.ontology_graph())


def build(corpus_dir: Path, out_dir: Path, *, min_confidence: float = 0.0, workers: int = 1,
          use_cache: bool = True, endpoint: str | None = None, progress: Progress | None = None) -> BuildResult:
    """Extract, resolve, emit, validate and write the graph, and load it into the Graph
    Store endpoint if one is given; `progress(done, total)` is told of each document extracted. Raises ValidationError (and leaves the previous outputs
    untouched) when the graph does not conform."""
    out_dir = Path(out_dir)
    cache_dir = out_dir / ".cache" if use_cache else None
    corpus = extract(corpus_dir, workers, cache_dir, progress)
    started = time.perf_counter()
    triples = named_triples(corpus, min_confidence)
    corpus.times["rdf"] = time.perf_counter() - started
    started = time.perf_counter()
    validation = combine([validate_document(triples[emit.graph_iri(r.document.name)], r.document.name)
                          for r in corpus.resolved] + [_validate_reference(cache_dir)])
    corpus.times["shacl"] = time.perf_counter() - started
    if not validation.conforms:
        raise ValidationError(validation.text)
    started = time.perf_counter()
    merged = union(triples)
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n"
                    for r in export.records(corpus.resolved, corpus.entities, min_confidence))
    facts = sum(1 for r in corpus.resolved for f in r.facts if f.confidence >= min_confidence)
    observations = sum(1 for r in corpus.resolved for o in r.observations if o.confidence >= min_confidence)
    manifest = {
        "extractor_version": extractor_version(),
        "min_confidence": min_confidence,
        "documents": [{"name": d.name, "content_hash": d.content_hash, "graph": str(emit.graph_iri(d.name))}
                      for d in corpus.documents],
        "skipped": [{"name": p.path, "reason": p.reason} for p in corpus.problems],
        "counts": {"documents": len(corpus.documents), "entities": len(corpus.entities), "facts": facts,
                   "observations": observations, "triples": len(merged)},
    }
    writers = graph_writers(triples, merged)
    writers["jsonl"] = bytes_writer(jsonl.encode("utf-8"))
    writers["manifest"] = bytes_writer((json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    files = {kind: out_dir / OUTPUTS[kind] for kind in writers}
    write_all_atomic({files[kind]: writer for kind, writer in writers.items()})
    corpus.times["serialise"] = time.perf_counter() - started
    pushed = None
    if endpoint:
        from .publish import push

        started = time.perf_counter()
        try:
            pushed = push(endpoint, triples, out_dir / ENDPOINT_STATE)
        except EndpointError as exc:
            raise EndpointError(f"the graph was built in {out_dir} but not fully loaded into {endpoint}: {exc}") from None
        corpus.times["push"] = time.perf_counter() - started
    return BuildResult(corpus, files, len(merged), facts, observations, validation, pushed)


def _validate_reference(cache_dir: Path | None) -> Validation:
    """The reference graph's validation, remembered per extractor version: the reference
    data ships with the code, so the same version always gives the same answer."""
    marker = cache_dir / f"reference-{extractor_version()}.conforms" if cache_dir else None
    if marker is not None and marker.is_file():
        return Validation(True)
    result = validate_triples(_shared_triples()[0], "reference")
    if result.conforms and marker is not None:
        write_atomic(marker, b"")
    return result
