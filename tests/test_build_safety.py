"""A build loses nothing and trusts nothing: kills at any moment leave the previous graph or
the new one (never a mix, never temporary files), an empty input does not replace a good
graph, two builds into one folder do not clash, and the cache is data, not code."""
from __future__ import annotations

import fcntl
import json
import os
import pickle
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from kg.build import pipeline
from kg.build.files import STAGING, Staging, build_lock, settle
from kg.cli import app
from kg.model.errors import KGError

from .conftest import CORPUS, FIXTURES

runner = CliRunner()
FILES = ("graph.ttl", "graph.trig", "graph.nq", "extraction.jsonl", "manifest.json", "graph.html")


def snapshot(folder):
    return {name: (folder / name).read_bytes() for name in FILES if (folder / name).exists()}


def leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.startswith(".") and p.name != ".cache"]


def test_empty_input_does_not_replace_a_good_graph(small_corpus, tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["build", "-i", str(small_corpus), "-o", str(out)]).exit_code == 0
    before = snapshot(out)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "bad.txt").write_bytes(b"\x00\x01\x02" * 100)
    result = runner.invoke(app, ["build", "-i", str(empty), "-o", str(out)])
    assert result.exit_code == 2
    assert "no document to build from" in result.output and "1 files skipped" in result.output
    assert "skipped bad.txt: binary file" in result.output
    assert snapshot(out) == before and not leftovers(out)
    result = runner.invoke(app, ["build", "-i", str(empty), "-o", str(out), "--allow-empty", "--no-viz"])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["counts"]["documents"] == 0


def test_the_map_is_written_with_the_graph_or_not_at_all(small_corpus, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", "-i", str(small_corpus), "-o", str(out)])
    assert result.exit_code == 0 and "map       " in result.output
    before = snapshot(out)
    assert "graph.html" in before
    (small_corpus / "more.txt").write_text("# 嘉兴\n\n嘉兴市重点发展智能光伏产业，以晶科为龙头。\n", encoding="utf-8")

    def broken_map(staged):
        (staged / "graph.html").write_bytes(b"<html>half")
        raise KGError("the map could not be drawn")

    with pytest.raises(KGError):
        pipeline.build(small_corpus, out, finish=broken_map)
    assert snapshot(out) == before and not leftovers(out)


def test_a_second_build_into_the_same_folder_is_refused_while_the_first_runs(small_corpus, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with build_lock(out):
        result = runner.invoke(app, ["build", "-i", str(small_corpus), "-o", str(out), "--no-viz"])
    assert result.exit_code == 2
    assert "another kg build is writing into" in result.output
    assert not (out / "graph.nq").exists()
    handle = os.open(out, os.O_RDONLY)        # the lock went with the build that held it
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.close(handle)


def test_staging_rolls_back_without_its_marker_and_forward_with_it(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for name, content in (("a", b"old a"), ("b", b"old b")):
        (out / name).write_bytes(content)
    staged = out / STAGING
    staged.mkdir()                                 # a build killed while writing: no marker
    (staged / "a").write_bytes(b"new a")
    settle(out)
    assert (out / "a").read_bytes() == b"old a" and not staged.exists()

    staging = Staging(out)
    with staging:
        for name in ("a", "b"):
            staging.path(name).write_bytes(b"new " + name.encode())
        real_replace = os.replace
        moved = []

        def killed_after_one_move(src, dst):
            if os.path.dirname(dst) == str(out):
                if moved:
                    raise SystemExit("killed")    # stands for SIGKILL between two moves
                moved.append(dst)
            real_replace(src, dst)
        os.replace = killed_after_one_move
        try:
            with pytest.raises(SystemExit):
                staging.commit(["a", "b"])
        finally:
            os.replace = real_replace
        assert (out / "a").read_bytes() == b"new a" and (out / "b").read_bytes() == b"old b"   # a mix …
        os.rename(staged, tmp_path / "kept")      # … that a real kill leaves on disk
    os.rename(tmp_path / "kept", staged)
    settle(out)                                   # the next build finishes the moves
    assert (out / "b").read_bytes() == b"new b" and not staged.exists()


@pytest.mark.slow
def test_builds_killed_at_any_moment_leave_one_whole_graph_and_no_temporary_files(tmp_path):
    """SIGTERM and SIGKILL at several moments of a real `kg build`: the folder then holds the
    previous build's files or the new build's, each set whole; SIGTERM removes the staging
    folder itself, and after SIGKILL the next build settles it."""
    old_corpus, new_corpus = FIXTURES / "small", CORPUS
    out, reference = tmp_path / "out", tmp_path / "reference"
    command = [sys.executable, "-m", "kg.cli", "build", "-o"]
    for corpus, folder in ((new_corpus, reference), (old_corpus, out)):
        subprocess.run([*command, str(folder), "-i", str(corpus), "--workers", "2"], check=True, capture_output=True)
    old, new = snapshot(out), snapshot(reference)
    assert old != new
    # the first kills land in the extraction; later ones, with the extractions cached, in the joining and the moves
    for sig, delay in ((signal.SIGTERM, 1.0), (signal.SIGKILL, 2.5), (signal.SIGTERM, 2.0), (signal.SIGKILL, 3.0)):
        subprocess.run([*command, str(out), "-i", str(old_corpus)], check=True, capture_output=True)
        process = subprocess.Popen([*command, str(out), "-i", str(new_corpus), "--workers", "2"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        time.sleep(delay)
        if sig == signal.SIGKILL:
            os.killpg(process.pid, signal.SIGKILL)          # its worker processes too, as a power cut would
        else:
            process.send_signal(sig)
        _, err = process.communicate(timeout=60)
        now = snapshot(out)
        assert now in (old, new), f"{sig!r} after {delay} s left a mix of two builds"
        if sig == signal.SIGTERM:
            # 130: interrupted and cleaned up; -15: ended while Python was starting, before kg did anything
            assert process.returncode in (0, 130, -signal.SIGTERM), err
            assert process.returncode != 130 or b"interrupted" in err
            assert not leftovers(out), leftovers(out)
        result = subprocess.run([*command, str(out), "-i", str(new_corpus), "--workers", "2"], capture_output=True)
        assert result.returncode == 0, result.stderr
        assert not leftovers(out) and snapshot(out) == new


def test_a_corrupt_or_crafted_cache_is_ignored_and_rebuilt(small_corpus, tmp_path):
    out = tmp_path / "out"
    pipeline.build(small_corpus, out)
    good = snapshot(out)
    entries = sorted((out / ".cache").iterdir())
    assert {p.suffix for p in entries} >= {".extraction", ".index", ".files"}

    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    for i, path in enumerate(entries):             # garbage, truncation and a pickle that would run code
        data = path.read_bytes()
        path.write_bytes([b"garbage", data[: len(data) // 2], pickle.dumps(Payload())][i % 3])
    built = []
    real = pipeline.extract_document
    pipeline.extract_document = lambda doc, times: built.append(doc.name) or real(doc, times)
    try:
        pipeline.build(small_corpus, out)
    finally:
        pipeline.extract_document = real
    assert built == ["lishui.txt"]                   # the corrupt extraction was made again
    assert snapshot(out) == good and not marker.exists()
    built.clear()
    pipeline.extract_document = lambda doc, times: built.append(doc.name) or real(doc, times)
    try:
        pipeline.build(small_corpus, out)            # and the rebuilt entries are good again
    finally:
        pipeline.extract_document = real
    assert built == []


def test_an_unchanged_corpus_is_neither_extracted_nor_emitted_again(small_corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    pipeline.build(small_corpus, out)
    calls = []
    monkeypatch.setattr(pipeline, "extract_task", lambda *a: calls.append("extract"))
    monkeypatch.setattr(pipeline, "emit_task", lambda *a: calls.append("emit"))
    result = pipeline.build(small_corpus, out)
    assert calls == [] and result.triples > 1000
    (small_corpus / "lishui.txt").rename(small_corpus / "renamed.txt")   # same content, another name:
    monkeypatch.undo()
    monkeypatch.setattr(pipeline, "extract_task", lambda *a: calls.append("extract"))
    real_emit = pipeline.emit_task
    monkeypatch.setattr(pipeline, "emit_task", lambda *a: calls.append("emit") or real_emit(*a))
    pipeline.build(small_corpus, out)
    assert calls == ["emit"]                         # the extraction is reused, its graph is made anew


def _age(folder, seconds=60):
    """Files as if written a while ago (one written in the last two seconds is always read again)."""
    for path in folder.iterdir():
        info = path.stat()
        os.utime(path, ns=(info.st_atime_ns - seconds * 10**9, info.st_mtime_ns - seconds * 10**9))


def test_the_corpus_index_spares_reading_unchanged_files_and_sees_every_edit(small_corpus, tmp_path, monkeypatch):
    from kg.extract import load

    out = tmp_path / "out"
    _age(small_corpus)
    first = pipeline.build(small_corpus, out)
    good = snapshot(out)
    decoded = []
    real_decode = load.decode_article
    monkeypatch.setattr(load, "decode_article", lambda raw: decoded.append(raw) or real_decode(raw))
    again = pipeline.build(small_corpus, out)
    assert decoded == [] and snapshot(out) == good and again.documents == first.documents
    assert [d.text for d in again.documents] == [""]

    # an edit of the same size with the old modification time put back: the change time still moves
    path = small_corpus / "lishui.txt"
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    edited = text.replace("丽水", "丽江", 1)
    assert edited != text and len(edited.encode()) == len(text.encode())
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    pipeline.build(small_corpus, out)
    assert len(decoded) == 2 and snapshot(out) != good     # read when looked at, and again to be extracted
    # a changed metadata row is seen too, with the file untouched
    _age(small_corpus)
    pipeline.build(small_corpus, out)
    decoded.clear()
    pipeline.build(small_corpus, out)
    assert decoded == []
    (small_corpus / "metadata.csv").write_text("file,title\nlishui.txt,另一个标题\n", encoding="utf-8")
    titled = pipeline.build(small_corpus, out)
    assert [d.title for d in titled.documents] == ["另一个标题"] and len(decoded) == 1


def test_an_extraction_damaged_after_it_was_indexed_is_made_again_when_needed(small_corpus, tmp_path, monkeypatch):
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    _age(small_corpus)
    pipeline.build(small_corpus, out)
    for path in (out / ".cache").glob("*.extraction"):
        path.write_bytes(path.read_bytes()[:100])
    pipeline.build(small_corpus, out)                 # its files are cached: the extraction is not needed
    built = []
    real = pipeline.extract_document
    monkeypatch.setattr(pipeline, "extract_document", lambda doc, times: built.append(doc.name) or real(doc, times))
    rebuilt = pipeline.build(small_corpus, out, min_confidence=0.5)     # new files: the extraction is
    assert built == ["lishui.txt"]
    pipeline.build(small_corpus, fresh, min_confidence=0.5, use_cache=False)
    assert snapshot(out) == snapshot(fresh) and rebuilt.facts > 0
