"""An external SPARQL 1.1 server: push the graph through the Graph Store HTTP Protocol and
query it through the SPARQL Protocol.

The server holds one named graph per document (plus the reference data and the ontology),
so a changed document replaces only its own graph. Queries see the default graph, which
the server must make the union of the named graphs (Oxigraph: `--union-default-graph`;
Fuseki: `tdb2:unionDefaultGraph true`; Virtuoso does so by default).
"""
from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from .errors import EndpointError, QuerySyntaxError
from .emit import new_graph
from .store import Result, _position, with_values

_ACCEPT = ("application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
           "application/sparql-results+xml;q=0.1")


class HTTPFailure(EndpointError):
    """The server answered with an error status."""

    def __init__(self, method: str, url: str, code: int, detail: str) -> None:
        super().__init__(f"{method} {url}: HTTP {code} {detail}")
        self.code, self.detail = code, detail


def _request(url: str, method: str, body: bytes | None = None, headers: dict | None = None,
             timeout: float = 120.0) -> tuple[str, bytes]:
    """(media type, body) of a successful answer; HTTPFailure or EndpointError otherwise."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.headers.get("Content-Type", "").split(";")[0].strip(), response.read()
    except urllib.error.HTTPError as exc:
        raise HTTPFailure(method, url, exc.code, exc.read().decode("utf-8", "replace").strip()) from None
    except (urllib.error.URLError, OSError) as exc:
        raise EndpointError(f"cannot reach {url}: {getattr(exc, 'reason', exc)}") from None


# ---------------------------------------------------------------------- querying
class RemoteStore:
    """A SPARQL 1.1 query endpoint behind the same interface as the local stores."""
    name = "remote"

    def __init__(self, url: str, timeout: float = 120.0) -> None:
        self.url, self.timeout = url, timeout

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

    def query(self, sparql: str, bindings: dict[str, Node] | None = None) -> Result:
        text = with_values(sparql, bindings)
        try:
            media, body = _request(self.url, "POST", text.encode("utf-8"), {
                "Content-Type": "application/sparql-query; charset=utf-8", "Accept": _ACCEPT}, self.timeout)
        except HTTPFailure as exc:
            if exc.code != 400:
                raise
            line, column = _position(exc.detail, text)
            raise QuerySyntaxError(exc.detail, line, column) from None
        return parse_response(media, body)


def parse_response(media: str, body: bytes) -> Result:
    """A SPARQL Protocol response (JSON results, or RDF for CONSTRUCT/DESCRIBE) as a Result."""
    if media in ("application/sparql-results+json", "application/json"):
        data = json.loads(body)
        if "boolean" in data:
            return Result("ask", [], [], answer=bool(data["boolean"]))
        variables = data["head"].get("vars", [])
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


# ---------------------------------------------------------------------- loading
@dataclass
class PushReport:
    replaced: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)


def graph_digest(triples: list[ox.Triple]) -> str:
    """A digest of a graph's triples that does not depend on their order."""
    return hashlib.sha256("\n".join(sorted(map(str, triples))).encode("utf-8")).hexdigest()


def push(store_url: str, graphs: dict[URIRef, list[ox.Triple]], state_file: Path) -> PushReport:
    """Make the server's named graphs equal to `graphs`: PUT each graph whose content differs
    from what was last sent to this server, DELETE the graphs of documents that are gone.

    `state_file` records, per server, the digest of each graph sent; delete it to send all."""
    from .pipeline import write_atomic

    state_file = Path(state_file)
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    sent: dict[str, str] = state.get(store_url, {})
    report = PushReport()
    try:
        for iri in sorted(graphs):
            digest = graph_digest(graphs[iri])
            if sent.get(str(iri)) == digest:
                report.unchanged += 1
                continue
            body = ox.serialize(graphs[iri], format=ox.RdfFormat.N_TRIPLES)
            _request(_graph_url(store_url, iri), "PUT", body, {"Content-Type": "application/n-triples"})
            sent[str(iri)] = digest
            report.replaced.append(str(iri))
        for iri in sorted(set(sent) - {str(i) for i in graphs}):
            try:
                _request(_graph_url(store_url, URIRef(iri)), "DELETE")
            except HTTPFailure as exc:
                if exc.code != 404:   # already gone is what we want
                    raise
            del sent[iri]
            report.removed.append(iri)
    finally:   # what did reach the server is recorded even if a later request failed
        state[store_url] = sent
        write_atomic(state_file, json.dumps(state, ensure_ascii=False, indent=1).encode("utf-8"))
    return report


def _graph_url(store_url: str, iri: URIRef) -> str:
    return f"{store_url}{'&' if '?' in store_url else '?'}graph={quote(str(iri), safe='')}"
