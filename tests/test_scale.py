"""Scale: the per-document work runs in workers — local processes or a real Dask cluster —
with the same bytes out; documents stream through a bounded window; the union graph is
sorted without holding it whole; the cache format round-trips and refuses what it is not."""
from __future__ import annotations

import pickle
import shutil
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


def _edit_remove_and_add(corpus):
    names = sorted(p.name for p in corpus.glob("*.txt"))
    edited = corpus / names[1]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n宁波市积极培育工业互联网平台。\n", encoding="utf-8")
    (corpus / names[3]).unlink()
    shutil.copy(corpus / names[0], corpus / "zz_copy.txt")


def _without_layout(out, folder):
    """A copy of the build folder `out` (its IRIs and cached extractions) without the layout."""
    shutil.copytree(out, folder)
    (folder / ".cache" / "build.layout").unlink()
    return folder


def test_a_rebuild_copies_what_did_not_change_and_writes_the_bytes_of_a_whole_build(tmp_path, monkeypatch):
    from kg.build import files, serialise

    monkeypatch.setattr(serialise, "CHUNK_BYTES", 2048)    # many chunks: most copied, a few made again and cut
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    shutil.copytree(CORPUS, corpus)
    pipeline.build(corpus, out)
    chunks = len(pipeline._Cache(out / ".cache", tmp_path).layout().chunks())
    whole = _without_layout(out, tmp_path / "whole")
    _edit_remove_and_add(corpus)
    copied, made = [], []
    real_copy, real_make = files.Appender.copy, serialise.UnionFiles.make
    monkeypatch.setattr(files.Appender, "copy", lambda self, *a: copied.append(a) or real_copy(self, *a))
    monkeypatch.setattr(serialise.UnionFiles, "make", lambda self, *a: made.append(a) or real_make(self, *a))
    rebuilt = pipeline.build(corpus, out)
    assert copied and 0 < len(made) < chunks / 2 and chunks > 50
    assert pipeline.build(corpus, whole).triples == rebuilt.triples
    assert outputs(out) == outputs(whole) and (out / "void.ttl").read_bytes() == (whole / "void.ttl").read_bytes()
    made.clear()
    pipeline.build(corpus, out)                          # nothing changed: every chunk copied
    assert made == [] and outputs(out) == outputs(whole)


def test_a_layout_that_does_not_match_its_files_is_not_used(tmp_path, monkeypatch):
    from kg.build import layout

    corpus, out = tmp_path / "corpus", tmp_path / "out"
    shutil.copytree(CORPUS, corpus)
    pipeline.build(corpus, out)
    whole = _without_layout(out, tmp_path / "whole")
    (out / "graph.nq").write_bytes((out / "graph.nq").read_bytes())     # same bytes, a new change time
    used = []
    real_opened = layout.opened
    monkeypatch.setattr(layout, "opened", lambda *a: used.append(a) or real_opened(*a))
    pipeline.build(corpus, out)
    assert used == []
    _edit_remove_and_add(corpus)
    counts = out / ".cache" / "union.counts"
    counts.write_bytes(bytes(len(counts.read_bytes())))   # every line held by no graph: the update cannot apply
    monkeypatch.setattr(layout, "usable", lambda *a: True)  # as if the damage could not be seen in the signatures
    refused = []
    real_update = pipeline.update_union

    def update(*a):
        try:
            real_update(*a)
        except pipeline.UnionMismatch:
            refused.append(a)
            raise
    monkeypatch.setattr(pipeline, "update_union", update)
    pipeline.build(corpus, out)
    assert len(used) == 1 and len(refused) == 1            # tried, refused, then built whole
    graph = out / "graph.nq"
    graph.write_bytes(graph.read_bytes()[:1000])           # the parts the layout would copy are not there
    pipeline.build(corpus, out)
    assert len(used) == 2
    monkeypatch.undo()
    pipeline.build(corpus, whole)
    assert outputs(out) == outputs(whole)


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
