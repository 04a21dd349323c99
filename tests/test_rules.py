"""The rule files themselves: every example of every rule runs on pre-tagged input (the
NER model's output recorded in tests/fixtures/tagged.json, so the model does not run)
and must yield exactly what it states; and the files are held to their conventions.
"""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
import yaml

from kg.extract import engine
from kg.extract.examples import example_sentences, example_texts, run_examples, rule_files
from kg.extract.lexicon import CUES, RULES, cue_names, includes
from kg.model.errors import KGError
from kg.model.records import Token

from .conftest import CORPUS, ROOT

TAGGED = Path(__file__).resolve().parent / "fixtures" / "tagged.json"
RECORD = "run `.venv/bin/python -m tests.record_tags` to record the tags of new or changed examples"
DEV_TEXTS = Path.home() / ".cache" / "kg-dev"


def recorded_tagger():
    tags = json.loads(TAGGED.read_text(encoding="utf-8"))

    def tag(sentences):
        out = []
        for sentence in sentences:
            if sentence not in tags:
                pytest.fail(f"no recorded tags for the example sentence {sentence!r}: {RECORD}")
            tokens, pos = [], 0
            for text, label in tags[sentence]:
                tokens.append(Token(text, pos, pos + len(text), label))
                pos += len(text)
            out.append(tokens)
        return out
    return tag


def _label(outcome) -> str:
    return f"{outcome.where}: {outcome.text}"


OUTCOMES = run_examples(recorded_tagger())


@pytest.mark.parametrize("outcome", OUTCOMES, ids=_label)
def test_rules_example_yields_exactly_what_it_states(outcome):
    assert outcome.found == outcome.expected, (
        f"{outcome.where}: {outcome.text}\n  expected {sorted(outcome.expected)}\n  found    {sorted(outcome.found)}")


def test_rules_recorded_tags_cover_every_example_and_nothing_else():
    recorded = set(json.loads(TAGGED.read_text(encoding="utf-8")))
    assert recorded == set(example_sentences()), RECORD


@pytest.mark.slow
def test_rules_recorded_tags_are_the_models():
    """The fixture is the model's own output (re-record it when the model changes)."""
    from kg.extract.tagger import tagger

    tags = json.loads(TAGGED.read_text(encoding="utf-8"))
    sentences = sorted(tags)
    live = tagger().tag(sentences)
    assert {s: [[t.text, t.pos] for t in tokens] for s, tokens in zip(sentences, live)} == tags, RECORD


# ---------------------------------------------------------------------- conventions
def test_rules_every_rule_has_a_positive_and_a_negative_example():
    for rule in (*engine.rules().mentions, *engine.rules().relations):
        kinds = {bool(e.expect) for e in rule.rule.examples}
        assert kinds == {True, False}, f"rule {rule.id} needs an example that yields and one that yields nothing"


def test_rules_ids_are_unique_and_name_the_extractor():
    ids = [r.id for r in (*engine.rules().mentions, *engine.rules().relations)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", i) for i in ids)


def _cues_named_in_code() -> set[str]:
    """Cue lists the extraction code names as string literals (cue_set("…"), ending(x, "…"))."""
    names = set(cue_names())
    found = set()
    for path in (ROOT / "kg" / "extract").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in names:
                found.add(node.value)
    return found


def _cues_named_in_rules() -> set[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in rule_files())
    return set(re.findall(r"cue:\s*([a-z_]+)", text)) | set(re.findall(r"\bcue\b[^}]*?:\s*([a-z_]+)", text))


def test_rules_every_cue_list_is_used():
    used = _cues_named_in_code() | _cues_named_in_rules()
    used |= {inc for name in used for inc in includes(name)}
    unused = sorted(set(cue_names()) - used)
    assert not unused, f"cue lists no rule or code uses: {unused}"


def test_rules_every_cue_list_says_what_it_holds():
    for path in CUES.glob("*.txt"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and len(first) > 10, f"{path.name} starts with a comment saying what it lists"


def _runs(text: str, n: int = 8) -> set[str]:
    return {m.group() for m in re.finditer(r"[\u4e00-\u9fff]{%d,}" % n, text)}


def test_rules_no_example_repeats_an_article():
    """Examples are written in one's own words: no run of 8 Chinese characters of an
    example stands in a seed article or (where its texts are rebuilt) a development text."""
    articles = [p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")]
    articles += [p.read_text(encoding="utf-8") for p in DEV_TEXTS.glob("d*.txt")]
    joined = "\n".join(articles)
    copied = []
    for text in example_texts():
        for run in _runs(text):
            for i in range(len(run) - 7):
                if run[i:i + 8] in joined:
                    copied.append((text, run[i:i + 8]))
                    break
    assert not copied, f"examples that repeat an article: {copied[:5]}"


# ---------------------------------------------------------------------- the engine's checks
def _write_rules(tmp_path: Path, rules: list[dict]) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"kind": "relations", "description": "test", "rules": rules},
                                   allow_unicode=True), encoding="utf-8")
    return path


def test_rules_a_bad_file_names_file_rule_and_field(tmp_path):
    rule = {"id": "probe-rule", "yields": "locatedIn", "confidence": 2.0,
            "pattern": [{"mention": "Company", "as": "subject"}], "examples": []}
    path = _write_rules(tmp_path, [rule])
    with pytest.raises(KGError) as caught:
        engine.load_file(path)
    message = str(caught.value)
    assert str(path) in message and "rule probe-rule" in message and "confidence" in message


def test_rules_an_unknown_cue_list_or_class_is_an_error(tmp_path):
    rule = {"id": "probe-rule", "yields": "locatedIn", "confidence": 0.5,
            "pattern": [{"cue": "no_such_list"}], "examples": []}
    with pytest.raises(KGError, match="no_such_list"):
        engine.load_file(_write_rules(tmp_path, [rule]))
    rule["pattern"] = [{"mention": "Compnay"}]
    with pytest.raises(KGError, match="Compnay"):
        engine.load_file(_write_rules(tmp_path, [rule]))


def test_rules_yields_must_be_a_class_or_predicate(tmp_path):
    rule = {"id": "probe-rule", "yields": "locatedAt", "confidence": 0.5,
            "pattern": [{"text": "位于"}], "examples": []}
    with pytest.raises(KGError, match="locatedAt"):
        engine.load_file(_write_rules(tmp_path, [rule]))


def test_rules_files_live_in_the_rules_folder():
    assert all(p.is_relative_to(RULES) for p in rule_files())
    assert not list(RULES.rglob("*.py")), "kg/rules/ is data: rule files and cue lists, no code"
