"""Where a built graph is queried: rdflib in memory, Oxigraph, or a remote SPARQL server.

All stores answer SPARQL over the union of the document graphs (the default graph is
their union) and take parameter values as bindings, never pasted into the query text.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

from rdflib import Dataset, Variable
from rdflib.term import Node

from ..build.emit import new_graph
from ..model.errors import GraphNotBuiltError, QueryFailedError, QuerySyntaxError
from ..model.terms import from_oxigraph
from .results import Result, error_position, with_values

GRAPH_FILE = "graph.nq"        # named graphs
UNION_FILE = "graph.ttl"       # their union
OXIGRAPH_THRESHOLD = 200_000   # triples; above this `auto` picks Oxigraph


_NAMES_GRAPHS = re.compile(r"\bGRAPH\s*(?:[?$<]|\w*:)|\bFROM\s+NAMED\b", re.IGNORECASE)
_COMMENT = re.compile(r"(?m)(?:^|(?<=\s))#.*$")


class Store(Protocol):
    name: str

    def query(self, sparql: str, bindings: dict[str, Node] | None = None) -> Result: ...

    def __len__(self) -> int: ...


class RdflibStore:
    name = "rdflib"

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    @classmethod
    def load(cls, path: Path) -> "RdflibStore":
        data = Dataset(default_union=True)
        data.parse(path, format="nquads")
        return cls(data)

    def __len__(self) -> int:
        return len(self.dataset)

    def query(self, sparql: str, bindings: dict[str, Node] | None = None) -> Result:
        from pyparsing import ParseException
        from rdflib.plugins.sparql import prepareQuery

        try:
            prepared = prepareQuery(sparql, initNs=dict(self.dataset.namespaces()))
        except ParseException as exc:
            raise QuerySyntaxError(exc.msg, exc.lineno, exc.col) from exc
        except Exception as exc:   # rdflib raises plain exceptions for some malformed queries
            line, column = error_position(str(exc), sparql)
            raise QuerySyntaxError(str(exc), line, column) from exc
        try:
            result = self.dataset.query(prepared, initBindings={Variable(k): v for k, v in (bindings or {}).items()})
            rows = list(result) if result.type == "SELECT" else None
        except Exception as exc:   # rdflib's evaluator fails on some valid queries; say so, not a traceback
            raise QueryFailedError(f"rdflib could not evaluate the query ({type(exc).__name__}: {exc}); "
                                   "try --store oxigraph") from exc
        if result.type == "ASK":
            return Result("ask", [], [], answer=bool(result.askAnswer))
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            graph = new_graph()
            for triple in result:
                graph.add(triple)
            return Result("graph", [], [], graph=graph)
        variables = [str(v) for v in result.vars]
        return Result("select", variables, [{v: row[i] for i, v in enumerate(variables) if row[i] is not None}
                                            for row in rows])


# ---------------------------------------------------------------------- Oxigraph
class OxigraphStore:
    name = "oxigraph"

    def __init__(self, store, named_graphs: Path | None = None) -> None:
        self.store = store
        self._named_graphs = named_graphs     # N-Quads file, loaded the first time a query asks for GRAPHs

    @classmethod
    def load(cls, build_dir: Path) -> "OxigraphStore":
        """The union of the document graphs as the default graph; the named graphs themselves
        only once a query names GRAPH or FROM NAMED.

        Oxigraph's own union of named graphs is a multiset (a triple two documents state
        comes back twice); a SPARQL default graph is a set, so the union is loaded as one.
        Keeping the named graphs out until needed halves the memory and the load time, and
        Oxigraph answers default-graph queries faster without them. `load` rather than
        `bulk_load`: as fast here, with two thirds of the peak memory."""
        import pyoxigraph

        store = pyoxigraph.Store()
        store.load(path=str(Path(build_dir) / UNION_FILE), format=pyoxigraph.RdfFormat.TURTLE,
                   to_graph=pyoxigraph.DefaultGraph())
        return cls(store, Path(build_dir) / GRAPH_FILE)

    def _with_named_graphs(self, sparql: str) -> None:
        if self._named_graphs is not None and _NAMES_GRAPHS.search(_COMMENT.sub("", sparql)):
            import pyoxigraph

            self.store.load(path=str(self._named_graphs), format=pyoxigraph.RdfFormat.N_QUADS)
            self._named_graphs = None

    def __len__(self) -> int:
        import pyoxigraph

        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph()))

    def query(self, sparql: str, bindings: dict[str, Node] | None = None) -> Result:
        import pyoxigraph

        self._with_named_graphs(sparql)
        try:
            result = self.store.query(with_values(sparql, bindings))
        except SyntaxError as exc:
            line, column = error_position(str(exc), sparql)
            raise QuerySyntaxError(str(exc), line, column) from exc
        if isinstance(result, pyoxigraph.QueryBoolean):
            return Result("ask", [], [], answer=bool(result))
        if isinstance(result, pyoxigraph.QueryTriples):
            graph = new_graph()
            for triple in result:
                graph.add((from_oxigraph(triple.subject), from_oxigraph(triple.predicate), from_oxigraph(triple.object)))
            return Result("graph", [], [], graph=graph)
        variables = [v.value for v in result.variables]
        convert = from_oxigraph
        # A solution iterates over its values in the order of the variables; unpacking it
        # is several times faster than looking each variable up.
        rows = [{v: convert(t) for v, t in zip(variables, solution) if t is not None} for solution in result]
        return Result("select", variables, rows)


# ---------------------------------------------------------------------- opening
def graph_file(build_dir: Path) -> Path:
    path = Path(build_dir) / GRAPH_FILE
    if not path.is_file():
        raise GraphNotBuiltError(str(path))
    return path


def open_store(build_dir: Path = Path("build"), kind: str = "auto", endpoint: str | None = None) -> Store:
    """Load the built graph into a store: `rdflib`, `oxigraph`, or `auto` (by size); or,
    given a SPARQL query endpoint's URL, answer from that server instead."""
    if endpoint:
        from .remote import RemoteStore

        return RemoteStore(endpoint).check()
    path = graph_file(build_dir)
    if kind == "auto":
        with path.open("rb") as handle:
            lines = sum(1 for _ in handle)
        kind = "oxigraph" if lines > OXIGRAPH_THRESHOLD else "rdflib"
    if kind == "oxigraph":
        return OxigraphStore.load(Path(build_dir))
    if kind == "rdflib":
        return RdflibStore.load(path)
    raise ValueError(f"unknown store {kind!r} (rdflib, oxigraph or auto)")

