"""The named tests a rule may call (`{test: distinctive, of: name}`): a small, fixed set.

A role test takes the sentence (`scene`) and one bound span; a position test (no `of`)
takes the position where it stands in the pattern. Each returns True to keep the match.
Arguments come from the rule's `args`.
"""
from __future__ import annotations

import re
from typing import Callable

from ..model.reference import reference
from .lexicon import cue_list, cue_set, ending
from .lists import bridge, industry_like
from .spans import QUANTITY, any_suffix, counted
from .view import PLACE_LABELS

_DESCRIBED = re.compile(r"最|唯一|首个|第一|之一|领先")


# ---------------------------------------------------------------------- role tests
def distinctive(scene, span, least: int = 2, strict: bool = False, places: bool = True) -> bool:
    """The span holds a proper name (2) or at least an industry word (1); see View.distinctive."""
    return scene.view.distinctive(span.start, span.end, strict=strict, places=places) >= least


def not_level_title(scene, span) -> bool:
    """Not a title a level awards (省级…园区, 国家…基地): a name that opens with the level
    and holds no proper name after it is a designation, not a park of its own."""
    text = scene.text[span.start:span.end]
    level = next((w for w in cue_list("level_titles") if text.startswith(w)), "")
    return not level or scene.view.distinctive(span.start + len(level), span.end, strict=True) >= 2


def not_counted(scene, span) -> bool:
    """No quantity in the span (三大…, 12个…): counted things are not named."""
    return not counted(scene.text, span.start, span.end)


def named_before_count(scene, span) -> bool:
    """A count inside a name is part of it only after a distinctive word (跨境电商|五大行动);
    a bare count (七大|行动) names nothing."""
    text = scene.text
    if not counted(text, span.start, span.end):
        return True
    first = QUANTITY.search(text, span.start, span.end)
    return first.start() - span.start >= 2 and \
        scene.view.distinctive(span.start, first.start(), strict=True) >= 1 and \
        text[span.start:first.start()] not in cue_set("generic_words")


def in_caption(scene, span) -> bool:
    """The span is in a photo caption or a short line of its own (not the body's prose)."""
    sentence = scene.view.sentence
    return sentence.kind in ("caption", "heading") or len(sentence.text) <= 24


def not_generic(scene, span) -> bool:
    """The span is not a generic word (龙头企业, 数字经济 …)."""
    return scene.text[span.start:span.end] not in cue_set("generic_words")


def not_bare_ending(scene, span) -> bool:
    """Not a trading ending alone (电子, 科技): what a company's name ends with is no name."""
    return scene.text[span.start:span.end] not in cue_set("company_endings")


def clean(scene, span) -> bool:
    """No punctuation, clause verb or function word inside the span."""
    return scene.view.clean(span.start, span.end)


def _known(scene, span, labels=None) -> bool:
    """A reference-data name; a short place name (a town's, a county's) only where the
    model tags the span as a place (红星 is a common word before it is a town)."""
    view = scene.view
    for entry in view.gazetteer.lookup(scene.text[span.start:span.end]):
        if labels is not None and entry.label not in labels:
            continue
        if not entry.short or (span.start, span.end) in view.place_spans:
            return True
    return False


def known_industry(scene, span) -> bool:
    """The span is an industry of the taxonomy."""
    return _known(scene, span, {"Industry"})


def unknown(scene, span) -> bool:
    """The span is not a reference-data name (a place, a taxonomy industry, a programme)."""
    return not _known(scene, span)


def not_place(scene, span) -> bool:
    """Not a place's name, short forms included where the model tags them as places."""
    return not _known(scene, span, PLACE_LABELS)


def no_suffix(scene, span) -> bool:
    """The span does not end in an organisation, park or platform suffix (those name rules
    type it by its suffix)."""
    return not any_suffix(scene.text[span.start:span.end])


def length(scene, span, least: int = 2, most: int = 40) -> bool:
    return least <= span.end - span.start <= most


def aligned(scene, span) -> bool:
    """The span starts and ends where the model's words do."""
    view = scene.view
    return span.start in view.token_starts and span.end in view.token_ends


def own_word(scene, span) -> bool:
    """The span starts a word of the model's, or ends a word the model tags as a name
    (星海集团/ORG): a weak suffix inside an ordinary word (布局, 格局) does not count."""
    view = scene.view
    if span.start in view.token_starts:
        return True
    token = view.tokens[view.token_at(span.start)]
    return token.pos in ("ORG", "LOC", "nz", "nw", "PER") and token.end == span.end


def outside_quotes(scene, span) -> bool:
    """Not inside a quotation (“中国某某之都” is a title, not the place)."""
    return not any(a < span.start and span.end <= b for a, b in scene.view.quote_pairs.items())


def specific_title(scene, span) -> bool:
    """A 《title》 that names one document: it holds a digit or a place, or has five
    characters or more (《通知》, 《复函》 alone name none)."""
    inner = scene.text[span.start:span.end].strip("《》")
    if any(ch.isdigit() for ch in inner) or len(inner) >= 5:
        return True
    return any(a >= span.start and b <= span.end for a, b in scene.view.place_spans)


_PAIRED = re.compile(r"一.{1,3}一.{1,3}")          # 一村一品, 一行业一平台
_NUMBERED = re.compile(r"\d|\+|[一二三四五六七八九十两]个")   # 4+X, 443, 三个优先


def slogan_shape(scene, span) -> bool:
    """A quoted phrase shaped like a programme's slogan: numbered (4+X, 三个…), paired
    (一X一Y) or built on a slogan word (…合一, 一网…, …全覆盖)."""
    text = scene.text[span.start:span.end]
    return bool(_PAIRED.search(text) or _NUMBERED.search(text) or any(w in text for w in cue_set("slogan_marks")))


def single(scene, span) -> bool:
    """No list mark inside (“甲、乙” is two things or a slogan)."""
    return "、" not in scene.text[span.start:span.end]


def not_described(scene, span) -> bool:
    """Not preceded by a descriptive clause (…规模最大的|X): a description, not a name."""
    text = scene.text
    if text[span.start - 1:span.start] != "的":
        return True
    return not _DESCRIBED.search(text[max(0, span.start - 16):span.start])


def not_superlative_before(scene, span) -> bool:
    """The word before the span is not a superlative (全球最大|…基地 describes)."""
    text = scene.text
    return not any(text.endswith(w, 0, span.start) for w in cue_set("superlatives"))


def named_project(scene, span, least: int = 6) -> bool:
    """A project's name: a proper name, a company's trading name (某某电子|项目), a figure
    (年产50万吨…) or a long description (six characters or more with a word that is neither
    generic nor counted), not a common phrase (投资|项目, 全市数字经济重大|项目)."""
    if distinctive(scene, span, least=2, strict=True, places=False) or company_like(scene, span):
        return True
    generic = cue_set("generic_words")
    words = [t for t in scene.view.tokens_in(span.start, span.end) if t.text not in generic and t.pos not in ("m", "q")]
    return span.end - span.start >= least and bool(words) and not counted(scene.text, span.start, span.end)


def noun_end(scene, span) -> bool:
    """The span ends in a noun (大|产业: an adjective before the head is no industry)."""
    view = scene.view
    last = view.tokens[view.token_at(span.end - 1)]
    if last.text in cue_set("name_internal_verbs"):
        return True                       # 船舶|修造: a trade's verb ends its name
    return last.pos not in ("a", "ad", "d", "v", "m", "q", "u", "p", "c", "r")


def industry_like_member(scene, span) -> bool:
    """A member that reads as an industry (a taxonomy term or an industry head word)."""
    return industry_like(scene.view, span.start, span.end)


def company_like(scene, span, proper_only: bool = False) -> bool:
    """A member that reads as a company: a proper name and a trading ending (某某|电子), or
    a short name the model tags ORG."""
    view, name = scene.view, scene.text[span.start:span.end]
    if view.gazetteer.lookup(name):
        return False
    tokens = view.tokens_in(span.start, span.end)
    if tokens and tokens[0].pos == "ORG" and not view.is_industry(tokens[0].text):
        return len(tokens) <= 2 and len(name) <= 6
    if proper_only and not (tokens and tokens[0].pos in ("ORG", "PER")):
        return False
    end = ending(name, "company_endings")
    if end and len(name) > len(end) + 1:
        head = name[:-len(end)]
        if head in cue_set("generic_words") or view.gazetteer.lookup(head) or ending(head, "industry_heads"):
            return False                  # 医药|化工: two trades, no brand
        return not any(view.is_industry(head[:n]) for n in range(2, len(head) + 1))
    return False


def company_name(scene, span) -> bool:
    """Reads as a company's name: a word the model tags as an organisation or a proper
    noun, a place and a brand (某镇|某磁), or a trading name (某某|智能); no figures
    (总投资50亿元) — for names that a context says are companies (本地企业|某某)."""
    view = scene.view
    if any(ch.isdigit() for ch in scene.text[span.start:span.end]):
        return False
    if any(t.pos in ("ORG", "nz", "nw") and not view.gazetteer.lookup(t.text) for t in view.tokens_in(span.start, span.end)):
        return True
    for a, b in view.place_spans:   # a place and a brand: 某镇|某磁
        rest = scene.text[b:span.end]
        if a == span.start and len(rest) >= 2 and not view.gazetteer.lookup(rest) and rest not in cue_set("generic_words"):
            return True
    return company_like(scene, span)


def not_company_like(scene, span) -> bool:
    return not company_like(scene, span, proper_only=True)


def industry_context(scene, span) -> bool:
    """A taxonomy word used as an industry, not as a plain noun (电池 in 电池片厂).

    A short word must not be the head of a longer compound; every word, long ones too
    (人工智能, 先进制造业 name a technology or a sector as often as an industry), must stand
    where industries stand: before 产业/行业/企业…, in a list with another industry, or after a
    verb of development or of a firm's trade (专注, 深耕) in its clause; what its clause merges
    with something else (与…融合) is a technology or a sector, no industry."""
    view, text = scene.view, scene.text
    window = text[span.end:span.end + 10]
    cut = min((window.find(ch) for ch in ",;:。" if ch in window), default=len(window))
    if any(head in window[:cut] for head in cue_set("leader_heads")):
        return True                       # …光伏垂直一体化|链主企业: the industry a leader leads
    if any(window[:cut].startswith(head, k) for k in range(0, 4) for head in cue_set("trade_heads")):
        return True                       # 光伏|组件|企业: the trade of the firms named
    nxt = view.token_at(span.end) if span.end < len(text) else len(view.tokens)
    following = view.tokens[nxt] if nxt < len(view.tokens) and view.tokens[nxt].start == span.end else None
    if following is not None and following.text in cue_set("industry_followers") | cue_set("product_words"):
        return True
    after_next = view.tokens[nxt + 2] if following is not None and nxt + 2 < len(view.tokens) else None
    if following is not None and following.text in ("、", "和", "及", "与") and after_next is not None \
            and after_next.text in cue_set("industry_followers"):
        return True                       # 储能|和|动力|领域: two words that share an industry's head
    short = span.end - span.start < 4     # 电池 in 电池片厂: a short word heads compounds
    if short and following is not None and following.pos in ("n", "nz", "vn", "nw", "s"):
        return False
    prev_index = view.token_at(span.start - 1) if span.start > 0 else -1
    previous = view.tokens[prev_index] if prev_index >= 0 and view.tokens[prev_index].end == span.start else None
    if short and previous is not None and previous.pos in ("n", "a", "vn", "an") and not view.is_place(previous.text) \
            and previous.text not in cue_set("clause_verbs") and not view.is_industry(previous.text):
        return False
    a = max(text.rfind(ch, 0, span.start) for ch in ",;:。")
    b = min((i for i in (text.find(ch, span.end) for ch in ",;:。") if i >= 0), default=len(text))
    if "与" in text[a + 1:span.start] and any(w in text[span.end:b] for w in cue_set("fusion_words")):
        return False                      # 让数据要素与农业、服务业紧密融合: partners of a fusion
    for other in view.hits:
        if other.entry.label == "Industry" and (other.start, other.end) != (span.start, span.end) and (
                text[other.end:span.start] in ("、", "和", "及", "与") or text[span.end:other.start] in ("、", "和", "及", "与")):
            return True
    window = text[a + 1:span.start]
    return any(cue in window for cue in cue_set("industry_context_cues"))


def ends_with(scene, span, cue: str, rest: int = 1) -> bool:
    """The span ends in a word of cue list `cue` with at least `rest` characters before it."""
    word = scene.text[span.start:span.end]
    end = ending(word, cue)
    return bool(end) and len(word) - len(end) >= rest


def not_ends_with(scene, span, cue: str) -> bool:
    return not ending(scene.text[span.start:span.end], cue)


def without_cue(scene, span, cue: str) -> bool:
    """No word of cue list `cue` inside the span (规划入驻, 拟引进: not yet there)."""
    text = scene.text[span.start:span.end]
    return not any(word in text for word in cue_set(cue))


def short_modifier(scene, span, most: int = 6) -> bool:
    """A few words between a quoted name and its head (“某某”|数改|模式): no punctuation
    and no function word, verbs allowed."""
    if span.end - span.start > most or any(ch in ",;:。!?、\"()《》" for ch in scene.text[span.start:span.end]):
        return False
    return not any(t.pos in ("p", "u", "c") or t.text in cue_set("function_words")
                   for t in scene.view.tokens_in(span.start, span.end))


def modifiers_only(scene, span) -> bool:
    """Only modifiers between 等 (or a count) and a list's head (…等一批本地|企业)."""
    return bridge(scene.view, span.start, span.end)


def no_industry(scene, span) -> bool:
    """No taxonomy industry in the span (…等小家电|生产基地: the members are its products)."""
    return not any(h.entry.label == "Industry" and span.start <= h.start and h.end <= span.end
                   for h in scene.view.hits)


def place_brand(scene, span) -> bool:
    """A word the model tags LOC that is a known place plus a brand (某镇某磁: a company
    named after its town), not a longer place name (某某镇, 某某湾)."""
    view, word = scene.view, scene.text[span.start:span.end]
    for hit in view.gazetteer.find(word):
        if hit.start == 0 and hit.entry.label in ("City", "County", "Town"):
            rest = word[hit.end:]
            return len(rest) >= 2 and not ending(rest, "place_endings") and not any_suffix(word) \
                and not view.gazetteer.lookup(rest) and rest not in cue_set("generic_words")
    return False


def no_industry_tail(scene, span) -> bool:
    """A word the model tags ORG that ends in a taxonomy industry (某某电工|新能源汽车) is a
    firm and its product glued together, not a name."""
    view, word = scene.view, scene.text[span.start:span.end]
    return not any(h.end == len(word) and h.start >= 2 and h.entry.label == "Industry" and h.end - h.start >= 3
                   for h in view.gazetteer.find(word))


def not_place_glued(scene, span) -> bool:
    """Not a place the model glued to the word after it (某市光电, 某县聚力)."""
    view, word = scene.view, scene.text[span.start:span.end]
    for hit in view.gazetteer.find(word):
        if hit.start == 0 and hit.end < len(word) and hit.entry.label in PLACE_LABELS:
            rest = word[hit.end:]
            return not (view.gazetteer.lookup(rest) or rest in cue_set("generic_words") or len(rest) <= 2)
    return True


# ---------------------------------------------------------------------- position tests
def no_noun_after(scene, pos) -> bool:
    """The name is not the modifier of a following noun (…试点|城市: 城市 is the head)."""
    view = scene.view
    if pos >= len(view.text):
        return True
    token = view.tokens[view.token_at(pos)]
    return not (token.start == pos and token.pos in ("n", "vn", "nz") and token.text not in cue_set("clause_verbs")
                and token.text not in cue_set("level_words"))


def not_after_whole(scene, pos) -> bool:
    """Not right after 全 (全行业 means every industry)."""
    return not scene.text.endswith("全", 0, pos)


def between_branches(scene, pos, same: bool = False) -> bool:
    """The industries written on either side of here fall under different branches of the
    taxonomy (光电|光伏: two industries), or with `same` under one (大健康|医药: one industry)."""
    view = scene.view
    before = {e.ref for h in view.gazetteer.find(scene.text[:pos]) if h.end == pos for e in (h.entry,) if e.label == "Industry"}
    after = {e.ref for h in view.gazetteer.find(scene.text[pos:]) if h.start == 0 for e in (h.entry,) if e.label == "Industry"}
    branch = reference().branch
    shared = bool({branch(k) for k in before} & {branch(k) for k in after})
    return shared if same else bool(before and after) and not shared


ROLE_TESTS: dict[str, Callable] = {f.__name__: f for f in (
    distinctive, not_counted, not_level_title, not_bare_ending, not_generic, clean, known_industry, unknown, not_place, no_suffix, length, aligned, own_word, outside_quotes,
    named_before_count, in_caption, not_described, not_superlative_before, industry_like_member, named_project, noun_end, company_like, company_name, not_company_like, industry_context,
    ends_with, not_ends_with, modifiers_only, no_industry, short_modifier, place_brand, no_industry_tail, not_place_glued, specific_title, single, slogan_shape, without_cue)}
POSITION_TESTS: dict[str, Callable] = {f.__name__: f for f in (no_noun_after, not_after_whole, between_branches)}


def lookup(name: str, on_role: bool) -> Callable:
    table = ROLE_TESTS if on_role else POSITION_TESTS
    if name not in table:
        kind = "role" if on_role else "position (no `of`)"
        raise ValueError(f"unknown {kind} test {name!r}; known: {', '.join(sorted(table))}")
    return table[name]
