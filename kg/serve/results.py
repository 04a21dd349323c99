"""What every store answers with, and how bindings reach a query: shared by the local
stores and the remote endpoint client."""
from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ..model.errors import QuerySyntaxError


@dataclass
class Result:
    """A SPARQL result: SELECT rows, an ASK answer, or CONSTRUCT/DESCRIBE triples."""
    kind: str                                # select | ask | graph
    variables: list[str]
    rows: list[dict[str, Node]]
    answer: bool | None = None
    graph: Graph | None = None

    def __len__(self) -> int:
        return len(self.graph) if self.graph is not None else len(self.rows)


def error_position(message: str, sparql: str) -> tuple[int | None, int | None]:
    """Line and column of a parser error, from the messages of pyparsing and Oxigraph."""
    m = re.search(r"line:?\s*(\d+),?\s*col(?:umn)?:?\s*(\d+)", message, re.I)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = re.search(r"(\d+):(\d+)", message)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = re.search(r"at char (\d+)", message)
    if m:
        offset = int(m.group(1))
        before = sparql[:offset]
        return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1
    return None, None


# ---------------------------------------------------------------------- rdflib


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_FORM = re.compile(r"\b(?:SELECT|CONSTRUCT|ASK|DESCRIBE)\b[^{]*\{", re.IGNORECASE)


def with_values(sparql: str, bindings: dict[str, Node] | None) -> str:
    """The query with its bindings as a VALUES block opening the outermost WHERE group.

    The values are RDF terms (resolved IRIs, typed literals) written in N-Triples syntax,
    never the user's text; this is how a binding reaches an engine that has no binding
    API we can trust (pyoxigraph's `substitutions` gives wrong answers with property paths
    joined to other patterns) or a remote SPARQL endpoint."""
    if not bindings:
        return sparql
    match = _WHERE.search(sparql) or _FORM.search(sparql)
    if match is None:
        raise QuerySyntaxError("no WHERE clause to bind parameters in")
    names = sorted(bindings)
    row = " ".join(_term_n3(bindings[name]) for name in names)
    values = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }} "
    return sparql[:match.end()] + values + sparql[match.end():]


def _term_n3(term: Node) -> str:
    if not isinstance(term, (URIRef, Literal)):
        raise TypeError(f"cannot bind {term!r}")
    return term.n3()
