"""What a sentence is about: its clauses, each clause's subject, and its section's place.

Each clause has a subject: the place or organisation it names at its start (after a
lead-in such as a date), else the previous clause's, else the place its section is about
(the last heading naming a city or county, else the city or county the document names
most). A subject the sentence states gives a higher confidence than one carried over.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Sequence

from ..model.records import Mention
from .engine import GROUPS, Scene, Span
from .lexicon import cue_list
from .view import View, clauses

ADMIN = GROUPS["Admin"]
REGIONAL = frozenset({"City", "County", "Town"})
_DATE_LEAD = re.compile(r"^(?:\d{4}年(?:\d+(?:-\d+)?月)?(?:\d+日)?(?:以来|起)?|\d+(?:-\d+)?月(?:份)?|[一二三四]季度|前三季度)")
_TEMPORAL_CLAUSE = re.compile(r"(?:后|时|以来|期间|之际|之后)$")


@dataclass(frozen=True)
class Subject:
    mention: Mention | None       # the place or organisation; None for 公司/企业 without a name
    stated: bool                  # named in this sentence (not carried over from the section)
    organisation: bool            # a company, platform or project rather than a place or body
    last_place: Mention | None = None   # the place the text last named: where an organisation is

    @property
    def place(self) -> Mention | None:
        return None if self.organisation else self.mention

    @property
    def where(self) -> Mention | None:
        return self.place or self.last_place


def lead_in_end(text: str, start: int, end: int) -> int:
    """After the lead-in words of a clause (2023年以来, 目前, 其中 …)."""
    pos = start
    while pos < end:
        match = _DATE_LEAD.match(text, pos, end)
        if match and match.end() > pos:
            pos = match.end()
            continue
        word = next((w for w in cue_list("lead_ins") if text.startswith(w, pos, end)), None)
        if word is None:
            break
        pos += len(word)
    return pos


@dataclass
class SentenceContext:
    """A sentence with its mentions, its clauses' subjects and its section's place.

    `carried` is the subject the previous sentence ended with (a body sentence that names
    no subject of its own goes on with it); `recent` the last company, park and project
    the text named before this sentence, which 公司, 园区, 该项目 … at a clause's start
    stand for."""
    view: View
    mentions: list[Mention]
    topic: Mention | None
    province: Mention | None = None       # the document's mention of the province (省… bodies)
    carried: "Subject | None" = None
    recent: dict[str, Mention] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.view.text

    @property
    def index(self) -> int:
        return self.view.index

    @cached_property
    def clause_spans(self) -> list[tuple[int, int]]:
        return clauses(self.text)

    def clause_of(self, pos: int) -> tuple[int, int]:
        for a, b in self.clause_spans:
            if a <= pos < b:
                return a, b
        return 0, len(self.text)

    @cached_property
    def subjects(self) -> list[tuple[int, int, Subject]]:
        out = []
        current = replace(self.carried, stated=False) if self.carried is not None and \
            self.view.sentence.kind == "body" else Subject(self.topic, False, False, self.topic)
        for i, (a, b) in enumerate(self.clause_spans):
            stated = self._stated(a, b, first=i == 0, current=current)
            if stated is not None:
                current = stated
            out.append((a, b, current))
        return out

    def _stated(self, a: int, b: int, first: bool, current: Subject) -> Subject | None:
        text = self.text
        if _TEMPORAL_CLAUSE.search(text[a:b]) and not first:
            return None                                   # …建成投产后: when, not who
        offset = lead_in_end(text, a, b)
        rest = text[offset:b]
        if rest.startswith(cue_list("anaphora")):        # 当地, 该市: the place being spoken of
            place = current.where if current.stated else self.topic
            return Subject(place, True, False, place)
        if text[offset:offset + 1] in ('"', "(", "《"):
            offset += 1                   # a quoted or bracketed name opens the clause
        for i, m in enumerate(self.mentions):
            if m.start == offset:
                if m.label in ADMIN:   # 某市某区…: the most specific place of a run is the subject
                    while i + 1 < len(self.mentions) and self.mentions[i + 1].start == m.end \
                            and self.mentions[i + 1].label in ADMIN:
                        i += 1
                        m = self.mentions[i]
                    named = self.mentions[i + 1] if i + 1 < len(self.mentions) else None
                    if named is not None and named.start == m.end and named.label in GROUPS["Locatable"] \
                            and named.label not in ("GovernmentBody", "Association"):
                        return Subject(named, True, True, m)   # the places are the name's prefix
                    return Subject(m, True, False, m)
                if m.label in GROUPS["Locatable"] and not text.startswith(("的", "、", "等", "和", "与"), m.end):
                    return Subject(m, True, m.label not in ("GovernmentBody", "Association"),
                                   current.where if current.stated else self.topic)
                break
        for label, cue in (("IndustrialPark", "park_anaphora"), ("Company", "company_anaphora"),
                           ("Project", "project_anaphora")):
            if rest.startswith(cue_list(cue)):
                before = [m for m in self.mentions if m.label == label and m.end <= a]
                referent = before[-1] if before else self.recent.get(label)
                if referent is not None:
                    return Subject(referent, True, True, current.where)
        if rest.startswith(cue_list("organisation_anaphora")):
            return Subject(None, True, True, current.where)
        if first:   # a place described by a relative clause: 率先…的某县，…
            tail = [m for m in self.mentions if m.end == b and m.label in ADMIN and text[m.start - 1:m.start] == "的"]
            if tail:
                return Subject(tail[0], True, False, tail[0])
        return None

    def park_at(self, pos: int) -> Mention | None:
        """The park the sentence is about at `pos`: the last park that was the subject of a
        clause up to here (the previous sentence's included), unless a place named in this
        sentence became the subject after it."""
        park = self.carried.mention if self.carried is not None and self.carried.mention is not None \
            and self.carried.mention.label in GROUPS["Platform"] else None
        for a, _, subject in self.subjects:
            if a > pos:
                break
            if subject.mention is not None and subject.mention.label in GROUPS["Platform"]:
                park = subject.mention
            elif subject.stated and subject.place is not None and subject.mention.sentence == self.index:
                park = None          # the text turned to a place: 如今的某市，A、B等企业云集
        return park

    def subject_at(self, pos: int) -> Subject:
        for a, b, subject in self.subjects:
            if a <= pos < b:
                return subject
        return self.subjects[-1][2] if self.subjects else Subject(self.topic, False, False)

    def scene(self) -> Scene:
        def subject_span(pos: int) -> Span | None:
            subject = self.subject_at(pos)
            m = subject.mention
            if m is None:
                return None
            return Span(m.start, m.end, m, carried=not subject.stated or m.sentence != self.index)

        def place_span(pos: int) -> Span | None:
            m = self.subject_at(pos).where
            return None if m is None else Span(m.start, m.end, m, carried=True)   # never the stated subject
        def last_park(pos: int) -> Mention | None:
            here = [m for m in self.mentions if m.label == "IndustrialPark" and m.end <= pos]
            before = self.recent.get("IndustrialPark")
            return here[-1] if here else before if before is not None and before.sentence == self.index - 1 else None
        return Scene(self.view, self.mentions, subject_span, place_span, last_park, self.topic, self.province)


def section_topics(views: Sequence[View], by_sentence: dict[int, list[Mention]]) -> list[Mention | None]:
    """The place each sentence's section is about: the last heading naming a city, county
    or town at its start, else the city or county the document names most (a town only
    where the document names no city or county)."""
    regional = [m for ms in by_sentence.values() for m in ms if m.label in REGIONAL and m.ref]
    wider = [m for m in regional if m.label != "Town"]
    counts = Counter(m.ref for m in (wider or regional))
    first_of: dict[str, Mention] = {}
    for m in wider or regional:
        first_of.setdefault(m.ref, m)
    fallback = first_of[counts.most_common(1)[0][0]] if counts else None
    topics, current = [], None
    for view in views:
        ms = by_sentence.get(view.index, [])
        if view.sentence.kind == "heading" and ms and ms[0].label in REGIONAL and ms[0].start <= 2:
            current = ms[0]
        topics.append(current or fallback)
    return topics


def sentence_contexts(views: Sequence[View], mentions: Sequence[Mention], province_key: str) -> list[SentenceContext]:
    by_sentence: dict[int, list[Mention]] = {}
    for m in sorted(mentions, key=lambda m: (m.sentence, m.start)):
        by_sentence.setdefault(m.sentence, []).append(m)
    topics = section_topics(views, by_sentence)
    province = next((m for ms in by_sentence.values() for m in ms if m.ref == province_key), None)
    contexts: list[SentenceContext] = []
    carried: Subject | None = None
    recent: dict[str, Mention] = {}
    for view, topic in zip(views, topics):
        ctx = SentenceContext(view, by_sentence.get(view.index, []), topic, province, carried, dict(recent))
        contexts.append(ctx)
        if view.sentence.kind == "heading":
            carried, recent = None, {}         # a new section starts afresh
        elif view.sentence.kind == "body" and ctx.subjects:
            carried = ctx.subjects[-1][2]
        for m in ctx.mentions:
            if m.label in ("Company", "IndustrialPark", "Project"):
                recent[m.label] = m
    return contexts
