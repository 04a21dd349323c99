"""Loading the graph into OpenLink Virtuoso through its bulk loader, for graphs too large
for the Graph Store Protocol (Virtuoso loads billions of triples this way; Debian and
Ubuntu ship it as `virtuoso-opensource`).

    ld_dir(folder, 'graph.nq', …)   register the N-Quads file (its named graphs are kept)
    rdf_loader_run()                load what is registered (run it once per core to go faster)
    checkpoint                      make it durable

The folder must be listed in the server's `DirsAllowed` (virtuoso.ini). Virtuoso's default
graph is the union of the named graphs, so `kg query/chain/serve --endpoint
http://HOST:8890/sparql` answer from it. `virtuoso_server` starts a private server on
loopback ports, for the tests, the bench and trying it out.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..model.errors import KGError
from ..model.vocab import ID

GRAPHS = str(ID["graph/"])


@dataclass(frozen=True)
class Virtuoso:
    isql: str           # HOST:PORT of the SQL port that isql-vt talks to
    sparql: str         # the SPARQL endpoint's URL
    user: str = "dba"
    password: str = "dba"
    pid: int | None = None


def isql(server: Virtuoso, statements: str, timeout: float = 3600.0) -> str:
    program = shutil.which("isql-vt") or shutil.which("isql")
    if program is None:
        raise KGError("isql-vt is not installed (apt-get install virtuoso-opensource)")
    done = subprocess.run([program, server.isql, server.user, server.password, f"exec={statements}"],
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0 or "*** Error" in done.stdout:
        raise KGError(f"Virtuoso at {server.isql} refused: {(done.stdout + done.stderr).strip()[-1500:]}")
    return done.stdout


def bulk_load(server: Virtuoso, nquads: Path, loaders: int = 1) -> float:
    """Replace kg's named graphs in the server with those of `nquads` (a built graph.nq);
    returns the seconds the load took."""
    nquads = Path(nquads).resolve()
    started = time.perf_counter()
    # kg's graphs out first (the load list too, so the file is loaded again when it changed)
    isql(server, "log_enable(3, 1); "
                 f"DELETE FROM DB.DBA.RDF_QUAD WHERE id_to_iri(G) LIKE '{GRAPHS}%'; "
                 f"DELETE FROM DB.DBA.load_list WHERE ll_file = '{nquads}'; "
                 f"ld_dir('{nquads.parent}', '{nquads.name}', '{GRAPHS}unnamed');")
    runs = [subprocess.Popen([shutil.which("isql-vt") or "isql", server.isql, server.user, server.password,
                              "exec=rdf_loader_run();"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for _ in range(max(1, loaders))]
    for run in runs:
        out, _ = run.communicate()
        if run.returncode != 0 or "*** Error" in out:
            raise KGError(f"Virtuoso's bulk loader failed: {out.strip()[-1500:]}")
    isql(server, "checkpoint;")
    errors = isql(server, f"SELECT ll_error FROM DB.DBA.load_list WHERE ll_file = '{nquads}' AND ll_error IS NOT NULL;")
    if "0 Rows" not in errors:
        raise KGError(f"Virtuoso could not load {nquads}: {errors.strip()[-1500:]}")
    return time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def virtuoso_server(folder: Path, allowed: list[Path], buffers: int = 170_000) -> Iterator[Virtuoso]:
    """A Virtuoso server of its own in `folder`, on loopback ports, allowed to bulk-load the
    files in `allowed` folders; stopped (and its database kept in `folder`) on exit.
    `buffers`: 8 KB pages of memory (170,000 ≈ 1.3 GB, Virtuoso's advice for 2 GB free)."""
    program = shutil.which("virtuoso-t")
    if program is None:
        raise KGError("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = _free_port(), _free_port()
    db = folder / "virtuoso"
    (folder / "virtuoso.ini").write_text(f"""[Database]
DatabaseFile = {db}.db
ErrorLogFile = {db}.log
LockFile = {db}.lck
TransactionFile = {db}.trx
xa_persistent_file = {db}.pxa
[TempDatabase]
DatabaseFile = {db}-temp.db
TransactionFile = {db}-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = {', '.join(str(Path(a).resolve()) for a in allowed)}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {buffers * 3 // 4}
MaxQueryMem = 1G
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 600
""", encoding="utf-8")
    process = subprocess.Popen([program, "-c", str(folder / "virtuoso.ini"), "-f"], cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = Virtuoso(f"127.0.0.1:{sql_port}", f"http://127.0.0.1:{http_port}/sparql", pid=process.pid)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                isql(server, "SELECT 1;", timeout=10)
                break
            except (KGError, subprocess.TimeoutExpired):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise KGError("Virtuoso did not start: " + process.stderr.read().decode(errors="replace")[-1500:]
                                  if process.poll() is not None else "Virtuoso did not start within 120 s") from None
                time.sleep(0.5)
        yield server
    finally:
        try:
            isql(server, "shutdown;", timeout=60)
        except (KGError, subprocess.TimeoutExpired):
            pass
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
