"""SPARQL over the built graph: named queries, parameters as bindings, result formats.

Named queries ship as `kg/queries/*.rq`; a comment header gives the title, a description
and the parameters (`# param: city (place) the city …`). A parameter's value is resolved
to a term (a place's or industry's name, alias or IRI) and bound to the query's variable,
never pasted into the query text.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Iterator, TextIO

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import Node

from ..model.errors import KGError, UnknownIndustryError, UnknownNameError, UnknownQueryError
from ..model.names import compare_key
from ..model.terms import xml_text
from .guard import check_iri
from .results import Result, Stream
from .store import Store
from ..model.vocab import KG

QUERIES = Path(__file__).resolve().parent / "queries"
FORMATS = ("table", "csv", "tsv", "json")
_PARAM = re.compile(r"^#\s*param:\s*(\w+)\s*\((\w+)\)\s*(.*)$")
_CLASSES = {
    "industry": ("Industry",),
    "place": ("Province", "City", "County", "Town", "Place"),
    "entity": (),
}


@dataclass(frozen=True)
class Param:
    name: str
    kind: str           # industry | place | entity | text | integer
    description: str

    @property
    def optional(self) -> bool:
        return self.description.startswith("optional")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str


def parse_named_query(name: str, text: str) -> NamedQuery:
    title, description, params = name, "", []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# title:"):
            title = line.split(":", 1)[1].strip()
        elif line.startswith("# description:"):
            description = line.split(":", 1)[1].strip()
        elif match := _PARAM.match(line):
            params.append(Param(match.group(1), match.group(2), match.group(3).strip()))
    return NamedQuery(name, title, description, tuple(params), text)


@cache
def named_queries() -> dict[str, NamedQuery]:
    return {path.stem: parse_named_query(path.stem, path.read_text(encoding="utf-8"))
            for path in sorted(QUERIES.glob("*.rq"))}


def named_query(name: str) -> NamedQuery:
    queries = named_queries()
    if name not in queries:
        raise UnknownQueryError(f"no named query {name!r}; `kg query --list` shows them: {', '.join(queries)}")
    return queries[name]


# ---------------------------------------------------------------------- resolving parameter values
_LABELLED = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?e ?label ?class WHERE {
  ?e a ?class ; rdfs:label|skos:altLabel ?label .
}"""


@dataclass(frozen=True)
class Labelled:
    iri: str
    label: str
    cls: str


def labelled_entities(store: Store) -> list[Labelled]:
    out = []
    for row in store.query(_LABELLED).rows:
        cls = str(row["class"])
        if cls.startswith(str(KG._NS)):
            out.append(Labelled(str(row["e"]), str(row["label"]), cls.removeprefix(str(KG._NS))))
    return out


def resolve_term(store: Store, value: str, kind: str) -> URIRef:
    """The IRI a parameter value names: an IRI as is, else a (normalised) name or alias of an
    entity of the parameter's kind. Raises an error naming the closest known names."""
    if value.startswith(("http://", "https://")):
        return URIRef(check_iri(value))
    classes = _CLASSES.get(kind, ())
    label_kind = "Industry" if kind == "industry" else ""
    wanted = compare_key(value, label_kind)
    candidates = [e for e in labelled_entities(store) if not classes or e.cls in classes]
    exact = sorted({e.iri for e in candidates if compare_key(e.label, label_kind) == wanted})
    if not exact and kind == "place":   # 金华 for 金华市, 义乌 for 义乌市
        exact = sorted({e.iri for e in candidates if compare_key(e.label).rstrip("市县区") == wanted.rstrip("市县区")})
    if exact:
        # several entities may share a name (a taxonomy concept and its label); take the one with most facts
        return URIRef(exact[0]) if len(exact) == 1 else URIRef(_best_connected(store, exact))
    suggestions = closest([e.label for e in candidates], value)
    if kind == "industry":
        raise UnknownIndustryError(value, suggestions)
    hint = f"; closest: {', '.join(suggestions)}" if suggestions else ""
    raise UnknownNameError(f"no {kind} named {value!r} in the graph{hint}")


def _best_connected(store: Store, iris: list[str]) -> str:
    query = "SELECT (COUNT(*) AS ?n) WHERE { { ?e ?p ?o } UNION { ?s ?p ?e } }"
    counts = {iri: int(store.query(query, {"e": URIRef(iri)}).rows[0]["n"]) for iri in iris}
    return max(iris, key=lambda iri: (counts[iri], iri))


def closest(names: list[str], value: str, n: int = 5) -> list[str]:
    """Names that share the most characters with the value (works for Chinese, unlike edit ratios)."""
    target = set(compare_key(value))
    scored = []
    for name in set(names):
        common = len(target & set(compare_key(name)))
        if common:
            scored.append((-common / max(len(target), len(set(name))), len(name), name))
    return [name for *_, name in sorted(scored)[:n]]


def bind(store: Store, query: NamedQuery, values: dict[str, str]) -> dict[str, Node]:
    unknown = set(values) - {p.name for p in query.params}
    if unknown:
        raise KGError(f"{query.name} takes no parameter {', '.join(sorted(unknown))} "
                      f"(it takes: {', '.join(p.name for p in query.params) or 'none'})")
    bindings: dict[str, Node] = {}
    for param in query.params:
        if param.name not in values:
            if not param.optional:
                raise KGError(f"{query.name} needs --param {param.name}=… ({param.description})")
            continue
        value = values[param.name]
        if param.kind == "integer":
            if not re.fullmatch(r"[+-]?\d{1,18}", value.strip()):
                raise KGError(f"{query.name}: --param {param.name} takes a whole number, not {value!r}")
            bindings[param.name] = Literal(int(value))
        elif param.kind == "text":
            bindings[param.name] = Literal(value)
        else:
            bindings[param.name] = resolve_term(store, value, param.kind)
    return bindings


def run_named(store: Store, name: str, values: dict[str, str] | None = None) -> Result:
    query = named_query(name)
    return store.query(query.text, bind(store, query, values or {}))


# ---------------------------------------------------------------------- formatting
def term_json(term: Node) -> dict:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None:
            out["datatype"] = str(term.datatype)
        return out
    return {"type": "bnode", "value": str(term)}


def results_json(result: Result) -> dict:
    """SPARQL 1.1 Query Results JSON."""
    if result.kind == "ask":
        return {"head": {}, "boolean": bool(result.answer)}
    return {"head": {"vars": result.variables},
            "results": {"bindings": [{k: term_json(v) for k, v in row.items()} for row in result.rows]}}


def _cell(term: Node | None) -> str:
    return "" if term is None else str(term)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


TABLE_SAMPLE = 1000   # rows that set a table's column widths; later rows are written as they come


def write_result(result: Result | Stream, fmt: str, out: TextIO) -> None:
    """Write a result in one of FORMATS (RDF results as Turtle), row by row: a Stream from
    `store.stream` is written without ever being held whole."""
    if fmt not in FORMATS:
        raise KGError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    if result.kind == "ask":
        out.write(json.dumps(results_json(result), indent=2) if fmt == "json" else "yes" if result.answer else "no")
        out.write("\n")
        return
    if result.kind == "graph":
        _write_turtle(_items(result), out)
        return
    variables, rows = result.variables, _items(result)
    if fmt == "json":
        out.write(json.dumps({"head": {"vars": variables}}, ensure_ascii=False)[:-1] + ', "results": {"bindings": [')
        for i, row in enumerate(rows):
            out.write(("," if i else "") + "\n  " + json.dumps({k: term_json(v) for k, v in row.items()},
                                                                ensure_ascii=False))
        out.write("\n]}}\n")
    elif fmt in ("csv", "tsv"):
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow([_cell(row.get(v)) for v in variables])
    else:
        _write_table(variables, rows, out)


def _items(result: Result | Stream) -> Iterator:
    if isinstance(result, Stream):
        return result.items
    return iter(result.graph) if result.kind == "graph" else iter(result.rows)


def _write_table(variables: list[str], rows: Iterator[dict], out: TextIO) -> None:
    sample = [[_cell(row.get(v)) for v in variables] for row in islice(rows, TABLE_SAMPLE)]
    widths = [max([_width(v)] + [_width(r[i]) for r in sample]) for i, v in enumerate(variables)]

    def line(cells: list[str]) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip() + "\n"

    out.write("  ".join(v + " " * (w - _width(v)) for v, w in zip(variables, widths)) + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for cells in sample:
        out.write(line(cells))
    for row in rows:
        out.write(line([_cell(row.get(v)) for v in variables]))


def _write_turtle(triples: Iterator, out: TextIO) -> None:
    """Turtle, one triple a line, with kg's prefixes: valid however long the result."""
    from ..build.emit import PREFIXES, new_graph

    names = new_graph().namespace_manager
    for prefix, namespace in PREFIXES.items():
        out.write(f"@prefix {prefix}: <{namespace}> .\n")
    out.write("\n")
    for s, p, o in triples:
        out.write(f"{s.n3(names)} {'a' if p == RDF.type else p.n3(names)} {o.n3(names)} .\n")


def format_result(result: Result, fmt: str = "table") -> str:
    out = io.StringIO()
    write_result(result, fmt, out)
    return out.getvalue().removesuffix("\n")


# ---------------------------------------------------------------------- SPARQL 1.1 result formats
def _xml_escape(text: str) -> str:
    return xml_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def results_xml(result: Result) -> str:
    """SPARQL Query Results XML Format. Characters XML 1.0 cannot carry (most C0 controls)
    are left out of values: the document stays well-formed whatever a literal holds."""
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if result.kind == "ask":
        out += ["  <head/>", f"  <boolean>{'true' if result.answer else 'false'}</boolean>", "</sparql>"]
        return "\n".join(out)
    out.append("  <head>" + "".join(f'<variable name="{v}"/>' for v in result.variables) + "</head>")
    out.append("  <results>")
    for row in result.rows:
        cells = []
        for name, term in row.items():
            if isinstance(term, URIRef):
                value = f"<uri>{_xml_escape(str(term))}</uri>"
            elif isinstance(term, Literal):
                attrs = f' xml:lang="{_xml_escape(term.language)}"' if term.language else (
                    f' datatype="{_xml_escape(str(term.datatype))}"' if term.datatype else "")
                value = f"<literal{attrs}>{_xml_escape(str(term))}</literal>"
            else:
                value = f"<bnode>{_xml_escape(str(term))}</bnode>"
            cells.append(f'<binding name="{name}">{value}</binding>')
        out.append("    <result>" + "".join(cells) + "</result>")
    out += ["  </results>", "</sparql>"]
    return "\n".join(out)


def xml_safe_graph(graph: Graph) -> Graph:
    """The graph with XML-forbidden characters left out of its literals, for RDF/XML."""
    from ..build.emit import new_graph

    out = new_graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and xml_text(str(o)) != str(o):
            o = Literal(xml_text(str(o)), lang=o.language, datatype=o.datatype)
        out.add((s, p, o))
    return out


def results_tsv(result: Result) -> str:
    """SPARQL 1.1 Query Results TSV: terms in their Turtle/N-Triples form."""
    lines = ["\t".join("?" + v for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join(row[v].n3() if v in row else "" for v in result.variables))
    return "\n".join(lines) + "\n"


def results_csv(result: Result) -> str:
    """SPARQL 1.1 Query Results CSV: plain values."""
    return format_result(result, "csv").replace("\n", "\r\n") + "\r\n"


# Media types the endpoint answers with, by result kind; the first is the default.
SELECT_TYPES = {
    "application/sparql-results+json": lambda r: json.dumps(results_json(r), ensure_ascii=False),
    "application/json": lambda r: json.dumps(results_json(r), ensure_ascii=False),
    "application/sparql-results+xml": results_xml,
    "application/xml": results_xml,
    "text/csv": results_csv,
    "text/tab-separated-values": results_tsv,
}
GRAPH_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
               "application/rdf+xml": "xml"}


def negotiate(accept: str, offered: list[str]) -> str | None:
    """The offered media type the Accept header prefers (q-values honoured); None if none fits."""
    if not accept.strip():
        return offered[0]
    wanted = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        wanted.append((-q, i, fields[0].lower()))
    for _, _, media in sorted(wanted):
        if media in ("*/*", ""):
            return offered[0]
        if media.endswith("/*"):
            match = next((o for o in offered if o.startswith(media[:-1])), None)
            if match:
                return match
        elif media in offered:
            return media
    return None
