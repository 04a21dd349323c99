"""Sentences → figures a region (a place, or a park for its own figures) reaches or aims at.

A figure is a number with a unit as written (亿元, %, 家, GW … cue list `figure_units`). Its
year is the nearest year the sentence gives before it, its region the place its clause is
about (a park when the clause is the park's), and it is a target when the text says so
(cue list `target_cues`: 力争, 目标, 到2025年 …). Growth rates get indicators ending in 增速.
Not figures: ranks, dates and durations, a company's or a project's own numbers, national
or provincial averages quoted for comparison (a share of a total, 占全省…的30%, is the
region's figure), completion rates (完成…目标的120%), counts with no indicator. Examples: kg/rules/figures/figures.yaml.
"""
from __future__ import annotations

import re
from functools import cache
from typing import Iterator, Sequence

from ..model.records import Evidence, Figure, Mention
from .context import ADMIN, SentenceContext
from .lexicon import cue_list, cue_set

EXTRACTOR = "figure-number"
_YEAR = re.compile(r"((?:19|20)\d{2})年")
_THOUSANDS = re.compile(r"(千|百)亿(元|级)")
_PERSON_UNITS = frozenset({"人", "名"})
_PLACE_PREFIX = re.compile(r"^[\u4e00-\u9fff]{2,3}(?:市|县|区|镇)?(?=数字|规上|全市|规模|网络|跨境|快递|新|工业|软件|产业)")
_DATE_PREFIX = re.compile(r"^(?:\d{4}年(?:\d+-\d+月|\d+月)?|1-\d+月|前三季度|上半年|一季度|今年|去年|全年|其中|目前|截至目前)+")


@cache
def _number() -> re.Pattern:
    units = sorted(cue_list("figure_units"), key=len, reverse=True)
    return re.compile(r"(?<![\dA-Za-z.\-])(\d+(?:\.\d+)?)(多|余)?(" + "|".join(map(re.escape, units)) + r")(?![A-Za-z])")


@cache
def _cue(name: str) -> re.Pattern:
    return re.compile("|".join(sorted(map(re.escape, cue_list(name)), key=len, reverse=True)))


_TARGET_YEAR = re.compile(r"(?<![加升高长达])到(?:20\d{2})年|(?:20\d{2})年(?:前|底前)?(?:要|将|力争)")


def find_figures(contexts: Sequence[SentenceContext]) -> list[Figure]:
    figures: list[Figure] = []
    seen: set[tuple] = set()
    for i, ctx in enumerate(contexts):
        if ctx.view.sentence.kind != "body" or _company_speech(contexts, i):
            continue
        for figure in sentence_figures(ctx):
            key = (figure.region.ref or figure.region.text, figure.value, figure.unit, figure.year, figure.target)
            if key not in seen:
                seen.add(key)
                figures.append(figure)
    return figures


def _company_speech(contexts: Sequence[SentenceContext], i: int) -> bool:
    """A quotation whose speaker is a company ("…"某某公司负责人说): its figures are the
    company's, not the region's."""
    if not contexts[i].text.startswith('"'):
        return False
    speaker = _cue("speaker_titles")
    for ctx in contexts[i:i + 2]:
        for match in speaker.finditer(ctx.text):
            before = [m for m in ctx.mentions if m.end <= match.start() and match.start() - m.end <= 2]
            if before:
                return before[-1].label == "Company"
    return False


def numbers(text: str) -> Iterator[tuple[int, int, float, str]]:
    """(start, end, value, unit) of each number with a unit."""
    for m in _number().finditer(text):
        yield m.start(), m.end(), float(m.group(1)), m.group(3)
    for m in _THOUSANDS.finditer(text):
        yield m.start(), m.end(), 1000.0 if m.group(1) == "千" else 100.0, "亿元"


def sentence_figures(ctx: SentenceContext) -> Iterator[Figure]:
    text = ctx.text
    inside = [(m.start, m.end) for m in ctx.mentions if m.label != "Industry"]
    indicator_so_far = ""
    for start, end, value, unit in sorted(numbers(text)):
        if any(a <= start < b for a, b in inside):
            continue                                  # 50GWh inside a project's name
        before = text[max(0, start - 6):start]
        if any(before.endswith(w) for w in cue_list("rank_words")) or \
                any(text.startswith(w, end) for w in cue_list("not_figure_after")):
            continue
        a, b = ctx.clause_of(start)
        clause_before = text[a:start]
        target = _is_target(text, a, start, end)
        if unit == "亿元" and text[start:end].endswith("级") and not target:
            continue                                  # 千亿级产业: a size class unless it is a goal
        if unit == "个" and text.startswith("百分点", end):
            continue
        if unit in _PERSON_UNITS and not _cue("person_indicators").search(text[max(0, start - 12):start]):
            continue                                  # persons count only as talent or jobs
        if any(text.startswith(w, end) for w in cue_list("uncounted_things")):
            continue                                  # 7个领域, 13个区县: parts of a plan or peers
        if text.startswith("的", end) and any(m.start <= end + 2 and m.start > end and m.label in ("Project", "Company")
                                             for m in ctx.mentions):
            continue                                  # 总投资50亿元的某某项目: the project's own figure
        if _cue("completion_cues").search(clause_before[-12:]) or _cue("comparison_cues").search(clause_before) \
                or _cue("rank_verbs").search(clause_before[-8:]):
            continue                                  # 完成年度目标的…%, 高于全省平均…, 位居…: not the region's level
        if any(m.label == "Project" and a <= m.start and m.end <= start and "等" not in text[m.end:start]
               for m in ctx.mentions):
            continue                                  # 某某项目总投资50亿元: the project's own (A、B等8个项目: a count)
        if unit != "家" and any(m.label == "Company" and a <= m.start and m.end <= start for m in ctx.mentions) \
                and not any(m.label in ADMIN | {"IndustrialPark"} and a <= m.start and m.end <= start for m in ctx.mentions):
            continue                                  # 由某某集团投资10亿元: a company's own figure (以某某为核心、140家: others)
        subject = ctx.subject_at(start)
        if not subject.stated and _described_firm_before(ctx, a):
            continue                                  # 某某公司是一家…企业，去年营收…: the firm goes on
        if _cue("organisation_figure_cues").search(clause_before):
            continue                                  # a company's or a project's own figures
        region = _region(ctx, a, b, start)
        if region is None or (subject.organisation and region.label not in ("IndustrialPark",)):
            continue
        indicator = _indicator(clause_before)
        if indicator:
            indicator_so_far = indicator
        elif _continues(clause_before):
            indicator = indicator_so_far              # …首破2000亿元，达2182亿元: the same indicator
        if any(clause_before.endswith(w) for w in cue_list("threshold_verbs")) and not target \
                and _number().search(text, end, b + 16):
            continue                                  # 首破2000亿元，达2182亿元: a threshold on the way
        growth = _cue("growth_cues").search(re.sub(r"[\d.%]+$", "", clause_before).rstrip("分别约近超")[-6:])
        if growth and unit == "%":
            indicator = (indicator or indicator_so_far or "") + "增速"
        if not indicator:
            continue                                  # a count with no indicator is not a figure
        year = None
        for y in _YEAR.finditer(text[:start]):
            year = int(y.group(1))
        industry = next((m for m in reversed(ctx.mentions) if m.label == "Industry" and a <= m.start and m.end <= start),
                        None)
        evidence = Evidence(ctx.index, a if start - a <= 60 else start - 30, end)
        yield Figure(region, indicator, value, unit, year, target, evidence, EXTRACTOR,
                     0.7 if region.sentence == ctx.index else 0.6, industry)


def _described_firm_before(ctx: SentenceContext, a: int) -> bool:
    """The clause before says what a company is (某某公司是一家…企业): the next one goes on
    about the company."""
    before = [(p, q) for p, q in ctx.clause_spans if q <= a]
    if not before:
        return False
    p, q = before[-1]
    firms = [m for m in ctx.mentions if m.label == "Company" and p <= m.start and m.end <= q]
    if not firms:
        return False
    rest = ctx.text[firms[-1].end:q].rstrip(",，")
    return "是" in rest and rest.endswith(cue_list("company_list_heads"))


def _is_target(text: str, clause_start: int, start: int, end: int) -> bool:
    before = text[:end]
    if _cue("actual_cues").search(text[clause_start:start]):
        return False
    return bool(_cue("target_cues").search(before) or _TARGET_YEAR.search(before))


def _region(ctx: SentenceContext, a: int, b: int, pos: int) -> Mention | None:
    """A park named as the clause's subject (its own figures), else the clause's place,
    else a place named in the clause, else the place the text last named."""
    subject = ctx.subject_at(pos)
    if subject.mention is not None and subject.mention.label == "IndustrialPark":
        return subject.mention
    if subject.stated and subject.place is not None:
        return subject.place
    places = [m for m in ctx.mentions if a <= m.start and m.end <= b and m.label in ADMIN]
    if places:
        return places[0]
    return subject.where


def _continues(clause_before: str) -> bool:
    """A clause that is only a verb before its number goes on with the previous indicator."""
    phrase = clause_before.strip()
    for verb in sorted(cue_list("figure_verbs"), key=len, reverse=True):
        phrase = phrase.replace(verb, "")
    return not phrase.strip(" ,")


def _indicator(clause_before: str) -> str:
    """The noun phrase that names the number (…核心产业营收 in "…营收首破…达…亿元")."""
    phrase = clause_before.strip()
    verbs = cue_list("figure_verbs")
    changed = True
    while changed:
        changed = False
        for verb in verbs:
            if phrase.endswith(verb):
                phrase, changed = phrase[: -len(verb)], True
    phrase = _DATE_PREFIX.sub("", phrase)
    phrase = re.sub(r"(?:同比)?(?:增长|增速|增幅)$", "", phrase)
    phrase = _PLACE_PREFIX.sub("", phrase)
    phrase = phrase.strip(' ,:"')
    if phrase in cue_set("generic_words") or len(phrase) < 2:
        return ""
    return phrase[-24:]
