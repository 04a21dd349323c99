"""An external SPARQL 1.1 server queried through the SPARQL Protocol (`kg.build.publish`
loads it).

The server holds one named graph per document (plus the reference data and the ontology),
so a changed document replaces only its own graph. Queries see the default graph, which
the server must make the union of the named graphs (Oxigraph: `--union-default-graph`;
Fuseki: `tdb2:unionDefaultGraph true`; Virtuoso does so by default).
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ..model.errors import EndpointError, QueryLimitError
from ..build.emit import new_graph
from ..build.publish import HTTPFailure, request
from .guard import GraphSelection, check_query, check_selection
from .results import Result, Stream, positioned_error, with_values

_ACCEPT = ("application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
           "application/sparql-results+xml;q=0.1")


# ---------------------------------------------------------------------- querying
class RemoteStore:
    """A SPARQL 1.1 query endpoint behind the same interface as the local stores."""
    name = "remote"

    def __init__(self, url: str, timeout: float = 120.0) -> None:
        self.url, self.timeout = url, timeout
        self._graphs: frozenset[str] | None = None

    def check(self) -> "RemoteStore":
        """Fail early, and say how to fix it, if the server's default graph does not see the
        named graphs (every kg query reads the default graph)."""
        in_named = self.query("ASK { GRAPH ?g { ?s ?p ?o } }").answer
        in_default = self.query("ASK { ?s ?p ?o }").answer
        if not in_named and not in_default:
            raise EndpointError(f"{self.url} holds no data: load it with `kg build --endpoint STORE-URL`")
        if in_named and not in_default:
            raise EndpointError(f"{self.url}: the default graph is not the union of the named graphs; start "
                                "Oxigraph with --union-default-graph (Fuseki: unionDefaultGraph true)")
        return self

    def __len__(self) -> int:
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
        return int(result.rows[0]["n"])

    def has_graph(self, iri: str) -> bool:
        if self._graphs is None:
            rows = self._send("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }").rows
            self._graphs = frozenset(str(row["g"]) for row in rows)
        return iri in self._graphs

    def query(self, sparql: str, bindings: dict[str, Node] | None = None, dataset: GraphSelection | None = None,
              limit: int | None = None) -> Result:
        text = with_values(sparql, bindings)
        check_query(text, None, self.has_graph)     # the server's own prefixes are not known here
        if dataset:
            check_selection(dataset, self.has_graph)
        result = self._send(text, dataset)
        if limit is not None and len(result) > limit:   # the server sent it whole; the limit still holds
            raise QueryLimitError(f"the result has more rows or triples than the limit of {limit}; "
                                  "add a LIMIT or narrow the query down")
        return result

    def stream(self, sparql: str, bindings: dict[str, Node] | None = None,
               dataset: GraphSelection | None = None) -> Stream:
        result = self.query(sparql, bindings, dataset)
        items = iter(result.graph) if result.kind == "graph" else iter(result.rows)
        return Stream(result.kind, result.variables, items, answer=result.answer)

    def _send(self, text: str, dataset: GraphSelection | None = None) -> Result:
        url = self.url
        if dataset:   # the SPARQL Protocol's dataset parameters, passed on
            url += ("&" if "?" in url else "?") + urlencode(
                [("default-graph-uri", g) for g in dataset.default] + [("named-graph-uri", g) for g in dataset.named])
        try:
            # URL-encoded POST: every SPARQL 1.1 server takes it (Virtuoso 7.2 does not take a
            # bare application/sparql-query body), and it has no URL length limit
            media, body = request(url, "POST", urlencode({"query": text}).encode("ascii"), {
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": _ACCEPT}, self.timeout)
        except HTTPFailure as exc:
            if exc.code != 400:
                raise
            raise positioned_error(text, exc.detail) from None
        return parse_response(media, body)


def parse_response(media: str, body: bytes) -> Result:
    """A SPARQL Protocol response (JSON results, or RDF for CONSTRUCT/DESCRIBE) as a Result."""
    if media in ("application/sparql-results+json", "application/json"):
        data = json.loads(body)
        if "boolean" in data:
            return Result("ask", [], [], answer=bool(data["boolean"]))
        variables = data["head"].get("vars", [])
        if variables == ["__ASK_RETVAL"]:   # Virtuoso 7 answers ASK as a one-row SELECT
            return Result("ask", [], [], answer=data["results"]["bindings"][0]["__ASK_RETVAL"]["value"] == "1")
        rows = [{k: term_from_json(v) for k, v in b.items()} for b in data["results"]["bindings"]]
        return Result("select", variables, rows)
    formats = {"application/n-triples": "nt", "text/turtle": "turtle", "text/plain": "nt"}
    if media in formats:
        graph = new_graph()
        graph.parse(data=body.decode("utf-8"), format=formats[media])
        return Result("graph", [], [], graph=graph)
    raise EndpointError(f"the endpoint answered in {media or 'an unnamed format'}, which kg does not read")


def term_from_json(value: dict) -> Node:
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if "xml:lang" in value:
        return Literal(value["value"], lang=value["xml:lang"])
    datatype = value.get("datatype")
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        return Literal(value["value"], datatype=URIRef(datatype))
    return Literal(value["value"])
