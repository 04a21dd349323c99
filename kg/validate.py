"""Stage 8: the SHACL gate: a bool for code, readable text for people.

Each document's graph is validated on its own (with the ontology and the reference
entities it points to), so validation grows linearly with the corpus; the reference
graph is validated once. The engine is pyshacl-turbo (a Rust SHACL engine with pySHACL's
API, ~40x faster on our shapes, whose SPARQL constraints dominate pySHACL's time);
tests/test_shapes.py checks that it and pySHACL agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from rdflib import Graph, URIRef

from .emit import ontology_graph, reference_types, shapes_graph


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


def validate_graph(data: Graph, name: str = "graph", engine: str = "turbo") -> Validation:
    if engine == "turbo":
        from pyshacl_turbo import validate
    else:
        from pyshacl import validate

    conforms, _, text = validate(data, shacl_graph=_shapes(), ont_graph=ontology_graph(),
                                 inference="none", advanced=True, allow_warnings=True)
    return Validation(bool(conforms), "" if conforms else f"[{name}]\n{text}", [] if conforms else [name])


def validate_document(graph: Graph, name: str) -> Validation:
    referenced = {str(o) for o in graph.objects() if isinstance(o, URIRef)} | \
        {str(s) for s in graph.subjects() if isinstance(s, URIRef)}
    data = Graph()
    data += graph
    data += reference_types(referenced)
    return validate_graph(data, name)


def combine(results: list[Validation]) -> Validation:
    failed = [r for r in results if not r.conforms]
    return Validation(not failed, "\n".join(r.text for r in failed), [n for r in failed for n in r.failures])
