"""`kg bench --serve`: `kg serve` under load on loopback, measured from outside.

Clients are threads, each on a source address of its own (127.0.0.2, 127.0.0.3 …, so the
server sees distinct clients) with one keep-alive connection. Some send slow queries, the
others short ones (ASK, a named query) and /health. Reported per kind of request:
requests, throughput, p50/p99 latency, statuses and errors (a connection that failed or
an unexpected status), and the server's memory (its process and the workers') before and
after. The test suite runs the same code on a small load (tests/test_load.py).
"""
from __future__ import annotations

import http.client
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?b ?f }"   # ~2 s on Oxigraph for the seed graph
SHORT = ("ASK { ?s ?p ?o }",
         "PREFIX kg: <https://w3id.org/zjkg/ontology#> SELECT ?c ?i WHERE { ?c kg:leadsChain ?i } LIMIT 20")
NAMED = "/api/named/leaders-per-chain"


@dataclass
class Sample:
    kind: str          # slow | short | named | health
    status: int        # 0: the connection failed
    started: float
    ended: float
    body: str = ""

    @property
    def seconds(self) -> float:
        return self.ended - self.started


@dataclass
class LoadReport:
    label: str
    samples: list[Sample]
    seconds: float
    memory_before: float
    memory_after: float
    expected: dict[str, set[int]] = field(default_factory=dict)

    def errors(self, kind: str | None = None) -> list[Sample]:
        return [s for s in self.samples if (kind is None or s.kind == kind)
                and s.status not in self.expected.get(s.kind, {200})]

    def rows(self) -> list[tuple]:
        out = []
        by_kind = defaultdict(list)
        for sample in self.samples:
            by_kind[sample.kind].append(sample)
        for kind in ("short", "named", "health", "slow"):
            samples = by_kind.get(kind, [])
            if not samples:
                continue
            times = sorted(s.seconds for s in samples)
            statuses = ", ".join(f"{code or 'failed'}×{n}" for code, n in sorted(Counter(s.status for s in samples).items()))
            out.append((kind, len(samples), len(samples) / self.seconds, _quantile(times, 0.5) * 1000,
                        _quantile(times, 0.99) * 1000, statuses, len(self.errors(kind))))
        return out

    def markdown(self) -> str:
        lines = [f"#### {self.label}: {len(self.samples):,} requests in {self.seconds:.1f} s "
                 f"({len(self.samples) / self.seconds:.1f} req/s); server memory {self.memory_before:.0f} MB before, "
                 f"{self.memory_after:.0f} MB after", "",
                 "| requests | count | req/s | p50 ms | p99 ms | statuses | errors |", "| --- | --- | --- | --- | --- | --- | --- |"]
        for kind, count, rate, p50, p99, statuses, errors in self.rows():
            lines.append(f"| {kind} | {count:,} | {rate:.1f} | {p50:.1f} | {p99:.1f} | {statuses} | {errors} |")
        return "\n".join(lines)


def _quantile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


# ---------------------------------------------------------------------- the server
def start_server(build_dir: Path, port: int, store: str = "oxigraph", workers: int = 2, timeout: float = 10.0,
                 extra: tuple[str, ...] = (), python: str = sys.executable, seconds: float = 120.0) -> subprocess.Popen:
    """`kg serve` in a process of its own, once it answers /health."""
    process = subprocess.Popen([python, "-m", "kg.cli", "serve", "--build", str(build_dir), "--port", str(port),
                                "--store", store, "--workers", str(workers), "--timeout", str(timeout), *extra],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("kg serve stopped: " + process.stdout.read().decode(errors="replace"))
        try:
            if get("127.0.0.1", port, "/health")[0] == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"kg serve did not answer within {seconds:g} s")


def server_memory(pid: int) -> float:
    """MB held by the server and its worker processes (proportional set size where the
    system gives it, so pages shared between them count once; else resident size)."""
    import psutil

    try:
        root = psutil.Process(pid)
        total = 0
        for process in [root, *root.children(recursive=True)]:
            try:
                info = process.memory_full_info()
                total += getattr(info, "pss", info.rss)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return total / 1e6
    except psutil.NoSuchProcess:
        return 0.0


# ---------------------------------------------------------------------- clients
def get(host: str, port: int, path: str, source: str | None = None, connection=None, timeout: float = 120.0):
    """(status, body) of one GET; 0 when the connection fails."""
    conn = connection or http.client.HTTPConnection(host, port, timeout=timeout,
                                                    source_address=(source, 0) if source else None)
    conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
    response = conn.getresponse()
    body = response.read().decode("utf-8", errors="replace")
    if connection is None:
        conn.close()
    return response.status, body


def sparql_path(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


class _Client(threading.Thread):
    def __init__(self, number: int, port: int, plan: list[tuple[str, str]], samples: list[Sample],
                 lock: threading.Lock, start_at: float) -> None:
        super().__init__(daemon=True)
        self.source = f"127.0.0.{2 + number % 250}"
        self.port, self.plan, self.samples, self.lock, self.start_at = port, plan, samples, lock, start_at

    def run(self) -> None:
        time.sleep(max(0.0, self.start_at - time.time()))
        conn = None
        for kind, path in self.plan:
            started = time.time()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120,
                                                      source_address=(self.source, 0))
                status, body = get("127.0.0.1", self.port, path, connection=conn)
            except (OSError, http.client.HTTPException):
                status, body = 0, ""
                if conn is not None:
                    conn.close()
                conn = None
            with self.lock:
                self.samples.append(Sample(kind, status, started, time.time(), body[:200]))


def plans(clients: int, slow_clients: int, requests: int) -> list[list[tuple[str, str]]]:
    """What each client sends: the first `slow_clients` slow queries, the others a cycle of
    short queries, a named query and /health."""
    cycle = [("short", sparql_path(SHORT[0])), ("short", sparql_path(SHORT[1])), ("named", NAMED), ("health", "/health")]
    out = []
    for number in range(clients):
        if number < slow_clients:
            out.append([("slow", sparql_path(SLOW))] * requests)
        else:
            out.append([cycle[(number + i) % len(cycle)] for i in range(requests)])
    return out


def run_load(port: int, server_pid: int, label: str, clients: int = 20, slow_clients: int = 5,
             requests: int = 50, slow_requests: int = 4, slow_head_start: float = 0.0) -> LoadReport:
    """Every client sends its plan as fast as answers come; slow clients start
    `slow_head_start` seconds earlier, so short requests meet slow ones already running."""
    samples: list[Sample] = []
    lock = threading.Lock()
    before = server_memory(server_pid)
    start = time.time() + 0.2
    threads = []
    for number, plan in enumerate(plans(clients, slow_clients, requests)):
        if number < slow_clients:
            plan = plan[:slow_requests]
        begins = start if number < slow_clients else start + slow_head_start
        threads.append(_Client(number, port, plan, samples, lock, begins))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = max(s.ended for s in samples) - start
    # a slow query may be stopped at the time limit (503) or refused for its client's share (429)
    return LoadReport(label, samples, seconds, before, server_memory(server_pid),
                      expected={"slow": {200, 503, 429}})


def measure(build_dir: Path, stores: tuple[str, ...] = ("rdflib", "oxigraph"), clients: int = 20,
            slow_clients: int = 5, requests: int = 50, workers: int = 2, timeout: float = 10.0,
            python: str = sys.executable, extra: tuple[str, ...] = (), log=print) -> list[LoadReport]:
    """One server per store, the same load on each."""
    from .serve.limits import raise_file_limit

    raise_file_limit()
    reports = []
    for store in stores:
        port = _free_port()
        log(f"load on the {store} store: {clients} clients ({slow_clients} sending slow queries) …")
        server = start_server(build_dir, port, store, workers, timeout, extra, python)
        try:
            reports.append(run_load(port, server.pid, f"{store} store", clients, slow_clients, requests,
                                    slow_head_start=0.0))
        finally:
            server.terminate()
            server.wait(timeout=20)
    return reports


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def summary(reports: list[LoadReport], clients: int, slow_clients: int, workers: int, timeout: float) -> str:
    head = (f"### The endpoint under load ({clients} clients on loopback, {slow_clients} of them sending slow queries; "
            f"`kg serve --workers {workers} --timeout {timeout:g}`)\n\nslow: `{SLOW}`; short: an ASK and a 20-row "
            "SELECT; named: `leaders-per-chain`; health: `/health`. Errors: failed connections and statuses other "
            "than 200 (for slow queries also 503 at the time limit and 429 past the per-client share).")
    return "\n\n".join([head, *(r.markdown() for r in reports)])
