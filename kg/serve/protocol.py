"""The SPARQL 1.1 Protocol's request rules: where the query is, in which encoding, and
which graphs it is asked over. A pure function of the request's parts, so every rule
has a test without a server.

- GET `?query=…`; POST as a form (`query=…`) or as `application/sparql-query`.
- Exactly one query: a repeated `query=`, or a query in both the URL and the body, is a 400.
- `default-graph-uri` / `named-graph-uri` (URL or form, repeatable) select the dataset; the
  stores apply them over their named graphs or refuse (never ignore) them.
- The body is decoded by its charset (UTF-8 unless the Content-Type or a byte-order mark
  says UTF-16 or UTF-32); bytes that are not in that encoding are a 400.
- Updates are refused (403): this endpoint is read-only.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass
from urllib.parse import parse_qsl

from ..model.errors import KGError, QueryRefusedError
from .guard import GraphSelection, check_iri

CHARSETS = {"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "utf-16", "utf-16le", "utf-16be",
            "utf-32", "utf-32le", "utf-32be"}
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
FORMAT_NAMES = ("json", "xml", "csv", "tsv", "turtle", "json-ld", "jsonld", "nt", "ntriples")


class BadRequest(KGError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class SparqlRequest:
    query: str
    dataset: GraphSelection
    format: str | None


def query_params(raw: bytes) -> list[tuple[str, str]]:
    """A URL's query string as (name, value) pairs; a 400 if it is not UTF-8."""
    try:
        return parse_qsl(raw.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise BadRequest(400, "the query string is not UTF-8 (percent-encode UTF-8 bytes)") from None


def media_type(content_type: str) -> tuple[str, str | None]:
    """(media type, charset or None) of a Content-Type header."""
    media, *params = [part.strip() for part in content_type.split(";")]
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


def decode_body(body: bytes, charset: str | None) -> str:
    if charset is None:
        charset = next((name for bom, name in _BOMS if body.startswith(bom)), "utf-8")
    elif charset not in CHARSETS:
        raise BadRequest(415, f"charset {charset} is not accepted; send UTF-8 (or UTF-16)")
    try:
        return body.decode(charset).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise BadRequest(400, f"the body is not {charset} (bad byte at offset {exc.start}); "
                              "send UTF-8 or name the charset in Content-Type") from None


def sparql_request(method: str, content_type: str, query_string: bytes, body: bytes) -> SparqlRequest:
    params = query_params(query_string)
    text = None
    if method == "POST":
        media, charset = media_type(content_type)
        if media == "application/sparql-update":
            raise BadRequest(403, "this endpoint is read-only: SPARQL Update is refused")
        if media == "application/sparql-query":
            text = decode_body(body, charset)
            if any(name == "query" for name, _ in params):
                raise BadRequest(400, "a query both in the body and in the URL: send one")
        elif media == "application/x-www-form-urlencoded":
            form = decode_body(body, charset)
            try:
                params += parse_qsl(form, keep_blank_values=True, encoding="utf-8", errors="strict")
            except UnicodeDecodeError:
                raise BadRequest(400, "the form is not UTF-8 (percent-encode UTF-8 bytes)") from None
        else:
            raise BadRequest(415, "POST a query as application/sparql-query or as a form (query=…)")
    names = [name for name, _ in params]
    if "update" in names:
        raise BadRequest(403, "this endpoint is read-only: SPARQL Update is refused")
    if text is None:
        queries = [value for name, value in params if name == "query"]
        if len(queries) > 1:
            raise BadRequest(400, f"{len(queries)} query parameters: send exactly one")
        text = queries[0] if queries else None
    if not text or not text.strip():
        raise BadRequest(400, "no query: pass query=… (GET or form POST) or POST application/sparql-query")
    try:
        dataset = GraphSelection(tuple(check_iri(v) for n, v in params if n == "default-graph-uri"),
                                 tuple(check_iri(v) for n, v in params if n == "named-graph-uri"))
    except QueryRefusedError as exc:
        raise BadRequest(400, f"a dataset parameter is {exc.detail}") from None
    formats = [value for name, value in params if name == "format"]
    if len(set(formats)) > 1:
        raise BadRequest(400, "more than one format=: send one")
    fmt = formats[0] if formats else None
    if fmt is not None and fmt.lower() not in FORMAT_NAMES and "/" not in fmt:
        raise BadRequest(400, f"unknown format={fmt}; one of {', '.join(FORMAT_NAMES)} or a media type")
    return SparqlRequest(text, dataset, fmt)
