"""Stage 5: sentences → figures a region (or an industry) reaches or aims at.

A figure is a number with a unit as written (亿元, %, 万户, GW, EFLOPS …). Its year is
the nearest year the sentence gives before it (到2025年 …), its region the place its
clause is about, and it is a target when the sentence says so (力争, 目标, 计划, 将 …).
Growth rates (增长, 增速, 增幅) get indicators ending in 增速. Ranks, dates, durations and
the figures of a single company or project are not regional figures and are skipped.
"""
from __future__ import annotations

import re
from typing import Iterator, Sequence

from .relations import ADMIN, Sent
from ..model.records import Evidence, Figure, Mention

_UNITS = sorted([
    "亿元", "万元", "元", "%", "‰", "万户", "万人", "万家", "万个", "万台", "万套", "万件", "万吨", "万辆",
    "亿件", "亿千瓦时", "亿用户", "GWh", "GW", "MW", "EFLOPS", "PFLOPS", "P", "PB", "个", "家", "项", "条", "件",
    "人", "名", "户", "台", "套", "座", "吨", "亩", "平方米", "公里", "倍", "万", "亿",
], key=len, reverse=True)
_NUMBER = re.compile(
    r"(?<![\dA-Za-z.\-])(\d+(?:\.\d+)?)(多|余)?(" + "|".join(re.escape(u) for u in _UNITS) + r")(?![A-Za-z])")
_THOUSANDS = re.compile(r"(千|百)亿(元|级)")
_YEAR = re.compile(r"((?:19|20)\d{2})年")
_TARGET = re.compile(r"力争|目标|计划|预计|确保|争取|规划|将(?:实现|达到|分别|超过|突破)|(?<![加升高长达])到(?:20\d{2})年|"
                     r"达产后|今年要|加速构建|加快构建|正在建设|在建|拟建")
_GROWTH = re.compile(r"(?:同比)?(?:增长|增速|增幅|年均增速|提高|提升)(?:分别)?(?:达到|达|为)?$")
_SKIP_BEFORE = re.compile(r"(?:第|全省第|全国第|排名第|居全省第|前)$")
_PERSON_UNITS = frozenset({"人", "名"})
_VERBS = re.compile(r"(?:首破|突破|达到|达|实现|超过|超|累计|共计|拥有|为|是|约|近|增加到|升至|分别)+$")
_PLACE_PREFIX = re.compile(r"^[\u4e00-\u9fff]{2,3}(?:市|县|区)?(?=数字|规上|全市|规模|网络|跨境|快递|新|工业|软件|产业)")
_NOT_FIGURE_AFTER = re.compile(r"^(?:以来|年|月|日|周年|个月|天|强|位|名次|倍速)")


def find_figures(sents: Sequence[Sent]) -> list[Figure]:
    figures: list[Figure] = []
    seen: set[tuple] = set()
    for i, sent in enumerate(sents):
        if sent.view.sentence.kind != "body" or _company_speech(sents, i):
            continue
        for figure in _sentence_figures(sent):
            key = (figure.region.ref or figure.region.text, figure.value, figure.unit, figure.year, figure.target)
            if key not in seen:
                seen.add(key)
                figures.append(figure)
    return figures


_SPEAKER = re.compile(r"(?:相关负责人|负责人|董事长|总经理|总裁)")


def _company_speech(sents: Sequence[Sent], i: int) -> bool:
    """A quotation whose speaker is a company ("…"浙江金梭纺织有限公司相关负责人说): its figures
    are the company's, not the region's."""
    text = sents[i].text
    if not text.startswith('"'):
        return False
    for sent in sents[i:i + 2]:
        for match in _SPEAKER.finditer(sent.text):
            speaker = [m for m in sent.mentions if m.end <= match.start() and match.start() - m.end <= 2]
            if speaker:
                return speaker[-1].label == "Company"
    return False


def _numbers(text: str) -> Iterator[tuple[int, int, float, str]]:
    """(start, end, value, unit) of each number with a unit."""
    for m in _NUMBER.finditer(text):
        yield m.start(), m.end(), float(m.group(1)), m.group(3)
    for m in _THOUSANDS.finditer(text):
        value = 1000.0 if m.group(1) == "千" else 100.0
        yield m.start(), m.end(), value, "亿元"


def _sentence_figures(sent: Sent) -> Iterator[Figure]:
    text = sent.text
    inside = [(m.start, m.end) for m in sent.mentions]
    indicator_so_far = ""
    for start, end, value, unit in sorted(_numbers(text)):
        if any(a <= start < b for a, b in inside):
            continue                                  # 50GWh inside a project's name
        if _SKIP_BEFORE.search(text[max(0, start - 4):start]) or _NOT_FIGURE_AFTER.match(text[end:end + 3]):
            continue
        if unit == "亿元" and text[start:end].endswith("级") and not _TARGET.search(text[:start]):
            continue                                  # 千亿级产业: a size class unless it is a goal
        if unit == "个" and text.startswith("百分点", end) or unit in _PERSON_UNITS and "培育" not in text[:start]:
            continue
        a, b = sent.clause_of(start)
        clause_before = text[a:start]
        subject = sent.subject_at(start)
        if subject.organisation or _company_figure(sent, a, start):
            continue                                  # a company's or a project's own figures
        if clause_before.endswith("首破") and not _TARGET.search(text[:start]):
            continue                                  # 首破2000亿元,达2182亿元: a threshold passed
        region = _region(sent, a, b, start)
        if region is None:
            continue
        indicator = _indicator(clause_before) or indicator_so_far
        if _indicator(clause_before):
            indicator_so_far = _indicator(clause_before)
        growth = bool(_GROWTH.search(re.sub(r"[\d.%]+$", "", clause_before).rstrip("分别约近超")))
        if growth and unit == "%":
            indicator = (indicator_so_far or "指标") + "增速"
        year_match = None
        for y in _YEAR.finditer(text[:start]):
            year_match = y
        year = int(year_match.group(1)) if year_match else None
        target = bool(_TARGET.search(text[:end]))
        industry = next((m for m in reversed(sent.within(a, start, {"Industry"}))), None)
        evidence = Evidence(sent.index, _evidence_start(text, a, start), end)
        yield Figure(region, indicator or "指标", value, unit, year, target, evidence,
                     "pattern:figure", 0.7 if region.sentence == sent.index else 0.6, industry)


def _company_figure(sent: Sent, clause_start: int, pos: int) -> bool:
    """The clause is about one company or project (公司产值…, 我们交付…, 项目总投资…)."""
    return bool(re.search(r"(?:公司|我们|该企业|项目总|为企业)", sent.text[clause_start:pos]))


def _region(sent: Sent, a: int, b: int, pos: int) -> Mention | None:
    subject = sent.subject_at(pos)
    if subject.stated and subject.place is not None:
        return subject.place
    places = sent.within(a, b, ADMIN)
    if places:
        return places[0]
    return subject.where


def _indicator(clause_before: str) -> str:
    """The noun phrase that names the number: 数字经济核心产业营收 in "…营收首破2000亿元"."""
    phrase = _VERBS.sub("", clause_before.strip())
    phrase = re.sub(r"^(?:\d{4}年(?:\d+-\d+月|\d+月)?|今年|去年|其中|目前|截至目前|全市|全省)+", "", phrase)
    phrase = re.sub(r"(?:同比)?(?:增长|增速|增幅)$", "", phrase)
    phrase = _PLACE_PREFIX.sub("", phrase)
    phrase = phrase.strip(" ,:")
    return phrase[-24:] if len(phrase) >= 2 else ""


def _evidence_start(text: str, clause_start: int, pos: int) -> int:
    return clause_start if pos - clause_start <= 60 else pos - 30
