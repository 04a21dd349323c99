"""Stage 3: sentences → typed mentions.

Candidates come from the reference gazetteers, the statistical model and cue-word rules
(`rules.py`); where they overlap the longest well-founded one is kept. A name typed with
confidence in one sentence is then found in the document's other sentences too (one
sense per discourse), and the company at the head of a project's name is named as well.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Sequence

import ahocorasick

from ..model.names import company_aliases
from ..model.records import Document, Mention, Sentence, Token
from . import cues
from . import mention_rules as rules
from .gazetteer import gazetteer
from .mention_rules import View

# Weak sources lose every overlap with a strong one; among equals the longer span wins.
_STRONG = {"list-head": 8, "title": 7, "quote": 6, "suffix": 6, "gazetteer": 5, "list": 4, "context": 4,
           "caption": 3, "phrase": 3, "propagated": 2}
_WEAK = {"ner": 1}
_GENERATORS = (
    rules.gazetteer_mentions, rules.suffix_mentions, rules.ner_mentions, rules.quote_mentions,
    rules.title_mentions, rules.list_mentions, rules.phrase_mentions, rules.context_mentions,
    rules.caption_mentions,
)
# "X,是…<head>": what a platform is said to be decides its class (…信息通信产业园,是…互联网数据中心).
_APPOSITION_HEADS = {"数据中心": "DataCenter", "算力中心": "DataCenter", "计算中心": "DataCenter",
                     "产业大脑": "DigitalPlatform", "应用": "DigitalPlatform", "产业园": "IndustrialPark",
                     "开发区": "IndustrialPark"}
# Industry words are not propagated: each use must stand in an industry context of its own.
_PROPAGATE = frozenset({"Company", "ResearchInstitute", "GovernmentBody", "Association", "IndustrialPark",
                        "DataCenter", "DigitalPlatform", "Project", "Policy"})


def make_views(doc: Document, sentences: Sequence[Sentence], tokens: Sequence[list[Token]]) -> list[View]:
    gaz = gazetteer()
    return [View(s, list(t), gaz, doc.text, gaz.find_aligned(s.text, list(t))) for s, t in zip(sentences, tokens)]


def find_mentions(views: Sequence[View]) -> list[Mention]:
    chosen: list[Mention] = []
    for view in views:
        if view.sentence.kind == "credit":
            continue                      # photo credits name their photographers' employers
        candidates = [m for generate in _GENERATORS for m in generate(view)]
        chosen.extend(retype_by_apposition(view, select(candidates)))
    chosen = propagate(views, chosen)
    chosen.extend(project_heads(views, chosen))
    return sorted(set(chosen), key=lambda m: (m.sentence, m.start, m.end, m.label))


def _rank(mention: Mention) -> tuple[int, int, int]:
    strong = mention.source in _STRONG
    priority = _STRONG.get(mention.source) or _WEAK.get(mention.source, 0)
    return (strong, mention.end - mention.start, priority)


def select(candidates: list[Mention]) -> list[Mention]:
    """Non-overlapping candidates, best first (see `_rank`)."""
    taken: list[Mention] = []
    for candidate in sorted(candidates, key=_rank, reverse=True):
        if all(candidate.end <= m.start or candidate.start >= m.end for m in taken):
            taken.append(candidate)
    return taken


def retype_by_apposition(view: View, mentions: list[Mention]) -> list[Mention]:
    out = []
    for m in mentions:
        if m.label in ("IndustrialPark", "DataCenter", "DigitalPlatform"):
            rest = view.text[m.end:m.end + 40]
            said = re.match(r"^,?(?:是|为|作为)([^,;。]*)", rest)
            if said:
                for head, label in _APPOSITION_HEADS.items():
                    if said.group(1).endswith(head) and label != m.label:
                        m = replace(m, label=label)
                        break
        out.append(m)
    return out


def propagate(views: Sequence[View], chosen: list[Mention]) -> list[Mention]:
    """Find names typed elsewhere in the document (and companies' trading names) again."""
    names: dict[str, Mention] = {}
    places = frozenset(m.text for m in chosen if m.label in ("Province", "City", "County", "Town"))
    for mention in sorted(chosen, key=lambda m: -m.confidence):
        if mention.label not in _PROPAGATE or mention.confidence < 0.6 or len(mention.text) < 2:
            continue
        key = views[mention.sentence].text[mention.start:mention.end]
        names.setdefault(key, mention)
        if mention.label == "Company":
            for alias in company_aliases(key, places):
                if not views[0].gazetteer.lookup(alias) and alias not in cues.GENERIC_WORDS:
                    names.setdefault(alias, mention)
    if not names:
        return chosen
    automaton = ahocorasick.Automaton()
    for name, mention in names.items():
        automaton.add_word(name, (name, mention))
    automaton.make_automaton()
    by_sentence: dict[int, list[Mention]] = {}
    for mention in chosen:
        by_sentence.setdefault(mention.sentence, []).append(mention)
    out = list(chosen)
    for view in views:
        if view.sentence.kind == "credit":
            continue
        starts = {t.start for t in view.tokens}
        ends = {t.end for t in view.tokens}
        found = []
        for end, (name, origin) in automaton.iter(view.text):
            start = end + 1 - len(name)
            if start not in starts or end + 1 not in ends:
                continue
            found.append(view.mention(start, end + 1, origin.label, "propagated",
                                      min(0.7, origin.confidence), origin.ref))
        if found:
            existing = by_sentence.get(view.sentence.index, [])
            kept = select(existing + found)
            out = [m for m in out if m.sentence != view.sentence.index] + kept
    return out


_PHASE = re.compile(r"(?:[一二三四五六七八九十]期)?(?:工程|项目)$")


def project_heads(views: Sequence[View], chosen: list[Mention]) -> list[Mention]:
    """The company a project is named after (比亚迪|新能源动力电池生产基地项目), or the
    platform it builds (浙江云谷磐石数据中心|一期项目)."""
    companies = sorted({m.text for m in chosen if m.label == "Company"}, key=len, reverse=True)
    heads = []
    for mention in chosen:
        if mention.label != "Project":
            continue
        view = views[mention.sentence]
        name = view.text[mention.start:mention.end]
        inner = _PHASE.sub("", name)
        typed = rules.suffix_class(inner)
        if inner != name and typed and typed[1] in ("DataCenter", "IndustrialPark", "DigitalPlatform"):
            heads.append(view.mention(mention.start, mention.start + len(inner), typed[1], "project-head", 0.75))
            continue
        head = _split_head(view, mention.start, mention.end)
        known = next((c for c in companies if name.startswith(c) and len(c) < len(name)), "")
        if len(known) > len(head):
            head = known
        if len(head) >= 2:
            heads.append(view.mention(mention.start, mention.start + len(head), "Company", "project-head", 0.7))
    return heads


def _split_head(view: View, start: int, end: int) -> str:
    """The name before the first product, industry or technical word of a project name."""
    text = view.text[start:end]
    if any(view.is_industry(text[:n]) for n in range(2, min(len(text), 6) + 1)):
        return ""                         # 锂电能源科技: a product, not a company, comes first
    cut = len(text)
    for hit in view.hits:
        if hit.entry.label == "Industry" and start < hit.start < start + cut:
            cut = hit.start - start
    for word in (*cues.PRODUCT_MODIFIERS, *(w for w in cues.GENERIC_WORDS if w not in cues.COMPANY_ENDINGS)):
        pos = text.find(word, 2)
        if 0 < pos < cut and len(word) >= 2:
            cut = pos
    for i, ch in enumerate(text[2:cut], start=2):
        if ch.isascii() and ch.isalnum():
            cut = i
            break
    head = text[:cut] if cut < len(text) else ""
    suffix = rules.suffix_class(head)
    if suffix and cues.NAME_SUFFIXES[suffix[0]] == "Project" or view.is_place(head) or head in cues.GENERIC_WORDS:
        return ""                         # 金华|光伏项目: a place is not a developer
    return head
