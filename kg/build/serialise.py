"""RDF out: the graphs as pyoxigraph terms, and the graph files written by Oxigraph's
serialisers (rdflib's take some 30 times longer on our graphs, and the files grow with
the corpus)."""
from __future__ import annotations

from typing import BinaryIO, Callable

import pyoxigraph as ox
from rdflib import URIRef

from .emit import PREFIXES

# Prefixes whose local names stay readable ("id:" would escape the "/" in every entity IRI).
TURTLE_PREFIXES = {name: str(ns) for name, ns in PREFIXES.items() if name != "id"}


def union(named: dict[URIRef, list[ox.Triple]]) -> list[ox.Triple]:
    """The triples of all graphs, each once, in first-seen order (so files are reproducible)."""
    return list(dict.fromkeys(t for triples in named.values() for t in triples))


def _in_order(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Sorted in N-Triples order: each subject's triples together (one Turtle block), and
    the same bytes on every build (rdflib hands the parsed reference data over in an order
    that changes with Python's string hashing)."""
    return sorted(triples, key=str)


def graph_writers(named: dict[URIRef, list[ox.Triple]], merged: list[ox.Triple]) -> dict[str, Callable[[BinaryIO], None]]:
    """Writers of the N-Quads and TriG of the named graphs and the Turtle of their union."""
    ordered = {ox.NamedNode(str(iri)): _in_order(triples) for iri, triples in named.items()}   # sorted once, written twice

    def quads():
        return (ox.Quad(t.subject, t.predicate, t.object, graph) for graph, triples in ordered.items() for t in triples)

    return {
        "turtle": lambda out: ox.serialize(_in_order(merged), out, ox.RdfFormat.TURTLE, prefixes=TURTLE_PREFIXES),
        "trig": lambda out: ox.serialize(quads(), out, ox.RdfFormat.TRIG, prefixes=TURTLE_PREFIXES),
        "nquads": lambda out: ox.serialize(quads(), out, ox.RdfFormat.N_QUADS),
    }
