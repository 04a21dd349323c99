"""What a query may reach: the store's own graphs and nothing else.

A query is read as SPARQL tokens (strings, IRIs and comments are never mistaken for
keywords) before any engine sees it. Refused, with the position of the offending token:
SERVICE (an outbound request, or a port scanner), LOAD and every other update keyword
(the endpoint is read-only), FROM / FROM NAMED and dataset parameters naming a graph the
store does not hold (rdflib would fetch the URL or read the `file:`), and prefixed names
whose prefix is not declared. Engines are also configured not to fetch (see store.py):
this module is the first line, not the only one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, NamedTuple
from urllib.parse import urljoin

from ..model.errors import QueryRefusedError, QuerySyntaxError

# SPARQL 1.1 terminals, in the order they are tried; everything else is one character.
# Whitespace and comments are skipped inside each match (one match per token, not
# three: this scan runs before every query); at the end of the text the token is empty.
_TOKEN = re.compile(r"""
  (?:\s+|\#[^\n]*)*
  (?:
    (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<bnode>_:[\w\u00b7\u0300-\u036f\u203f-\u2040.\-]*[\w\u00b7\u0300-\u036f\u203f-\u2040\-])
  | (?P<pname>(?:[^\W\d_](?:[\w.\-\u00b7]*[\w\-\u00b7])?)?:(?:(?:[\w:\-]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])(?:(?:[\w.:\-\u00b7]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])*(?:[\w:\-\u00b7]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%]))?)?)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<word>[^\W\d][\w]*)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|.)
  )?
""", re.VERBOSE | re.DOTALL)

# Keywords that only SPARQL Update has: a query holding one of them is an update.
UPDATE_KEYWORDS = frozenset({"LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "INSERT", "DELETE", "WITH"})


class Token(NamedTuple):   # a tuple: built several times faster than a dataclass
    kind: str      # iri | pname | var | string | word | punct | number | lang | bnode
    text: str
    start: int     # character offset in the query


def tokens(sparql: str) -> list[Token]:
    """The query's tokens without whitespace and comments. An unterminated string or IRI
    is left to the engine's parser (its characters come out as punctuation)."""
    return [Token(kind, match.group(kind), match.start(kind)) for match in _TOKEN.finditer(sparql)
            if (kind := match.lastgroup)]


def line_column(sparql: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a character offset."""
    before = sparql[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def offset_of(sparql: str, line: int, column: int, in_bytes: bool = False) -> int:
    """The character offset of a 1-based line and column (a UTF-8 byte column if `in_bytes`)."""
    lines = sparql.split("\n")
    line = max(1, min(line, len(lines)))
    text = lines[line - 1]
    if in_bytes:
        column = len(text.encode("utf-8")[:max(column - 1, 0)].decode("utf-8", errors="ignore")) + 1
    return sum(len(x) + 1 for x in lines[:line - 1]) + min(max(column - 1, 0), len(text))


def token_at(sparql: str, offset: int) -> Token | None:
    """The token an error position falls in; between tokens or past the end, the one before."""
    found = None
    for token in tokens(sparql):
        if token.start > offset:
            break
        found = token
    return found


@dataclass(frozen=True)
class QueryReach:
    """What a query reads beyond its default graph."""
    sources: tuple[tuple[Token, str | None, bool], ...] = ()   # FROM (NAMED): the IRI's token, the IRI, NAMED
    names_graphs: bool = False                                  # GRAPH, FROM NAMED or FROM

    @property
    def from_graphs(self) -> list[str | None]:
        return [iri for _, iri, named in self.sources if not named]

    @property
    def from_named(self) -> list[str | None]:
        return [iri for _, iri, named in self.sources if named]

    @property
    def dataset(self) -> bool:
        return bool(self.sources)


@dataclass(frozen=True)
class GraphSelection:
    """The SPARQL Protocol's dataset parameters (`default-graph-uri`, `named-graph-uri`)."""
    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.default or self.named)


def _refuse(sparql: str, token: Token, message: str) -> QueryRefusedError:
    line, column = line_column(sparql, token.start)
    return QueryRefusedError(message, line, column)


def check_query(sparql: str, prefixes: dict[str, str] | None = None,
                has_graph: Callable[[str], bool] | None = None) -> QueryReach:
    """Refuse what reaches outside the store (see the module's docstring); say what the
    query reads otherwise. `prefixes` (name → namespace) are those the engine declares
    itself; `has_graph` tells whether the store holds a named graph (None: it holds none)."""
    read = _read_remembered if len(sparql) <= _REMEMBERED_LENGTH else _read
    reach = read(sparql, tuple((prefixes or {}).items()))
    for target, iri, named in reach.sources:
        if iri is None or has_graph is None or not has_graph(iri):
            raise _refuse(sparql, target, f"FROM{' NAMED' if named else ''} {target.text} is refused: "
                                          + _graph_hint(iri, has_graph))
    return reach


def _read(sparql: str, prefixes: tuple[tuple[str, str], ...]) -> QueryReach:
    """check_query's part that depends on the text alone: the refusals but FROM's, and the reach."""
    found = tokens(sparql)
    namespaces = {k.rstrip(":") + ":": str(v) for k, v in prefixes} | declared_iris(found)
    declared = set(namespaces)
    base = ""
    sources, names_graphs = [], False
    for i, token in enumerate(found):
        if token.kind == "pname":
            if token.text.split(":", 1)[0] + ":" not in declared:
                prev = found[i - 1] if i else None
                if prev is not None and prev.kind == "word" and prev.text.upper() == "PREFIX":
                    continue
                line, column = line_column(sparql, token.start)
                raise QuerySyntaxError(f"unknown prefix {token.text.split(':', 1)[0]}: in {token.text} "
                                       "(declare it with PREFIX)", line, column)
            continue
        if token.kind != "word":   # only keywords and prefixed names matter; most tokens are neither
            continue
        upper = token.text.upper()
        following = found[i + 1] if i + 1 < len(found) else None
        if upper == "PREFIX" and following is not None and following.kind == "pname":
            declared.add(following.text.split(":", 1)[0] + ":")
        elif upper == "BASE" and following is not None and following.kind == "iri":
            base = urljoin(base, following.text[1:-1])
        elif upper == "SERVICE":
            raise _refuse(sparql, token, "SERVICE is refused: this endpoint queries its own graph and "
                                         "makes no requests to other servers")
        elif upper in UPDATE_KEYWORDS:
            raise _refuse(sparql, token, f"{upper} is refused: this endpoint is read-only (SPARQL Update, "
                                         "LOAD included, is not accepted)")
        elif upper == "GRAPH":
            names_graphs = True
        elif upper == "FROM":
            named = following is not None and following.kind == "word" and following.text.upper() == "NAMED"
            target = found[i + 2] if named and i + 2 < len(found) else following
            if target is None or target.kind not in ("iri", "pname"):
                continue    # the engine's parser reports it
            sources.append((target, expand(target, namespaces, base), named))
            names_graphs = True
    return QueryReach(tuple(sources), names_graphs)


# Reading costs about as much as Oxigraph answering a small query, and named queries recur:
# the last texts read are remembered, short ones only (a body may be a megabyte).
_REMEMBERED_LENGTH = 16 * 1024
_read_remembered = lru_cache(maxsize=64)(_read)


def declared_iris(found: list[Token]) -> dict[str, str]:
    out = {}
    for i, token in enumerate(found[:-2]):
        if token.kind == "word" and token.text.upper() == "PREFIX" and found[i + 1].kind == "pname" \
                and found[i + 2].kind == "iri":
            out[found[i + 1].text.split(":", 1)[0] + ":"] = found[i + 2].text[1:-1]
    return out


def expand(token: Token, namespaces: dict[str, str], base: str) -> str | None:
    """The IRI an IRI token or prefixed name stands for (None when its prefix is the
    engine's own and its namespace is not written in the query)."""
    if token.kind == "iri":
        return urljoin(base, token.text[1:-1]) if base else token.text[1:-1]
    prefix, local = token.text.split(":", 1)
    namespace = namespaces.get(prefix + ":")
    return None if namespace is None else namespace + re.sub(r"\\(.)", r"\1", local)


def _graph_hint(iri: str | None, has_graph: Callable[[str], bool] | None) -> str:
    if has_graph is None:
        return "this store answers from its default graph only"
    if iri is not None and iri.lower().startswith(("file:", "http:", "https:", "ftp:")) and not has_graph(iri):
        return ("the store holds no graph of that name, and queries read no files and fetch no URLs; "
                "name one of the store's graphs (SELECT DISTINCT ?g WHERE { GRAPH ?g {} })")
    return "the store holds no graph of that name (SELECT DISTINCT ?g WHERE { GRAPH ?g {} } lists them)"


def check_selection(selection: GraphSelection, has_graph: Callable[[str], bool] | None) -> None:
    """Refuse dataset parameters naming a graph the store lacks."""
    for name, iris in (("default-graph-uri", selection.default), ("named-graph-uri", selection.named)):
        for iri in iris:
            if has_graph is None or not has_graph(iri):
                raise QueryRefusedError(f"{name}={iri} is refused: " + _graph_hint(iri, has_graph))


_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def is_iri(value: str) -> bool:
    """Whether `value` is an absolute IRI that can be written in a query (<…>)."""
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", value)) and not _IRI_FORBIDDEN.search(value)


def check_iri(value: str) -> str:
    """`value` if it is an absolute IRI that can be written in a query; else an error."""
    if not is_iri(value):
        raise QueryRefusedError(f"not an absolute IRI: {value!r}")
    return value
