"""Scale: the per-document work runs in workers — local processes or a real Dask cluster —
with the same bytes out; documents stream through a bounded window; the union graph is
sorted without holding it whole; the cache format round-trips and refuses what it is not."""
from __future__ import annotations

import pickle
import threading
from concurrent.futures import Future

import pytest

from kg.build import pipeline
from kg.build.executor import Dask, _Windowed, local_dask_cluster
from kg.extract.load import load_corpus
from kg.model import codec
from kg.model.errors import KGError
from kg.model.records import DocumentExtraction, Name

from .conftest import CORPUS, FIXTURES

FILES = ("graph.ttl", "graph.trig", "graph.nq", "extraction.jsonl", "manifest.json")


def outputs(folder):
    return {name: (folder / name).read_bytes() for name in FILES}


@pytest.mark.slow
def test_a_build_on_a_dask_cluster_writes_the_same_bytes_as_a_local_build(tmp_path):
    """A real cluster: `dask scheduler` and two `dask worker` processes on 127.0.0.1."""
    from distributed import Client

    pipeline.build(CORPUS, tmp_path / "local", use_cache=False)
    with local_dask_cluster(workers=2) as address:
        result = pipeline.build(CORPUS, tmp_path / "dask", use_cache=False, executor=address)
        with Client(address.replace("dask://", "tcp://"), set_as_default=False) as client:
            worked = client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.transition_counter)
            workers = client.scheduler_info()["workers"]
    assert result.executor.startswith("Dask cluster") and len(workers) == 2
    assert worked >= 2 * 2 * len(result.documents)        # both kinds of work of every document went there
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "local")


def test_an_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(KGError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        Dask("tcp://127.0.0.1:9", timeout=1)


def test_work_is_handed_out_in_a_bounded_window_and_comes_back_in_order():
    class Slow(_Windowed):
        window = 3

        def __init__(self):
            self.outstanding, self.most = 0, 0

        def submit(self, function, *args):
            future = Future()
            self.outstanding += 1
            self.most = max(self.most, self.outstanding)

            def finish():
                future.set_result(function(*args))
            # later work finishes first
            threading.Timer(0.02 * (10 - args[0]), finish).start()
            real_result = future.result

            def result(*a):
                value = real_result(*a)
                self.outstanding -= 1
                return value
            future.result = result
            return future

    executor = Slow()
    assert list(executor.map(lambda n: n * n, ((n,) for n in range(10)))) == [n * n for n in range(10)]
    assert executor.most == 3


def test_the_union_graph_spilled_in_sorted_runs_is_the_same_file(small_corpus, tmp_path, monkeypatch):
    whole = pipeline.build(small_corpus, tmp_path / "whole", use_cache=False)
    runs = []
    real_add = pipeline.SortedUnion.add

    def small_runs(union, lines):
        union.limit = 100                                  # a run every hundred lines
        real_add(union, lines)
        runs.append(len(union.runs))
    monkeypatch.setattr(pipeline.SortedUnion, "add", small_runs)
    spilled = pipeline.build(small_corpus, tmp_path / "spilled", use_cache=False)
    assert max(runs) >= 3                                 # every graph went out as a run of its own
    assert outputs(tmp_path / "spilled") == outputs(tmp_path / "whole") and spilled.triples == whole.triples


def test_records_round_trip_through_the_cache_format_and_anything_else_is_refused():
    docs, _ = load_corpus(FIXTURES / "small")
    (extraction,) = pipeline.extract_corpus(docs)
    data = codec.dumps(extraction)
    assert codec.loads(DocumentExtraction, data) == extraction
    names = (Name("丽水市", "City", "331100"), Name("光伏", "Industry"))
    assert codec.loads(tuple[Name, ...], codec.dumps(names, tuple[Name, ...])) == names
    for bad in (b"", b"garbage", pickle.dumps(extraction), data[:-5], codec.dumps(names, tuple[Name, ...])):
        with pytest.raises(codec.CodecError):
            codec.loads(DocumentExtraction, bad)


@pytest.mark.slow
def test_the_workers_have_ended_before_the_files_are_joined(small_corpus, tmp_path):
    """Their memory is back before the union graph is written (the peak of a large build)."""
    import psutil

    def processes():
        return {p.pid for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE
                and "resource_tracker" not in " ".join(p.cmdline())}

    before, alive = processes(), []

    def finish(folder):
        alive.extend(processes() - before)
        return []

    pipeline.build(small_corpus, tmp_path / "out", workers=2, use_cache=False, finish=finish)
    assert alive == []
