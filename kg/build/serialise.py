"""RDF out: the graph files written by Oxigraph's serialisers (rdflib's take some 30 times
longer on our graphs), one named graph at a time.

Each graph's triples are sorted in N-Triples order: each subject's triples together (one
Turtle block), and the same bytes on every build (rdflib hands the parsed reference data
over in an order that changes with Python's string hashing). A worker writes its
document's N-Quads and TriG; the build joins them in document order (the TriG's prefixes
once) and writes the union of all graphs as Turtle. A first build sorts the union through
`SortedUnion`, which never holds more than a bounded part of it; the union is kept, with
the number of graphs that hold each line, in chunks of whole subjects (`UnionChunk`), so
that a rebuild applies the changed documents' lines (`update_union`) and serialises again
only the chunks they touch."""
from __future__ import annotations

import bisect
import heapq
import os
from array import array
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Sequence

import pyoxigraph as ox
from rdflib import URIRef

from .describe import typed_counts
from .emit import PREFIXES
from .files import Appender

# Prefixes whose local names stay readable ("id:" would escape the "/" in every entity IRI).
TURTLE_PREFIXES = {name: str(ns) for name, ns in PREFIXES.items() if name != "id"}


def graph_files(graph: URIRef, triples: list[ox.Triple]) -> tuple[bytes, bytes]:
    """(N-Quads, TriG) of one named graph."""
    name = ox.NamedNode(str(graph))
    quads = [ox.Quad(t.subject, t.predicate, t.object, name) for t in sorted(triples, key=str)]
    return (ox.serialize(quads, format=ox.RdfFormat.N_QUADS),
            ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=TURTLE_PREFIXES))


def split_prefixes(trig: bytes) -> tuple[bytes, bytes]:
    """(the @prefix lines, the rest) of a TriG or Turtle text from `graph_files`."""
    end = 0
    while trig.startswith(b"@prefix ", end):
        end = trig.index(b"\n", end) + 1
    return trig[:end], trig[end:]


def union_lines(graph: URIRef, nquads: bytes) -> bytes:
    """The N-Triples text of one named graph's N-Quads (each line ends in the graph's name;
    a line break inside a literal is escaped, so the name and the break end a line only)."""
    return nquads.replace(f" <{graph}> .\n".encode(), b" .\n")


CHUNK_BYTES = 1 << 14   # the union's lines in runs of whole subjects of about this size (see UnionChunk)


@dataclass(frozen=True, slots=True)
class UnionChunk:
    """A run of whole subjects of the sorted union, the unit a rebuild copies or makes
    again: where its lines and their counts (the graphs that hold each line) are in the
    union's files, where its Turtle is in graph.ttl, and the entities it types. A
    subject's lines are contiguous in the sorted union (they share the prefix "<s> "),
    so a chunk holds the lines from its `first` subject's up to the next chunk's."""
    first: str
    lines: int
    nt: tuple[int, int]          # (offset, length) in the union's N-Triples
    counts: tuple[int, int]      # in its counts, one unsigned 32-bit integer per line
    turtle: tuple[int, int]      # in graph.ttl
    typed: tuple[int, ...]       # describe.typed_counts of its lines


@cache
def turtle_head(kind: ox.RdfFormat = ox.RdfFormat.TURTLE) -> bytes:
    """The @prefix lines every Turtle or TriG file of the build starts with."""
    node = ox.NamedNode("urn:x")
    statement = ox.Quad(node, node, node, node) if kind == ox.RdfFormat.TRIG else ox.Triple(node, node, node)
    return split_prefixes(ox.serialize([statement], format=kind, prefixes=TURTLE_PREFIXES))[0]


def turtle_body(ntriples: bytes) -> bytes:
    """The Turtle of sorted N-Triples lines, without its @prefix lines. Oxigraph's Turtle of
    whole subjects does not depend on what comes before, so chunks' bodies joined are the
    Turtle of the lines joined."""
    turtle = ox.serialize(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.TURTLE,
                          prefixes=TURTLE_PREFIXES)
    return split_prefixes(turtle)[1]


class UnionFiles:
    """The union being written: its N-Triples and counts (kept in the build cache for the
    next build) and the body of graph.ttl, chunk by chunk."""

    def __init__(self, folder: Path, turtle: Appender) -> None:
        self.nt_path, self.counts_path = Path(folder) / "union.nt", Path(folder) / "union.counts"
        self.nt, self.counts = Appender(self.nt_path), Appender(self.counts_path)
        self.turtle = turtle
        self.chunks: list[UnionChunk] = []

    def make(self, lines: list[bytes], counts: array) -> None:
        """A chunk made now (serialised)."""
        ntriples = b"".join(lines)
        self.chunks.append(UnionChunk(_subject(lines[0]).decode(), len(lines), self.nt.write(ntriples),
                                      self.counts.write(counts.tobytes()), self.turtle.write(turtle_body(ntriples)),
                                      typed_counts(ntriples)))

    def keep(self, chunk: UnionChunk, last: "LastUnion", counts: array | None = None) -> None:
        """A chunk of the last build's union with the same lines (its counts may have changed)."""
        counted = self.counts.copy(last.counts, *chunk.counts) if counts is None else self.counts.write(counts.tobytes())
        self.chunks.append(replace(chunk, nt=self.nt.copy(last.nt, *chunk.nt), counts=counted,
                                   turtle=self.turtle.copy(last.turtle, *chunk.turtle)))

    def close(self) -> None:
        self.nt.close()
        self.counts.close()

    def __enter__(self) -> "UnionFiles":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    @property
    def triples(self) -> int:
        return sum(c.lines for c in self.chunks)

    def typed(self) -> tuple[int, ...]:
        return tuple(map(sum, zip(*(c.typed for c in self.chunks)))) or typed_counts(b"")


def _subject(line: bytes) -> bytes:
    """The "<s> " a union line starts with (an IRI or a blank node: neither holds a space)."""
    return line[:line.index(b" ") + 1]


class _Chunker:
    """Cuts sorted lines into chunks of whole subjects of about `size` bytes each."""

    def __init__(self, files: UnionFiles, size: int | None = None) -> None:
        self.files, self.target = files, size or CHUNK_BYTES
        self._reset()

    def _reset(self) -> None:
        self.lines: list[bytes] = []
        self.counts = array("I")
        self.size, self.boundary = 0, None

    def add(self, line: bytes, count: int = 1) -> None:
        if self.boundary is not None and not line.startswith(self.boundary):
            self.flush()
        self.lines.append(line)
        self.counts.append(count)
        self.size += len(line)
        if self.boundary is None and self.size >= self.target:
            self.boundary = _subject(line)

    def again(self) -> None:
        """The last line added, once more (from another graph)."""
        self.counts[-1] += 1

    def flush(self) -> None:
        if self.lines:
            self.files.make(self.lines, self.counts)
        self._reset()


class SortedUnion:
    """The union of many graphs' N-Triples lines, sorted, each once with the number of
    graphs that hold it, and at most `limit` lines in memory: past that, the lines are
    written out as a sorted run, and the runs are merged at the end. (Sorting lines as
    bytes is sorting them by code point, which is the N-Triples order of `graph_files`.)"""

    def __init__(self, folder: Path, limit: int = 50_000) -> None:
        self.folder, self.limit = Path(folder), limit
        self.lines: list[bytes] = []
        self.runs: list[Path] = []

    def add(self, ntriples: bytes) -> None:
        """One graph's N-Triples text."""
        self.lines.extend(ntriples.splitlines(keepends=True))
        if len(self.lines) >= self.limit:
            run = self.folder / f"union-{len(self.runs)}.nt"
            self.lines.sort()
            run.write_bytes(b"".join(self.lines))
            self.runs.append(run)
            self.lines = []

    def merge(self, files: UnionFiles) -> None:
        """Write the union into `files`, chunk by chunk."""
        self.lines.sort()
        handles = [run.open("rb") for run in self.runs]
        chunker = _Chunker(files)
        try:
            last = None
            for line in heapq.merge(*handles, self.lines):
                if line == last:
                    chunker.again()
                else:
                    chunker.add(line)
                    last = line
            chunker.flush()
        finally:
            for handle in handles:
                handle.close()
        for path in self.runs:
            path.unlink()
        self.runs, self.lines = [], []


@dataclass
class LastUnion:
    """The last build's union, open for reading: its chunks and the descriptors of its files."""
    chunks: Sequence[UnionChunk]
    nt: int
    counts: int
    turtle: int


class UnionMismatch(Exception):
    """The last build's union does not hold what its graphs say it should."""


def update_union(last: LastUnion, change: dict[bytes, int], files: UnionFiles) -> None:
    """Write into `files` the last union with `change` applied (per line, the graphs added
    that hold it less those removed): chunks without a changed line are copied, with their
    Turtle, and only the others are cut and serialised again."""
    firsts = [c.first.encode() for c in last.chunks]
    changes: dict[int, list[tuple[bytes, int]]] = {}
    for line in sorted(line for line, n in change.items() if n):
        changes.setdefault(max(bisect.bisect_right(firsts, line) - 1, 0), []).append((line, change[line]))
    for i, chunk in enumerate(last.chunks or [None]):
        mine = changes.get(i)
        if not mine:
            if chunk is not None:
                files.keep(chunk, last)
            continue
        lines, counts = _read_chunk(last, chunk)
        same_lines = True
        for line, n in mine:
            at = bisect.bisect_left(lines, line)
            if at < len(lines) and lines[at] == line:
                if counts[at] + n < 0:
                    raise UnionMismatch(line)
                counts[at] += n
                same_lines = same_lines and counts[at] > 0
            elif n > 0:
                lines.insert(at, line)
                counts.insert(at, n)
                same_lines = False
            else:
                raise UnionMismatch(line)
        if same_lines:
            files.keep(chunk, last, counts)
            continue
        kept = [(line, n) for line, n in zip(lines, counts) if n]
        size = sum(len(line) for line, _ in kept)
        # cut again only when it has grown well past the size: a chunk a little larger stays whole
        chunker = _Chunker(files, CHUNK_BYTES if size > 2 * CHUNK_BYTES else size + 1)
        for line, n in kept:
            chunker.add(line, n)
        chunker.flush()


def _read_chunk(last: LastUnion, chunk: UnionChunk | None) -> tuple[list[bytes], array]:
    if chunk is None:
        return [], array("I")
    lines = os.pread(last.nt, chunk.nt[1], chunk.nt[0]).splitlines(keepends=True)
    counts = array("I", os.pread(last.counts, chunk.counts[1], chunk.counts[0]))
    if len(lines) != chunk.lines or len(counts) != chunk.lines:
        raise UnionMismatch(chunk.first)
    return lines, counts
