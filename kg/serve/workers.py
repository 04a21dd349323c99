"""Query worker processes and the scheduler in front of them.

Each worker process holds the graph; a query past its time limit kills its worker, which
is replaced, so a pathological query costs its time limit and no more. The result limit
is applied as the engine produces rows (the worker never holds more than the limit).

Scheduling is fair and keeps a fast lane:
- every client (by address) may have a few requests in the pool at once; more get 429;
- queued jobs are taken round-robin over clients, so one client's backlog does not hold
  up the others;
- a job first runs with a short budget (the fast stage). One that outruns it becomes a
  slow job: it goes on where it runs if a slow slot is free, else it is stopped and queued
  again as slow. Slow jobs never occupy the last worker(s) kept for the fast lane, so a
  short query waits only behind other short ones. A query seen to be slow starts slow
  the next time.
Nothing here blocks the event loop: jobs are handed over as futures.
"""
from __future__ import annotations

import hashlib
import multiprocessing as mp
import threading
import time
from collections import OrderedDict, deque
from concurrent.futures import Future
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model.errors import (KGError, QueryFailedError, QueryLimitError, QueryRefusedError, QuerySyntaxError,
                            UnknownNameError, UnknownQueryError)


# The client on whose behalf jobs are submitted (the server sets it per request); code run in
# the thread pool for a request sees that request's value.
CLIENT: ContextVar[str] = ContextVar("client", default="-")


class PoolBusyError(KGError):
    """Too many requests from one client (`per_client`), or in all (`queue_limit`)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


# ====================================================================== the worker process
def _worker_main(conn, build_dir: str, kind: str, endpoint: str | None) -> None:
    from .store import open_store

    try:
        store = open_store(Path(build_dir), kind, endpoint)
    except Exception as exc:   # report why the graph could not be opened, then stop
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", len(store)))
    maps = _Maps(store)
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        operation, payload, dataset, max_rows = message
        try:
            conn.send(("ok", _answer(store, maps, operation, payload, dataset, max_rows)))
        except QueryLimitError as exc:
            conn.send(("too-large", str(exc)))
        except BaseException as exc:   # sent back as it is; the server decides the status
            conn.send(("raised", _portable(exc)))


def _answer(store, maps: "_Maps", operation: str, payload, dataset, max_rows: int):
    from .query import bind, named_query

    if operation == "sparql":
        return store.query(payload, dataset=dataset, limit=max_rows)
    if operation == "named":
        name, values = payload
        query = named_query(name)
        return store.query(query.text, bind(store, query, values), limit=max_rows)
    if operation == "map-key":
        return maps.key(*payload)
    if operation == "map":
        return maps.page(*payload)
    raise ValueError(f"unknown operation {operation!r}")


class _Maps:
    """The cluster map's graph, computed once per worker; pages cut from it by known IRIs."""

    def __init__(self, store) -> None:
        self.store = store
        self._graph = None

    def graph(self):
        from .viz import map_graph

        if self._graph is None:
            self._graph = map_graph(self.store)
        return self._graph

    def key(self, city: str | None, chain: str | None) -> tuple[str | None, str | None]:
        """The IRIs of a city and a chain the map knows; UnknownNameError otherwise (so the
        server's cache of pages is keyed only by what the map can draw)."""
        from .query import resolve_term

        _, nodes = self.graph()
        known = {"place": {n.iri for n in nodes.values() if n.family == "Place"},
                 "industry": {n.iri for n in nodes.values() if n.family == "Industry"}}
        out = []
        for value, kind in ((city, "place"), (chain, "industry")):
            if not value:
                out.append(None)
                continue
            iri = str(resolve_term(self.store, value, kind))
            if iri not in known[kind]:
                raise UnknownNameError(f"the map has no {'city' if kind == 'place' else 'chain'} {value!r}")
            out.append(iri)
        return tuple(out)

    def page(self, city: str | None, chain: str | None) -> str:
        from .viz import render, subgraph

        graph, nodes = self.graph()
        # a node opens its page on this server (kg serve's /id/)
        return render(subgraph(graph, nodes, city, chain) if city or chain else graph, nodes, entity_base="/id/")


def _portable(exc: BaseException) -> tuple[str, tuple]:
    """An exception as (kind, arguments) that pickles whatever it was."""
    if isinstance(exc, (QuerySyntaxError, QueryRefusedError)):
        return type(exc).__name__, (exc.detail, exc.line, exc.column)
    for cls in (QueryFailedError, UnknownQueryError, UnknownNameError, KGError):
        if isinstance(exc, cls):
            return cls.__name__, (str(exc),)
    return "error", (f"{type(exc).__name__}: {exc}",)


_ERRORS = {cls.__name__: cls for cls in (QuerySyntaxError, QueryRefusedError, QueryFailedError, UnknownQueryError,
                                          UnknownNameError, KGError)}


def _rebuilt(kind: str, args: tuple) -> Exception:
    return _ERRORS[kind](*args) if kind in _ERRORS else RuntimeError(*args)


# ====================================================================== the pool
@dataclass
class _Job:
    client: str
    operation: str
    payload: Any
    dataset: Any
    timeout: float
    slow: bool
    key: str
    future: Future = field(default_factory=Future)


@dataclass
class _Worker:
    process: Any
    conn: Any


class QueryPool:
    """Worker processes that each hold the graph, behind a fair scheduler with a fast lane."""

    def __init__(self, build_dir: Path, kind: str = "auto", size: int = 2, timeout: float = 10.0,
                 max_rows: int = 10_000, endpoint: str | None = None, per_client: int = 8,
                 queue_limit: int = 256, fast_budget: float = 0.5) -> None:
        self.args = (str(build_dir), kind, endpoint)
        self.size, self.timeout, self.max_rows = size, timeout, max_rows
        self.per_client, self.queue_limit = per_client, queue_limit
        self.fast_budget = min(fast_budget, timeout)
        self.reserved = 1 if size > 1 else 0            # workers slow jobs may not take
        self._context = mp.get_context("spawn")         # the server is multi-threaded: never fork it
        self._lock = threading.Condition()
        self._fast: OrderedDict[str, deque[_Job]] = OrderedDict()   # client → its jobs, in turn order
        self._slow: OrderedDict[str, deque[_Job]] = OrderedDict()
        self._in_pool: dict[str, int] = {}
        self._slow_running = 0
        self._slow_keys: OrderedDict[str, None] = OrderedDict()     # queries seen to outrun the budget
        self._closed = False
        self.triples = 0
        self._threads = []
        workers = [self._spawn() for _ in range(size)]
        for worker in workers:
            thread = threading.Thread(target=self._drive, args=(worker,), daemon=True)
            thread.start()
            self._threads.append(thread)

    # ------------------------------------------------------------------ submitting
    def submit(self, operation: str, payload, client: str | None = None, dataset=None, slow: bool = False,
               timeout: float | None = None) -> Future:
        client = client or CLIENT.get()
        key = hashlib.sha1(repr((operation, payload, dataset)).encode("utf-8")).hexdigest()
        with self._lock:
            if self._in_pool.get(client, 0) >= self.per_client:
                raise PoolBusyError(f"this client has {self.per_client} requests running or waiting already; "
                                    "wait for one to finish", 429)
            if sum(self._in_pool.values()) >= self.queue_limit:
                raise PoolBusyError(f"the server is busy ({self.queue_limit} requests waiting); try again later", 503)
            job = _Job(client, operation, payload, dataset, timeout or self.timeout,
                       slow or key in self._slow_keys, key)
            self._in_pool[client] = self._in_pool.get(client, 0) + 1
            job.future.add_done_callback(lambda _: self._leave(client))
            self._enqueue(job)
        return job.future

    def run(self, operation: str, payload, client: str | None = None, dataset=None, slow: bool = False,
            timeout: float | None = None) -> Any:
        """Submit and wait: the result, or the exception the job ended with."""
        return self.submit(operation, payload, client, dataset, slow, timeout).result()

    def _leave(self, client: str) -> None:
        with self._lock:
            self._in_pool[client] -= 1
            if not self._in_pool[client]:
                del self._in_pool[client]

    def _enqueue(self, job: _Job, first: bool = False) -> None:
        queues = self._slow if job.slow else self._fast
        jobs = queues.setdefault(job.client, deque())
        jobs.appendleft(job) if first else jobs.append(job)
        self._lock.notify_all()

    def _take(self) -> _Job | None:
        """The next job this worker may run (under the lock), round-robin over clients."""
        for queues, allowed in ((self._slow, self._slow_running < self.size - self.reserved), (self._fast, True)):
            while allowed and queues:
                client, jobs = next(iter(queues.items()))
                job = jobs.popleft()
                if jobs:
                    queues.move_to_end(client)      # the client's next job waits for the others' turn
                else:
                    del queues[client]
                if not job.slow and job.key in self._slow_keys:   # seen to be slow since it was queued
                    job.slow = True
                    self._enqueue(job)
                    continue
                if job.future.set_running_or_notify_cancel():   # skip jobs whose client went away
                    if job.slow:
                        self._slow_running += 1
                    return job
        return None

    # ------------------------------------------------------------------ running
    def _drive(self, worker: _Worker) -> None:
        while True:
            with self._lock:
                job = self._take()
                while job is None and not self._closed:
                    self._lock.wait()
                    job = self._take()
            if job is None:
                self._stop(worker)
                return
            try:
                worker = self._execute(worker, job)
            except BaseException as exc:    # a worker that cannot be replaced: answer, and stop this lane
                if not job.future.done():
                    job.future.set_exception(exc)
                return

    def _execute(self, worker: _Worker, job: _Job) -> _Worker:
        started = time.monotonic()
        slow = job.slow
        try:
            try:
                worker.conn.send((job.operation, job.payload, job.dataset, self.max_rows))
                done = worker.conn.poll(job.timeout if slow else self.fast_budget)
                if not done and not slow:
                    with self._lock:
                        self._remember_slow(job.key)
                        if self._slow_running < self.size - self.reserved:   # go on here, as a slow job
                            self._slow_running += 1
                            slow = True
                    if not slow:      # no slow slot: stop it, queue it again as slow, keep the fast lane
                        worker = self._replace(worker)
                        with self._lock:
                            job.slow, job.future = True, _rearmed(job.future)
                            self._enqueue(job, first=True)
                        return worker
                    done = worker.conn.poll(max(job.timeout - (time.monotonic() - started), 0))
                if not done:
                    worker = self._replace(worker)
                    job.future.set_exception(QueryLimitError(
                        f"the query ran longer than the time limit of {job.timeout:g} s; add a LIMIT or narrow it down"))
                    return worker
                status, detail = worker.conn.recv()
            except (EOFError, BrokenPipeError, ConnectionResetError, OSError):
                worker = self._replace(worker)
                job.future.set_exception(KGError("the query worker stopped; try again"))
                return worker
        finally:
            if slow:
                with self._lock:
                    self._slow_running -= 1
                    self._lock.notify_all()
        if status == "ok":
            job.future.set_result(detail)
        elif status == "too-large":
            job.future.set_exception(QueryLimitError(detail))
        else:
            job.future.set_exception(_rebuilt(*detail))
        return worker

    def _remember_slow(self, key: str) -> None:
        self._slow_keys[key] = None
        self._slow_keys.move_to_end(key)
        while len(self._slow_keys) > 1024:
            self._slow_keys.popitem(last=False)

    # ------------------------------------------------------------------ worker processes
    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_worker_main, args=(child, *self.args), daemon=True)
        process.start()
        child.close()
        if not parent.poll(300):
            process.kill()
            raise KGError("the query worker did not load the graph within 300 s")
        status, detail = parent.recv()
        if status != "ready":
            process.join()
            raise KGError(f"the query worker could not open the graph: {detail}")
        self.triples = detail
        return _Worker(process, parent)

    def _replace(self, worker: _Worker) -> _Worker:
        worker.process.kill()
        worker.process.join()
        worker.conn.close()
        return self._spawn()

    def _stop(self, worker: _Worker) -> None:
        try:
            worker.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        worker.process.join(timeout=2)
        if worker.process.is_alive():
            worker.process.kill()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        for thread in self._threads:
            thread.join(timeout=5)


def _rearmed(future: Future) -> Future:
    """A job queued again keeps its caller's future: a fresh pending one is chained to it."""
    fresh: Future = Future()

    def forward(done: Future) -> None:
        if done.cancelled():
            return
        exc = done.exception()
        future.set_exception(exc) if exc is not None else future.set_result(done.result())

    fresh.add_done_callback(forward)
    return fresh
