"""The SPARQL texts behind the pages (kg/serve/queries/pages/*.rq), and lists of terms as
VALUES blocks.

The named queries (kg/serve/queries/*.rq) are for people; these are the pages' own.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from rdflib import URIRef

PAGE_QUERIES = Path(__file__).resolve().parent / "queries" / "pages"
# Characters an IRI may not hold (RFC 3987 and N-Triples): an IRI with one is not sent.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


@cache
def page_query(name: str) -> str:
    return (PAGE_QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def valid_iri(text: str) -> bool:
    return bool(text) and not _BAD_IRI.search(text) and ":" in text


def with_iris(sparql: str, variable: str, iris: list[str]) -> str:
    """The query with `VALUES ?variable { … }` holding the IRIs, in place of its
    `# VALUES ?variable` line."""
    marker = f"# VALUES ?{variable}"
    if marker not in sparql:
        raise ValueError(f"the query has no {marker} line")
    block = f"VALUES ?{variable} {{ {' '.join(URIRef(i).n3() for i in iris if valid_iri(i))} }}"
    return sparql.replace(marker, block)
