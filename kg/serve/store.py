"""Where a built graph is queried: rdflib in memory, Oxigraph, or a remote SPARQL server.

All stores answer SPARQL over the union of the document graphs (the default graph is
their union) and take parameter values as bindings, never pasted into the query text.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator, Protocol

from rdflib import Dataset, URIRef, Variable
from rdflib.term import Node

from ..model.errors import GraphNotBuiltError, QueryFailedError
from ..model.terms import from_oxigraph
from .guard import GraphSelection, check_query, check_selection
from .results import Result, Stream, oxigraph_syntax_error, positioned_error, with_values

GRAPH_FILE = "graph.nq"        # named graphs
UNION_FILE = "graph.ttl"       # their union
OXIGRAPH_THRESHOLD = 200_000   # triples; above this `auto` picks Oxigraph


class Store(Protocol):
    name: str

    def query(self, sparql: str, bindings: dict[str, Node] | None = None, dataset: GraphSelection | None = None,
              limit: int | None = None) -> Result: ...

    def stream(self, sparql: str, bindings: dict[str, Node] | None = None,
               dataset: GraphSelection | None = None) -> Stream: ...

    def __len__(self) -> int: ...


def engine_prefixes() -> dict[str, str]:
    """The prefixes every store declares for a query (kg:, rdf:, rdfs:, schema: …), the same
    on each engine, so a query that runs on one runs on the others."""
    from ..build.emit import PREFIXES

    return {name: str(namespace) for name, namespace in PREFIXES.items()}


class _Streaming:
    """A store whose results stream; `query` collects them (raising past `limit` rows)."""

    def query(self, sparql: str, bindings: dict[str, Node] | None = None, dataset: GraphSelection | None = None,
              limit: int | None = None) -> Result:
        return self.stream(sparql, bindings, dataset).collect(limit)


class RdflibStore(_Streaming):
    name = "rdflib"

    def __init__(self, dataset: Dataset) -> None:
        import rdflib.plugins.sparql

        # FROM / FROM NAMED naming a graph the dataset lacks would make rdflib fetch the
        # IRI (a URL, a file:); the guard refuses such queries, and this makes sure.
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
        self.dataset = dataset
        self._graphs: frozenset[str] | None = None

    @classmethod
    def load(cls, path: Path) -> "RdflibStore":
        data = Dataset(default_union=True)
        data.parse(path, format="nquads")
        return cls(data)

    def __len__(self) -> int:
        return len(self.dataset)

    def has_graph(self, iri: str) -> bool:
        if self._graphs is None:
            default = self.dataset.default_context.identifier
            self._graphs = frozenset(str(g.identifier) for g in self.dataset.contexts() if g.identifier != default)
        return iri in self._graphs

    def stream(self, sparql: str, bindings: dict[str, Node] | None = None,
               dataset: GraphSelection | None = None) -> Stream:
        from pyparsing import ParseException
        from rdflib.plugins.sparql import prepareQuery
        from rdflib.plugins.sparql.evaluate import evalQuery
        from rdflib.plugins.sparql.parserutils import CompValue

        prefixes = engine_prefixes()
        check_query(sparql, prefixes, self.has_graph)
        if dataset:
            check_selection(dataset, self.has_graph)
        try:
            prepared = prepareQuery(sparql, initNs=prefixes)
        except ParseException as exc:
            raise oxigraph_syntax_error(sparql, prefixes) or positioned_error(sparql, str(exc)) from exc
        except Exception as exc:   # rdflib raises plain exceptions for some malformed queries
            raise oxigraph_syntax_error(sparql, prefixes) or positioned_error(sparql, str(exc)) from exc
        if dataset:   # the Protocol's parameters replace the query's FROM / FROM NAMED
            prepared.algebra["datasetClause"] = [CompValue("DatasetClause", default=URIRef(g)) for g in dataset.default] \
                + [CompValue("DatasetClause", named=URIRef(g)) for g in dataset.named]
        initial = {Variable(k): v for k, v in (bindings or {}).items()}
        try:
            # evalQuery, not Graph.query: its SELECT solutions come as a generator, which
            # rdflib's Result would keep in a list as they are read
            result = evalQuery(self.dataset, prepared, initial)
        except Exception as exc:   # rdflib's evaluator fails on some valid queries; say so, not a traceback
            raise _rdflib_failed(exc) from exc
        kind = result["type_"]
        if kind == "ASK":
            return Stream("ask", [], iter(()), answer=bool(result["askAnswer"]))
        if kind in ("CONSTRUCT", "DESCRIBE"):
            return Stream("graph", [], iter(result["graph"]))
        variables = [str(v) for v in result["vars_"]]
        return Stream("select", variables, _rdflib_rows(result["bindings"], result["vars_"]))


def _rdflib_failed(exc: Exception) -> QueryFailedError:
    return QueryFailedError(f"rdflib could not evaluate the query ({type(exc).__name__}: {exc}); "
                            "try --store oxigraph")


def _rdflib_rows(solutions, variables) -> Iterator[dict[str, Node]]:
    names = [(v, str(v)) for v in variables]
    try:
        for solution in solutions:
            if solution:   # as rdflib's own Result does: an empty solution is no row
                # rdflib's SAMPLE of only unbound values binds None: that is an unbound value
                yield {name: solution[v] for v, name in names if solution.get(v) is not None}
    except Exception as exc:   # solutions are computed as they are read
        raise _rdflib_failed(exc) from exc


# ---------------------------------------------------------------------- Oxigraph
class OxigraphStore(_Streaming):
    name = "oxigraph"

    def __init__(self, store, named_graphs: Path | None = None) -> None:
        self.store = store
        self._named_graphs = named_graphs     # N-Quads file, loaded the first time a query asks for GRAPHs

    @classmethod
    def load(cls, build_dir: Path) -> "OxigraphStore":
        """The union of the document graphs as the default graph; the named graphs themselves
        only once a query names GRAPH or FROM (NAMED), or the Protocol's dataset parameters do.

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

    def _with_named_graphs(self) -> None:
        if self._named_graphs is not None:
            import pyoxigraph

            self.store.load(path=str(self._named_graphs), format=pyoxigraph.RdfFormat.N_QUADS)
            self._named_graphs = None

    def has_graph(self, iri: str) -> bool:
        import pyoxigraph

        self._with_named_graphs()
        try:
            return self.store.contains_named_graph(pyoxigraph.NamedNode(iri))
        except ValueError:   # not an IRI
            return False

    def __len__(self) -> int:
        import pyoxigraph

        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph()))

    def stream(self, sparql: str, bindings: dict[str, Node] | None = None,
               dataset: GraphSelection | None = None) -> Stream:
        import pyoxigraph

        prefixes = engine_prefixes()
        # The text as given: the bindings are RDF terms we write ourselves (as RdflibStore
        # passes them), and the guard's verdict on a named query's text is then remembered.
        reach = check_query(sparql, prefixes, self.has_graph)
        text = with_values(sparql, bindings)
        options = {}
        if dataset:
            check_selection(dataset, self.has_graph)
            options = {"default_graph": [pyoxigraph.NamedNode(g) for g in dataset.default],
                       "named_graphs": [pyoxigraph.NamedNode(g) for g in dataset.named]}
        if reach.names_graphs or dataset:
            self._with_named_graphs()
        try:
            result = self.store.query(text, prefixes=prefixes, **options)
        except SyntaxError as exc:
            raise positioned_error(text, str(exc)) from exc
        except OSError as exc:    # Oxigraph's evaluation errors
            raise QueryFailedError(f"Oxigraph could not evaluate the query: {exc}") from exc
        if isinstance(result, pyoxigraph.QueryBoolean):
            return Stream("ask", [], iter(()), answer=bool(result))
        if isinstance(result, pyoxigraph.QueryTriples):
            return Stream("graph", [], ((from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object))
                                        for t in result))
        variables = [v.value for v in result.variables]
        # A solution iterates over its values in the order of the variables; unpacking it
        # is several times faster than looking each variable up.
        convert = from_oxigraph
        rows = ({v: convert(t) for v, t in zip(variables, solution) if t is not None} for solution in result)
        return Stream("select", variables, rows)


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

