"""Record the NER model's tags for every example sentence of the rule files, so the rule
tests run without the model: `.venv/bin/python -m tests.record_tags` (after adding or
changing an example; tests/test_rules.py says when it is needed)."""
from __future__ import annotations

import json
from pathlib import Path

from kg.extract.examples import example_sentences
from kg.extract.tagger import tagger

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "tagged.json"


def record(path: Path = FIXTURE) -> int:
    sentences = example_sentences()
    tags = tagger().tag(sentences)
    data = {s: [[t.text, t.pos] for t in tokens] for s, tokens in zip(sentences, tags)}
    lines = [f"{json.dumps(s, ensure_ascii=False)}: {json.dumps(data[s], ensure_ascii=False)}" for s in sorted(data)]
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")   # one sentence a line
    return len(data)


if __name__ == "__main__":
    print(f"recorded the tags of {record()} example sentences in {FIXTURE}")
