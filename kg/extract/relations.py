"""Stage 4: typed mentions → relations, by patterns over entity types and cue words.

Every rule family is a function from a sentence (`Sent`) to Relations and names itself as
the extractor of what it finds. Each clause has a subject: the place or organisation it
names at its start, else the previous clause's, else the place its section is about (its
heading, or the place the article names most). A subject the sentence states gives a
higher confidence than one carried over from the section.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterator, Sequence

from . import cues
from .mention_rules import View, clauses, enumerations
from ..model.names import company_aliases
from ..model.reference import reference
from ..model.records import Evidence, Mention, Relation
from ..model.vocab import ORGANIZATIONS, PLACES, PLATFORMS, fits

ADMIN = frozenset({"Province", "City", "County", "Town"})
LOCATABLE = ORGANIZATIONS | PLATFORMS | {"Project"}
REGIONAL = frozenset({"City", "County"})
_COUNTRY = "中国"
_LEVEL = {"Town": 0, "County": 1, "City": 2, "Province": 3, "Place": 4}

_LEAD_IN = re.compile(r"^(?:\d{4}年(?:\d+(?:-\d+)?月)?(?:以来)?|今年(?:以来)?|去年|近年来?|目前|当前|此后|同时|如今的?|在|自|而|但|"
                      r"下一步|今后|接下来|位于[^,;]{1,24}?的|"
                      r"[一二三四]季度|开年来|比如|例如|其中|据悉|据统计|数据显示|与此同时|另一方面|为此|因此|此外|"
                      r"截至目前|过去一年|五年来|近五年|从)+")
_TEMPORAL = re.compile(r"(?:后|时|以来|期间|之际|之后)$")
_ORG_WORDS = ("公司", "企业", "该企业", "该公司", "我们", "项目", "该项目", "园区")


@dataclass(frozen=True)
class Subject:
    mention: Mention | None       # the place or organisation; None for 公司/企业/我们 without a name
    stated: bool                  # named in this sentence (not carried over from the section)
    organisation: bool            # a company, platform or project rather than a place (or a body)
    last_place: Mention | None = None   # the place the sentence last named: where an organisation is

    @property
    def place(self) -> Mention | None:
        return None if self.organisation else self.mention

    @property
    def where(self) -> Mention | None:
        return self.place or self.last_place


@dataclass
class Sent:
    """A sentence with its mentions, clauses and the place its section is about."""
    view: View
    mentions: list[Mention]
    topic: Mention | None
    province: Mention | None = None   # the document's mention of 浙江, for 省… bodies and policies
    industries: frozenset[str] = frozenset()   # names of the industries the document names

    @property
    def text(self) -> str:
        return self.view.text

    @property
    def index(self) -> int:
        return self.view.sentence.index

    @cached_property
    def clause_spans(self) -> list[tuple[int, int]]:
        return clauses(self.text)

    def clause_of(self, pos: int) -> tuple[int, int]:
        for a, b in self.clause_spans:
            if a <= pos < b:
                return a, b
        return 0, len(self.text)

    def within(self, a: int, b: int, labels) -> list[Mention]:
        return [m for m in self.mentions if m.start >= a and m.end <= b and m.label in labels]

    @cached_property
    def subjects(self) -> list[tuple[int, int, Subject]]:
        out = []
        current = Subject(self.topic, False, False, self.topic)
        for i, (a, b) in enumerate(self.clause_spans):
            stated = self._stated_subject(a, b, first=i == 0, current=current)
            if stated is not None:
                current = stated
            out.append((a, b, current))
        return out

    def _stated_subject(self, a: int, b: int, first: bool, current: Subject) -> Subject | None:
        text = self.text[a:b]
        if _TEMPORAL.search(text) and not first:
            return None                                   # 项目全部建成达产后: when, not who
        lead = _LEAD_IN.match(text)
        offset = a + (lead.end() if lead else 0)
        rest = self.text[offset:b]
        if rest.startswith(cues.ANAPHORA):   # 当地, 该市: the place the sentence is about
            place = current.where if current.stated else self.topic
            return Subject(place, True, False, place)
        for m in self.mentions:
            if offset <= m.start <= offset + 1:
                if m.label in ADMIN:
                    return Subject(m, True, False, m)
                if m.label in LOCATABLE and not self.text.startswith(("的", "、", "等"), m.end):
                    return Subject(m, True, m.label not in ("GovernmentBody", "Association"),
                                   current.where if current.stated else self.topic)
                break
        if rest.startswith(_ORG_WORDS):
            return Subject(None, True, True, current.where)
        if first:   # 先行一步实施纺织行业数字化改造的兰溪: a place described by a relative clause
            tail = [m for m in self.mentions if m.end == b and m.label in ADMIN and self.text[m.start - 1:m.start] == "的"]
            if tail:
                return Subject(tail[0], True, False, tail[0])
        return None

    def subject_at(self, pos: int) -> Subject:
        for a, b, subject in self.subjects:
            if a <= pos < b:
                return subject
        return self.subjects[-1][2] if self.subjects else Subject(self.topic, False, False)


def relation(subject: Mention | None, predicate: str, obj: Mention | None, sent: Sent, extractor: str,
             confidence: float, *extra: int) -> Relation | None:
    if subject is None or obj is None or subject.key == obj.key or not fits(predicate, subject.label, obj.label):
        return None
    local = [m for m in (subject, obj) if m.sentence == sent.index]
    if not local:
        return None
    points = [p for m in local for p in (m.start, m.end)] + [p for p in extra if p is not None]
    if len(local) == 1:   # the other end is the section's place: quote this end's clause
        points.extend(sent.clause_of(local[0].start))
    start, end = min(points), max(points)
    return Relation(subject, predicate, obj, Evidence(sent.index, start, end), extractor, confidence)


def _confidence(subject: Subject, stated: float, carried: float) -> float:
    return stated if subject.stated else carried


# ====================================================================== document context
def section_topics(views: Sequence[View], by_sentence: dict[int, list[Mention]]) -> list[Mention | None]:
    """The place each sentence's section is about: the last heading naming a city or county,
    else the city or county the document names most."""
    counts = Counter(m.ref for ms in by_sentence.values() for m in ms if m.label in REGIONAL and m.ref)
    first_of: dict[str, Mention] = {}
    for ms in by_sentence.values():
        for m in ms:
            if m.label in REGIONAL and m.ref:
                first_of.setdefault(m.ref, m)
    fallback = first_of[counts.most_common(1)[0][0]] if counts else None
    topics, current = [], None
    for view in views:
        ms = by_sentence.get(view.sentence.index, [])
        if view.sentence.kind == "heading" and ms and ms[0].label in REGIONAL and ms[0].start <= 2:
            current = ms[0]
        topics.append(current or fallback)
    return topics


def sentence_contexts(views: Sequence[View], mentions: Sequence[Mention]) -> list[Sent]:
    by_sentence: dict[int, list[Mention]] = {}
    for m in sorted(mentions, key=lambda m: (m.sentence, m.start)):
        by_sentence.setdefault(m.sentence, []).append(m)
    topics = section_topics(views, by_sentence)
    province_key = reference().province.key
    province = next((m for ms in by_sentence.values() for m in ms if m.ref == province_key), None)
    industries = frozenset(m.text for ms in by_sentence.values() for m in ms if m.label == "Industry")
    return [Sent(view, by_sentence.get(view.sentence.index, []), topic, province, industries)
            for view, topic in zip(views, topics)]


def find_relations(sents: Sequence[Sent]) -> list[Relation]:
    found: list[Relation] = []
    for sent in sents:
        if sent.view.sentence.kind == "credit":
            continue
        for rule in SENTENCE_RULES:
            found.extend(r for r in rule(sent) if r is not None)
    found.extend(r for r in part_of(sents) if r is not None)
    found.extend(r for r in section_defaults(sents, found) if r is not None)
    return found


# ====================================================================== partOf
def part_of(sents: Sequence[Sent]) -> Iterator[Relation | None]:
    """A place and the nearest administrative parent the document also names (GB/T 2260)."""
    ref = reference()
    mentioned: dict[str, list[tuple[Sent, Mention]]] = {}
    for sent in sents:
        for m in sent.mentions:
            if m.label in ADMIN and m.ref:
                mentioned.setdefault(m.ref, []).append((sent, m))
    for key, occurrences in mentioned.items():
        for parent in ref.ancestors(key):
            if parent.key not in mentioned:
                continue
            together = [(s, m, p) for s, m in occurrences for t, p in mentioned[parent.key] if t is s]
            sent, child, parent_mention = together[0] if together else (*occurrences[0], mentioned[parent.key][0][1])
            yield relation(child, "partOf", parent_mention, sent, "reference:gb2260", 0.95 if together else 0.9)
            break
    for sent in sents:
        for match in re.finditer(r"(首都|省会|首府)", sent.text):
            before = [m for m in sent.mentions if m.end == match.start() and m.label in PLACES]
            after = [m for m in sent.mentions if m.start == match.end() and m.label in PLACES]
            if before and after:
                yield relation(after[0], "partOf", before[0], sent, "pattern:capital-of", 0.9)


# ====================================================================== helpers
def _first_after(sent: Sent, pos: int, labels, limit: int = 40) -> Mention | None:
    for m in sent.mentions:
        if m.start >= pos and m.label in labels and m.start - pos <= limit:
            return m
    return None


def _last_before(sent: Sent, pos: int, labels, limit: int = 40) -> Mention | None:
    best = None
    for m in sent.mentions:
        if m.end <= pos and m.label in labels and pos - m.end <= limit:
            best = m
    return best


def _inner_hits(sent: Sent, mention: Mention, labels) -> list[Mention]:
    """Places or industries named inside a mention's name (浙中|人工智能|产业园)."""
    view = sent.view
    name = view.text[mention.start:mention.end]
    found = []
    for hit in view.gazetteer.find(name):
        if hit.entry.ref == _COUNTRY:
            continue                      # 中国化工云商网, 中国移动: a national name, not a location
        if hit.entry.label in labels and (hit.start, hit.end) != (0, len(name)):
            found.append(view.mention(mention.start + hit.start, mention.start + hit.end, hit.entry.label,
                                      "gazetteer", 0.9, hit.entry.ref))
    return found


def _inner_industries(sent: Sent, mention: Mention) -> list[Mention]:
    """Industries named inside a name: taxonomy words, and industries the document names
    elsewhere (浙江省|无线电|产业基地 when the text speaks of 无线电产业)."""
    found = _inner_hits(sent, mention, {"Industry"})
    name = sent.text[mention.start:mention.end]
    for industry in sent.industries:
        at = name.find(industry)
        if at >= 0 and len(industry) >= 2 and len(industry) < len(name):
            found.append(sent.view.mention(mention.start + at, mention.start + at + len(industry), "Industry",
                                           "propagated", 0.7))
    return found


_LEGAL_FORM = re.compile(r"(?:股份有限公司|有限责任公司|有限公司)$")


def _place_of(mention: Mention, sent: Sent) -> Mention | None:
    """The place a park is in: itself if it is a place, else the most specific place its
    name names (兰溪经济开发区 → 兰溪, 中国（浙江）自贸试验区金义片区 → 浙江)."""
    if mention.label in PLACES:
        return mention
    places = _inner_hits(sent, mention, ADMIN | {"Place"})
    if not places:
        return None
    return min(places, key=lambda m: (_LEVEL[m.label], m.start))


def _developer(sent: Sent, project: Mention) -> Mention | None:
    for m in sent.mentions:
        if m.label == "Company" and m.start == project.start and m.end < project.end:
            return m
    return None


# ====================================================================== sentence rules
_SETTLE = re.compile(r"(?:位于|落户于|落户在|落户|坐落于|坐落在|坐落|入驻|落地于|落地|扎根于?|集聚于?)")


def settle(sent: Sent) -> Iterator[Relation | None]:
    """位于P的X, 落户(于)P的X, X落户P, X坐落P, X入驻P: X is located in P; a park hosts X."""
    for match in _SETTLE.finditer(sent.text):
        place = _first_after(sent, match.end(), PLACES | {"IndustrialPark"}, limit=2)
        if place is None:
            continue
        parks = [m for m in sent.mentions if m.label == "IndustrialPark" and m.start >= place.start
                 and m.start - place.end <= 1]
        tail = max((m.end for m in parks), default=place.end)
        if sent.text[tail:tail + 1] == "的":                 # 位于P的X
            subject = _first_after(sent, tail + 1, LOCATABLE, limit=12)
        else:                                              # X落户P
            subject = _last_before(sent, match.start(), LOCATABLE, limit=12)
        if subject is not None:
            yield from _locate(subject, [place, *parks], sent, "pattern:settle", 0.85, match.start())


def _locate(subject: Mention, anchors: list[Mention], sent: Sent, extractor: str, confidence: float,
            cue: int) -> Iterator[Relation | None]:
    for anchor in dict.fromkeys(anchors):
        host = _developer(sent, subject) if subject.label == "Project" else subject
        if anchor.label == "IndustrialPark":
            yield relation(anchor, "hosts", host, sent, extractor, confidence, cue)
            where = _place_of(anchor, sent)
        else:
            where = anchor
        if where is not None:
            yield relation(subject, "locatedIn", where, sent, extractor, confidence - 0.05, cue)
            if host is not None and host is not subject:
                yield relation(host, "locatedIn", where, sent, extractor, confidence - 0.1, cue)


def develops(sent: Sent) -> Iterator[Relation | None]:
    """The company a project is named after develops it."""
    for project in sent.mentions:
        if project.label == "Project":
            yield relation(_developer(sent, project), "develops", project, sent, "pattern:project-head", 0.85)


def embedded(sent: Sent) -> Iterator[Relation | None]:
    """A place or industry inside a name: 金华市经信局 → 金华市; 浙中人工智能产业园 → 人工智能;
    晶科能源产业园 hosts 晶科能源."""
    companies = [m for m in sent.mentions if m.label == "Company"]
    for m in sent.mentions:
        if m.label in PLACES or m.label in ("Industry", "Policy"):
            continue
        if m.label == "Company":   # 浙江… in a company's registered name is not a site
            place = next((p for p in _inner_hits(sent, m, ADMIN - {"Province"}) if p.start == m.start), None)
        else:
            place = _place_of(m, sent)
        if place is not None:
            if m.label == "DigitalPlatform":
                yield relation(place, "operates", m, sent, "pattern:name-place", 0.75)
            else:
                yield relation(m, "locatedIn", place, sent, "pattern:name-place", 0.8)
        elif m.label == "GovernmentBody" and sent.text.startswith("省", m.start):
            yield relation(m, "locatedIn", sent.province, sent, "pattern:name-place", 0.8)
        registered = m.label == "Company" and _LEGAL_FORM.search(sent.text[m.start:m.end])
        if m.label in PLATFORMS | {"Project"} or registered:   # 浙江金梭纺织有限公司: its name states its trade
            industries = _inner_industries(sent, m)
            if industries:
                industry = max(industries, key=lambda h: (h.end - h.start, -h.start))
                yield relation(m, "inIndustry", industry, sent, "pattern:name-industry", 0.7 if registered else 0.75)
        if m.label == "IndustrialPark":
            owner = next((c for c in companies if c.start == m.start and c.end < m.end), None)
            name = sent.text[m.start:m.end]
            owner = owner or next((c for c in sent.mentions if c.label == "Company" and name.startswith(c.text)
                                   and len(c.text) < len(name)), None)
            yield relation(m, "hosts", owner, sent, "pattern:park-of-company", 0.75)


def leaders(sent: Sent) -> Iterator[Relation | None]:
    """以A、B等(企业)为龙头的X产业链; X龙头/领军/链主企业——A; A等X头部企业; 在A的龙头引领下."""
    text = sent.text
    for listing in enumerations(sent.view):
        members = [m for m in sent.mentions if m.label == "Company"
                   and any(a <= m.start and m.end <= b for a, b in listing.items)]
        if not members:
            continue
        after = text[listing.head_end:listing.head_end + 24]
        lead = re.match(r"为(?:龙头|链主|核心|引领)的?", after)
        if lead:
            industry = _first_after(sent, listing.head_end + lead.end(), {"Industry"}, limit=6)
            for company in members:
                yield relation(company, "leadsChain", industry, sent, "pattern:lead-list", 0.9)
            continue
        head = text[listing.head_start:listing.head_end]
        bridge = text[listing.items[-1][1]:listing.head_end]
        if any(word in bridge for word in cues.LEADER_WORDS) and "本地" not in bridge:
            industry = sent.within(listing.items[-1][1], listing.head_end, {"Industry"}) or \
                _industry_in_clause(sent, listing.items[0][0])
            for company in members:
                for ind in industry[:1]:
                    yield relation(company, "leadsChain", ind, sent, "pattern:leader-list", 0.8)
        elif head in ("企业", "公司") or bridge.endswith(("企业", "公司")):
            for ind in sent.within(listing.items[-1][1], listing.head_end, {"Industry"}):
                for company in members:
                    yield relation(company, "inIndustry", ind, sent, "pattern:industry-list", 0.75)
        if head in ("企业", "公司") and re.match(r"(?:纷纷|均|都|也|正|持续)?(?:布局|深耕|进军|聚焦|专注|发力)", after):
            industry = _first_after(sent, listing.head_end, {"Industry"}, limit=8)
            for company in members:      # 水晶光电、南洋科技等一批本地龙头企业纷纷布局光电产业
                yield relation(company, "inIndustry", industry, sent, "pattern:list-verb", 0.75)
    for match in re.finditer(r"(?:龙头企业|领军企业|链主企业|链主型企业|头部企业)(?:——|—|:)?", text):
        company = _first_after(sent, match.end(), {"Company"}, limit=0)
        if company is None:
            continue
        industry = _last_before(sent, match.start(), {"Industry"}, limit=16) or \
            (_industry_in_clause(sent, match.start()) or [None])[0]
        yield relation(company, "leadsChain", industry, sent, "pattern:leader-title", 0.8)
    for match in re.finditer(r"作为([^,;。]{2,20}?)(?:龙头|领军|链主|头部)(?:型)?企业", text):
        company = _last_before(sent, match.start(), {"Company"}, limit=1)
        industry = _first_after(sent, match.start(1), {"Industry"}, limit=12)
        yield relation(company, "leadsChain", industry, sent, "pattern:as-leader", 0.8)
    for match in re.finditer(r"在([^,;。]{2,12}?)(?:赛道|领域|行业|产业)(?:上|中)?(?:持续|始终)?(?:领跑|领先|引领)", text):
        industry = _first_after(sent, match.start(1), {"Industry"}, limit=2)
        for company in sent.within(sent.clause_of(match.start())[0], match.start(), {"Company"}):
            yield relation(company, "leadsChain", industry, sent, "pattern:leads-track", 0.75)
    for match in re.finditer(r"在(.{2,20}?)的龙头引领下", text):
        company = _first_after(sent, match.start(1), {"Company"}, limit=0)
        after = [m for m in sent.mentions if m.label == "Industry" and m.start >= match.end()]
        # the industry the sentence calls a field or chain (…在智能光电领域…全产业链), else the first one
        named = [m for m in after if text.startswith(("领域", "产业", "行业", "全产业链"), m.end)]
        industry = (named or after or [None])[0]
        yield relation(company, "leadsChain", industry, sent, "pattern:lead-by", 0.8)


def _industry_in_clause(sent: Sent, pos: int) -> list[Mention]:
    a, b = sent.clause_of(pos)
    return sent.within(a, b, {"Industry"})


_COMPANY_VERBS = re.compile(r"(?:布局|深耕|专注|主营|从事|抢抓|聚焦|进军|拓展)")


def company_industry(sent: Sent) -> Iterator[Relation | None]:
    """<industry>企业X; X是一家…<industry>企业; X…布局/深耕/抢抓<industry>; 在<industry>行业,X…"""
    text = sent.text
    for company in sent.mentions:
        if company.label != "Company":
            continue
        if text[max(0, company.start - 4):company.start].endswith(("企业", "企业——")):
            industry = _last_before(sent, company.start - 2, {"Industry"}, limit=2)
            yield relation(company, "inIndustry", industry, sent, "pattern:industry-title", 0.8)
        copula = re.match(r"是一家([^,;。]{0,40}?)(?:企业|公司)", text[company.end:])
        if copula:
            for ind in sent.within(company.end, company.end + copula.end(), {"Industry"})[-1:]:
                yield relation(company, "inIndustry", ind, sent, "pattern:copula", 0.8)
        after = re.match(r"[^,;。]{0,16}?(?:布局|深耕|专注|主营|从事)", text[company.end:])
        if after:
            ind = _first_after(sent, company.end + after.end(), {"Industry"}, limit=3)
            yield relation(company, "inIndustry", ind, sent, "pattern:company-verb", 0.7)
    # clauses whose subject is a company: 企业发挥…深耕光电产业…,正抢抓智能汽车产业链新赛道
    for a, b, subject in sent.subjects:
        if not subject.organisation:
            continue
        company = subject.mention if subject.mention is not None and subject.mention.label == "Company" else \
            next((m for m in sent.mentions if m.label == "Company" and m.start < a), None)
        verb = _COMPANY_VERBS.search(text, a, b)
        if company is None or verb is None:
            continue
        for industry in sent.within(verb.end(), b, {"Industry"})[:1]:
            yield relation(company, "inIndustry", industry, sent, "pattern:company-clause", 0.7)
    # …,在中国仪器仪表行业,万胜智能是…
    for match in re.finditer(r"(?:^|[,;:])在([^,;。]{0,10}?)(?:行业|领域),", text):
        industry = _last_before(sent, match.end(), {"Industry"}, limit=4)
        company = _first_after(sent, match.end(), {"Company"}, limit=1)
        yield relation(company, "inIndustry", industry, sent, "pattern:industry-frame", 0.75)


_TOPIC_MARK = re.compile(r"^(.{2,12}?)(?:产业)?方面")
_IMPLEMENT = re.compile(r"(?:实施|推进|出台|制定|落实|发布|启动|开展|打造|建设)")


def topic_industry(sent: Sent) -> Iterator[Relation | None]:
    """"X方面,…": organisations, platforms and policies of the sentence concern industry X."""
    match = _TOPIC_MARK.match(sent.text)
    if not match:
        return
    industry = _first_after(sent, 0, {"Industry"}, limit=0)
    if industry is None or industry.end > match.end():
        return
    subject = sent.subject_at(match.end() + 1)
    yield relation(subject.place, "prioritizes", industry, sent, "pattern:topic", _confidence(subject, 0.75, 0.65))
    for m in sent.mentions:
        if m.start <= industry.end:
            continue
        if m.label == "Policy":
            if _IMPLEMENT.search(sent.text[max(0, m.start - 4):m.start]):
                yield relation(m, "targets", industry, sent, "pattern:topic", 0.7)
        elif m.label in LOCATABLE and m.label != "GovernmentBody":
            yield relation(m, "inIndustry", industry, sent, "pattern:topic", 0.7)


def priorities(sent: Sent) -> Iterator[Relation | None]:
    """A place's priority industries: 做强A、B…产业; P以A、B等产业为主; …产业集群; 以P为核心的X."""
    if sent.view.sentence.kind != "body":
        return
    text = sent.text
    for a, b, subject in sent.subjects:
        if subject.mention is not None and subject.mention.label == "IndustrialPark" and re.search(r"以.+为主", text[a:b]):
            for industry in sent.within(a, b, {"Industry"}):   # 浙南产业集聚区等地以能源电子…等产业为主
                yield relation(subject.mention, "inIndustry", industry, sent, "pattern:park-focus", 0.75)
            continue
        if subject.place is None:
            continue
        clause = text[a:b]
        industries = sent.within(a, b, {"Industry"})
        if not industries:
            continue
        chosen: list[Mention] = []
        if _verb_before(clause, industries[0].start - a) or re.search(r"以.+为主|集群|赛道|新业态", clause):
            chosen = [m for m in industries if not _is_company_context(sent, m)]
        confidence = _confidence(subject, 0.8, 0.6)
        for industry in chosen:
            yield relation(subject.place, "prioritizes", industry, sent, "pattern:priority", confidence, a)
    for match in re.finditer(r"以(.{1,8}?)为(?:核心|中心|龙头|主体)的", text):
        place = _first_after(sent, match.start(1), ADMIN, limit=0)
        industry = _first_after(sent, match.end(), {"Industry"}, limit=2)
        yield relation(place, "prioritizes", industry, sent, "pattern:core-of", 0.8)


def _verb_before(clause: str, pos: int) -> bool:
    window = clause[max(0, pos - 14):pos]
    return any(verb in window for verb in cues.PRIORITY_VERBS)


def _is_company_context(sent: Sent, industry: Mention) -> bool:
    """An industry that a company (not the place) works in: X企业深耕光电产业."""
    a, b = sent.clause_of(industry.start)
    return any(m.end <= industry.start for m in sent.within(a, b, {"Company"})) or \
        sent.text.startswith("企业", industry.end)


def programmes(sent: Sent) -> Iterator[Relation | None]:
    """A place or body carries out a policy: the clause's subject; 省…/全省… for the province."""
    text = sent.text
    for policy in sent.mentions:
        if policy.label != "Policy":
            continue
        before = text[max(0, policy.start - 3):policy.start]
        if re.search(r"(?:全省|浙江省|^省|[^市县区]省)$", before) or before.endswith("省"):
            yield relation(sent.province, "implements", policy, sent, "pattern:provincial-policy", 0.75)
        body = _last_before(sent, policy.start, {"GovernmentBody"}, limit=12)
        if body is not None and re.search(r"(?:发布|出台|制定|明确|印发|实施)", text[body.end:policy.start]):
            yield relation(body, "implements", policy, sent, "pattern:body-policy", 0.8)
            for other in sent.mentions:
                if other.label == "GovernmentBody" and other is not body and other.end <= body.start \
                        and text[other.end:other.end + 1] in ("、", ",", "和", "及", "与"):
                    yield relation(other, "implements", policy, sent, "pattern:body-policy", 0.75)
        subject = sent.subject_at(policy.start)
        if subject.place is not None:
            yield relation(subject.place, "implements", policy, sent, "pattern:place-policy",
                           _confidence(subject, 0.75, 0.55))
        elif subject.mention is not None and subject.mention.label == "GovernmentBody":
            yield relation(subject.mention, "implements", policy, sent, "pattern:body-policy", 0.7)


_TARGET_VERBS = re.compile(r"^(?:推动|面向|针对|聚焦|服务|赋能|支持)")


def policy_targets(sent: Sent) -> Iterator[Relation | None]:
    """A policy aims at the industries in its name, listed right after it, or that it drives."""
    text = sent.text
    for policy in sent.mentions:
        if policy.label != "Policy":
            continue
        for industry in _inner_hits(sent, policy, {"Industry"}):
            yield relation(policy, "targets", industry, sent, "pattern:policy-name", 0.8)
        a, b = sent.clause_of(policy.start)
        rest = text[policy.end:policy.end + 4]
        if rest.startswith("(") or re.match(r"^,?(?:做强|聚焦|包括|涵盖)", rest):
            for m in sent.within(policy.end, len(text), {"Industry"}):
                yield relation(policy, "targets", m, sent, "pattern:policy-list", 0.7)
        elif _TARGET_VERBS.match(text, policy.end):
            for m in sent.within(policy.end, b, {"Industry"})[:1]:
                yield relation(policy, "targets", m, sent, "pattern:policy-drives", 0.7)
        if re.search(r"入选(?:全省|全国|省级|首批|第.批)*$", text[max(0, policy.start - 8):policy.start]):
            for industry in sent.within(0, policy.start, {"Industry"}):
                yield relation(policy, "targets", industry, sent, "pattern:selected-for", 0.7)


_OPERATE = re.compile("|".join(cues.OPERATE_VERBS))
_PASSIVE_OPERATE = re.compile(r"^(?:启动建设|正式启用|建成投用|上线|挂牌成立|建设加快推进)")


def platforms(sent: Sent) -> Iterator[Relation | None]:
    """A place or organisation builds, runs or created a platform (建设/打造/筹建/开发/创办 X);
    the members of a list of platforms share the verb before the list."""
    text = sent.text
    listed: dict[tuple[int, int], int] = {}
    for listing in enumerations(sent.view):
        for a, b in listing.items:
            listed[(a, b)] = listing.items[0][0]
    for platform in sent.mentions:
        if platform.label not in PLATFORMS:
            continue
        a, _ = sent.clause_of(platform.start)
        start = next((first for (x, y), first in listed.items() if x <= platform.start and platform.end <= y),
                     platform.start)
        verb = _OPERATE.search(text, a, start)
        passive = platform.start <= a + 1 and _PASSIVE_OPERATE.match(text, platform.end)
        if not (verb or passive):
            continue
        if verb:
            creator = _last_before(sent, verb.start(), ORGANIZATIONS, limit=6)
            if creator is not None and re.search(r"(?:依托|由)$", text[max(0, creator.start - 3):creator.start]):
                yield relation(creator, "operates", platform, sent, "pattern:operate", 0.75)
                continue
        subject = sent.subject_at(platform.start)
        operator = subject.mention if subject.mention is not None and subject.mention is not platform else None
        yield relation(operator, "operates", platform, sent, "pattern:operate", _confidence(subject, 0.75, 0.6))


def park_hosts(sent: Sent) -> Iterator[Relation | None]:
    """P…吸引X等…入驻; 建设P,培育以X为核心; P拔地而起,X、Y等…接踵而至; P——X."""
    text = sent.text
    for park in sent.mentions:
        if park.label not in PLATFORMS:
            continue
        rest = text[park.end:park.end + 60]
        if rest.startswith(("——", "—")):
            guest = _first_after(sent, park.end, {"ResearchInstitute", "Company"}, limit=2)
            yield relation(park, "hosts", guest, sent, "pattern:park-apposition", 0.75)
        m = re.match(r"[^。;]{0,30}?(?:吸引|引进|培育以|集聚)", rest)
        if m:
            end = park.end + m.end()
            stop = re.search(r"(?:入驻|为核心|落户|集聚)", text[end:end + 40])
            if stop and m.group().endswith("培育以"):   # 培育以X为核心、140余家磁性材料企业为重点
                for industry in sent.within(end, end + 60, {"Industry"})[:1]:
                    yield relation(park, "inIndustry", industry, sent, "pattern:park-cultivates", 0.7)
            if stop:
                for guest in sent.within(end, end + stop.start(), {"Company", "ResearchInstitute"}):
                    yield relation(park, "hosts", guest, sent, "pattern:park-attracts", 0.8)
                    where = _place_of(park, sent) or sent.subject_at(park.start).place
                    yield relation(guest, "locatedIn", where, sent, "pattern:park-attracts", 0.7)
        arrive = re.search(r"接踵而至|纷至沓来|相继落户|纷纷入驻", text[park.end:])
        if arrive:
            for guest in sent.within(park.end, park.end + arrive.start(), {"Company", "ResearchInstitute"}):
                yield relation(park, "hosts", guest, sent, "pattern:park-arrivals", 0.75)


def gathered(sent: Sent) -> Iterator[Relation | None]:
    """A、B、C等…企业云集/集聚P: each member is located in the place."""
    for match in re.finditer(r"(?:云集|集聚|汇聚|齐聚)", sent.text):
        members = [m for m in sent.within(*sent.clause_of(match.start()), {"Company"}) if m.end <= match.start()]
        place = _first_after(sent, match.end(), PLACES, limit=1) or sent.subject_at(match.start()).place
        for company in members:
            yield relation(company, "locatedIn", place, sent, "pattern:gathered", 0.75)


def local_firms(sent: Sent) -> Iterator[Relation | None]:
    """P本地(龙头)企业X / X、Y等一批本地龙头企业: the firms are located in the place."""
    for match in re.finditer(r"本地(?:龙头|骨干|重点)?企业", sent.text):
        place = _last_before(sent, match.start(), ADMIN, limit=2) or sent.subject_at(match.start()).place
        a, b = sent.clause_of(match.start())
        for company in sent.within(a, b, {"Company"}):
            yield relation(company, "locatedIn", place, sent, "pattern:local-firm", 0.8)


SENTENCE_RULES: tuple[Callable[[Sent], Iterator[Relation | None]], ...] = (
    settle, develops, embedded, leaders, company_industry, topic_industry, priorities, programmes,
    policy_targets, platforms, park_hosts, gathered, local_firms,
)


# ====================================================================== defaults from the section
def _forms(mention: Mention) -> list[str]:
    """A name and its shorter forms (光芯科技 for 浙江光芯科技有限公司): one entity."""
    return [mention.text, *company_aliases(mention.text)] if mention.label == "Company" else [mention.text]


def section_defaults(sents: Sequence[Sent], found: list[Relation]) -> Iterator[Relation | None]:
    """What the text implies about entities it does not place: a company, park or project
    named in a section about a place is located there; a digital platform is its own."""
    located = {form for r in found if r.predicate == "locatedIn" for form in _forms(r.subject)}
    operated = {r.object.text for r in found if r.predicate == "operates"}
    seen: set[tuple[str, str]] = set()
    for sent in sents:
        if sent.view.sentence.kind == "credit":
            continue
        for m in sent.mentions:
            subject = sent.subject_at(m.start)
            place = subject.where or sent.topic
            if place is None or (m.text, m.label) in seen:
                continue
            if m.label in LOCATABLE and m.label != "DigitalPlatform" and not located & set(_forms(m)):
                seen.add((m.text, m.label))
                yield relation(m, "locatedIn", place, sent, "context:section-place",
                               _confidence(subject, 0.6, 0.5) if subject.where is not sent.topic else 0.5)
            elif m.label == "DigitalPlatform" and m.text not in operated:
                seen.add((m.text, m.label))
                yield relation(place, "operates", m, sent, "context:section-place",
                               _confidence(subject, 0.55, 0.45) if subject.place else 0.45)
