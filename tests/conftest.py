"""Shared fixtures: one build of the seed corpus and one of the small hand-written article."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "corpus"
GOLD = ROOT / "data" / "gold"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory):
    """The seed corpus built once per test session (graph files in a temporary folder)."""
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("build")
    return build(CORPUS, out, use_cache=False)


@pytest.fixture(scope="session")
def small_build(tmp_path_factory):
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("small")
    return build(FIXTURES / "small", out, use_cache=False)


@pytest.fixture
def small_corpus(tmp_path):
    """A writable copy of the small article's folder."""
    target = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "small", target, ignore=shutil.ignore_patterns("*.ttl"))
    return target
