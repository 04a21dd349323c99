"""The examples of the rule files, run: every rule's examples must yield exactly what
they state (a mention rule its own candidates, a relation rule its own triples on the
mentions all rules find, the figure stage its figures).

The tagger is a parameter, so the same examples run with the NER model (`kg rules test`)
or on its output recorded once (tests/fixtures/tagged.json: the test suite, in seconds).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Callable, Literal, Sequence

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from ..model.errors import KGError
from ..model.records import Document, Token
from ..model.reference import reference
from .context import SentenceContext, sentence_contexts
from .engine import Example, rules
from .figures import find_figures
from .lexicon import RULES
from .mentions import candidates, find_mentions, make_views
from .relations import find_relations
from .sentences import split_sentences
from .view import View

Tag = Callable[[Sequence[str]], list[list[Token]]]
FIGURES_FILE = RULES / "figures" / "figures.yaml"


class FigureFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["figures"]
    description: str
    examples: list[Example]


@cache
def figure_examples() -> tuple[Example, ...]:
    try:
        return tuple(FigureFile.model_validate(yaml.safe_load(FIGURES_FILE.read_text(encoding="utf-8"))).examples)
    except (yaml.YAMLError, ValidationError) as exc:
        raise KGError(f"{FIGURES_FILE}: {exc}") from None


@dataclass(frozen=True)
class Outcome:
    where: str                    # rule id, or "figures"
    text: str
    expected: frozenset[tuple]
    found: frozenset[tuple]

    @property
    def ok(self) -> bool:
        return self.expected == self.found


def analyse(text: str, tag: Tag) -> tuple[list[View], list[SentenceContext]]:
    """One example through the stages before the rules' own: sentences, tags, mentions."""
    doc = Document("example.txt", text, "")
    sentences = split_sentences(doc)
    views = make_views(doc, sentences, tag([s.text for s in sentences]))
    mentions = find_mentions(views)
    return views, sentence_contexts(views, mentions, reference().province.key)


def _key(value: Any) -> Any:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def run_examples(tag: Tag, only: str | None = None) -> list[Outcome]:
    """Every example of every rule (or of rule `only`, or `figures`), run."""
    outcomes = []
    ruleset = rules()
    for rule in (*ruleset.mentions, *ruleset.relations):
        if only is not None and rule.id != only:
            continue
        for example in rule.rule.examples:
            views, contexts = analyse(example.text, tag)
            if rule.kind == "mentions":
                found = {(m.text, m.label) for v in views for m in candidates(v, rule.id)}
            else:
                found = {(r.subject.text, r.predicate, r.object.text) for r in find_relations(contexts, only=rule.id)}
            outcomes.append(Outcome(rule.id, example.text, frozenset(tuple(e) for e in example.expect), frozenset(found)))
    if only in (None, "figures"):
        for example in figure_examples():
            _, contexts = analyse(example.text, tag)
            found = {(f.region.text, f.value, f.unit, f.year, f.target) for f in find_figures(contexts)}
            expected = {tuple(_key(v) for v in e) for e in example.expect}
            outcomes.append(Outcome("figures", example.text, frozenset(expected), frozenset(found)))
    return outcomes


def example_texts() -> list[str]:
    """The text of every example of every rule file, in file order."""
    ruleset = rules()
    texts = [e.text for r in (*ruleset.mentions, *ruleset.relations) for e in r.rule.examples]
    texts += [e.text for e in figure_examples()]
    return list(dict.fromkeys(texts))


def example_sentences() -> list[str]:
    """The sentences the tagger sees for the examples (what the recorded tags cover)."""
    return list(dict.fromkeys(s.text for text in example_texts()
                              for s in split_sentences(Document("example.txt", text, ""))))


def rule_files() -> list[Path]:
    return [*rules().files, FIGURES_FILE]
