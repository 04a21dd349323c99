"""Where a name begins and ends: the span builders rules use (`{name: org}` …).

Chinese names have no capitals or spaces; a name is found from its head (a suffix such as
产业园, a head noun after a list, a quote) and grown over the tokens that can stand inside
a name. Each builder is a pure function of a sentence view and a position.

    org       an organisation, park or platform name, leftwards from its suffix
    policy    a programme's name, which may hold verbs (…提升行动), leftwards
    document  a policy document's name, from the issuing verb (出台|…实施方案)
    industry  an industry phrase before 产业/行业/集群, leftwards
    after     a short name right after a cue word (走进|X), rightwards
"""
from __future__ import annotations

import re

from .lexicon import cue_set, ending
from .view import FUNCTION_TAGS, View

_LEVEL_PREFIX = re.compile(r"(?:国家级|省级|市级|县级|区级|全国|全省|全市|全县|全区)")
_DIGIT = re.compile(r"\d")
_DATE = re.compile(r"\d+(?:年|月|日|号)")
_PREPOSITIONS = "经在于由从"
QUANTITY = re.compile(r"\d+(?:多|余)?[个家项条辆台套名座大批]|[一两二三四五六七八九十百千几数多]+(?:多|余)?(?:大|个|项|批|条|家|类|种)|等")


def level_prefix_end(text: str, start: int, end: int | None = None) -> int:
    """After a leading 省级/全市… (they rank a name, they are not part of it)."""
    match = _LEVEL_PREFIX.match(text, start, len(text) if end is None else end)
    return match.end() if match else start


def counted(text: str, start: int, end: int) -> bool:
    """A quantity stands in text[start:end] (三大, 12家, 等): counted things are not named."""
    return bool(QUANTITY.search(text, start, end))


def after_count(text: str, start: int, end: int) -> int:
    """After the last quantity word in text[start:end] (一个千亿级|新能源)."""
    last = None
    for last in QUANTITY.finditer(text, start, end):
        pass
    return last.end() if last is not None else start


# ---------------------------------------------------------------------- organisations
def org_start(view: View, first: int, floor: int = 0) -> int:
    """Start of a name whose last token before the suffix is tokens[first], growing left
    over name-like tokens (and brackets inside names: 中国（某地）数据港)."""
    i = first
    tokens = view.tokens
    while i > 0:
        prev = tokens[i - 1]
        if prev.start < floor:
            break
        if prev.text == ")" and _bracket_inside_name(view, i - 1):
            i = _bracket_open(view, i - 1)
            continue
        if prev.text in cue_set("name_stop_nouns") or (
                not view.name_like(prev) and not _fragment(view, i - 1, floor)):
            break
        i -= 1
    if i >= len(tokens):
        return len(view.text)
    start = tokens[i].start
    # the model split a verb: 做/v 强某某/nz → the verb's second character is not the name
    if i > 0 and tokens[i - 1].text + view.text[start] in cue_set("clause_verbs") and first > i:
        start += 1
    date = _DATE.match(view.text, start)
    if date and date.end() < tokens[first].end:   # 12月|经某政府: a date and what the model glued to it
        start = date.end()
        if view.text[start] in _PREPOSITIONS:
            start += 1
    return start


def _fragment(view: View, i: int, floor: int) -> bool:
    """The model splits an unknown name into single characters with stray tags; a lone
    character next to another lone name-like character (or a list comma) belongs to it."""
    token = view.tokens[i]
    if len(token.text) != 1 or token.pos in FUNCTION_TAGS or token.text in cue_set("function_words") \
            or token.text in cue_set("single_verbs") or i == 0:
        return False
    left = view.tokens[i - 1]
    if left.text in ("、", ","):
        return True
    if left.start < floor or left.pos in FUNCTION_TAGS or left.text in cue_set("function_words"):
        return False
    # a lone character after another lone one, or after a proper name (某地|智|造|小镇)
    return len(left.text) == 1 or left.pos in ("LOC", "ORG", "nz", "nw")


def _bracket_open(view: View, close: int) -> int:
    j = close
    while j > 0 and view.tokens[j].text != "(":
        j -= 1
    return j


def _bracket_inside_name(view: View, close: int) -> bool:
    """A bracket inside a name (a place or a short word: 中国（某地）…), not one that closes a
    name of its own (…高新区（经开区）)."""
    open_ = _bracket_open(view, close)
    if open_ == 0 or view.tokens[open_].text != "(" or close - 1 <= open_:
        return False
    before = view.tokens[open_ - 1]
    if not view.name_like(before):
        return False
    inner = (view.tokens[open_ + 1].start, view.tokens[close - 1].end)
    head = view.text[org_start(view, open_ - 1):before.end]
    if any_suffix(head) or any_suffix(view.text[inner[0]:inner[1]]):
        return False
    return inner in view.place_spans or inner[1] - inner[0] <= 4


_SUFFIX_LISTS = ("company_suffixes", "institute_suffixes", "government_suffixes", "association_suffixes",
                 "park_suffixes", "datacenter_suffixes", "platform_suffixes", "project_suffixes")


def any_suffix(name: str) -> str:
    """The longest organisation/park/platform/project suffix `name` ends with."""
    return max((ending(name, cues) for cues in _SUFFIX_LISTS), key=len)


def paren_continuation(text: str, end: int) -> int:
    """Include a short bracket right after a name that belongs to it (…开发区（高新园区）, …（二期）)."""
    if end < len(text) and text[end] == "(":
        close = text.find(")", end)
        if 0 < close - end <= 8 and ending(text[end + 1:close], "paren_continuations"):
            return close + 1
    return end


def after_glued_verb(view: View, start: int, s_start: int) -> int:
    """The model glues a verb into a name (某市建成|某某数据中心): the name starts after it."""
    text = view.text
    for verb in cue_set("glued_verbs"):
        at = text.rfind(verb, start, s_start)
        if at > start and s_start - (at + len(verb)) >= 2:
            return at + len(verb)
    return start


# ---------------------------------------------------------------------- programmes
def policy_start(view: View, first: int) -> int:
    """A programme's name may hold verbs (…五年提升行动); it ends on its left at an issuing
    or carrying-out verb, a function word, punctuation or a year."""
    i = first
    tokens = view.tokens
    boundary = cue_set("policy_boundaries")
    while i > 0:
        prev = tokens[i - 1]
        if prev.text == ")" and _bracket_inside_name(view, i - 1):
            i = _bracket_open(view, i - 1)
            continue
        if prev.pos in FUNCTION_TAGS or prev.pos in ("d", "r") or prev.text in boundary \
                or (prev.pos == "TIME" and _DIGIT.search(prev.text)) or tokens[first].end - prev.start > 20:
            break
        if prev.pos == "v" and first - i >= 2 and prev.text not in cue_set("name_internal_verbs"):
            break                          # a verb two words before the suffix governs the name
        i -= 1
    start = tokens[i].start if i < len(tokens) else len(view.text)
    level = level_prefix_end(view.text, start)
    return level if level < tokens[first].start else start


def document_start(view: View, s_start: int) -> int | None:
    """A policy document's name starts after the first issuing verb of its clause
    (印发|…实施方案); without one there is no name to take (各项|实施方案)."""
    text = view.text
    floor = max(max(text.rfind(ch, 0, s_start) for ch in ",;:。《") + 1, s_start - 24)
    found = [(pos, verb) for verb in cue_set("issue_verbs") if (pos := text.find(verb, floor, s_start)) >= 0]
    if not found:
        return None
    pos, verb = min(found)
    start = pos + len(verb)
    return start + 1 if text.startswith("了", start) else start


# ---------------------------------------------------------------------- industries
def industry_start(view: View, s_start: int) -> int | None:
    """Start of an industry phrase ending at s_start (before 产业/行业/集群…), without a
    leading place (某县|新材料), quantity (三大|…), rank or generic words."""
    text = view.text
    if s_start == 0:
        return None
    last = view.token_at(s_start - 1)
    token = view.tokens[last]
    if not view.name_like(token):
        return None
    start = org_start(view, last) if token.start < s_start else s_start
    for a, b in sorted(view.place_spans):
        if a == start and b < s_start:
            start = b
    start = after_count(text, start, s_start)
    generic = cue_set("generic_words")
    while start < s_start:
        first = view.tokens[view.token_at(start)]
        if text[start:first.end] not in generic and first.pos not in ("m", "q", "a", "ad", "s", "f", "r", "TIME", "d"):
            break
        start = first.end
    return level_prefix_end(text, start, s_start)


# ---------------------------------------------------------------------- rightwards
def phrase_end(view: View, pos: int, longest: int = 8) -> int | None:
    """End of a short stretch from `pos` up to the next punctuation, with no function
    word in it (领军企业——|某地某磁|，): a name the model split into a place and a verb."""
    text = view.text
    end = pos
    while end < len(text) and end - pos <= longest and text[end] not in ",;:。!?、\"()《》 ":
        end += 1
    if end == pos or end - pos > longest or end >= len(text) and not text[pos:end]:
        return None
    if any(t.pos in ("p", "u", "c") or t.text in cue_set("function_words") for t in view.tokens_in(pos, end)):
        return None
    return end


def name_ends(view: View, pos: int, most: int = 3) -> list[int]:
    """Where a short run of name tokens starting at `pos` may end, longest first."""
    ends = []
    end = name_after(view, pos, most)
    while end is not None and end > pos:
        ends.append(end)
        i = view.token_at(end - 1)
        end = view.tokens[i].start if view.tokens[i].start > pos else None
    return ends


def name_after(view: View, pos: int, most: int = 3) -> int | None:
    """End of a short run of name tokens starting exactly at `pos`, or None."""
    if pos >= len(view.text):
        return None
    i = view.token_at(pos)
    if i >= len(view.tokens):
        return None
    j = i   # a name may start inside a word the model glued to the cue (龙头|星海 as one word)
    while j < len(view.tokens) and j - i < most and view.name_like(view.tokens[j]) \
            and view.tokens[j].text not in cue_set("site_words"):
        j += 1
    return view.tokens[j - 1].end if j > i else None
