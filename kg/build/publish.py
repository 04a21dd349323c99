"""Loading the graph into an external SPARQL 1.1 server through the Graph Store HTTP
Protocol: one named graph per document, only the graphs whose content changed are sent."""
from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable
from urllib.parse import quote

import pyoxigraph as ox

from ..model.errors import EndpointError
from .files import write_atomic


class HTTPFailure(EndpointError):
    """The server answered with an error status."""

    def __init__(self, method: str, url: str, code: int, detail: str) -> None:
        super().__init__(f"{method} {url}: HTTP {code} {detail}")
        self.code, self.detail = code, detail


def request(url: str, method: str, body: bytes | None = None, headers: dict | None = None,
             timeout: float = 120.0) -> tuple[str, bytes]:
    """(media type, body) of a successful answer; HTTPFailure or EndpointError otherwise."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.headers.get("Content-Type", "").split(";")[0].strip(), response.read()
    except urllib.error.HTTPError as exc:
        raise HTTPFailure(method, url, exc.code, exc.read().decode("utf-8", "replace").strip()) from None
    except (urllib.error.URLError, OSError) as exc:
        raise EndpointError(f"cannot reach {url}: {getattr(exc, 'reason', exc)}") from None


@dataclass
class PushReport:
    replaced: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)


def graph_digest(triples: list[ox.Triple]) -> str:
    """A digest of a graph's triples that does not depend on their order."""
    return hashlib.sha256("\n".join(sorted(map(str, triples))).encode("utf-8")).hexdigest()


def push(store_url: str, graphs: Iterable[tuple[str, list[ox.Triple]]], state_file: Path) -> PushReport:
    """Make the server's named graphs equal to `graphs` ((IRI, triples) pairs, read one at a
    time): PUT each graph whose content differs from what was last sent to this server,
    DELETE the graphs of documents that are gone.

    `state_file` records, per server, the digest of each graph sent; delete it to send all."""
    state_file = Path(state_file)
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    sent: dict[str, str] = state.get(store_url, {})
    report = PushReport()
    present: set[str] = set()
    try:
        for iri, triples in graphs:
            present.add(str(iri))
            digest = graph_digest(triples)
            if sent.get(str(iri)) == digest:
                report.unchanged += 1
                continue
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            request(_graph_url(store_url, iri), "PUT", body, {"Content-Type": "application/n-triples"})
            sent[str(iri)] = digest
            report.replaced.append(str(iri))
        for iri in sorted(set(sent) - present):
            try:
                request(_graph_url(store_url, iri), "DELETE")
            except HTTPFailure as exc:
                if exc.code != 404:   # already gone is what we want
                    raise
            del sent[iri]
            report.removed.append(iri)
    finally:   # what did reach the server is recorded even if a later request failed
        state[store_url] = sent
        write_atomic(state_file, json.dumps(state, ensure_ascii=False, indent=1).encode("utf-8"))
    return report


def _graph_url(store_url: str, iri: str) -> str:
    return f"{store_url}{'&' if '?' in store_url else '?'}graph={quote(str(iri), safe='')}"
