"""Enumerations: "A、B和C等<head>", "做强A、B、C三大<head>". The members are found from the
list's tail leftwards; the first member that is not all name ends the list
(某地、某地以|A、B → the list is A、B).
"""
from __future__ import annotations

import re

from .lexicon import cue_set, ending
from .spans import org_start
from .view import FUNCTION_TAGS, NAME_BREAKERS, View

CONJUNCTIONS = ("以及", "和", "及", "与", "或")
_COUNT = re.compile(r"(?:[一二两三四五六七八九十]|\d+)(?:多|余)?(?:大|个|项|条|类|种|家|批)")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def count_in(text: str) -> int | None:
    """The number a count word gives (三大 → 3, 12家 → 12), or None."""
    match = _COUNT.search(text)
    if not match:
        return None
    digits = match.group()[:-1].rstrip("多余")
    return int(digits) if digits.isdigit() else _CN_DIGITS.get(digits)


def industry_like(view: View, a: int, b: int) -> bool:
    word = view.text[a:b]
    return view.is_industry(word) or bool(ending(word, "industry_heads"))


def items_before(view: View, tail: int, floor: int, industries: bool = False) -> list[tuple[int, int]]:
    """Members of a list that ends at `tail`, none starting before `floor`. With
    `industries`, a member may hold a verb (精密制造) when it reads as an industry."""
    text = view.text
    parts: list[tuple[int, int]] = []
    pos = tail
    while pos > floor:
        sep = text.rfind("、", floor, pos)
        a = sep + 1 if sep >= 0 else floor
        if a < pos and sep >= 0 and (industries and _whole_industry(view, a, pos) or _bounded_name(view, a, pos)):
            parts.append((a, pos))        # between two separators: the whole stretch is the member
        elif a < pos:
            last = view.token_at(pos - 1)
            start = member_start(view, last, a) if view.name_like(view.tokens[last]) else pos
            if text[max(a, start - 1):pos].startswith('"'):
                start = max(a, start - 1)
            if start > a and text[a:start].strip('"'):
                parts.append((start, pos))
                break                      # a member with words before it: the list begins here
            parts.append((a, pos))
        if sep < 0:
            break
        pos = sep
    parts.reverse()
    parts = [strip(view, a, b) for a, b in parts]
    return [(a, b) for a, b in parts if b - a >= 2]


def split_joined(view: View, parts: list[tuple[int, int]], count: int | None) -> list[tuple[int, int]]:
    """Split "C和D" in the last member when the list's count says so, when it ends a list
    of several members, or when both halves read as industries; and in a member before the
    last when both halves read as industries (新材料、新能源和航空、海洋)."""
    if not parts:
        return parts
    if count is None or count > len(parts):
        parts = [half for a, b in parts[:-1] for half in _industry_halves(view, a, b)] + parts[-1:]
    text = view.text
    a, b = parts[-1]
    for conj in CONJUNCTIONS:
        pos = text.find(conj, a, b)
        if pos <= a:
            continue
        left, right = (a, pos), (pos + len(conj), b)
        if count is not None:
            return parts[:-1] + [left, right] if count == len(parts) + 1 else parts
        if (len(parts) >= 2 and left[1] - left[0] >= 2 and right[1] - right[0] >= 2) or (
                industry_like(view, *left) and industry_like(view, *right)):
            return parts[:-1] + [left, right]   # A、B和C: the conjunction joins the last member
    return parts


def _industry_halves(view: View, a: int, b: int) -> list[tuple[int, int]]:
    """A member "C和D" as [C, D] when both read as industries, else as it is ("C及D" is
    one industry more often than two: 汽车及零部件)."""
    for conj in ("和", "与"):
        pos = view.text.find(conj, a, b)
        if pos > a and industry_like(view, a, pos) and industry_like(view, pos + len(conj), b):
            return [(a, pos), (pos + len(conj), b)]
    return [(a, b)]


def _whole_industry(view: View, a: int, b: int) -> bool:
    """A member between separators that reads as an industry even with a verb in it."""
    a, b = strip(view, a, b)
    return b - a <= 12 and industry_like(view, a, b) and not any(
        t.pos in ("ORG", "LOC", "PER") or t.text in cue_set("function_words")
        or (t.text in cue_set("clause_verbs") and t.pos != "vn") for t in view.tokens_in(a, b))


def _bounded_name(view: View, a: int, b: int) -> bool:
    """A short member between two list marks, verbs and all (某里|汇, 某某|通: app names)."""
    a, b = strip(view, a, b)
    return 2 <= b - a <= 8 and not any(ch in NAME_BREAKERS for ch in view.text[a:b]) and not any(
        t.pos in FUNCTION_TAGS or t.text in cue_set("function_words") for t in view.tokens_in(a, b))


def member_start(view: View, last: int, floor: int) -> int:
    """org_start that also crosses a conjunction inside a member (工业软件和芯片)."""
    start = org_start(view, last, floor)
    while start > floor:
        i = view.token_at(start - 1)
        token = view.tokens[i]
        before = view.tokens[i - 1] if i > 0 else None
        if token.text not in CONJUNCTIONS or before is None or not view.name_like(before) \
                or before.start < floor or before.text in cue_set("generic_words") \
                or before.text in cue_set("industry_list_heads"):
            break                          # …主导产业|和|储能: the conjunction joins two lists
        start = org_start(view, i - 1, floor)
    return start


def strip(view: View, a: int, b: int) -> tuple[int, int]:
    text = view.text
    for conj in CONJUNCTIONS:
        if text.startswith(conj, a):
            a += len(conj)
    while a < b and text[a] in ' "':
        a += 1
    while b > a and text[b - 1] in ' "':
        b -= 1
    return a, b


def bridge(view: View, start: int, end: int) -> bool:
    """The words between 等 (or a count) and a list's head are modifiers only
    (等一批本地龙头|企业, 等国内知名|企业)."""
    if end - start > 12 or any(ch in NAME_BREAKERS for ch in view.text[start:end]):
        return False
    return all(view.name_like(t) or t.text in ("的", "一批", "等") or t.pos in ("m", "q", "u", "r")
               for t in view.tokens_in(start, end))
