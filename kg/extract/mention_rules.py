"""Candidate mentions from patterns over the model's tokens and cue words.

Each rule family is a generator over a `View` of one sentence and yields candidate
Mentions; `kg.mentions.find_mentions` chooses among overlapping candidates.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterator

from ..model.records import Mention, Sentence, Token
from . import cues
from .gazetteer import Gazetteer, Hit

# Tags the model gives to words that can stand inside a name.
NAME_TAGS = frozenset({"n", "nz", "nw", "ORG", "LOC", "PER", "vn", "an", "a", "m", "xc", "f", "s", "TIME"})
STRONG_TAGS = frozenset({"ORG", "LOC", "PER", "nz", "nw"})
NOUN_TAGS = frozenset({"n", "nz", "nw", "ORG", "LOC", "PER", "vn", "xc"})
PLACE_LABELS = frozenset({"Province", "City", "County", "Town", "Place"})
STOP_WORDS = frozenset({"的", "和", "与", "及", "等", "是", "为", "在", "了", "将", "对", "向", "从", "以",
                        "其中", "同时", "目前", "已", "也", "还", "都", "并", "或", "由", "被", "把", "该"})
_LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9]|[一二三四五六七八九十百]+条")
_VERSION = re.compile(r"(?:\d+(?:\.\d+)?版|升级版)")
_QUOTED = re.compile(r'"([^"]{1,40})"|\'([^\']{2,40})\'')
_TITLE = re.compile(r"《([^《》]{2,60})》")
_YEAR_OR_DIGIT = re.compile(r"\d")
_PUNCT = frozenset(",;:。!?、\"()《》 ")
_QUANTITY = re.compile(r"\d+(?:多|余)?[个家项条辆台套名座大]|[一两三四五六七八九十]+(?:大|个)|等")


@dataclass
class View:
    """One sentence with its tokens and gazetteer hits, and helpers over them."""
    sentence: Sentence
    tokens: list[Token]
    gazetteer: Gazetteer
    source: str                      # the document's text, for surface forms
    hits: list[Hit] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.sentence.text

    @cached_property
    def _token_index(self) -> list[int]:
        index = [0] * (len(self.text) + 1)
        for i, token in enumerate(self.tokens):
            for pos in range(token.start, token.end):
                index[pos] = i
        index[len(self.text)] = len(self.tokens)
        return index

    def token_at(self, pos: int) -> int:
        return self._token_index[pos]

    @cached_property
    def place_spans(self) -> set[tuple[int, int]]:
        spans = {(h.start, h.end) for h in self.hits if h.entry.label in PLACE_LABELS}
        return spans | {(t.start, t.end) for t in self.tokens if t.pos == "LOC"}

    @cached_property
    def quote_spans(self) -> list[tuple[int, int]]:
        return [m.span() for m in _QUOTED.finditer(self.text)]

    def mention(self, start: int, end: int, label: str, source: str, confidence: float, ref: str = "") -> Mention:
        sentence = self.sentence
        surface = "".join(self.source[o] for o in sentence.offsets[start:end])
        return Mention(sentence.index, start, end, surface, label, source, ref, confidence)

    def is_industry(self, word: str) -> bool:
        return any(e.label == "Industry" for e in self.gazetteer.lookup(word))

    def is_place(self, word: str) -> bool:
        return any(e.label in PLACE_LABELS for e in self.gazetteer.lookup(word))

    # ------------------------------------------------------------------ name spans
    def name_start(self, first_token: int, floor: int = 0, exclude: frozenset[str] = frozenset()) -> int:
        """Extend a name leftwards from token `first_token` over name-like tokens."""
        i = first_token
        while i > 0:
            prev = self.tokens[i - 1]
            if prev.start < floor:
                break
            if prev.text == ")" and self._bracket_inside_name(i - 1):
                i = self._bracket_open(i - 1)
                continue
            if not self.name_like(prev) or prev.pos in exclude:
                if not self._fragment(i - 1, floor):
                    break
            i -= 1
        if i >= len(self.tokens):
            return len(self.text)
        start = self.tokens[i].start
        if i > 0 and self.tokens[i - 1].text + self.text[start] in cues.CLAUSE_VERBS and first_token > i:
            start += 1                      # 做/v 强氟硅/nz: the model split the verb 做强
        return start

    def _fragment(self, i: int, floor: int) -> bool:
        """晶/n 越/d 半导体: the model splits an unknown name into characters with stray tags.
        A lone character between the name and another lone name-like character belongs to it."""
        token = self.tokens[i]
        if len(token.text) != 1 or token.pos in ("w", "p", "u", "c") or token.text in STOP_WORDS or i == 0:
            return False
        left = self.tokens[i - 1]
        if left.text in ("、", ","):
            return True                     # the first character of the name: 、|均|胜电子
        return left.start >= floor and len(left.text) == 1 and left.pos not in ("w", "p", "u", "c") \
            and left.text not in STOP_WORDS

    def name_like(self, token: Token) -> bool:
        if token.pos == "TIME":             # 正午阳光, 今飞智造: names the model reads as times
            return not _YEAR_OR_DIGIT.search(token.text) and token.text not in cues.TIME_WORDS
        if token.text in cues.PRODUCT_MODIFIERS:
            return True                     # 扩产, 年产: verbs that belong to project names
        return (token.pos in NAME_TAGS and token.text not in STOP_WORDS and token.text not in cues.SUPERLATIVES
                and not (token.text in cues.CLAUSE_VERBS and token.pos != "vn"))

    def _bracket_open(self, close: int) -> int:
        j = close
        while j > 0 and self.tokens[j].text != "(":
            j -= 1
        return j

    def _bracket_inside_name(self, close: int) -> bool:
        """A bracket inside a name: 中国（温州）数安港, 中国移动（浙中）信息通信产业园, 电动（园林）工具;
        not one that closes a name: 温州高新区（经开区）| 新能源科技产业园."""
        open_ = self._bracket_open(close)
        if open_ == 0 or self.tokens[open_].text != "(" or close - 1 <= open_:
            return False
        before = self.tokens[open_ - 1]
        if not self.name_like(before):
            return False
        inner = (self.tokens[open_ + 1].start, self.tokens[close - 1].end)
        head = self.text[self.name_start(open_ - 1):before.end]
        if _suffix_of(head) or _suffix_of(self.text[inner[0]:inner[1]]):
            return False                    # the bracket closes a name: 温州高新区（经开区）
        return inner in self.place_spans or inner[1] - inner[0] <= 4

    def name_tokens(self, start: int, end: int) -> list[Token]:
        return [t for t in self.tokens if t.start < end and t.end > start]

    def clean(self, start: int, end: int, allow: frozenset[str] = frozenset()) -> bool:
        """No clause punctuation, verbs or function words in text[start:end]."""
        if any(ch in _PUNCT for ch in self.text[start:end]):
            return False
        return all(self.name_like(t) or t.text in allow for t in self.name_tokens(start, end))

    def distinctive(self, start: int, end: int, strict: bool = False, places: bool = True) -> int:
        """2: a proper name; 1: only industry (or, when strict, ordinary) words; 0: generic words.

        `strict` asks for proper-name evidence (a model-tagged name, a place, a quote, Latin
        letters or digits); `places=False` does not count a place as such evidence."""
        segment = self.text[start:end]
        if not segment:
            return 0
        if _LATIN_OR_DIGIT.search(segment) or '"' in segment:
            return 2
        if places and any(a >= start and b <= end and self.is_place(self.text[a:b]) for a, b in self.place_spans):
            return 2
        level = 0
        for token in self.name_tokens(start, end):
            word = self.text[max(token.start, start):min(token.end, end)]
            if word in cues.GENERIC_WORDS or len(word) < 2 or token.pos in ("m", "q"):
                continue
            if self.is_place(word):
                level = max(level, 2 if places else 0)
                continue
            if token.pos in STRONG_TAGS and not self.gazetteer.lookup(word):
                return 2
            if self.is_industry(word) or strict:
                level = max(level, 1)
                continue
            return 2
        return level

    def inside_quote(self, start: int, end: int) -> bool:
        return any(a < start and end < b for a, b in self.quote_spans)


# ====================================================================== rule families
def gazetteer_mentions(view: View) -> Iterator[Mention]:
    for hit in view.hits:
        start, end, ref = hit.start, hit.end, hit.entry.ref
        if hit.entry.label == "Industry":
            if not _industry_context(view, hit):
                continue
            latin = _latin_before(view, hit.start)
            if latin < hit.start:
                start, ref = latin, ""            # LED光电, 5G通信: a kind of the industry of its own
        if hit.entry.label in PLACE_LABELS and (view.text.startswith(("式", "特色"), hit.end)
                                                or view.inside_quote(hit.start, hit.end)):
            continue                              # 中国式现代化, “中国青瓷之都”: not the place
        if hit.entry.label == "Policy" and (version := _VERSION.match(view.text, hit.end)):
            end, ref = version.end(), ""          # 数字经济“一号工程”2.0版: a version of its own
        yield view.mention(start, end, hit.entry.label, "gazetteer", 0.95, ref)


def _latin_before(view: View, pos: int) -> int:
    start = pos
    while start > 0 and view.text[start - 1].isascii() and view.text[start - 1].isalnum():
        start -= 1
    return start


_INDUSTRY_VERBS = re.compile("|".join((*cues.PRIORITY_VERBS, "方面", "领域", "为主", "入选")))


def _industry_context(view: View, hit: Hit) -> bool:
    """An industry word used as an industry, not as a plain noun (光伏|电池, 智慧|农业, 5G基站).

    A short word (< 4 characters) must not be part of a longer compound, and must stand
    where industries stand: before 产业/行业/企业…, in a list with another industry, or
    after a verb of development in its clause."""
    text = view.text
    if hit.end - hit.start >= 4 and not hit.surface.endswith("技术"):
        return True
    nxt = view.token_at(hit.end) if hit.end < len(text) else len(view.tokens)
    following = view.tokens[nxt] if nxt < len(view.tokens) and view.tokens[nxt].start == hit.end else None
    if following is not None and (following.text in cues.INDUSTRY_FOLLOWERS or following.text in cues.LIST_HEADS):
        return True
    if following is not None and following.pos in ("n", "nz", "vn", "nw", "s"):
        return False
    prev_index = view.token_at(hit.start - 1) if hit.start > 0 else -1
    previous = view.tokens[prev_index] if prev_index >= 0 and view.tokens[prev_index].end == hit.start else None
    if previous is not None and previous.pos in ("n", "a", "vn", "an") and not view.is_place(previous.text) \
            and previous.text not in cues.CLAUSE_VERBS and not view.is_industry(previous.text):
        return False                          # 智慧|农业, 传统|农业: the head of a longer compound
    for other in view.hits:
        if other is not hit and other.entry.label == "Industry" and (
                text[other.end:hit.start] in ("、", "和", "及", "与") or text[hit.end:other.start] in ("、", "和", "及", "与")):
            return True
    a = max(text.rfind(ch, 0, hit.start) for ch in ",;:。")
    return bool(_INDUSTRY_VERBS.search(text, a + 1, hit.start))


_SUFFIXES = sorted(cues.NAME_SUFFIXES.items(), key=lambda item: -len(item[0]))
_SUFFIX_RE = re.compile("|".join(re.escape(s) for s, _ in _SUFFIXES))


def _suffix_of(name: str) -> str:
    for suffix, _ in _SUFFIXES:
        if name.endswith(suffix):
            return suffix
    return ""


def suffix_class(name: str) -> tuple[str, str] | None:
    """(suffix, class) of the longest name suffix `name` ends with."""
    suffix = _suffix_of(name)
    return (suffix, cues.NAME_SUFFIXES[suffix]) if suffix else None


def suffix_mentions(view: View) -> Iterator[Mention]:
    """Names built leftwards from a typing suffix: 浙中人工智能产业园, 台州市经信局."""
    text = view.text
    for match in _SUFFIX_RE.finditer(text):
        suffix = match.group()
        label = cues.NAME_SUFFIXES[suffix]
        s_start, s_end = match.span()
        last = view.token_at(s_end - 1)
        if view.tokens[last].end != s_end:
            continue                      # the suffix is the start of a longer word
        first = view.token_at(s_start)
        token = view.tokens[first]
        if token.start < s_start and token.pos not in STRONG_TAGS and suffix in cues.GENERIC_SUFFIXES:
            continue                      # 格局, 布局: a word that merely ends like a name
        if suffix in cues.DOCUMENT_SUFFIXES:
            if text.startswith("》", s_end):
                continue                  # the title rule names 《…专项规划》
            start = _document_start(view, s_start)
        elif label == "Policy":
            start = _policy_start(view, first)
        elif label == "Project":
            start = _member_start(view, first, 0, frozenset())
        else:
            start = view.name_start(first)
        end = _paren_continuation(text, s_end)
        if token.start == start and token.pos == "ORG":
            start = _after_glued_verb(text, start, s_start)   # 宁波市建成|甬江数据中心
        if label == "Policy" and _noun_follows(view, s_end):
            continue                      # 试点城市, 改革应用场景: the suffix modifies a noun
        if label != "Policy" and _QUANTITY.search(text, start, s_start):
            continue                      # 171个亿元以上项目, 两大创新平台: counted, not named
        if start == s_start:
            if text[s_start:s_end] in cues.STANDALONE_BODIES:
                yield view.mention(s_start, s_end, label, "suffix", 0.8)
            continue
        before = view.tokens[view.token_at(start - 1)] if start > 0 else None
        if before is not None and before.text in cues.SUPERLATIVES:
            continue                      # 全球最大…基地 describes, it does not name
        strict = suffix in cues.GENERIC_SUFFIXES
        level = view.distinctive(start, s_start, strict=strict, places=label != "Project")
        if level == 0 or (level == 1 and strict):
            continue
        if level == 1 and label != "Policy" and _described(text, start):
            continue                      # 规模最大、规格最高的互联网数据中心: a description, not a name
        if label == "DigitalPlatform" and re.search(r"(?:新区|园区|开发区|高新区)", text[start:s_start]):
            label = "IndustrialPark"      # 金义新区信创平台: a zone's platform is a park
        if label == "Project" and re.search(r"(?:改革|试点|示范|课题|合作)$", text[start:s_start]):
            continue                      # 改革项目: not an investment project
        yield view.mention(start, end, label, "suffix", 0.85 if level == 2 else 0.6)


def _after_glued_verb(text: str, start: int, s_start: int) -> int:
    for verb in cues.GLUED_VERBS:
        at = text.rfind(verb, start, s_start)
        if at > start and s_start - (at + len(verb)) >= 2:
            return at + len(verb)
    return start


def _policy_start(view: View, first: int) -> int:
    """A programme's name may hold verbs (智能制造五年提升行动, 工程建设项目审批制度改革); it ends on
    its left at an issuing or carrying-out verb, a function word or punctuation."""
    i = first
    while i > 0:
        prev = view.tokens[i - 1]
        if prev.text == ")" and view._bracket_inside_name(i - 1):
            i = view._bracket_open(i - 1)     # 省级电动（园林）工具…试点
            continue
        if prev.pos in ("w", "p", "u", "c", "d", "r") or prev.text in cues.POLICY_BOUNDARY_VERBS \
                or prev.pos == "TIME" and _YEAR_OR_DIGIT.search(prev.text) or view.tokens[first].end - prev.start > 20:
            break
        i -= 1
    start = view.tokens[i].start
    level = _LEVEL_PREFIX.match(view.text, start)
    return level.end() if level and level.end() < view.tokens[first].start else start


def _document_start(view: View, s_start: int) -> int:
    """A policy document's name starts after the first issuing verb of its clause:
    出台|促进…十二条政策措施, 制定|深入实施…行动方案."""
    text = view.text
    floor = max(max(text.rfind(ch, 0, s_start) for ch in ",;:。《") + 1, s_start - 24)
    found = [(pos, verb) for verb in cues.POLICY_ISSUE_VERBS if (pos := text.find(verb, floor, s_start)) >= 0]
    if not found:
        return floor
    pos, verb = min(found)
    start = pos + len(verb)
    return start + 1 if text.startswith("了", start) else start


def _noun_follows(view: View, pos: int) -> bool:
    if pos >= len(view.text):
        return False
    token = view.tokens[view.token_at(pos)]
    return token.start == pos and token.pos in ("n", "vn", "nz") and token.text not in cues.CLAUSE_VERBS \
        and not _LEVEL_PREFIX.fullmatch(token.text)   # 改革|全省领先: 全省 starts the predicate


def _described(text: str, start: int) -> bool:
    """Whether the words before a name end in a descriptive clause: 最高的|…, 唯一的|…"""
    if text[start - 1:start] != "的":
        return False
    clause = text[max(0, start - 16):start]
    return bool(re.search(r"最|唯一|首个|第一|之一|领先", clause))


def _paren_continuation(text: str, end: int) -> int:
    """Include (高新园区) or (三期) right after a name."""
    if end < len(text) and text[end] == "(":
        close = text.find(")", end)
        if 0 < close - end <= 8 and text[end + 1:close].endswith(cues.PAREN_CONTINUATIONS):
            return close + 1
    return end


def ner_mentions(view: View) -> Iterator[Mention]:
    """Organisations the model tagged ORG (extended: 龙芯|中科, 万胜|智能), and companies named
    after a place that the model tagged LOC (横店东磁)."""
    tokens = view.tokens
    for i, token in enumerate(tokens):
        if token.pos == "LOC":
            company = _place_named_company(view, token)
            if company:
                yield company
            continue
        if token.pos != "ORG" or len(token.text) < 2 or view.inside_quote(token.start, token.end - 1) \
                or view.text[token.start - 1:token.start] == '"':
            continue
        if token.text in cues.GENERIC_WORDS or view.gazetteer.lookup(token.text):
            continue
        typed = suffix_class(token.text)
        if typed:
            if len(token.text) > len(typed[0]):
                yield view.mention(token.start, token.end, typed[1], "ner", 0.7)
            continue
        if _place_then_word(view, token):
            continue
        start, end = token.start, token.end
        if i > 0 and tokens[i - 1].end == start and (tokens[i - 1].pos in ("nz", "ORG", "PER") or (
                len(token.text) <= 2 and tokens[i - 1].pos == "n" and view.name_like(tokens[i - 1])
                and not view.gazetteer.lookup(tokens[i - 1].text))):
            start = tokens[i - 1].start
        if i + 1 < len(tokens) and tokens[i + 1].text in cues.COMPANY_ENDINGS:
            end = tokens[i + 1].end
        if end - start <= 3 and end == token.end and start == token.start:
            continue                      # a bare short ORG (海铁, 聚力, 青科会) is too often wrong
        if view.text[start:end] in cues.COMPANY_ENDINGS:
            continue
        yield view.mention(start, end, "Company", "ner", 0.6)


def _place_named_company(view: View, token: Token) -> Mention | None:
    """横店东磁: a known place + a brand, tagged LOC by the model as a whole."""
    for hit in view.hits + view.gazetteer.find(token.text):
        if hit.entry.label not in ("City", "County", "Town"):
            continue
        if hit is not None and view.text[token.start:token.start + len(hit.surface)] == hit.surface:
            rest = token.text[len(hit.surface):]
            if len(rest) >= 2 and not rest.endswith(cues.PLACE_ENDINGS) and not suffix_class(token.text) \
                    and not view.gazetteer.lookup(rest) and rest not in cues.GENERIC_WORDS:
                return view.mention(token.start, token.end, "Company", "ner", 0.55)
    return None


def _place_then_word(view: View, token: Token) -> bool:
    """台州光电, 湖州市聚力: a place glued by the model to the word after it."""
    for hit in view.gazetteer.find(token.text):
        if hit.start == 0 and hit.end < len(token.text) and hit.entry.label in PLACE_LABELS:
            rest = token.text[hit.end:]
            return bool(view.gazetteer.lookup(rest)) or rest in cues.GENERIC_WORDS or len(rest) <= 2
    return False


# ---------------------------------------------------------------------- quoted names
def quote_mentions(view: View) -> Iterator[Mention]:
    """Quoted programme and platform names: “443”产业体系, “浙里柑橘”应用, 以“三个全覆盖”为目标."""
    text = view.text
    for match in _QUOTED.finditer(text):
        q_start, q_end = match.span()
        group = 1 if match.group(1) is not None else 2
        content = match.group(group)
        c_start, c_end = match.span(group)
        if not content.strip() or view.gazetteer.lookup(content) or "的" in content:
            continue
        after_start = q_end
        if text.startswith("(", q_end):          # “2+3”(光电、…)数字经济新赛道
            close = text.find(")", q_end)
            after_start = close + 1 if close > 0 else q_end
        typed = suffix_class(content)
        policy_head = _head_after(view, after_start, cues.POLICY_HEADS)
        platform_head = _head_after(view, after_start, cues.PLATFORM_HEADS)
        if "、" in content and not (policy_head and text[after_start:policy_head].endswith(cues.SLOGAN_POLICY_HEADS)):
            continue
        if content.endswith(cues.POLICY_NAME_ENDINGS):
            yield view.mention(c_start, c_end, "Policy", "quote", 0.8)
        elif typed and typed[1] in ("DigitalPlatform", "IndustrialPark", "DataCenter"):
            if view.distinctive(c_start, c_end - len(typed[0])) >= 1 and len(content) - len(typed[0]) >= 2:
                yield view.mention(c_start, c_end, typed[1], "quote", 0.8)
        elif content.endswith(cues.PLATFORM_HEADS) and len(content) >= 4:
            head = next(h for h in cues.PLATFORM_HEADS if content.endswith(h))
            if view.distinctive(c_start, c_end - len(head)) >= 1:     # not “最佳应用”
                yield view.mention(c_start, c_end, "DigitalPlatform", "quote", 0.8)
        elif platform_head and (not policy_head or platform_head < policy_head):
            yield view.mention(c_start, c_end, "DigitalPlatform", "quote", 0.75)
        elif policy_head:
            start = _policy_prefix(view, q_start)
            end = policy_head
            version = _VERSION.match(text, end)
            if version:
                end = version.end()
            label = "IndustrialPark" if text[start:end].endswith(("新产业平台", "产业平台")) else "Policy"
            yield view.mention(start, end, label, "quote", 0.8)
        elif _policy_context(text, q_start, q_end):
            yield view.mention(c_start, c_end, "Policy", "quote", 0.6)


def _head_after(view: View, pos: int, heads: tuple[str, ...]) -> int:
    """End of the earliest (then longest) head word within a short clean noun phrase after pos."""
    text = view.text
    window = text[pos:pos + 12]
    best: int | None = None
    for head in heads:
        at = window.find(head)
        if at < 0 or at > 8:
            continue
        bridge_ok = at == 0 or view.clean(pos, pos + at) or (text[pos:pos + at] == "的" and head in ("小程序", "应用", "平台"))
        if not bridge_ok:
            continue
        end = pos + at + len(head)
        best = max(best or 0, end)        # the farthest head: “十链万企”数字化改造|攻坚行动
    return best or 0


def _policy_prefix(view: View, q_start: int) -> int:
    """Modifiers before a quoted programme name that are part of it (数字乡村“151”工程)."""
    if q_start == 0:
        return q_start
    first = view.token_at(q_start - 1)
    token = view.tokens[first]
    if token.end != q_start or token.pos not in ("n", "nz", "vn", "LOC", "ORG") or token.text in ("省", "市", "全省", "全市"):
        return q_start
    return view.name_start(first)


def _policy_context(text: str, q_start: int, q_end: int) -> bool:
    before = text[max(0, q_start - 4):q_start]
    after = text[q_end:q_end + 4]
    if any(before.endswith(verb) for verb in cues.POLICY_VERBS):
        return True
    return before.endswith(("以", "按照")) and any(after.startswith(f) for f in cues.POLICY_FRAMES)


def title_mentions(view: View) -> Iterator[Mention]:
    """《…》: a named plan, programme or policy document (not a bare 《行动方案》)."""
    for match in _TITLE.finditer(view.text):
        inner_start, inner_end = match.span(1)
        specific = _YEAR_OR_DIGIT.search(match.group(1)) or any(
            a >= inner_start and b <= inner_end for a, b in view.place_spans)
        if specific or len(match.group(1)) >= 8:
            yield view.mention(match.start(), match.end(), "Policy", "title", 0.9)


# ---------------------------------------------------------------------- enumerations
_COUNT = re.compile(r"(?:[一二两三四五六七八九十]|\d+)(?:多|余)?(?:大|个|项|条|类|种|家)")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_CONJUNCTIONS = ("以及", "和", "及", "与")
_BRIDGE_WORDS = frozenset({"的", "一批", "等"})
_LEVEL_PREFIX = re.compile(r"(?:国家级|省级|市级|县级|全国|全省|全市)")
_HEAD_CONTINUATIONS = ("集群", "链", "数据")


@dataclass(frozen=True)
class Listing:
    items: tuple[tuple[int, int], ...]
    head: str            # the list head word ("企业", "产业" …)
    head_start: int
    head_end: int
    label: str


def clauses(text: str) -> list[tuple[int, int]]:
    """Spans between clause punctuation; brackets are kept whole."""
    spans, start, depth = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "(《":
            depth += 1
        elif ch in ")》":
            depth = max(0, depth - 1)
        elif ch in ",;:。!?" and depth == 0:
            if i > start:
                spans.append((start, i))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def enumerations(view: View) -> list[Listing]:
    """Lists "A、B和C等<head>" and "做强A、B 4大<head>" with the class their head gives."""
    listings = []
    for c_start, c_end in clauses(view.text):
        floor = c_start
        for tail, region, head, h_start, h_end, label, count in _heads(view, c_start, c_end):
            if tail < floor:
                continue
            items = _items(view, max(floor, region), tail, count, label)
            floor = h_end
            if not items or (len(items) == 1 and not view.text.startswith("等", tail)):
                continue
            listings.append(Listing(tuple(items), head, h_start, h_end, label))
    return listings


def _heads(view: View, c_start: int, c_end: int):
    """(end of the last member, start of the member region, head, head span, class, count)."""
    text = view.text
    found = []
    taken: list[tuple[int, int]] = []
    for head, label in sorted(cues.LIST_HEADS.items(), key=lambda kv: -len(kv[0])):
        pos = c_start
        while (pos := text.find(head, pos, c_end)) >= 0:
            h_start, h_end = pos, pos + len(head)
            pos = h_end
            if any(a <= h_start < b for a, b in taken) or text[h_start - 1:h_start] == "全":
                continue                  # 全产业链 / 全行业: the whole chain, not a list head
            if _noun_follows(view, h_end) and not text.startswith(_HEAD_CONTINUATIONS, h_end):
                continue                  # 5G产业|基地, 无线电产业|招商地图: a word inside a longer name
            tail = _tail(view, c_start, h_start, label)
            if tail is None:
                continue
            taken.append((h_start, h_end))
            found.append((*tail, head, h_start, h_end, label, _count(text[tail[0]:h_start])))
    return sorted(found, key=lambda f: f[3])


def _tail(view: View, c_start: int, h_start: int, label: str) -> tuple[int, int] | None:
    """Where the members end before the head (after 等, before a count like 4大, or at a
    bracket), and where they may start."""
    text = view.text
    window_start = max(c_start, h_start - 16)
    close = text.rfind(")", window_start, h_start)
    if close >= 0 and "、" in text[text.rfind("(", c_start, close) + 1:close]:
        open_ = text.rfind("(", c_start, close)
        if view.clean(close + 1, h_start):
            return close, open_ + 1
    etc = text.rfind("等", window_start, h_start)
    if etc >= 0 and _bridge(view, etc + 1, h_start):
        return etc, c_start
    quoted = re.search(r'"[^"]{1,12}"大?$', text[window_start:h_start])
    if quoted and "、" in text[c_start:window_start + quoted.start()]:
        return window_start + quoted.start(), c_start     # 邻礼通、村情通、政企通“三通一智”大平台
    frame = re.search(r"为(?:主导|主要|重点|核心|支柱|特色|优势)?$", text[window_start:h_start])
    if frame and "、" in text[c_start:window_start + frame.start()]:
        return window_start + frame.start(), c_start          # 以光电、模具为主导产业
    for m in _COUNT.finditer(text, window_start, h_start):
        bridge = text[m.end():h_start]          # 4大基础产业, 3大主导产业, 两大千亿级产业
        if len(bridge) <= 6 and not any(ch in _PUNCT for ch in bridge) and "、" in text[c_start:m.start()]:
            return m.start(), c_start
    if label == "Industry" and h_start > c_start and text[h_start - 1] not in "、等的" \
            and "、" in text[c_start:h_start]:
        return h_start, c_start        # …纺织服装和电动园林工具产业
    return None


def _bridge(view: View, start: int, end: int) -> bool:
    """The words between 等/a count and the head: modifiers only (一批本地龙头, 全球前列的光伏组件)."""
    if end - start > 12 or any(ch in _PUNCT for ch in view.text[start:end]):
        return False
    return all(view.name_like(t) or t.text in _BRIDGE_WORDS or t.pos in ("m", "q", "u")
               for t in view.name_tokens(start, end))


def _count(text: str) -> int | None:
    m = _COUNT.search(text)
    if not m:
        return None
    digits = m.group()[:-1].rstrip("多余")
    return int(digits) if digits.isdigit() else _CN_DIGITS.get(digits)


def _items(view: View, region: int, tail: int, count: int | None, label: str) -> list[tuple[int, int]]:
    """Members from the tail leftwards; the first member that is not all name ends the list
    (鹿城、龙湾、瓯海以|软件信息服务业、5G及通信卫星)."""
    text = view.text
    exclude: frozenset[str] = frozenset()
    parts = []
    pos = tail
    while pos > region:
        sep = text.rfind("、", region, pos)
        a = sep + 1 if sep >= 0 else region
        if a < pos and sep >= 0 and label == "Industry" and _whole_industry(view, a, pos):
            parts.append((a, pos))        # 精密制造: an industry's name may hold a verb
        elif a < pos:
            last = view.token_at(pos - 1)
            start = _member_start(view, last, a, exclude) if view.name_like(view.tokens[last]) else pos
            if text[max(a, start - 1):pos].startswith('"'):
                start = max(a, start - 1)
            if start > a and text[a:start].strip('"'):
                parts.append((start, pos))
                break
            parts.append((a, pos))
        if sep < 0:
            break
        pos = sep
    parts.reverse()
    parts = [_strip(view, a, b) for a, b in parts]
    parts = [(a, b) for a, b in parts if b - a >= 2]
    return _split_last(view, parts, count) if parts else parts


def _whole_industry(view: View, a: int, b: int) -> bool:
    """A member between separators that reads as an industry even with a verb in it."""
    a, b = _strip(view, a, b)
    tokens = view.name_tokens(a, b)
    return b - a <= 12 and _industry_like(view, a, b) and not any(
        t.pos in ("ORG", "LOC", "PER") or t.text in STOP_WORDS or (t.text in cues.CLAUSE_VERBS and t.pos != "vn")
        for t in tokens)


def _member_start(view: View, last: int, floor: int, exclude: frozenset[str]) -> int:
    """name_start that also crosses a conjunction inside a member (工业软件和集成电路)."""
    start = view.name_start(last, floor, exclude)
    while start > floor:
        i = view.token_at(start - 1)
        token = view.tokens[i]
        if token.text not in _CONJUNCTIONS or i == 0 or not view.name_like(view.tokens[i - 1]) \
                or view.tokens[i - 1].start < floor:
            break
        start = view.name_start(i - 1, floor, exclude)
    return start


def _strip(view: View, a: int, b: int) -> tuple[int, int]:
    text = view.text
    for conj in _CONJUNCTIONS:
        if text.startswith(conj, a):
            a += len(conj)
    while a < b and text[a] in ' "':
        a += 1
    while b > a and text[b - 1] in ' "':
        b -= 1
    return a, b


def _split_last(view: View, parts: list[tuple[int, int]], count: int | None) -> list[tuple[int, int]]:
    """Split "C和D" in the last member when the count, or both halves, say so."""
    text = view.text
    a, b = parts[-1]
    for conj in _CONJUNCTIONS:
        pos = text.find(conj, a, b)
        if pos <= a:
            continue
        left, right = (a, pos), (pos + len(conj), b)
        if count is not None:
            return parts[:-1] + [left, right] if count == len(parts) + 1 else parts
        if _industry_like(view, *left) and _industry_like(view, *right):
            return parts[:-1] + [left, right]
    return parts


_INDUSTRY_HEADS = ("产业", "工具", "装备", "材料", "制造", "服装", "电子", "信息", "能源", "设备", "医药",
                   "器械", "服务业", "电商", "零售", "贸易", "农业", "储能", "显示", "汽车")


def _industry_like(view: View, a: int, b: int) -> bool:
    word = view.text[a:b]
    return view.is_industry(word) or word.endswith(_INDUSTRY_HEADS)


def list_mentions(view: View) -> Iterator[Mention]:
    for listing in enumerations(view):
        for a, b in listing.items:
            yield from _typed_member(view, listing, a, b)


def _typed_member(view: View, listing: Listing, a: int, b: int) -> Iterator[Mention]:
    label = listing.label
    if label == "Industry":
        for start, end in view.place_spans:   # 台州|光电: the place is not part of the industry
            if start == a and end < b:
                a = end
        if level := _LEVEL_PREFIX.match(view.text, a):
            a = level.end()                   # 省级|信创
        if not _company_like(view, a, b, proper_only=True):
            a = _after_proper_names(view, a, b)   # 亚马逊平台|家居: an industry holds no proper name
    name = view.text[a:b]
    tokens = view.name_tokens(a, b)
    industry_like = _industry_like(view, a, b)
    if not (industry_like or any(t.pos in NOUN_TAGS for t in tokens)) or name in cues.GENERIC_WORDS:
        return
    proper = any(t.pos in STRONG_TAGS for t in tokens)
    if not (view.clean(a, b, frozenset(_CONJUNCTIONS)) or industry_like or proper or _company_like(view, a, b)):
        return
    typed = suffix_class(name)
    if label == "Project" and typed and typed[1] in ("IndustrialPark", "DataCenter", "Project"):
        yield view.mention(a, b, "Project", "list-head", 0.75)   # 国信网络5G产业基地 among projects
        return
    if typed:
        return                            # typed by its own suffix (suffix_mentions)
    if label == "Industry" and (_company_like(view, a, b, proper_only=True) or (
            _listed_with_company(view, listing) and (_company_like(view, a, b) or _proper_start(view, a, b)))):
        label = "Company"                 # 正威电子、星耀半导体、大唐5G等…产业: firms named as an industry's
    elif label == "Platform":
        label = "DigitalPlatform"
    elif label == "Project" and (_company_like(view, a, b) or _short_name(view, a, b)):
        label = "Company"                 # 晶越半导体、蔚星科技等重大项目: firms counted as projects
    if label == "Industry":
        end = a + _industry_length(name)
        core = view.name_tokens(a, end)
        if b - a > 12 or view.text[a:end] in cues.GENERIC_WORDS or not (
                industry_like or any(t.pos in NOUN_TAGS for t in core)):
            return
        yield view.mention(a, end, "Industry", "list", 0.75)
        return
    if view.distinctive(a, b) < 2 or name in cues.COMPANY_ENDINGS:
        return                            # 电子 alone is no company's name
    yield view.mention(a, b, label, "list", 0.75)


def _company_like(view: View, a: int, b: int, proper_only: bool = False) -> bool:
    """A member that reads as a company name: a proper name + a trading ending (正威|电子).
    Among industries (健康医药, 智能泵阀装备) only a name the model tags ORG counts."""
    name = view.text[a:b]
    if view.gazetteer.lookup(name):
        return False
    tokens = view.name_tokens(a, b)
    if tokens and tokens[0].pos == "ORG" and not view.is_industry(tokens[0].text):
        return len(tokens) <= 2 and b - a <= 6
    if proper_only and not (tokens and tokens[0].pos in ("ORG", "PER")):
        return False
    for ending in cues.COMPANY_ENDINGS:
        if name.endswith(ending) and len(name) > len(ending) + 1:
            head = name[:-len(ending)]
            if head in cues.GENERIC_WORDS or view.gazetteer.lookup(head):
                return False
            return not any(view.is_industry(head[:n]) for n in range(2, len(head) + 1))
    return False


def _listed_with_company(view: View, listing: Listing) -> bool:
    return any(_company_like(view, x, y, proper_only=True) for x, y in listing.items)


def _proper_start(view: View, a: int, b: int) -> bool:
    tokens = view.name_tokens(a, b)
    return bool(tokens) and tokens[0].pos in ("LOC", "ORG", "PER") and not view.gazetteer.lookup(tokens[0].text)


def _after_proper_names(view: View, a: int, b: int) -> int:
    tokens = view.name_tokens(a, b)
    proper = [t for t in tokens if t.pos in ("ORG", "PER")]
    if not proper:
        return a
    start = proper[-1].end
    for token in tokens:
        if token.start >= start and token.end < b and view.text[token.start:token.end] in cues.GENERIC_WORDS:
            start = token.end
    return min(start, b)


def _short_name(view: View, a: int, b: int) -> bool:
    """见闻录: a short name with no product or industry word in it is a firm's name."""
    name = view.text[a:b]
    return 2 <= len(name) <= 4 and not any(
        view.is_industry(name[i:j]) for i in range(len(name)) for j in range(i + 2, len(name) + 1)) \
        and not any(word in name for word in cues.PRODUCT_MODIFIERS)


_INDUSTRY_SUFFIXES = ("产业集群", "产业链", "产业", "行业", "集群")


def _industry_length(name: str) -> int:
    for suffix in _INDUSTRY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return len(name) - len(suffix)
    return len(name)


# ---------------------------------------------------------------------- industries from context
_INDUSTRY_NOUN = re.compile("产业集群|产业链|产业|行业|赛道")


def phrase_mentions(view: View) -> Iterator[Mention]:
    """Industries the taxonomy does not list, named by the word after them:
    锂电池制造|产业, 无线电|产业, LED光电|产业 (not 数字经济核心|产业, 主导|产业); and the
    industry a leader leads: 作为|光学镜头|领军企业."""
    text = view.text
    for match in re.finditer(r"作为([^,;。的]{2,10}?)(?:龙头|领军|链主|头部)(?:型)?企业", text):
        start, end = match.span(1)
        if view.distinctive(start, end) >= 1 and not _QUANTITY.search(text, start, end):
            yield view.mention(start, end, "Industry", "phrase", 0.65)
    for match in _INDUSTRY_NOUN.finditer(text):
        s_start = match.start()
        if s_start == 0 or text[s_start - 1] == "全" or text.startswith(_PHRASE_BLOCKERS, match.end()):
            continue                      # 全行业; 产业园, 产业大脑, 产业发展: the word modifies a noun
        last = view.token_at(s_start - 1)
        token = view.tokens[last]
        if token.end not in (s_start, match.end()) or not view.name_like(token):
            continue                      # (工具产业 may be one word)
        start = view.name_start(last) if token.start < s_start else s_start
        for a, b in sorted(view.place_spans):
            if a == start and b < s_start:
                start = b                 # 嵊州|新能源装备产业: the place is not part of the industry
        counted = None
        for counted in _QUANTITY.finditer(text, start, s_start):
            pass
        if counted is not None:
            start = counted.end()         # 一个千亿级|新能源, 3大|未来
        while start < s_start:            # leading generic words are not the industry's name
            first = view.tokens[view.token_at(start)]
            if text[start:first.end] not in cues.GENERIC_WORDS and first.pos not in ("m", "q", "a", "ad"):
                break
            start = first.end
        if level := _LEVEL_PREFIX.match(text, start, s_start):
            start = level.end()
        name = text[start:s_start]
        tokens = view.name_tokens(start, s_start)
        if not 2 <= len(name) <= 10 or name in cues.GENERIC_WORDS or _INDUSTRY_NOUN.search(name) \
                or not any(t.pos in NOUN_TAGS and t.text not in cues.GENERIC_WORDS for t in tokens):
            continue
        if view.distinctive(start, s_start) >= 1:
            yield view.mention(start, s_start, "Industry", "phrase", 0.65)


_PHRASE_BLOCKERS = tuple(cues.NAME_SUFFIXES) + (
    "园", "大脑", "基地", "平台", "集聚", "发展论坛", "发展规划", "发展大会", "体系", "招商", "论坛", "规模", "能级",
    "基础", "布局", "链",
    "集群", "数字化", "改造", "转型", "工人", "人才", "联盟", "学院")


# ---------------------------------------------------------------------- context patterns
_TITLE_AFTER = re.compile(r"(?:相关负责人|负责人|董事长|总经理|院长|秘书长|总裁|创始人)")
_LEADER_BEFORE = ("龙头", "领军", "链主", "头部", "骨干", "重点", "知名")


def context_mentions(view: View) -> Iterator[Mention]:
    """Organisations named by their context: "龙头企业X", "X相关负责人", "走进X", "X是一家…企业"."""
    text = view.text
    for match in re.finditer(r"企业(?:——|—|:)?", text):
        before = text[max(0, match.start() - 2):match.start()]
        qualified = before.endswith(_LEADER_BEFORE) or any(
            h.end == match.start() and h.entry.label == "Industry" for h in view.hits)
        span = _name_after(view, match.end()) if qualified else None
        if span:
            yield view.mention(*span, "Company", "context", 0.7)
    for match in _TITLE_AFTER.finditer(text):
        start = match.start()
        if start == 0:
            continue
        name_start = view.name_start(view.token_at(start - 1))
        if name_start < start and view.distinctive(name_start, start) == 2:
            typed = suffix_class(text[name_start:start])
            yield view.mention(name_start, start, typed[1] if typed else "Company", "context", 0.7)
    for match in re.finditer("|".join(cues.ATTRACT_VERBS), text):
        span = _name_after(view, match.end())
        if span:
            yield view.mention(*span, "Company", "context", 0.65)
    for match in re.finditer("走进", text):
        span = _name_after(view, match.end())
        if span:
            yield view.mention(*span, "Company", "context", 0.7)
    for match in re.finditer(r"作为[^,;。]{2,12}?企业", text):
        start = match.start()
        if start > 0:
            name_start = view.name_start(view.token_at(start - 1))
            if name_start < start and view.distinctive(name_start, start) == 2 and not suffix_class(text[name_start:start]):
                yield view.mention(name_start, start, "Company", "context", 0.7)
    for match in re.finditer("是一家", text):
        start = match.start()
        if start > 0 and re.search(r"(?:企业|公司)", text[match.end():match.end() + 40]):
            name_start = view.name_start(view.token_at(start - 1))
            if name_start < start and view.distinctive(name_start, start) == 2:
                yield view.mention(name_start, start, "Company", "context", 0.75)


def _name_after(view: View, pos: int) -> tuple[int, int] | None:
    """A short run of name tokens starting at `pos`, with a proper name in it."""
    if pos >= len(view.text):
        return None
    i = view.token_at(pos)
    if i >= len(view.tokens) or view.tokens[i].start != pos:
        return None
    j = i
    while j < len(view.tokens) and view.name_like(view.tokens[j]) and j - i < 3 \
            and view.tokens[j].text not in ("厂区", "车间", "工厂", "园区"):
        j += 1
    if j == i:
        return None
    end = view.tokens[j - 1].end
    if view.distinctive(pos, end) < 2 or suffix_class(view.text[pos:end]):
        return None
    return pos, end


def caption_mentions(view: View) -> Iterator[Mention]:
    """Photo captions: "<company>车间", "<company>生产线"; process words are not the name."""
    if view.sentence.kind == "body" and len(view.text) > 30:
        return
    text = view.text.rstrip("。 ")
    for tail in cues.CAPTION_TAILS:
        if not text.endswith(tail):
            continue
        name = text[:-len(tail)]
        changed = True
        while changed:
            changed = False
            for word in cues.PROCESS_WORDS:
                if name.endswith(word) and len(name) > len(word) + 1:
                    name, changed = name[:-len(word)], True
            for hit in view.hits:
                if hit.entry.label == "Industry" and hit.end == len(name) and hit.start >= 2 \
                        and hit.surface not in cues.COMPANY_ENDINGS:
                    name, changed = name[:hit.start], True
        covered = sum(h.end - h.start for h in view.hits if h.end <= len(name))
        if 2 <= len(name) <= 16 and not any(ch in _PUNCT for ch in name) and not suffix_class(name) \
                and not view.gazetteer.lookup(name) and (view.distinctive(0, len(name)) == 2 or len(name) - covered >= 2):
            yield view.mention(0, len(name), "Company", "caption", 0.6)
        return
