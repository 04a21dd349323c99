"""The SPARQL texts behind the pages (kg/serve/queries/pages/*.rq), and lists of terms as
VALUES blocks.

The named queries (kg/serve/queries/*.rq) are for people; these are the pages' own.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import URIRef

from .guard import is_iri

PAGE_QUERIES = Path(__file__).resolve().parent / "queries" / "pages"


@cache
def page_query(name: str) -> str:
    return (PAGE_QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def with_iris(sparql: str, variable: str, iris: list[str]) -> str:
    """The query with `VALUES ?variable { … }` holding the IRIs, in place of its
    `# VALUES ?variable` line."""
    marker = f"# VALUES ?{variable}"
    if marker not in sparql:
        raise ValueError(f"the query has no {marker} line")
    block = f"VALUES ?{variable} {{ {' '.join(URIRef(i).n3() for i in iris if is_iri(i))} }}"
    return sparql.replace(marker, block)
