"""Extraction quality as the issues state it, measured with kg eval's scorer."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.build.evaluate import read_folder, read_jsonl, score
from kg.build.export import records
from kg.build.pipeline import extract

from .conftest import FIXTURES, GOLD


def overall(report):
    return (report.overall(report.entities), report.overall(report.relations), report.observations)


def test_quality_holds_on_the_seed_gold(corpus_build):
    # what the rule engine reaches today (0.86 / 0.77 / 0.88), held against regressions; the
    # issues ask for no less than the hand-written extractor's 0.86 / 0.75 / 0.87
    predicted = read_jsonl(corpus_build.files["jsonl"])     # what `kg build` wrote
    entities, relations, observations = overall(score(predicted, read_folder(GOLD)))
    assert entities.f1 >= 0.855 and relations.f1 >= 0.76 and observations.f1 >= 0.875


def test_quality_precision_holds_on_articles_outside_the_seeds():
    corpus = extract(FIXTURES / "unseen")
    predicted = list(records(corpus.resolved, corpus.entities))
    entities, relations, observations = overall(score(predicted, read_folder(FIXTURES / "unseen" / "gold")))
    assert entities.precision >= 0.9 and relations.precision >= 0.85 and observations.precision >= 0.9


DEV = Path(__file__).parent.parent / "data" / "dev"
DEV_TEXTS = Path(os.environ.get("KG_DEV_TEXTS", Path.home() / ".cache" / "kg-dev"))


def _dev_texts_present() -> bool:
    check = subprocess.run([sys.executable, str(DEV / "check"), str(DEV_TEXTS)], capture_output=True)
    return check.returncode == 0


@pytest.mark.skipif(not _dev_texts_present(), reason="development texts not rebuilt (data/dev/SOURCES.md)")
def test_quality_meets_the_targets_on_the_development_set():
    corpus = extract(DEV_TEXTS)
    predicted = list(records(corpus.resolved, corpus.entities))
    entities, relations, observations = overall(score(predicted, read_folder(DEV / "gold")))
    assert entities.f1 >= 0.80 and observations.f1 >= 0.70
    assert relations.f1 >= 0.60 and relations.precision >= 0.70
