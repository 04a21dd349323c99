"""Run the extraction stages on a hand-written text."""
from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from typing import Iterator
import urllib.error
import urllib.request

from kg.extract import extract_document
from kg.model.records import Document, DocumentExtraction


def extract_text(text: str, name: str = "t.txt") -> DocumentExtraction:
    return extract_document(Document(name, text, hashlib.sha256(text.encode()).hexdigest()))


def mentions(text: str) -> set[tuple[str, str]]:
    return {(m.text, m.label) for m in extract_text(text).mentions}


def relations(text: str) -> set[tuple[str, str, str]]:
    return {(r.subject.text, r.predicate, r.object.text) for r in extract_text(text).relations}


def figures(text: str) -> set[tuple]:
    return {(f.region.text, f.value, f.unit, f.year, f.target) for f in extract_text(text).figures}


def normalised_rows(result) -> list:
    """Rows as sets; GROUP_CONCAT's order is not defined by SPARQL, so its parts are sorted."""
    return sorted(sorted((k, "、".join(sorted(str(v).split("、")))) for k, v in row.items()) for row in result.rows)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process, seconds: float = 60) -> None:
    """Until `url` answers; fails with the server's output if the process ends first."""
    import pytest

    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return   # it answers, if not with 200
        except OSError:
            if process.poll() is not None:
                pytest.fail(process.stdout.read().decode())
            time.sleep(0.2)
    process.kill()
    pytest.fail(f"{url} did not answer within {seconds} s")


@contextmanager
def kg_serve(*options: str) -> Iterator[str]:
    """`kg serve OPTIONS` on a free local port, answering /health; yields its base URL and
    stops it afterwards."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--port", str(port), *options],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/health", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def fetch(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    """(status, media type, body) of a request; HTTP errors are answers too."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode("utf-8")
