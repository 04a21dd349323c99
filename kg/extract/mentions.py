"""Sentences → typed mentions.

The mention rules (kg/rules/mentions/*.yaml) propose candidates; where candidates overlap,
one policy, stated once: the higher rule priority wins, then the longer span, then the
higher confidence. A name typed with confidence in one sentence is then found in the
document's other sentences too (one sense per discourse), and the company at the head of
a project's name is named as well.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Sequence

import ahocorasick

from ..model.names import company_aliases
from ..model.records import Document, Mention, Sentence, Token
from .engine import Scene, mention_spans, rules
from .gazetteer import gazetteer
from .lexicon import cue_list, cue_set, ending
from .spans import any_suffix
from .view import View, split_at_brackets

PROPAGATED = "propagated"           # the extractor id of a name found again elsewhere in the document
PROJECT_HEAD = "project-head"       # … of the company at the head of a project's name
ADMIN_PREFIX = "admin-prefix"       # … of a place written as the administrative prefix of a name
_PROPAGATED_PRIORITY = 2
_PROPAGATE = frozenset({"Company", "ResearchInstitute", "GovernmentBody", "Association", "IndustrialPark",
                        "DataCenter", "DigitalPlatform", "Project", "Policy"})   # industries need their own context


def make_views(doc: Document, sentences: Sequence[Sentence], tokens: Sequence[list[Token]]) -> list[View]:
    gaz = gazetteer()
    views = []
    for sentence, model_tokens in zip(sentences, tokens):
        words = split_at_brackets(list(model_tokens))
        views.append(View(sentence, words, gaz, doc.text, gaz.find_aligned(sentence.text, words)))
    return views


def candidates(view: View, only: str | None = None) -> list[Mention]:
    """Every mention the rules propose for one sentence (or only rule `only`'s)."""
    scene = Scene(view)
    found = []
    for rule in rules().mentions:
        if only is not None and rule.id != only:
            continue
        for match in rule.matches(scene):
            for span in mention_spans(match):
                if span.end > span.start:
                    found.append(view.mention(span.start, span.end, rule.yields, rule.id, rule.confidence, span.ref))
    return found


def find_mentions(views: Sequence[View]) -> list[Mention]:
    chosen: dict[int, list[Mention]] = {}
    for view in views:
        if view.sentence.kind != "credit":    # photo credits name their photographers' employers
            chosen[view.index] = split_admin_prefix(view, select(candidates(view)))
    propagate(views, chosen)
    out = [m for ms in chosen.values() for m in ms]
    out.extend(project_heads(views, out))
    return sorted(set(out), key=lambda m: (m.sentence, m.start, m.end, m.label))


def priority(mention: Mention) -> int:
    if mention.source == PROPAGATED:
        return _PROPAGATED_PRIORITY
    try:
        return rules().by_id(mention.source).rule.priority
    except Exception:   # a mention made outside the rules (tests, project heads)
        return 5


def select(found: list[Mention]) -> list[Mention]:
    """Non-overlapping candidates: higher priority, then longer, then more confident first."""
    taken: list[Mention] = []
    ranked = sorted(found, key=lambda m: (priority(m), m.end - m.start, m.confidence, -m.start), reverse=True)
    for candidate in ranked:
        if all(candidate.end <= m.start or candidate.start >= m.end for m in taken):
            taken.append(candidate)
    return sorted(taken, key=lambda m: m.start)


def split_admin_prefix(view: View, mentions: list[Mention]) -> list[Mention]:
    """A name that begins with a chain of places (某市某区某街道都市产业园) begins at the
    last of them; the places before it are places of their own (administrative prefixes)."""
    out = []
    admin = ("Province", "City", "County", "Town")
    for m in mentions:
        if m.label not in _PROPAGATE or m.label == "Policy":
            out.append(m)
            continue
        chain, pos = [], m.start
        while True:
            hit = next((h for h in view.hits if h.start == pos and h.end < m.end and h.entry.label in admin
                        and not h.entry.short), None)
            if hit is None:
                break
            chain.append(hit)
            pos = hit.end
        if len(chain) < 2:
            out.append(m)
            continue
        for hit in chain[:-1]:
            out.append(view.mention(hit.start, hit.end, hit.entry.label, ADMIN_PREFIX, 0.9, hit.entry.ref))
        out.append(view.mention(chain[-1].start, m.end, m.label, m.source, m.confidence, m.ref))
    return out


def propagate(views: Sequence[View], chosen: dict[int, list[Mention]]) -> None:
    """Find the names typed elsewhere in the document (and companies' shorter trading
    names) again, wherever the model's word boundaries agree. One pass over the
    document with one automaton; a sentence is re-selected only where a name was found."""
    names: dict[str, Mention] = {}
    bare: set[str] = set()       # two-character trading names, often words too (某潮 in 数字化浪潮)
    everyone = [m for ms in chosen.values() for m in ms]
    places = frozenset(m.text for m in everyone if m.label in ("Province", "City", "County", "Town"))
    gaz = gazetteer()
    for mention in sorted(everyone, key=lambda m: -m.confidence):
        key = views[mention.sentence].text[mention.start:mention.end]
        if mention.label not in _PROPAGATE or mention.confidence < 0.65 or len(key) < 2 \
                or key in cue_set("generic_words") or any(e.label == "Industry" for e in gaz.lookup(key)):
            continue
        names.setdefault(key, mention)
        if mention.label == "Company":
            for alias in company_aliases(key, places):
                if not gaz.lookup(alias) and alias not in cue_set("generic_words"):
                    names.setdefault(alias, mention)
                    if len(alias) <= 2:
                        bare.add(alias)
    if not names:
        return
    automaton = ahocorasick.Automaton()
    for name, mention in names.items():
        automaton.add_word(name, (name, mention))
    automaton.make_automaton()
    for view in views:
        if view.sentence.kind == "credit":
            continue
        found = []
        for last, (name, origin) in automaton.iter(view.text):
            start, end = last + 1 - len(name), last + 1
            if start in view.token_starts and end in view.token_ends and (name not in bare or _proper_at(view, start, end)):
                found.append(view.mention(start, end, origin.label, PROPAGATED, min(0.7, origin.confidence), origin.ref))
        if found:
            # A name the document types as an organisation elsewhere is no industry where
            # only the context made it one (以某某为核心: the firm, not a trade).
            named = {(m.start, m.end) for m in found if m.label != "Industry"}
            kept = [m for m in chosen.get(view.index, [])
                    if not (m.label == "Industry" and not m.ref and (m.start, m.end) in named)]
            chosen[view.index] = select(kept + found)


def _proper_at(view: View, start: int, end: int) -> bool:
    """The model reads the word at [start, end) as a name (ORG, PER, LOC, nz)."""
    return any(t.start == start and t.end == end and t.pos in ("ORG", "PER", "LOC", "nz") for t in view.tokens)


def project_heads(views: Sequence[View], chosen: Sequence[Mention]) -> list[Mention]:
    """The company a project is named after (某某科技|年产…项目) or the platform it builds
    (某某数据中心|一期项目): a mention of its own inside the project's name."""
    companies = sorted({m.text for m in chosen if m.label == "Company"}, key=len, reverse=True)
    by_sentence: dict[int, list[Mention]] = defaultdict(list)
    for m in chosen:
        by_sentence[m.sentence].append(m)
    heads = []
    for mention in chosen:
        if mention.label != "Project":
            continue
        view = views[mention.sentence]
        name = view.text[mention.start:mention.end]
        phase = ending(name, "project_phases")
        inner = name[:len(name) - len(phase)] if phase else name
        typed = ending(inner, "datacenter_suffixes") or ending(inner, "park_suffixes") or ending(inner, "platform_suffixes")
        if phase and typed and len(inner) > len(typed) + 1:
            label = "DataCenter" if ending(inner, "datacenter_suffixes") else (
                "IndustrialPark" if ending(inner, "park_suffixes") else "DigitalPlatform")
            heads.append(view.mention(mention.start, mention.start + len(inner), label, PROJECT_HEAD, 0.75))
            continue
        head = _developer_name(view, mention.start, mention.end)
        known = next((c for c in companies if name.startswith(c) and len(c) < len(name)), "")
        if len(known) > len(head):
            head = known
        if len(head) >= 2 and not any(m.start == mention.start and m.end == mention.start + len(head)
                                      for m in by_sentence[mention.sentence]):
            heads.append(view.mention(mention.start, mention.start + len(head), "Company", PROJECT_HEAD, 0.7))
    return heads


def _developer_name(view: View, start: int, end: int) -> str:
    """The company a project's name begins with: up to the first company ending (某某科技|…,
    某某集团|…), else up to the first industry, product or technical word; it must read as a
    company's name (a place, a park or a product is no developer)."""
    text = view.text[start:end]
    if any(h.entry.label == "Industry" and start <= h.start < start + 2 for h in view.hits):
        return ""                         # a product comes first: 小家电|生产基地
    cut = len(text)
    industries = [(h.start - start, h.end - start) for h in view.hits
                  if h.entry.label == "Industry" and start + 2 <= h.start < end]
    for cues in ("company_suffixes", "company_weak_suffixes", "company_endings"):
        for word in cue_list(cues):
            pos = text.find(word, 2)
            if 0 < pos and pos + len(word) < len(text) and start + pos + len(word) in view.token_ends:
                # an ending that opens a longer industry (某某|新能源汽车…) is the product's
                longer = any(a == pos and b > pos + len(word) for a, b in industries) or (
                    any(a == pos and b == pos + len(word) for a, b in industries)
                    and any(a == pos + len(word) for a, _ in industries))   # 某某|新能源|动力电池
                cut = min(cut, pos if longer else pos + len(word))
    for a, _ in industries:
        if a < cut and not any(text.startswith(w, a) and a + len(w) <= cut
                               for cues in ("company_endings",) for w in cue_list(cues)):
            cut = a
    for word in cue_set("project_product_words"):
        pos = text.find(word, 2)
        if 0 < pos < cut:
            cut = pos
    latin = len(text) - len(text.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
    if latin >= 2:
        cut = min(cut, latin)             # a Latin brand first (某某BCD|…项目)
    else:
        for i, ch in enumerate(text[2:cut], start=2):
            if ch.isascii() and ch.isalnum():
                cut = i
                break
    head = text[:cut] if cut < len(text) else ""
    rest = text[cut:]
    if any(rest == w for cues in ("company_endings", "company_suffixes") for w in cue_list(cues)):
        return ""                         # 某某电子|科技: the project is named as a company
    if len(head) < 2 or view.is_place(head) or head in cue_set("generic_words") or (
            any_suffix(head) and not ending(head, "company_suffixes") and not ending(head, "company_weak_suffixes")):
        return ""
    brand = head
    for a, b in view.place_spans:   # 某县|智能: a place and a generic word name no developer
        if a == start and b - start < len(head):
            brand = head[b - start:]
    if len(brand) < 2 or brand in cue_set("generic_words") or any(brand == w for w in cue_list("company_endings")):
        return ""
    tokens = view.tokens_in(start, start + len(head))
    proper = any(t.pos in ("ORG", "nz", "nw", "PER") for t in tokens)
    trading = ending(head, "company_endings") or ending(head, "company_suffixes") or ending(head, "company_weak_suffixes")
    return head if proper or trading else ""
