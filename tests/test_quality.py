"""Extraction quality as the issues state it, measured with kg eval's scorer."""
from __future__ import annotations

from kg.build.evaluate import read_folder, score
from kg.build.export import records
from kg.build.pipeline import extract

from .conftest import FIXTURES, GOLD


def overall(report):
    return (report.overall(report.entities), report.overall(report.relations), report.observations)


def test_quality_meets_the_targets_on_the_seed_gold(corpus_build):
    predicted = list(records(corpus_build.corpus.resolved, corpus_build.corpus.entities))
    entities, relations, observations = overall(score(predicted, read_folder(GOLD)))
    assert entities.f1 >= 0.85 and relations.f1 >= 0.70 and observations.f1 >= 0.75


def test_quality_precision_holds_on_articles_outside_the_seeds():
    corpus = extract(FIXTURES / "unseen")
    predicted = list(records(corpus.resolved, corpus.entities))
    entities, relations, observations = overall(score(predicted, read_folder(FIXTURES / "unseen" / "gold")))
    assert entities.precision >= 0.9 and relations.precision >= 0.85 and observations.precision >= 0.9
