"""Hostile and unusual documents for the loader: other encodings, links out of the folder,
unreadable folders, special files, huge files, broken metadata. Nothing readable is lost,
nothing outside the folder is read, and every skip says why."""
from __future__ import annotations

import json
import os
import shutil

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.extract.load import iter_corpus, load_corpus
from kg.model.errors import KGError

from .conftest import FIXTURES

ARTICLE = (FIXTURES / "small" / "lishui.txt").read_text(encoding="utf-8")
runner = CliRunner()


def build(corpus, out, *more):
    return runner.invoke(app, ["build", "-i", str(corpus), "-o", str(out), "--no-viz", *more])


@pytest.mark.parametrize("encoding, data", [
    ("gb18030", ARTICLE.encode("gbk")),                          # a GBK file is read as GB18030, its superset
    ("gb18030", (ARTICLE + "\n𠮷𠀀 €\n").encode("gb18030")),        # with GB18030's four-byte characters
    ("utf-16", ARTICLE.encode("utf-16")),                         # with a byte-order mark
    ("utf-16-le", ARTICLE.encode("utf-16-le")),                   # without one
    ("utf-16-be", ARTICLE.encode("utf-16-be")),
    ("utf-8", b"\xef\xbb\xbf" + ARTICLE.encode("utf-8")),         # UTF-8 with a BOM
])
def test_load_reads_chinese_and_unicode_encodings(tmp_path, encoding, data):
    (tmp_path / "a.txt").write_bytes(data)
    (doc,), problems = load_corpus(tmp_path)
    assert not problems
    assert doc.encoding == encoding
    assert doc.text.startswith(ARTICLE) and doc.text.removeprefix(ARTICLE) in ("", "\n𠮷𠀀 €\n")


def test_build_of_a_gbk_article_equals_that_of_its_utf8_original(tmp_path):
    for name, encoding in (("utf8", "utf-8"), ("gbk", "gbk")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "lishui.txt").write_bytes(ARTICLE.encode(encoding))
        assert build(tmp_path / name, tmp_path / f"out-{name}").exit_code == 0
    assert (tmp_path / "out-gbk" / "extraction.jsonl").read_bytes() == \
        (tmp_path / "out-utf8" / "extraction.jsonl").read_bytes()
    manifest = json.loads((tmp_path / "out-gbk" / "manifest.json").read_text(encoding="utf-8"))
    assert [d["encoding"] for d in manifest["documents"]] == ["gb18030"]


def test_load_reports_links_out_of_the_folder_and_does_not_follow_them(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "real.txt").write_text(ARTICLE, encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (corpus / "passwd.txt").symlink_to(secret)
    (corpus / "etc").symlink_to(tmp_path)                         # a folder outside, holding secret.txt
    (corpus / "inside.txt").symlink_to(corpus / "real.txt")       # a link inside the folder is fine
    docs, problems = load_corpus(corpus)
    assert [d.name for d in docs] == ["inside.txt", "real.txt"]
    reasons = {p.path: p.reason for p in problems}
    assert reasons["passwd.txt"].startswith("link to a file outside the input folder")
    assert reasons["etc/"].startswith("link to a folder outside the input folder")
    assert "not followed" in reasons["passwd.txt"]
    result = build(corpus, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "skipped passwd.txt: link to a file outside the input folder" in result.output
    assert b"root:x:0" not in (tmp_path / "out" / "graph.nq").read_bytes()


def test_load_reports_a_folder_it_cannot_read(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "b.txt").write_text(ARTICLE, encoding="utf-8")
    if os.geteuid() != 0:
        locked.chmod(0)
    else:   # root reads through chmod 000: make the folder unreadable where the loader lists it
        real = os.scandir

        def scandir(path="."):
            if os.fspath(path) == os.fspath(locked):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real(path)
        monkeypatch.setattr(os, "scandir", scandir)
    try:
        docs, problems = load_corpus(tmp_path)
    finally:
        locked.chmod(0o755)
    assert [d.name for d in docs] == ["a.txt"]
    assert [str(p) for p in problems] == ["locked/: folder cannot be read (Permission denied); its files were skipped"]


def test_load_skips_too_large_and_special_files_with_a_reason(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "huge.txt").write_bytes((ARTICLE.encode("utf-8") * 6000)[:2_400_000])   # 2.3 MB
    os.mkfifo(tmp_path / "pipe.txt")                                              # reading it would block
    docs, problems = load_corpus(tmp_path, max_bytes=2**20)
    assert [d.name for d in docs] == ["a.txt"]
    reasons = {p.path: p.reason for p in problems}
    assert reasons["huge.txt"].startswith("too large (2.3 MB; the limit is 1.0 MB per document")
    assert reasons["pipe.txt"] == "not a regular file"
    result = build(tmp_path, tmp_path / "out", "--max-document-mb", "1")
    assert "skipped huge.txt: too large" in result.output and "raise --max-document-mb" in result.output


def test_load_does_not_take_binary_or_foreign_bytes_for_text(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "zip.txt").write_bytes(b"PK\x03\x04" + os.urandom(2000))
    (tmp_path / "controls.txt").write_bytes(bytes(range(1, 32)) * 100)            # no NUL, few tabs and newlines
    (tmp_path / "tabs.txt").write_text(ARTICLE.replace("，", "\t") + "\r\n" * 50, encoding="utf-8")
    docs, problems = load_corpus(tmp_path)
    assert [d.name for d in docs] == ["a.txt", "tabs.txt"]
    assert {p.path: p.reason for p in problems}["controls.txt"] == "binary file (mostly control characters)"
    assert {p.path: p.reason.split(" (")[0] for p in problems} == {"binary.txt": "binary file", "zip.txt": "binary file",
                                                                   "controls.txt": "binary file"}


def test_metadata_in_gbk_is_read_and_broken_metadata_is_a_clear_error(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "metadata.csv").write_bytes("file,title,place,source\na.txt,丽水数字经济,丽水市,丽水日报\n".encode("gbk"))
    (doc,), _ = load_corpus(tmp_path)
    assert (doc.title, doc.about, doc.source) == ("丽水数字经济", ("丽水市",), "丽水日报")

    (tmp_path / "metadata.csv").write_text("name,title\na.txt,x\n", encoding="utf-8")
    with pytest.raises(KGError, match="the first line must name the columns"):
        list(iter_corpus(tmp_path))
    (tmp_path / "metadata.csv").write_bytes(bytes(range(256)) * 8)
    result = build(tmp_path, tmp_path / "out")
    assert result.exit_code == 2
    assert "metadata.csv: not UTF-8 text" in result.output and "Traceback" not in result.output


def test_build_bad_folders_and_options_exit_2_with_a_readable_message(tmp_path):
    shutil.copy(FIXTURES / "small" / "lishui.txt", tmp_path / "lishui.txt")
    a_file = tmp_path / "lishui.txt"
    cases = [
        (["-i", str(tmp_path / "nowhere")], "corpus folder not found"),
        (["-i", str(a_file)], "is a file, not a folder"),
        (["-i", str(tmp_path), "-o", str(a_file)], "is a file, not a folder"),
        (["-i", str(tmp_path), "-o", "/proc/kg-cannot-write-here"], "cannot write into the output folder"),
        (["-i", str(tmp_path), "--workers", "0"], "Invalid value"),
        (["-i", str(tmp_path), "--executor", "yarn://x"], "unknown executor"),
    ]
    for args, message in cases:
        result = runner.invoke(app, ["build", "--no-viz", "-o", str(tmp_path / "out"), *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
