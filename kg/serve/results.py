"""What every store answers with, and how bindings reach a query: shared by the local
stores and the remote endpoint client."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ..model.errors import QueryLimitError, QuerySyntaxError


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


@dataclass
class Stream:
    """A result as the engine produces it: SELECT rows or CONSTRUCT/DESCRIBE triples come
    one at a time (`items`), so a caller can write them out, or stop at a limit, without
    the whole result in memory."""
    kind: str                                # select | ask | graph
    variables: list[str]
    items: Iterator                          # dict rows (select) or (s, p, o) triples (graph)
    answer: bool | None = None

    def collect(self, limit: int | None = None) -> Result:
        """The whole result; past `limit` rows or triples, QueryLimitError (and the engine
        is asked for no more)."""
        if self.kind == "ask":
            return Result("ask", [], [], answer=self.answer)
        items = []
        for item in self.items:
            if limit is not None and len(items) >= limit:
                raise QueryLimitError(f"the result has more rows or triples than the limit of {limit}; "
                                      "add a LIMIT or narrow the query down")
            items.append(item)
        if self.kind == "graph":
            from ..build.emit import new_graph

            graph = new_graph()
            for triple in items:
                graph.add(triple)
            return Result("graph", [], [], graph=graph)
        return Result("select", self.variables, items)


def positioned_error(sparql: str, message: str) -> QuerySyntaxError:
    """An engine's syntax error, pointed at the token its position falls in.

    Oxigraph gives `error at LINE:COLUMN` with the column in UTF-8 bytes and at the point
    its parser got furthest (often just past the bad token); pyparsing gives `line:L, col:C`
    or `at char N`. Either is mapped to the character offset, then to the token there (or,
    between tokens, the one before), so the column is that of the token's first character."""
    from .guard import line_column, offset_of, token_at

    offset, detail = None, message.strip()
    if m := re.match(r"error at (\d+):(\d+):\s*(.*)", detail, re.S):
        offset, detail = offset_of(sparql, int(m.group(1)), int(m.group(2)), in_bytes=True), m.group(3)
    elif m := re.search(r"line:?\s*(\d+),?\s*col(?:umn)?:?\s*(\d+)", detail, re.I):
        offset = offset_of(sparql, int(m.group(1)), int(m.group(2)))
    elif m := re.search(r"at char (\d+)", detail):
        offset = int(m.group(1))
    if offset is None:
        return QuerySyntaxError(detail)
    token = token_at(sparql, offset)
    if token is None:
        return QuerySyntaxError(detail, 1, 1)
    line, column = line_column(sparql, token.start)
    return QuerySyntaxError(f"at {token.text[:40]!r}: {detail}", line, column)


def oxigraph_syntax_error(sparql: str, prefixes: dict[str, str]) -> QuerySyntaxError | None:
    """Oxigraph's verdict on the query's syntax, positioned; None if it parses. Run on an
    empty store, so evaluating a query that parses costs nothing (SERVICE is refused before)."""
    import pyoxigraph

    try:
        pyoxigraph.Store().query(sparql, prefixes=prefixes)
    except SyntaxError as exc:
        return positioned_error(sparql, str(exc))
    return None


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
