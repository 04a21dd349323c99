"""Stage 8: the SHACL gate: a bool for code, readable text for people.

Each document's graph is validated on its own, with what its shapes need from outside
it: the class, label, code, scheme and administrative parents of the reference entities it
points to, and the ontology's axioms (SHACL reads rdfs:subClassOf from the data graph; the
shapes read sub-properties, declarations, disjointness and the Data Cube structure from it
too). So validation grows linearly with the corpus; the reference graph is validated once. The engine is
pyshacl-turbo (a Rust SHACL engine with pySHACL's API, ~40x faster on our shapes, whose
SPARQL constraints dominate pySHACL's time), fed a pyoxigraph store so that no rdflib
graph is copied; tests/test_shapes.py checks that it and pySHACL agree.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Sequence

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SKOS

from .emit import ontology_graph, reference_graph, shapes_graph
from ..model.terms import oxigraph_triples
from ..model.vocab import KG


@dataclass
class Validation:
    conforms: bool
    text: str = ""
    failures: list[str] = field(default_factory=list)   # names of the graphs that failed

    def __bool__(self) -> bool:
        return self.conforms


@cache
def _shapes() -> Graph:
    return shapes_graph()


@cache
def _compiled_shapes():
    """The shapes compiled once per process (compiling them costs about a tenth of a document's validation)."""
    from pyshacl_turbo import compile_shapes

    return compile_shapes(_shapes(), advanced=True)


# The ontology's words for people; the shapes read everything else it says.
_ANNOTATIONS = {RDFS.label, RDFS.comment, RDFS.isDefinedBy, RDFS.seeAlso, RDFS.domain, RDFS.range}


@cache
def ontology_axioms() -> tuple[ox.Triple, ...]:
    """The ontology without its labels and comments: hierarchy, declarations, disjointness,
    the Data Cube structure."""
    return tuple(oxigraph_triples(t for t in ontology_graph() if t[1] not in _ANNOTATIONS))


@cache
def _reference_facts() -> dict[str, tuple[ox.Triple, ...]]:
    """IRI → the rdf:type, labels, codes, scheme and parent the reference graph gives it."""
    wanted = {RDF.type, RDFS.label, SKOS.prefLabel, SKOS.inScheme, KG.adminCode, KG.countryCode, KG.locode, KG.partOf}
    facts: dict[str, list[ox.Triple]] = {}
    for triple in oxigraph_triples(t for t in reference_graph() if t[1] in wanted):
        facts.setdefault(triple.subject.value, []).append(triple)
    return {iri: tuple(triples) for iri, triples in facts.items()}


@cache
def _axiom_quads() -> tuple[ox.Quad, ...]:
    return tuple(ox.Quad(t.subject, t.predicate, t.object) for t in ontology_axioms())


_PART_OF = str(KG.partOf)


def prepare_validation() -> None:
    """Load the shapes, the ontology's axioms and the reference facts (before a build's first document)."""
    _compiled_shapes(), _axiom_quads(), _reference_facts()


def document_data(triples: Sequence[ox.Triple]) -> list[ox.Triple]:
    """A document's triples plus the reference facts about the entities it points to and
    their administrative parents (so a partOf cycle through the reference data shows)."""
    facts = _reference_facts()
    referenced = {term.value for t in triples for term in (t.subject, t.object) if isinstance(term, ox.NamedNode)}
    frontier = referenced & facts.keys()
    while frontier:
        parents = {f.object.value for iri in frontier for f in facts[iri] if f.predicate.value == _PART_OF}
        frontier = (parents & facts.keys()) - referenced
        referenced |= frontier
    return [*triples, *(f for iri in sorted(referenced & facts.keys()) for f in facts[iri])]


def validate_triples(triples: Sequence[ox.Triple], name: str = "graph", engine: str = "turbo") -> Validation:
    if engine == "turbo":
        store = ox.Store()
        store.extend([ox.Quad(t.subject, t.predicate, t.object) for t in triples])
        store.extend(_axiom_quads())
        with _quiet("rdflib.term"):   # the engine's report builder trips rdflib's IRI check on IRIs with CJK characters
            conforms, _, text = _compiled_shapes().validate(store, inference="none", allow_warnings=True)
    else:
        from pyshacl import validate

        from ..model.terms import from_oxigraph

        graph = Graph()
        for t in [*triples, *ontology_axioms()]:
            graph.add((from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object)))
        conforms, _, text = validate(graph, shacl_graph=_shapes(), inference="none", advanced=True,
                                     allow_warnings=True)
    return Validation(bool(conforms), "" if conforms else f"[{name}]\n{text}", [] if conforms else [name])


def validate_document(triples: Sequence[ox.Triple], name: str) -> Validation:
    return validate_triples(document_data(triples), name)


@contextmanager
def _quiet(logger_name: str):
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def combine(results: list[Validation]) -> Validation:
    failed = [r for r in results if not r.conforms]
    return Validation(not failed, "\n".join(r.text for r in failed), [n for r in failed for n in r.failures])
