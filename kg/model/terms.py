"""One set of term converters between rdflib and pyoxigraph: the stages build graphs with
rdflib, the stores and serialisers run on pyoxigraph."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

_STRING = "http://www.w3.org/2001/XMLSchema#string"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """The text without the characters XML 1.0 forbids (C0 controls but tab, LF and CR;
    lone surrogates; U+FFFE/FFFF), so RDF/XML and SPARQL XML results stay well-formed.
    Only characters are dropped, so offsets into the source text still hold for the rest."""
    return _NOT_XML.sub("", text) if _NOT_XML.search(text) else text


@lru_cache(maxsize=1 << 20)   # the same IRIs recur in every document
def oxigraph_term(term: Node):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype and str(term.datatype) != _STRING:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def oxigraph_triples(triples: Iterable[tuple[Node, Node, Node]]) -> list[ox.Triple]:
    """rdflib triples (a Graph, or any iterable of them) as pyoxigraph triples."""
    term = oxigraph_term
    return [ox.Triple(term(s), term(p), term(o)) for s, p, o in triples]


@lru_cache(maxsize=1 << 16)   # results repeat the same IRIs and names row after row
def from_oxigraph(term) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == _STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype))
