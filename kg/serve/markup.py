"""What every page of kg writes the same way: links to entities, and JSON inside <script>;
and how a link's path is read back into the IRI (decoded once)."""
from __future__ import annotations

import json
import re
from urllib.parse import quote, unquote

from markupsafe import Markup

from ..build.emit import PREFIXES
from ..model.errors import QueryRefusedError
from ..model.vocab import BASE
from .guard import check_iri

ID = BASE + "id/"
_SCRIPT_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def script_json(value) -> Markup:
    """JSON that is safe inside <script>: no </script>, <!--, & or line separator in the data can end it early."""
    text = json.dumps(value, ensure_ascii=False)
    for char, escape in _SCRIPT_ESCAPES:
        text = text.replace(char, escape)
    return Markup(text)


def local_link(iri: str) -> str:
    """The server's path for an IRI of the graph (an IRI's own %XX kept, so `uri_to_iri`
    gives it back); other http(s) IRIs link to themselves, anything else (javascript: …) nowhere."""
    if iri.startswith(ID):
        return "/id/" + quote(iri.removeprefix(ID), safe="/%!$&'()*+,;=:@-._~")
    return iri if iri.lower().startswith(("http://", "https://")) else "#"


_UNRESERVED = re.compile(r"%([0-9A-Fa-f]{2})")


def uri_to_iri(path: str) -> str:
    """RFC 3987's URI → IRI mapping of a path: percent-encoded UTF-8 of non-ASCII characters
    and of unreserved ASCII ones is decoded; any other %XX (an IRI's own %2F, %22 …) stays."""
    def ascii_unreserved(match: re.Match) -> str:
        ch = chr(int(match.group(1), 16))
        return ch if ch.isalnum() and ch.isascii() or ch in "-._~" else match.group(0).upper()

    out, i = [], 0
    for run in re.finditer(r"(?:%[89A-Fa-f][0-9A-Fa-f])+", path):
        out.append(_UNRESERVED.sub(ascii_unreserved, path[i:run.start()]))
        try:
            out.append(unquote(run.group(), errors="strict"))
        except UnicodeDecodeError:
            out.append(run.group().upper())
        i = run.end()
    out.append(_UNRESERVED.sub(ascii_unreserved, path[i:]))
    return "".join(out)


def path_iri(raw_path: bytes, route: str) -> str:
    """The graph IRI a page's path names (`/id/…`, `/links/…`), from the raw path decoded
    once; ValueError if it names none (a page never puts such an IRI into a query)."""
    try:
        return check_iri(ID + uri_to_iri(raw_path.decode("utf-8").removeprefix(route)))
    except (QueryRefusedError, UnicodeDecodeError):
        raise ValueError(f"not an entity path: {route} followed by an IRI's path") from None


def short_name(iri: str) -> str:
    """A prefixed name for an IRI (kg:leadsChain, place:330700), else the IRI."""
    best = max(((p, str(ns)) for p, ns in PREFIXES.items() if iri.startswith(str(ns))),
               key=lambda item: len(item[1]), default=None)
    return f"{best[0]}:{iri[len(best[1]):]}" if best else iri
