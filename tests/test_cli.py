"""The command line: extract writes the gold schema, eval prints its closing line."""
from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from kg.cli import app

from .conftest import FIXTURES, GOLD

runner = CliRunner()


def test_cli_eval_scores_gold_against_itself_perfectly():
    gold_file = sorted(GOLD.glob("*.jsonl"))[0]
    result = runner.invoke(app, ["eval", "--predictions", str(gold_file)])
    assert result.exit_code == 0, result.output
    assert "overall" in result.output
    # documents other than the first are missed entirely, so recall is below 1 but precision is 1
    assert re.search(r"^entities F1 \d\.\d\d · relations F1 \d\.\d\d · observations F1 \d\.\d\d$",
                     result.output.strip().splitlines()[-1])


def test_cli_eval_json_and_errors(tmp_path):
    gold_file = sorted(GOLD.glob("*.jsonl"))[0]
    lines = gold_file.read_text(encoding="utf-8").splitlines()
    predictions = tmp_path / "p.jsonl"
    predictions.write_text("\n".join(lines[:-3]) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "--predictions", str(predictions), "--json", "--errors"])
    data = json.loads(result.output)
    assert data["entities"]["by_class"]["City"]["precision"] == 1.0
    assert any(e["side"] == "miss" for e in data["errors"])


def test_cli_extract_writes_records_in_the_gold_schema(tmp_path):
    out = tmp_path / "x.jsonl"
    result = runner.invoke(app, ["extract", str(FIXTURES / "small"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    kinds = {r["kind"] for r in records}
    assert kinds == {"entity", "relation", "observation"}
    for r in records:
        assert r["doc"] == "lishui.txt"
        if r["kind"] == "entity":
            assert set(r) == {"doc", "kind", "name", "aliases", "class"}
        elif r["kind"] == "relation":
            assert {"subject", "predicate", "object", "evidence"} <= set(r)
        else:
            assert {"region", "indicator", "year", "value", "unit", "target", "evidence"} <= set(r)


def test_cli_missing_corpus_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["extract", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "corpus folder not found" in result.output
