"""The rule engine: rule files (kg/rules/**.yaml) checked on load, compiled, and matched
over one sentence at a time.

A rule is a record: an `id` (the extractor recorded in the provenance of what it finds),
what it yields (a mention class or a predicate), a confidence, a `pattern` (a sequence of
elements over the sentence) and its `examples`. Elements:

    cue: LIST          a word of cue list kg/rules/cues/LIST.txt
    text: [WORDS]      one of these words (function words: 的, 为, 以 …)
    mention: CLASSES   a mention of one of these classes (relation rules)
    list: CLASSES      one or more such mentions joined by 、/和/与/及 (relation rules)
    gazetteer: CLASSES a reference-data name (places, taxonomy industries, programmes)
    tag: TAGS          one token the model tagged so (ORG, LOC …)
    items: KIND        the members of an enumeration ending (or starting) here (member | industry)
    name: BUILDER      a name grown from here (org, member — org across 和/及 —, policy,
                       document, industry leftwards; after, and phrase — up to the next
                       punctuation — rightwards), see kg.extract.spans
    quote: double|title  "…" or 《…》, binding what is inside
    gap: "MIN-MAX"     skip characters; never across 。, and across , ; : only with
                       `over: sentence`; `without: CLASSES` forbids skipping such mentions
    subject: CLASSES   (no width) the subject of the clause here: a mention of the
                       sentence, or one carried over from earlier (lower confidence);
                       `through: CLASSES` takes the place such a subject is in
    context: KIND      (no width) the section's place (topic), the document's province, or
                       the park last named (park: in this sentence or the one before)
    nearest: CLASSES   (no width) the nearest such mention `within` clause | sentence
    boundary: KIND     (no width) clause-start | clause-end | sentence-start | sentence-end
    not: ELEMENTS      (no width) the elements do not match here
    optional: ELEMENTS the elements, or nothing
    either: [ELEMENTS, …]  the first alternative that matches
    test: NAME         (no width) a named predicate (kg.extract.predicates) of a role (`of`);
                       `shared: true` lets an enumeration pass whole when one member passes
                       (`shared: N`: when N members pass, else not at all)

`as: ROLE` binds what an element matched. Matching starts at the first element that can
be looked up (cue, text, mention, list, gazetteer, tag, quote) and grows outwards: the
elements before it leftwards, the ones after it rightwards; gaps take the fewest
characters first. One match per occurrence of that anchor: the first that satisfies every
element and test.

A mention rule's mention is the span of its `span` roles (or the whole match); a role
bound to several spans (an enumeration) yields one mention each, and a test on such a
role keeps the members that pass. A relation rule yields the `triples` over its roles
(default [subject, <yields>, object]), one per combination of the roles' values.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Callable, Iterator, Literal, Sequence

import ahocorasick
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..model.errors import KGError
from ..model.records import Mention
from ..model.vocab import ENTITY_CLASSES, RELATION_PREDICATES
from . import predicates, spans
from .lexicon import RULES, cue_list, cue_names
from .lists import CONJUNCTIONS, count_in, items_before, member_start, split_joined
from .view import CLAUSE_PUNCTUATION, View

GROUPS: dict[str, frozenset[str]] = {
    "Admin": frozenset({"Province", "City", "County", "Town"}),
    "AnyPlace": frozenset({"Province", "City", "County", "Town", "Place"}),
    "Organisation": frozenset({"Company", "ResearchInstitute", "GovernmentBody", "Association"}),
    "Platform": frozenset({"IndustrialPark", "DataCenter", "DigitalPlatform"}),
    "Locatable": frozenset({"Company", "ResearchInstitute", "GovernmentBody", "Association",
                            "IndustrialPark", "DataCenter", "DigitalPlatform", "Project"}),
}
LIST_SEPARATORS = ("、", *CONJUNCTIONS, "、以及")
CARRIED_PENALTY = 0.15   # a role carried over from an earlier clause or the section is less sure


def classes(names: Sequence[str] | str) -> frozenset[str]:
    out: set[str] = set()
    for name in [names] if isinstance(names, str) else names:
        if name in GROUPS:
            out |= GROUPS[name]
        elif name in ENTITY_CLASSES:
            out.add(name)
        else:
            raise ValueError(f"unknown class or group {name!r}")
    return frozenset(out)


# ====================================================================== rule records
class Example(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    expect: list[list[Any]]


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    yields: str
    confidence: float = Field(gt=0, le=1)
    pattern: list[dict[str, Any]]
    tests: list[dict[str, Any]] = []         # named tests on roles, checked once the pattern matched
    span: list[str] | None = None            # mention rules: the roles the mention spans
    triples: list[tuple[str, str, str]] | None = None
    priority: int = 5                        # mention rules: overlaps go to higher priority first
    note: str = ""
    examples: list[Example]

    @field_validator("pattern")
    @classmethod
    def _elements(cls, pattern: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for element in pattern:
            compile_element(element)          # raises ValueError with the element's problem
        if not any(_indexable(e) for e in pattern):
            raise ValueError("a pattern needs one element that can be looked up (cue, text, mention, "
                             "list, gazetteer, tag or quote)")
        return pattern

    @field_validator("tests")
    @classmethod
    def _tests(cls, tests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for test in tests:
            if set(test) - {"test", "of", "args", "shared"} or "test" not in test or "of" not in test:
                raise ValueError(f"a test is {{test: NAME, of: ROLE, args: {{…}}, shared: BOOL or N}}: {test}")
            compile_element(test)
        return tests


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["mentions", "relations"]
    description: str
    rules: list[Rule]

    @model_validator(mode="after")
    def _yields(self) -> "RuleFile":
        allowed = ENTITY_CLASSES if self.kind == "mentions" else RELATION_PREDICATES
        for rule in self.rules:
            if rule.yields not in allowed:
                raise ValueError(f"rule {rule.id}: yields {rule.yields!r}, not one of {sorted(allowed)}")
            for triple in rule.triples or ():
                if triple[1] not in RELATION_PREDICATES:
                    raise ValueError(f"rule {rule.id}: triple predicate {triple[1]!r} is not a relation")
        return self


# ====================================================================== matching state
@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    mention: Mention | None = None
    ref: str = ""
    label: str = ""
    carried: bool = False      # a subject carried over from an earlier clause or the section


Binds = dict[str, tuple[Span, ...]]


@dataclass
class Scene:
    """What a rule can see of one sentence: the view, its mentions (relation rules), the
    clause structure and the subjects (from kg.extract.context)."""
    view: View
    mentions: Sequence[Mention] = ()
    subject_at: Callable[[int], Span | None] = lambda pos: None
    place_at: Callable[[int], Span | None] = lambda pos: None   # where the subject is
    last_park: Callable[[int], Mention | None] = lambda pos: None
    topic: Mention | None = None
    province: Mention | None = None        # the document's mention of the province
    _cues: dict[str, tuple[dict[int, list[int]], dict[int, list[int]]]] = field(default_factory=dict)

    @cached_property   # asked for at every step of every rule
    def text(self) -> str:
        return self.view.text

    def cue_ends(self, name: str, start: int) -> list[int]:
        return self._cue_index(name)[0].get(start, [])

    def cue_starts(self, name: str, end: int) -> list[int]:
        return self._cue_index(name)[1].get(end, [])

    @cached_property
    def labels_present(self) -> frozenset[str]:
        return frozenset(m.label for m in self.mentions)

    @cached_property
    def cues_present(self) -> frozenset[str]:
        """The cue lists with a word in the sentence: one pass for all of them, so that a rule
        is passed over without finding where each of its cue words is."""
        automaton = _all_cues()
        if automaton.kind == ahocorasick.EMPTY:
            return frozenset()
        return frozenset().union(*(names for _, names in automaton.iter(self.text)))

    def _cue_index(self, name: str):
        index = self._cues.get(name)
        if index is None:
            index = self._cues[name] = _occurrences(self.text, cue_automaton(name))
        return index

    def mentions_from(self, pos: int, labels: frozenset[str]) -> list[Mention]:
        return [m for m in self.mentions if m.start == pos and m.label in labels]

    def mentions_to(self, pos: int, labels: frozenset[str]) -> list[Mention]:
        return [m for m in self.mentions if m.end == pos and m.label in labels]

    def clause_of(self, pos: int) -> tuple[int, int]:
        text = self.text
        a = max((text.rfind(ch, 0, pos) for ch in CLAUSE_PUNCTUATION), default=-1) + 1
        ends = [i for i in (text.find(ch, pos) for ch in CLAUSE_PUNCTUATION) if i >= 0]
        return a, min(ends, default=len(text))


@cache
def cue_automaton(name: str) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word in cue_list(name):
        automaton.add_word(word, len(word))
    automaton.make_automaton()
    return automaton


@cache
def _all_cues() -> ahocorasick.Automaton:
    """Every word of every cue list → the lists it is in."""
    lists_of: dict[str, list[str]] = {}
    for name in cue_names():
        for word in cue_list(name):
            lists_of.setdefault(word, []).append(name)
    automaton = ahocorasick.Automaton()
    for word, names in lists_of.items():
        automaton.add_word(word, tuple(names))
    automaton.make_automaton()
    return automaton


def _occurrences(text: str, automaton) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """start → ends (longest first) and end → starts (longest first) of every occurrence."""
    by_start: dict[int, list[int]] = {}
    by_end: dict[int, list[int]] = {}
    if automaton.kind == ahocorasick.EMPTY:
        return by_start, by_end
    for last, length in automaton.iter(text):
        start, end = last + 1 - length, last + 1
        by_start.setdefault(start, []).append(end)
        by_end.setdefault(end, []).append(start)
    for ends in by_start.values():
        ends.sort(reverse=True)
    for starts in by_end.values():
        starts.sort()
    return by_start, by_end


# ====================================================================== elements
class Element:
    """One step of a pattern: where it can go from `pos`, rightwards or leftwards."""
    role: str | None = None
    width = True
    lookup = False

    def forward(self, scene: Scene, pos: int, binds: Binds) -> Iterator[tuple[int, Binds]]:
        raise NotImplementedError

    def backward(self, scene: Scene, pos: int, binds: Binds) -> Iterator[tuple[int, Binds]]:
        raise NotImplementedError

    def occurrences(self, scene: Scene) -> Iterator[tuple[int, int, Binds]]:
        """(start, end, binds) of each place the element matches: for anchors."""
        raise NotImplementedError

    def possible(self, scene: Scene) -> bool:
        """False only if the element can match nowhere in the sentence (a cheap first look,
        so that a rule is not tried on a sentence without, say, any of its cue words)."""
        return True

    def bind(self, binds: Binds, *values: Span) -> Binds:
        if self.role is None:
            return binds
        out = dict(binds)
        out[self.role] = out.get(self.role, ()) + values
        return out


def _spans(scene: Scene, pairs: list[tuple[int, int]]) -> tuple[Span, ...]:
    return tuple(Span(a, b) for a, b in pairs)


class Words(Element):
    lookup = True

    def __init__(self, role: str | None, words: Sequence[str] | None = None, cue: str | None = None,
                 aligned: str = "") -> None:
        self.role, self.words, self.cue, self.aligned = role, tuple(words or ()), cue, aligned

    def _ok(self, scene: Scene, a: int, b: int) -> bool:
        view = scene.view
        if self.aligned in ("start", "both") and a not in view.token_starts:
            return False
        if self.aligned in ("end", "both") and b not in view.token_ends:
            return False
        # a cue inside a name is part of the name (开发 in 某某开发区), not a word of the clause
        return not any(m.start <= a and b <= m.end and (m.start, m.end) != (a, b) for m in scene.mentions)

    def _ends(self, scene: Scene, pos: int) -> list[int]:
        if self.cue:
            return scene.cue_ends(self.cue, pos)
        return sorted({pos + len(w) for w in self.words if scene.text.startswith(w, pos)}, reverse=True)

    def _starts(self, scene: Scene, pos: int) -> list[int]:
        if self.cue:
            return scene.cue_starts(self.cue, pos)
        return sorted({pos - len(w) for w in self.words if pos >= len(w) and scene.text.endswith(w, 0, pos)})

    def possible(self, scene):
        if self.cue:
            return self.cue in scene.cues_present
        return any(w in scene.text for w in self.words)

    def forward(self, scene, pos, binds):
        for end in self._ends(scene, pos):
            if self._ok(scene, pos, end):
                yield end, self.bind(binds, Span(pos, end))

    def backward(self, scene, pos, binds):
        for start in self._starts(scene, pos):
            if self._ok(scene, start, pos):
                yield start, self.bind(binds, Span(start, pos))

    def occurrences(self, scene):
        text = scene.text
        if self.cue:   # the longest words only: 负责人 inside 相关负责人 is no anchor of its own
            index = scene._cue_index(self.cue)[0]
            spans_ = sorted(((a, b) for a, ends in index.items() for b in ends), key=lambda ab: (ab[0], -ab[1]))
            for start, end in spans_:
                if any(a <= start and end <= b and (a, b) != (start, end) for a, b in spans_):
                    continue
                if self._ok(scene, start, end):
                    yield start, end, self.bind({}, Span(start, end))
            return
        found = set()
        for word in self.words:
            at = text.find(word)
            while at >= 0:
                found.add((at, at + len(word)))
                at = text.find(word, at + 1)
        for start, end in sorted(found, key=lambda se: (se[0], -se[1])):
            if self._ok(scene, start, end):
                yield start, end, self.bind({}, Span(start, end))


class MentionElement(Element):
    lookup = True

    def __init__(self, role: str | None, labels: frozenset[str]) -> None:
        self.role, self.labels = role, labels

    def possible(self, scene):
        return not self.labels.isdisjoint(scene.labels_present)

    def forward(self, scene, pos, binds):
        for m in scene.mentions_from(pos, self.labels):
            yield m.end, self.bind(binds, Span(m.start, m.end, m))

    def backward(self, scene, pos, binds):
        for m in scene.mentions_to(pos, self.labels):
            yield m.start, self.bind(binds, Span(m.start, m.end, m))

    def occurrences(self, scene):
        for m in scene.mentions:
            if m.label in self.labels:
                yield m.start, m.end, self.bind({}, Span(m.start, m.end, m))


class ListElement(Element):
    """A maximal run of mentions joined by list separators (and optional quotes)."""
    lookup = True

    def __init__(self, role: str | None, labels: frozenset[str], least: int = 1) -> None:
        self.role, self.labels, self.least = role, labels, least

    possible = MentionElement.possible

    def _run(self, scene: Scene, first: Mention, step: int) -> list[Mention]:
        text = scene.text
        run = [first]
        while True:
            edge = run[-1].end if step > 0 else run[-1].start
            edge = _skip_quote(text, edge, step)       # “甲”、“乙”: past the member's quote
            nxt = None
            titles = [m for m in (scene.mentions_from(edge, self.labels) if step > 0 else scene.mentions_to(edge, self.labels))
                      if scene.text[m.start] == "《" and scene.text[m.end - 1] == "》"]
            if titles and scene.text[edge - 1 if step > 0 else edge] in "》《":
                nxt = titles[0]                   # 《甲》《乙》: titles side by side are a list
            for sep in LIST_SEPARATORS if nxt is None else ():
                if step > 0 and text.startswith(sep, edge):
                    cands = scene.mentions_from(_skip_quote(text, edge + len(sep), 1), self.labels)
                elif step < 0 and text.endswith(sep, 0, edge):
                    cands = scene.mentions_to(_skip_quote(text, edge - len(sep), -1), self.labels)
                else:
                    continue
                if cands:
                    nxt = max(cands, key=lambda m: m.end - m.start)
                    break
            if nxt is None or nxt in run:
                return run
            run.append(nxt)

    def _yield(self, run: list[Mention], binds: Binds, edge: int):
        if len(run) >= self.least:
            ordered = sorted(run, key=lambda m: m.start)
            return edge, self.bind(binds, *(Span(m.start, m.end, m) for m in ordered))
        return None

    def forward(self, scene, pos, binds):
        for first in scene.mentions_from(_skip_quote(scene.text, pos, 1), self.labels):
            run = self._run(scene, first, 1)
            out = self._yield(run, binds, _skip_quote(scene.text, run[-1].end, 1, closing=True))
            if out:
                yield out

    def backward(self, scene, pos, binds):
        for last in scene.mentions_to(_skip_quote(scene.text, pos, -1, closing=True), self.labels):
            run = self._run(scene, last, -1)
            out = self._yield(run, binds, _skip_quote(scene.text, run[-1].start, -1))
            if out:
                yield out

    def occurrences(self, scene):
        starts = set()
        for m in sorted(scene.mentions, key=lambda m: m.start):
            if m.label not in self.labels or m.start in starts:
                continue
            run = self._run(scene, m, 1)
            starts.update(x.start for x in run)
            if len(run) >= self.least:
                yield run[0].start, run[-1].end, self.bind({}, *(Span(x.start, x.end, x) for x in run))


def _skip_quote(text: str, pos: int, step: int, closing: bool = False) -> int:
    """Step over one quotation mark around a list member."""
    if step > 0 and text.startswith('"', pos):
        return pos + 1
    if step < 0 and pos > 0 and text[pos - 1] == '"':
        return pos - 1
    return pos


class GazetteerElement(Element):
    lookup = True

    def __init__(self, role: str | None, labels: frozenset[str]) -> None:
        self.role, self.labels = role, labels

    def possible(self, scene):
        return any(hit.entry.label in self.labels for hit in scene.view.hits)

    def _span(self, hit) -> Span:
        return Span(hit.start, hit.end, ref=hit.entry.ref, label=hit.entry.label)

    def forward(self, scene, pos, binds):
        for hit in scene.view.hits:
            if hit.start == pos and hit.entry.label in self.labels:
                yield hit.end, self.bind(binds, self._span(hit))

    def backward(self, scene, pos, binds):
        for hit in scene.view.hits:
            if hit.end == pos and hit.entry.label in self.labels:
                yield hit.start, self.bind(binds, self._span(hit))

    def occurrences(self, scene):
        for hit in scene.view.hits:
            if hit.entry.label in self.labels:
                yield hit.start, hit.end, self.bind({}, self._span(hit))


class TagElement(Element):
    lookup = True

    def __init__(self, role: str | None, tags: frozenset[str]) -> None:
        self.role, self.tags = role, tags

    def possible(self, scene):
        return any(t.pos in self.tags for t in scene.view.tokens)

    def forward(self, scene, pos, binds):
        for t in scene.view.tokens:
            if t.start == pos and t.pos in self.tags:
                yield t.end, self.bind(binds, Span(t.start, t.end))

    def backward(self, scene, pos, binds):
        for t in scene.view.tokens:
            if t.end == pos and t.pos in self.tags:
                yield t.start, self.bind(binds, Span(t.start, t.end))

    def occurrences(self, scene):
        for t in scene.view.tokens:
            if t.pos in self.tags:
                yield t.start, t.end, self.bind({}, Span(t.start, t.end))


class QuoteElement(Element):
    """A quotation ("…") or a title (《…》); the role gets what is inside."""
    lookup = True
    _MARKS = {"double": ('"', '"'), "title": ("《", "》")}

    def __init__(self, role: str | None, kind: str, longest: int = 40, whole: bool = False) -> None:
        self.role, (self.open, self.close), self.longest = role, self._MARKS[kind], longest
        self.whole = 0 if whole else 1   # bind the marks too, or only what is inside

    def _close(self, scene: Scene, start: int) -> int:
        """Where the mark opened at `start` closes (-1 if it does not)."""
        text = scene.text
        if not text.startswith(self.open, start):
            return -1
        if self.open == '"':
            end = scene.view.quote_pairs.get(start, -1)
        else:
            end = text.find(self.close, start + 1, start + 2 + self.longest)
        return end if start + 1 < end <= start + 1 + self.longest else -1

    def forward(self, scene, pos, binds):
        end = self._close(scene, pos)
        if end > 0:
            yield end + 1, self.bind(binds, Span(pos + self.whole, end + 1 - self.whole))

    def backward(self, scene, pos, binds):
        text = scene.text
        if pos > 0 and text[pos - 1] == self.close:
            starts = [a for a, b in scene.view.quote_pairs.items() if b == pos - 1] if self.open == '"' else \
                [text.rfind(self.open, max(0, pos - 2 - self.longest), pos - 1)]
            for start in starts:
                if start >= 0 and self._close(scene, start) == pos - 1:
                    yield start, self.bind(binds, Span(start + self.whole, pos - self.whole))

    def occurrences(self, scene):
        text = scene.text
        pos = text.find(self.open)
        while pos >= 0:
            for end, binds in self.forward(scene, pos, {}):
                yield pos, end, binds
            pos = text.find(self.open, pos + 1)


class ItemsElement(Element):
    """The members of an enumeration that ends here (leftwards), or that starts here."""

    def __init__(self, role: str | None, kind: str, least: int = 1) -> None:
        self.role, self.industries, self.least = role, kind == "industry", least

    def forward(self, scene, pos, binds):
        """Members after a head (龙头企业|A、B和C): runs of name tokens joined by separators."""
        text, items = scene.text, []
        while True:
            end = spans.name_after(scene.view, pos, most=5)
            if end is None or end - pos > 16:
                break
            items.append((pos, end))
            sep = next((s for s in LIST_SEPARATORS if text.startswith(s, end)), None)
            if sep is None:
                break
            pos = end + len(sep)
        if len(items) >= self.least:
            yield items[-1][1], self.bind(binds, *_spans(scene, items))

    def backward(self, scene, pos, binds):
        floor = scene.clause_of(max(pos - 1, 0))[0]
        items = items_before(scene.view, pos, floor, self.industries)
        count = count_in(scene.text[pos:pos + 6])
        items = split_joined(scene.view, items, count)
        if self.industries:   # 某县|高端装备: the place is not part of the industry
            items = [(next((b for a, b in scene.view.place_spans if a == x and b < y), x), y) for x, y in items]
            items = [(x, y) for x, y in items if y - x >= 2]
        if len(items) >= self.least:
            yield items[0][0], self.bind(binds, *_spans(scene, items))


class NameElement(Element):
    """A name grown by one of the span builders of kg.extract.spans."""
    _LEFT = {"org", "member", "policy", "document", "industry"}

    def __init__(self, role: str | None, builder: str) -> None:
        if builder not in self._LEFT | {"after", "phrase"}:
            raise ValueError(f"unknown name builder {builder!r}")
        self.role, self.builder = role, builder

    def forward(self, scene, pos, binds):
        if self.builder == "phrase":
            end = spans.phrase_end(scene.view, pos)
            if end is not None:
                yield end, self.bind(binds, Span(pos, end))
            return
        if self.builder != "after":
            raise KGError(f"name builder {self.builder!r} grows leftwards: put it before the anchor")
        for end in spans.name_ends(scene.view, pos):
            yield end, self.bind(binds, Span(pos, end))

    def backward(self, scene, pos, binds):
        view = scene.view
        if self.builder in ("after", "phrase") or pos == 0:
            return
        if self.builder in ("org", "member"):
            grow = spans.org_start if self.builder == "org" else member_start
            start = min(grow(view, view.token_at(pos), 0), pos)
            first = view.tokens[view.token_at(start)]
            if first.start == start and first.pos == "ORG":
                start = spans.after_glued_verb(view, start, pos)
        elif self.builder == "policy":
            start = spans.policy_start(view, view.token_at(pos))
        elif self.builder == "document":
            found = spans.document_start(view, pos)
            if found is None:
                return
            start = found
        else:
            found = spans.industry_start(view, pos)
            if found is None:
                return
            start = found
        if start < pos:
            yield start, self.bind(binds, Span(start, pos))


class Gap(Element):
    def __init__(self, role: str | None, low: int, high: int, over: str = "clause",
                 without: frozenset[str] = frozenset()) -> None:
        self.role, self.low, self.high, self.without = role, low, high, without
        self.stops = frozenset("。!?") | (frozenset() if over == "sentence" else frozenset(",;:"))

    def _free(self, scene: Scene, a: int, b: int) -> bool:
        return not self.without or not any(m.start >= a and m.end <= b and m.label in self.without
                                            for m in scene.mentions)

    def forward(self, scene, pos, binds):
        text = scene.text
        for k in range(self.high + 1):
            end = pos + k
            if end > len(text) or (k and text[end - 1] in self.stops):
                return
            if k >= self.low and self._free(scene, pos, end):
                yield end, self.bind(binds, Span(pos, end))

    def backward(self, scene, pos, binds):
        text = scene.text
        for k in range(self.high + 1):
            start = pos - k
            if start < 0 or (k and text[start] in self.stops):
                return
            if k >= self.low and self._free(scene, start, pos):
                yield start, self.bind(binds, Span(start, pos))


class Subject(Element):
    """(no width) The clause's subject; with `through`, a subject of those classes (a park)
    stands for the place it is in."""
    width = False

    def __init__(self, role: str | None, labels: frozenset[str], through: frozenset[str] = frozenset()) -> None:
        self.role, self.labels, self.through = role, labels, through

    def _at(self, scene, pos, binds):
        subject = scene.subject_at(pos)
        if subject is not None and subject.mention is not None and subject.mention.label in self.through:
            subject = scene.place_at(pos)
        if subject is not None and subject.mention is not None and subject.mention.label in self.labels:
            yield pos, self.bind(binds, subject)

    forward = backward = _at


class Context(Element):
    """(no width) The section's place (`topic`), the document's mention of the province, or
    the park last named (`park`: before here in the sentence, or in the sentence before)."""
    width = False

    def __init__(self, role: str | None, kind: str) -> None:
        if kind not in ("topic", "province", "park"):
            raise ValueError(f"context: topic, province or park, not {kind!r}")
        self.role, self.kind = role, kind

    def _at(self, scene, pos, binds):
        m = scene.topic if self.kind == "topic" else scene.province if self.kind == "province" else scene.last_park(pos)
        if m is not None:
            yield pos, self.bind(binds, Span(m.start, m.end, m, carried=m.sentence != scene.view.index))

    forward = backward = _at


class Nearest(Element):
    width = False

    def __init__(self, role: str | None, labels: frozenset[str], within: str = "clause", side: str = "any") -> None:
        self.role, self.labels, self.within, self.side = role, labels, within, side

    def _at(self, scene, pos, binds):
        a, b = scene.clause_of(pos) if self.within == "clause" else (0, len(scene.text))
        found = [m for m in scene.mentions if m.label in self.labels and m.start >= a and m.end <= b
                 and (self.side != "before" or m.end <= pos) and (self.side != "after" or m.start >= pos)]
        if found:
            best = min(found, key=lambda m: (min(abs(m.start - pos), abs(m.end - pos)), m.start))
            yield pos, self.bind(binds, Span(best.start, best.end, best))

    forward = backward = _at


class Boundary(Element):
    width = False

    def __init__(self, kind: str) -> None:
        if kind not in ("clause-start", "clause-end", "sentence-start", "sentence-end"):
            raise ValueError(f"unknown boundary {kind!r}")
        self.kind = kind

    def _at(self, scene, pos, binds):
        text = scene.text
        if self.kind == "sentence-start":
            ok = pos == 0
        elif self.kind == "sentence-end":
            ok = pos >= len(text.rstrip("。!?\"'"))
        elif self.kind == "clause-start":
            ok = pos == 0 or text[pos - 1] in CLAUSE_PUNCTUATION
        else:
            ok = pos == len(text) or text[pos] in CLAUSE_PUNCTUATION
        if ok:
            yield pos, binds

    forward = backward = _at


class Sequence_(Element):
    """A sub-sequence: for `not`, `optional` and `either`."""

    def __init__(self, elements: list[Element]) -> None:
        self.elements = elements

    def forward(self, scene, pos, binds):
        yield from _run(self.elements, 0, scene, pos, binds, 1)

    def backward(self, scene, pos, binds):
        yield from _run(self.elements[::-1], 0, scene, pos, binds, -1)


class Not(Element):
    width = False

    def __init__(self, inner: Sequence_) -> None:
        self.inner = inner

    def forward(self, scene, pos, binds):
        if next(self.inner.forward(scene, pos, binds), None) is None:
            yield pos, binds

    def backward(self, scene, pos, binds):
        if next(self.inner.backward(scene, pos, binds), None) is None:
            yield pos, binds


class Either(Element):
    def __init__(self, options: list[Sequence_], optional: bool = False) -> None:
        self.options, self.optional = options, optional

    def forward(self, scene, pos, binds):
        for option in self.options:
            yield from option.forward(scene, pos, binds)
        if self.optional:
            yield pos, binds

    def backward(self, scene, pos, binds):
        for option in self.options:
            yield from option.backward(scene, pos, binds)
        if self.optional:
            yield pos, binds


class Test(Element):
    """A named predicate: on a role (checked once the whole pattern matched) or, without
    `on`, on the position where it stands."""
    width = False

    def __init__(self, name: str, on: str | None, args: dict[str, Any], shared: int = 0) -> None:
        self.name, self.on, self.args, self.shared = name, on, args, shared
        self.function = predicates.lookup(name, on is not None)

    def forward(self, scene, pos, binds):
        if self.on is not None or self.function(scene, pos, **self.args):
            yield pos, binds

    backward = forward


def _run(elements: list[Element], i: int, scene: Scene, pos: int, binds: Binds, step: int):
    if i == len(elements):
        yield pos, binds
        return
    move = elements[i].forward if step > 0 else elements[i].backward
    for nxt, new in move(scene, pos, binds):
        yield from _run(elements, i + 1, scene, nxt, new, step)


# ---------------------------------------------------------------------- compiling
_KINDS = ("cue", "text", "mention", "list", "gazetteer", "tag", "items", "name", "quote", "gap", "subject",
          "context", "nearest", "boundary", "not", "optional", "either", "test")
_OPTIONS = {"cue": {"aligned"}, "text": {"aligned"}, "list": {"min"}, "items": {"min"}, "quote": {"longest", "whole"},
            "gap": {"over", "without"}, "subject": {"through"}, "nearest": {"within", "side"}, "test": {"of", "args", "shared"}}
_NO_ROLE = {"boundary", "not", "optional", "either", "test"}


def _indexable(element: dict[str, Any]) -> bool:
    return any(k in element for k in ("cue", "text", "mention", "list", "gazetteer", "tag", "quote"))


def compile_element(spec: dict[str, Any]) -> Element:
    kinds = [k for k in spec if k in _KINDS]
    if len(kinds) != 1:
        raise ValueError(f"an element has exactly one of {', '.join(_KINDS)}: {spec}")
    kind = kinds[0]
    extra = set(spec) - {kind, "as"} - _OPTIONS.get(kind, set())
    if extra or (kind in _NO_ROLE and "as" in spec):
        raise ValueError(f"element {kind}: unknown or misplaced options {sorted(extra | ({'as'} & set(spec)))}")
    value, role = spec[kind], spec.get("as")
    if kind == "cue":
        if value not in cue_names():
            raise ValueError(f"unknown cue list {value!r} (no kg/rules/cues/{value}.txt)")
        return Words(role, cue=value, aligned=spec.get("aligned", ""))
    if kind == "text":
        return Words(role, [value] if isinstance(value, str) else list(value), aligned=spec.get("aligned", ""))
    if kind == "mention":
        return MentionElement(role, classes(value))
    if kind == "list":
        return ListElement(role, classes(value), int(spec.get("min", 1)))
    if kind == "gazetteer":
        return GazetteerElement(role, classes(value))
    if kind == "tag":
        return TagElement(role, frozenset([value] if isinstance(value, str) else value))
    if kind == "items":
        if value not in ("member", "industry"):
            raise ValueError(f"items: member or industry, not {value!r}")
        return ItemsElement(role, value, int(spec.get("min", 1)))
    if kind == "name":
        return NameElement(role, value)
    if kind == "quote":
        if value not in QuoteElement._MARKS:
            raise ValueError(f"quote: double or title, not {value!r}")
        return QuoteElement(role, value, int(spec.get("longest", 40)), bool(spec.get("whole", False)))
    if kind == "gap":
        low, _, high = str(value).partition("-")
        over = spec.get("over", "clause")
        if over not in ("clause", "sentence"):
            raise ValueError(f"gap over: clause or sentence, not {over!r}")
        return Gap(role, int(low), int(high or low), over,
                   classes(spec["without"]) if "without" in spec else frozenset())
    if kind == "subject":
        return Subject(role, classes(value), classes(spec["through"]) if "through" in spec else frozenset())
    if kind == "context":
        return Context(role, value)
    if kind == "nearest":
        return Nearest(role, classes(value), spec.get("within", "clause"), spec.get("side", "any"))
    if kind == "boundary":
        return Boundary(value)
    if kind == "not":
        return Not(Sequence_([compile_element(e) for e in _elements(value)]))
    if kind == "optional":
        return Either([Sequence_([compile_element(e) for e in _elements(value)])], optional=True)
    if kind == "either":
        return Either([Sequence_([compile_element(e) for e in _elements(option)]) for option in value])
    return Test(value, spec.get("of"), spec.get("args") or {}, int(spec.get("shared", 0)))


def _elements(value) -> list[dict[str, Any]]:
    return value if isinstance(value, list) else [value]


# ====================================================================== compiled rules
@dataclass(frozen=True)
class Match:
    rule: "CompiledRule"
    binds: Binds
    start: int
    end: int


class CompiledRule:
    def __init__(self, rule: Rule, family: str, kind: str) -> None:
        self.rule, self.family, self.kind = rule, family, kind
        self.id, self.yields, self.confidence = rule.id, rule.yields, rule.confidence
        self.elements = [compile_element(e) for e in rule.pattern]
        self.anchor = next(i for i, e in enumerate(self.elements) if e.lookup)
        self.left = self.elements[:self.anchor][::-1]
        self.right = self.elements[self.anchor + 1:]
        # the elements that can tell at a glance that a sentence has nowhere for them
        self.required = tuple(e for e in self.elements if type(e).possible is not Element.possible)
        self.tests = [e for e in self.elements if isinstance(e, Test) and e.on is not None]
        self.tests += [compile_element(t) for t in rule.tests]

    def matches(self, scene: Scene) -> Iterator[Match]:
        """One match per start of the anchor: the first that satisfies every element and test."""
        for element in self.required:
            if not element.possible(scene):
                return
        done: set[int] = set()
        for a, b, binds in self.elements[self.anchor].occurrences(scene):
            if a in done:
                continue
            match = self._grow(scene, a, b, binds)
            if match is not None:
                done.add(a)
                yield match

    def _grow(self, scene: Scene, a: int, b: int, binds: Binds) -> Match | None:
        for start, left in _run(self.left, 0, scene, a, binds, -1):
            for end, both in _run(self.right, 0, scene, b, left, 1):
                both = self._tested(scene, both, start, end)
                if both is not None:
                    return Match(self, both, start, end)
        return None

    def _tested(self, scene: Scene, binds: Binds, start: int, end: int) -> Binds | None:
        for test in self.tests:
            if test.on == "span":   # of the mention the rule would yield
                if not all(test.function(scene, v, **test.args) for v in _mention_spans(self.rule, binds, start, end)):
                    return None
                continue
            values = binds.get(test.on, ())
            if not values:
                continue        # a role an `optional` left unbound has nothing to test
            kept = tuple(v for v in values if test.function(scene, v, **test.args))
            if not kept:
                return None
            if test.shared:     # an enumeration lists things of one kind
                if len(kept) < test.shared:
                    return None
                kept = values
            if len(kept) != len(values):
                binds = {**binds, test.on: kept}
        return binds


@dataclass(frozen=True)
class RuleSet:
    mentions: tuple[CompiledRule, ...]
    relations: tuple[CompiledRule, ...]
    files: tuple[Path, ...]

    def by_id(self, rule_id: str) -> CompiledRule:
        try:
            return self._by_id[rule_id]
        except KeyError:
            raise KGError(f"no rule {rule_id!r}") from None

    @cached_property
    def _by_id(self) -> dict[str, CompiledRule]:
        return {rule.id: rule for rule in (*self.mentions, *self.relations)}


def load_file(path: Path) -> RuleFile:
    """A rule file, checked; a bad file raises KGError naming the file, the rule and the field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise KGError(f"{path}: not valid YAML: {exc}") from None
    try:
        return RuleFile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = list(error["loc"])
            if len(where) >= 2 and where[0] == "rules" and isinstance(where[1], int):
                rules = data.get("rules") or []
                rule_id = rules[where[1]].get("id", f"#{where[1] + 1}") if where[1] < len(rules) else "?"
                where = [f"rule {rule_id}", *where[2:]]
            problems.append(f"{'.'.join(map(str, where)) or 'file'}: {error['msg']}")
        raise KGError(f"{path}: " + "; ".join(problems)) from None


@cache
def rules() -> RuleSet:
    """Every rule file under kg/rules/mentions and kg/rules/relations, compiled."""
    mentions, relations, files = [], [], []
    seen: dict[str, Path] = {}
    for folder, out in (("mentions", mentions), ("relations", relations)):
        for path in sorted((RULES / folder).glob("*.yaml")):
            loaded = load_file(path)
            files.append(path)
            for rule in loaded.rules:
                if rule.id in seen:
                    raise KGError(f"{path}: rule id {rule.id!r} is also used in {seen[rule.id]}")
                seen[rule.id] = path
                out.append(CompiledRule(rule, path.stem, loaded.kind))
    return RuleSet(tuple(mentions), tuple(relations), tuple(files))


def triples_of(match: Match) -> Iterator[tuple[Span, str, Span]]:
    """The (subject, predicate, object) spans a relation match yields."""
    rule = match.rule.rule
    for s_role, predicate, o_role in rule.triples or [("subject", rule.yields, "object")]:
        for s, o in itertools.product(match.binds.get(s_role, ()), match.binds.get(o_role, ())):
            yield s, predicate, o


def mention_spans(match: Match) -> list[Span]:
    return _mention_spans(match.rule.rule, match.binds, match.start, match.end)


def _mention_spans(rule: Rule, binds: Binds, start: int, end: int) -> list[Span]:
    """The spans a mention rule yields: from the first to the last of its bound `span`
    roles (roles left unbound by an `optional` are skipped), one per value of a role
    bound to several spans (an enumeration). Without `span`: the role `name`, else the
    whole match."""
    if not rule.span:
        return list(binds["name"]) if binds.get("name") else [Span(start, end)]
    values = [binds[r] for r in rule.span if binds.get(r)]
    if not values:
        return []
    if len(values) == 1:
        return list(values[0])
    return [Span(min(v.start for v in values[0]), max(v.end for v in values[-1]),
                 ref=next((v.ref for vs in values for v in vs if v.ref), ""),
                 label=next((v.label for vs in values for v in vs if v.label), ""))]
