"""Where the last build put each document's part of the graph files and each chunk of the
union, so that the next build into the same folder copies what did not change (in the
kernel, without reading it) and makes only the rest.

The record is kept in the build cache beside the union's own files, and trusted only
while the files it describes are the ones it was written with: the same build code and
confidence threshold, and every file with the size, times and inode it had then (an
edit, even one that puts the old modification time back, moves the change time)."""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from ..extract.load import stat_signature
from .describe import typed_counts
from .serialise import LastUnion, UnionChunk

OUTPUTS = ("graph.nq", "graph.trig", "extraction.jsonl", "graph.ttl")   # in the output folder
UNION = ("union.nt", "union.counts")                                     # in the build cache


@dataclass(frozen=True, slots=True)
class PlacedDocument:
    """One document's part of the last build's files, and what it counted."""
    graph: str                   # its named graph's IRI
    files_key: str               # of everything its files were made from (pipeline._files_key)
    nquads: tuple[int, int]      # (offset, length) in graph.nq
    trig: tuple[int, int]        # in graph.trig
    jsonl: tuple[int, int]       # in extraction.jsonl
    triples: int
    facts: int
    observations: int


@dataclass(frozen=True, slots=True)
class Layout:
    version: str                           # of the build code and the confidence threshold
    files: tuple[tuple[str, str], ...]     # (file name, its signature) of OUTPUTS and UNION
    documents: tuple[PlacedDocument, ...]
    # The union's chunks in two columns, their first subjects and their numbers one after the
    # other (a 1,000x build has some 70,000 chunks: read as records they took 2 s).
    chunk_firsts: tuple[str, ...]
    chunk_numbers: tuple[int, ...]       # per chunk: lines, its three ranges, then its typed counts

    @classmethod
    def of(cls, version: str, documents: Sequence[PlacedDocument], chunks: Sequence[UnionChunk]) -> "Layout":
        numbers = [n for c in chunks for n in (c.lines, *c.nt, *c.counts, *c.turtle, *c.typed)]
        return cls(version, (), tuple(documents), tuple(c.first for c in chunks), tuple(numbers))

    def chunks(self) -> list[UnionChunk]:
        width, n = _chunk_width(), self.chunk_numbers
        return [UnionChunk(first, n[i], (n[i + 1], n[i + 2]), (n[i + 3], n[i + 4]), (n[i + 5], n[i + 6]),
                           n[i + 7:i + width])
                for first, i in zip(self.chunk_firsts, range(0, len(n), width))]


def _chunk_width() -> int:
    """How many numbers a chunk has in Layout.chunk_numbers."""
    return 1 + 3 * 2 + len(typed_counts(b""))


def signatures(out_dir: Path, cache_dir: Path) -> tuple[tuple[str, str], ...]:
    """The signatures of the files a layout describes, as they are now ("" if one is missing)."""
    def one(path: Path) -> str:
        try:
            return stat_signature(path.stat())
        except OSError:
            return ""
    return tuple((name, one(folder / name)) for folder, names in ((out_dir, OUTPUTS), (cache_dir, UNION))
                 for name in names)


def usable(layout: Layout | None, version: str, out_dir: Path, cache_dir: Path) -> bool:
    return layout is not None and layout.version == version and \
        layout.files == signatures(out_dir, cache_dir) and all(s for _, s in layout.files) and \
        len(layout.chunk_numbers) == len(layout.chunk_firsts) * _chunk_width()


@contextmanager
def opened(layout: Layout, out_dir: Path, cache_dir: Path) -> Iterator[tuple[dict[str, int], LastUnion]]:
    """The last build's files open for reading: (descriptor of each output, its union)."""
    fds: dict[str, int] = {}
    try:
        for folder, names in ((out_dir, OUTPUTS), (cache_dir, UNION)):
            for name in names:
                fds[name] = os.open(folder / name, os.O_RDONLY)
        yield fds, LastUnion(layout.chunks(), fds["union.nt"], fds["union.counts"], fds["graph.ttl"])
    finally:
        for fd in fds.values():
            os.close(fd)
