"""RDF out: the graph files written by Oxigraph's serialisers (rdflib's take some 30 times
longer on our graphs), one named graph at a time.

Each graph's triples are sorted in N-Triples order: each subject's triples together (one
Turtle block), and the same bytes on every build (rdflib hands the parsed reference data
over in an order that changes with Python's string hashing). A worker writes its
document's N-Quads and TriG; the build joins them in document order (the TriG's prefixes
once) and writes the union of all graphs as Turtle through `SortedUnion`, which never
holds more than a bounded part of it."""
from __future__ import annotations

import heapq
import itertools
from pathlib import Path
from typing import BinaryIO, Iterator, Sequence

import pyoxigraph as ox
from rdflib import URIRef

from .emit import PREFIXES

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


class SortedUnion:
    """The union of many graphs' N-Triples lines, sorted and each once, with at most
    `limit` lines in memory: past that, the lines are written out as a sorted run, and the
    runs are merged at the end. (Sorting lines as bytes is sorting them by code point,
    which is the N-Triples order of `graph_files`.)"""

    def __init__(self, folder: Path, limit: int = 50_000) -> None:
        self.folder, self.limit = Path(folder), limit
        self.lines: set[bytes] = set()
        self.runs: list[Path] = []
        self.merged = self.folder / "union.nt"

    def add(self, ntriples: bytes) -> None:
        """One graph's N-Triples text."""
        self.lines.update(ntriples.splitlines(keepends=True))
        if len(self.lines) >= self.limit:
            run = self.folder / f"union-{len(self.runs)}.nt"
            run.write_bytes(b"".join(sorted(self.lines)))
            self.runs.append(run)
            self.lines = set()

    def __iter__(self) -> Iterator[bytes]:
        handles = [run.open("rb") for run in self.runs]
        try:
            last = None
            for line in heapq.merge(*handles, sorted(self.lines)):
                if line != last:
                    yield line
                    last = line
        finally:
            for handle in handles:
                handle.close()

    def merge(self) -> int:
        """Join the runs into one sorted file of the union; returns its number of triples."""
        self.merged = self.folder / "union.nt"
        count = 0
        with self.merged.open("wb") as handle:
            for line in self:
                handle.write(line)
                count += 1
        for path in self.runs:
            path.unlink()
        self.runs, self.lines = [], set()
        return count

    def write_turtle(self, out: BinaryIO, extra: Sequence[ox.Triple] = ()) -> None:
        """Write the merged union, then the `extra` triples (a graph added after the merge), as Turtle."""
        parsed = ox.parse(path=str(self.merged), format=ox.RdfFormat.N_TRIPLES)
        ox.serialize(itertools.chain(parsed, sorted(extra, key=str)), out, ox.RdfFormat.TURTLE,
                     prefixes=TURTLE_PREFIXES)
        self.merged.unlink()
