"""Where the per-document work runs: in this process, in local worker processes, or on
the workers of a Dask distributed cluster (`dask://HOST:PORT`).

Every executor gives results in the order the work was handed in, whatever order the
workers finish in, so every executor writes the same bytes; and at most `window` pieces
of work are out at once, so neither this process nor the cluster holds the whole corpus.
"""
from __future__ import annotations

import multiprocessing
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Protocol

from ..model.errors import KGError


class Executor(Protocol):
    description: str

    def map(self, function: Callable[..., Any], arguments: Iterable[tuple]) -> Iterator[Any]: ...

    def close(self, abandon: bool = False) -> None:
        """`abandon`: after an error or an interruption, stop the work in progress too."""


class InProcess:
    description = "this process"

    def map(self, function, arguments):
        return (function(*args) for args in arguments)

    def close(self, abandon: bool = False) -> None:
        pass


class _Windowed:
    """Submits through `submit` (returning futures with `.result()`), yields in order."""
    window = 8

    def submit(self, function, *args):
        raise NotImplementedError

    def map(self, function, arguments):
        pending: deque = deque()
        for args in arguments:
            pending.append(self.submit(function, *args))
            if len(pending) >= self.window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


class LocalProcesses(_Windowed):
    """Worker processes started fresh ("spawn", not fork): they inherit no open file of the
    build (its lock, its staging files, the pipes of whoever started it), so a killed build
    leaves no worker behind holding them, and its workers end when it does."""

    def __init__(self, workers: int) -> None:
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_end_with_parent)
        self.window = 4 * workers
        self.description = f"{workers} local worker processes"

    def submit(self, function, *args):
        return self.pool.submit(function, *args)

    def close(self, abandon: bool = False) -> None:
        if not abandon:
            self.pool.shutdown(cancel_futures=True)
            return
        # interrupted: do not wait for the documents in progress (nor for a pool that the
        # interruption may have caught half-way through starting a worker)
        processes = list((getattr(self.pool, "_processes", None) or {}).values())   # None once shut down
        self.pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()
        for process in processes:
            process.join(10)


def _end_with_parent() -> None:
    """In each worker: be killed when the build's process dies, however it dies (Linux)."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Dask(_Windowed):
    """A Dask distributed cluster; its workers need kg installed (the same version)."""

    def __init__(self, address: str, timeout: float = 30.0) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise KGError("--executor dask:// needs Dask distributed: pip install 'kg[dask]' "
                          "(or pip install 'dask[distributed]')") from None
        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise KGError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        cores = sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values())
        if not cores:
            self.client.close()
            raise KGError(f"the Dask scheduler at {address} has no workers")
        self.window = 4 * cores
        self.description = f"Dask cluster {address} ({cores} worker threads)"

    def submit(self, function, *args):
        # pure=False: two documents with the same arguments are still two pieces of work
        return self.client.submit(function, *args, pure=False)

    def close(self, abandon: bool = False) -> None:
        self.client.close()   # the scheduler forgets the client's work with it


def executor_for(spec: str | None, workers: int) -> Executor:
    """`dask://HOST:PORT` → that cluster; otherwise `workers` local processes (1: this one)."""
    if spec:
        if spec.startswith("dask://"):
            return Dask("tcp://" + spec.removeprefix("dask://"))
        if spec not in ("local", "processes"):
            raise KGError(f"unknown executor {spec!r}: give dask://HOST:PORT, or leave it out for local processes")
    return LocalProcesses(workers) if workers > 1 else InProcess()


@contextmanager
def local_dask_cluster(workers: int = 2, threads: int = 1, timeout: float = 60.0) -> Iterator[str]:
    """A real Dask cluster on this machine, on loopback only: one `dask scheduler` and
    `workers` `dask worker` processes (what a cluster runs, started by hand). Yields the
    `dask://127.0.0.1:PORT` to build with; for the bench, the tests and trying it out."""
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    common = ["--no-dashboard"]
    processes = [subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port",
                                   str(port), *common], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)]
    try:
        for _ in range(workers):
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "dask", "worker", address, "--host", "127.0.0.1", "--nthreads", str(threads),
                 "--nworkers", "1", "--memory-limit", "0", *common],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        from distributed import Client

        deadline = time.monotonic() + timeout
        with Client(address, timeout=timeout, set_as_default=False) as client:
            while len(client.scheduler_info()["workers"]) < workers:
                failed = [p for p in processes if p.poll() is not None]
                if failed or time.monotonic() > deadline:
                    detail = failed[0].stderr.read().decode(errors="replace")[-2000:] if failed else "timed out"
                    raise KGError(f"the local Dask cluster did not start: {detail}")
                time.sleep(0.2)
        yield f"dask://127.0.0.1:{port}"
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
