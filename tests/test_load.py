"""A bounded load on loopback (kg/loadtest.py, the code `kg bench --serve` runs): behaviour
under load, not speed. Slow queries hold workers to their time limit while short queries,
named queries and /health from other clients go on being answered, with no errors."""
from __future__ import annotations

import threading
import time

import pytest

from kg.loadtest import SHORT, get, run_load, sparql_path, start_server

from .helpers import free_port

pytestmark = pytest.mark.slow

STUCK = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"   # runs to any time limit


@pytest.fixture(scope="module")
def server(corpus_build):
    port = free_port()
    process = start_server(corpus_build.files["nquads"].parent, port, "oxigraph", workers=3, timeout=2,
                           extra=("--per-client", "3"))
    yield port, process
    process.terminate()
    process.wait(timeout=10)


def test_load_short_queries_and_health_do_not_wait_for_slow_ones(server):
    port, _ = server
    ended: dict[str, list] = {"slow": [], "short": []}

    def send(kind: str, source: str, path: str) -> None:
        status, body = get("127.0.0.1", port, path, source=source)
        ended[kind].append((status, body, time.time()))

    slow = [threading.Thread(target=send, args=("slow", f"127.0.0.{10 + i}", sparql_path(STUCK))) for i in range(2)]
    for thread in slow:
        thread.start()
    time.sleep(0.3)                             # the slow ones are running
    for path in (sparql_path(SHORT[0]), "/health", sparql_path(SHORT[1]), "/api/named/leaders-per-chain"):
        send("short", "127.0.0.20", path)
    for thread in slow:
        thread.join()
    assert all(status == 503 and "time limit" in body for status, body, _ in ended["slow"])
    assert all(status == 200 for status, _, _ in ended["short"])
    assert max(t for _, _, t in ended["short"]) < min(t for _, _, t in ended["slow"])


def test_load_many_clients_no_errors(server):
    port, process = server
    report = run_load(port, process.pid, "test", clients=10, slow_clients=2, requests=8, slow_requests=2)
    assert len(report.samples) == 8 * 8 + 2 * 2
    assert report.errors() == [], [(s.kind, s.status, s.body) for s in report.errors()]
    assert {s.kind for s in report.samples} == {"short", "named", "health", "slow"}
    assert "| health |" in report.markdown() and report.memory_after > 0


def test_load_one_client_gets_its_share_then_429(server):
    port, _ = server
    statuses = []
    threads = [threading.Thread(target=lambda: statuses.append(get("127.0.0.1", port, sparql_path(STUCK),
                                                                   source="127.0.0.30")[0])) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [429, 429, 503, 503, 503]     # --per-client 3: three run (to the limit), two refused
