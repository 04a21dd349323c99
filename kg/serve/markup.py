"""What every page of kg writes the same way: links to entities, and JSON inside <script>."""
from __future__ import annotations

import json
from urllib.parse import quote

from markupsafe import Markup

from ..build.emit import PREFIXES
from ..model.vocab import BASE

ID = BASE + "id/"
_SCRIPT_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def script_json(value) -> Markup:
    """JSON that is safe inside <script>: no </script>, <!--, & or line separator in the data can end it early."""
    text = json.dumps(value, ensure_ascii=False)
    for char, escape in _SCRIPT_ESCAPES:
        text = text.replace(char, escape)
    return Markup(text)


def local_link(iri: str) -> str:
    """The server's path for an IRI of the graph (others link to themselves)."""
    if iri.startswith(ID):
        return "/id/" + quote(iri.removeprefix(ID), safe="/")
    return iri


def short_name(iri: str) -> str:
    """A prefixed name for an IRI (kg:leadsChain, place:330700), else the IRI."""
    best = max(((p, str(ns)) for p, ns in PREFIXES.items() if iri.startswith(str(ns))),
               key=lambda item: len(item[1]), default=None)
    return f"{best[0]}:{iri[len(best[1]):]}" if best else iri
