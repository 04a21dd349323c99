"""Stage 4: typed mentions → relations, by patterns over entity types and cue words.

Every rule family is a function from a sentence (`Sent`) to Relations and names itself as
the extractor of what it finds. The place a section of an article is about (its heading,
or the place the article names most) stands in for an unstated subject, with a lower
confidence than a subject the sentence states.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterator, Sequence

from .mentions import cues
from .mentions.rules import View, clauses, enumerations
from .names import company_aliases
from .reference import reference
from .types import Evidence, Mention, Relation
from .vocab import ORGANIZATIONS, PLACES, PLATFORMS, fits

ADMIN = frozenset({"Province", "City", "County", "Town"})
LOCATABLE = ORGANIZATIONS | PLATFORMS | {"Project"}
REGIONAL = frozenset({"City", "County"})


@dataclass
class Sent:
    """A sentence with its mentions, clauses and the place its section is about."""
    view: View
    mentions: list[Mention]
    topic: Mention | None
    province: Mention | None = None   # the document's mention of 浙江, for 省… bodies and policies

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

    def within(self, a: int, b: int, labels: frozenset[str] | set[str]) -> list[Mention]:
        return [m for m in self.mentions if m.start >= a and m.end <= b and m.label in labels]

    @cached_property
    def subjects(self) -> list[tuple[int, int, Mention | None, bool]]:
        """(clause start, clause end, subject place, stated) per clause; a clause without a
        stated subject inherits the previous clause's, the first one the section's place."""
        out = []
        current, stated = None, False
        for a, b in self.clause_spans:
            subject = self._stated_subject(a, b)
            if subject is not None:
                current, stated = subject, True
            out.append((a, b, current if current is not None else self.topic,
                        stated if current is not None else False))
        return out

    def _stated_subject(self, a: int, b: int) -> Mention | None:
        text = self.text[a:b]
        stripped = re.sub(r"^(?:\d{4}年(?:\d+月)?|今年|去年|近年来|目前|当前|此后|同时|如今的?|在|自|而|但|[一二三四]季度|开年来)+",
                          "", text)
        offset = a + len(text) - len(stripped)
        if stripped.startswith(cues.ANAPHORA):
            return self.topic
        for m in self.mentions:
            if m.start >= offset and m.start <= offset + 1 and m.label in ADMIN:
                return m
        return None

    def subject_at(self, pos: int) -> tuple[Mention | None, bool]:
        for a, b, subject, stated in self.subjects:
            if a <= pos < b or (pos >= b and (a, b) == self.subjects[-1][:2]):
                return subject, stated
        return self.topic, False


def relation(subject: Mention, predicate: str, obj: Mention, sent: Sent, extractor: str,
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
    return [Sent(view, by_sentence.get(view.sentence.index, []), topic, province)
            for view, topic in zip(views, topics)]


def find_relations(sents: Sequence[Sent]) -> list[Relation]:
    found: list[Relation] = []
    for sent in sents:
        for rule in SENTENCE_RULES:
            found.extend(r for r in rule(sent) if r is not None)
    found.extend(r for r in part_of(sents) if r is not None)
    found.extend(r for r in section_defaults(sents, found) if r is not None)
    return found


# ====================================================================== partOf
def part_of(sents: Sequence[Sent]) -> Iterator[Relation]:
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


# ====================================================================== sentence rules
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


def _place_of(mention: Mention, sent: Sent) -> Mention | None:
    """The place a park is in, when its name starts with one (兰溪经济开发区 → 兰溪)."""
    if mention.label in PLACES:
        return mention
    view = sent.view
    for hit in view.hits:
        if hit.start == mention.start and hit.end < mention.end and hit.entry.label in ADMIN | {"Place"}:
            return view.mention(hit.start, hit.end, hit.entry.label, "gazetteer", 0.9, hit.entry.ref)
    return None


_SETTLE = re.compile(r"(?:位于|落户于|落户在|落户|坐落于|坐落在|坐落|入驻|落地于|落地|扎根于?|集聚于?)")


def settle(sent: Sent) -> Iterator[Relation]:
    """位于P的X, 落户(于)P的X, X落户P, X坐落P, X入驻P: X is located in P; a park hosts X."""
    for match in _SETTLE.finditer(sent.text):
        place = _first_after(sent, match.end(), PLACES | {"IndustrialPark"}, limit=2)
        if place is None:
            continue
        parks = [m for m in sent.mentions if m.label == "IndustrialPark" and m.start >= match.end()
                 and m.start - place.end <= 1 and m.start >= place.start]
        tail = max((m.end for m in parks), default=place.end)
        after = sent.text[tail:tail + 1]
        if after == "的":                                  # 位于P的X
            subject = _first_after(sent, tail + 1, LOCATABLE, limit=12)
        else:                                              # X落户P
            subject = _last_before(sent, match.start(), LOCATABLE, limit=12)
        if subject is None:
            continue
        yield from _locate(subject, [place, *parks], sent, "pattern:settle", 0.85, match.start())


def _locate(subject: Mention, anchors: list[Mention], sent: Sent, extractor: str, confidence: float,
            cue: int) -> Iterator[Relation]:
    for anchor in dict.fromkeys(anchors):
        if anchor.label == "IndustrialPark":
            host = subject if subject.label != "Project" else _developer(sent, subject)
            if host is not None:
                yield relation(anchor, "hosts", host, sent, extractor, confidence, cue)
            where = _place_of(anchor, sent)
            if where is not None:
                yield relation(subject, "locatedIn", where, sent, extractor, confidence - 0.05, cue)
                if host is not None and host is not subject:
                    yield relation(host, "locatedIn", where, sent, extractor, confidence - 0.1, cue)
        elif anchor.label in PLACES:
            yield relation(subject, "locatedIn", anchor, sent, extractor, confidence, cue)
            developer = _developer(sent, subject) if subject.label == "Project" else None
            if developer is not None:
                yield relation(developer, "locatedIn", anchor, sent, extractor, confidence - 0.1, cue)


def _developer(sent: Sent, project: Mention) -> Mention | None:
    for m in sent.mentions:
        if m.label == "Company" and m.start == project.start and m.end < project.end:
            return m
    return None


def develops(sent: Sent) -> Iterator[Relation]:
    """The company a project is named after develops it."""
    for project in sent.mentions:
        if project.label == "Project":
            company = _developer(sent, project)
            if company is not None:
                yield relation(company, "develops", project, sent, "pattern:project-head", 0.85)


def embedded(sent: Sent) -> Iterator[Relation]:
    """A place or industry inside a name: 金华市经信局 → 金华市; 浙中人工智能产业园 → 人工智能."""
    view = sent.view
    for m in sent.mentions:
        if m.label in PLACES or m.label in ("Industry", "Policy"):
            continue
        inner = [h for h in view.hits if m.start <= h.start and h.end <= m.end and (h.start, h.end) != (m.start, m.end)]
        places = [h for h in inner if h.entry.label in ADMIN | {"Place"}]
        if places and not (m.label == "Company" and places[0].start > m.start):
            hit = places[0]
            place = view.mention(hit.start, hit.end, hit.entry.label, "gazetteer", 0.9, hit.entry.ref)
            if m.label == "DigitalPlatform":
                yield relation(place, "operates", m, sent, "pattern:name-place", 0.75)
            else:
                yield relation(m, "locatedIn", place, sent, "pattern:name-place", 0.8)
        elif m.label == "GovernmentBody" and sent.text.startswith("省", m.start):
            yield relation(m, "locatedIn", sent.province, sent, "pattern:name-place", 0.8)
        industries = [h for h in inner if h.entry.label == "Industry"]
        if industries and m.label != "Company":
            hit = max(industries, key=lambda h: h.end - h.start)
            industry = view.mention(hit.start, hit.end, "Industry", "gazetteer", 0.9, hit.entry.ref)
            yield relation(m, "inIndustry", industry, sent, "pattern:name-industry", 0.75)


def leaders(sent: Sent) -> Iterator[Relation]:
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
            industry = [m for m in sent.within(listing.items[-1][1], listing.head_end, {"Industry"})]
            industry = industry or _industry_in_clause(sent, listing.items[0][0])
            for company in members:
                for ind in industry[:1]:
                    yield relation(company, "leadsChain", ind, sent, "pattern:leader-list", 0.8)
        elif head in ("企业", "公司") or bridge.endswith(("企业", "公司")):
            for ind in sent.within(listing.items[-1][1], listing.head_end, {"Industry"}):
                for company in members:
                    yield relation(company, "inIndustry", ind, sent, "pattern:industry-list", 0.75)
    for match in re.finditer(r"(?:龙头企业|领军企业|链主企业|链主型企业|头部企业)(?:——|—|:)?", text):
        company = _first_after(sent, match.end(), {"Company"}, limit=0)
        if company is None:
            continue
        industry = _last_before(sent, match.start(), {"Industry"}, limit=16) or \
            (_industry_in_clause(sent, match.start()) or [None])[0]
        yield relation(company, "leadsChain", industry, sent, "pattern:leader-title", 0.8)
    for match in re.finditer(r"在(.{2,20}?)的龙头引领下", text):
        company = _first_after(sent, match.start(1), {"Company"}, limit=0)
        industry = _first_after(sent, match.end(), {"Industry"}, limit=80)
        yield relation(company, "leadsChain", industry, sent, "pattern:lead-by", 0.8)


def _industry_in_clause(sent: Sent, pos: int) -> list[Mention]:
    a, b = sent.clause_of(pos)
    return sent.within(a, b, {"Industry"})


def company_industry(sent: Sent) -> Iterator[Relation]:
    """<industry>企业X; X是一家…<industry>企业; X…布局<industry>产业; X方面 topics."""
    text = sent.text
    for company in sent.mentions:
        if company.label != "Company":
            continue
        before = text[max(0, company.start - 4):company.start]
        if before.endswith(("企业", "企业——")):
            industry = _last_before(sent, company.start - 2, {"Industry"}, limit=2)
            yield relation(company, "inIndustry", industry, sent, "pattern:industry-title", 0.8)
        copula = re.match(r"是一家([^,;。]{0,40}?)(?:企业|公司)", text[company.end:])
        if copula:
            inds = sent.within(company.end, company.end + copula.end(), {"Industry"})
            for ind in inds[-1:]:
                yield relation(company, "inIndustry", ind, sent, "pattern:copula", 0.8)
        after = re.match(r"[^,;。]{0,16}?(?:布局|深耕|专注|主营|从事)", text[company.end:])
        if after:
            ind = _first_after(sent, company.end + after.end(), {"Industry"}, limit=3)
            yield relation(company, "inIndustry", ind, sent, "pattern:company-verb", 0.7)


_TOPIC_MARK = re.compile(r"^(.{2,12}?)(?:产业)?方面")


def topic_industry(sent: Sent) -> Iterator[Relation]:
    """"X方面,…": organisations, platforms and policies of the sentence concern industry X."""
    match = _TOPIC_MARK.match(sent.text)
    if not match:
        return
    industry = _first_after(sent, 0, {"Industry"}, limit=0)
    if industry is None or industry.end > match.end():
        return
    subject, stated = sent.subject_at(match.end() + 1)
    if subject is not None:
        yield relation(subject, "prioritizes", industry, sent, "pattern:topic", 0.75 if stated else 0.65)
    for m in sent.mentions:
        if m.start <= industry.end:
            continue
        if m.label == "Policy":
            yield relation(m, "targets", industry, sent, "pattern:topic", 0.7)
        elif m.label in ORGANIZATIONS | PLATFORMS | {"Project"} and m.label != "GovernmentBody":
            yield relation(m, "inIndustry", industry, sent, "pattern:topic", 0.7)


def priorities(sent: Sent) -> Iterator[Relation]:
    """A place's priority industries: 做强A、B…产业; P以A、B等产业为主; …产业集群; 重点发展…"""
    if sent.view.sentence.kind != "body":
        return
    text = sent.text
    for a, b, subject, stated in sent.subjects:
        if subject is None:
            continue
        clause = text[a:b]
        industries = sent.within(a, b, {"Industry"})
        if not industries:
            continue
        chosen: list[Mention] = []
        verb = _verb_before(clause, industries[0].start - a)
        if verb or re.search(r"以.+为主|集群|赛道|新业态", clause):
            chosen = [m for m in industries if not _is_company_context(sent, m)]
        if re.match(r"^.{0,6}(?:企业|公司)", clause):
            chosen = []
        confidence = 0.8 if stated else 0.6
        for industry in chosen:
            yield relation(subject, "prioritizes", industry, sent, "pattern:priority", confidence, a)


def _verb_before(clause: str, pos: int) -> bool:
    window = clause[max(0, pos - 14):pos]
    return any(verb in window for verb in cues.PRIORITY_VERBS)


def _is_company_context(sent: Sent, industry: Mention) -> bool:
    """An industry that a company (not the place) works in: X企业深耕光电产业."""
    a, b = sent.clause_of(industry.start)
    return any(m.label == "Company" and m.end <= industry.start for m in sent.within(a, b, {"Company"})) or \
        sent.text[industry.end:industry.end + 4].startswith(("企业",))


def programmes(sent: Sent) -> Iterator[Relation]:
    """A place or body carries out a policy: the clause's subject, 省…/全省… for the province."""
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
                        and re.fullmatch(r"[、,和及与]", text[other.end:other.end + 1] or "x"):
                    yield relation(other, "implements", policy, sent, "pattern:body-policy", 0.75)
        subject, stated = sent.subject_at(policy.start)
        if subject is not None:
            yield relation(subject, "implements", policy, sent, "pattern:place-policy", 0.75 if stated else 0.55)


def policy_targets(sent: Sent) -> Iterator[Relation]:
    """A policy aims at the industries in its name, or listed right after it."""
    view = sent.view
    for policy in sent.mentions:
        if policy.label != "Policy":
            continue
        inner = [h for h in view.hits if policy.start <= h.start and h.end <= policy.end and h.entry.label == "Industry"]
        for hit in inner:
            industry = view.mention(hit.start, hit.end, "Industry", "gazetteer", 0.9, hit.entry.ref)
            yield relation(policy, "targets", industry, sent, "pattern:policy-name", 0.8)
        for industry in sent.mentions:
            if industry.label != "Industry":
                continue
            if policy.end <= industry.start <= policy.end + 2 and sent.text[industry.start - 1:industry.start] in ("(", "", ",") \
                    or (policy.end <= industry.start and re.match(r"^[,(]?(?:做强|聚焦|包括|涵盖)", sent.text[policy.end:policy.end + 4])):
                for m in sent.within(policy.end, len(sent.text), {"Industry"}):
                    yield relation(policy, "targets", m, sent, "pattern:policy-list", 0.7)
                break
        # 纺织服装和电动园林工具产业入选…试点
        before = sent.text[max(0, policy.start - 8):policy.start]
        if re.search(r"入选(?:全省|全国|省级|首批|第.批)*$", before):
            for industry in sent.within(0, policy.start, {"Industry"}):
                yield relation(policy, "targets", industry, sent, "pattern:selected-for", 0.7)


_OPERATE = re.compile("|".join(cues.OPERATE_VERBS))


def platforms(sent: Sent) -> Iterator[Relation]:
    """A place or organisation builds, runs or created a platform (建设/打造/筹建/开发/创办 X)."""
    text = sent.text
    for platform in sent.mentions:
        if platform.label not in PLATFORMS:
            continue
        a, _ = sent.clause_of(platform.start)
        window = text[max(a, platform.start - 14):platform.start]
        after = text[platform.end:platform.end + 6]
        if not (_OPERATE.search(window) or _OPERATE.match(after.lstrip("启动")) or re.match(r"启动建设|建设", after)):
            continue
        creator = _last_before(sent, platform.start, ORGANIZATIONS, limit=10)
        if creator is not None and re.search(r"(?:依托|由).{0,2}$", text[max(0, creator.start - 3):creator.start]):
            yield relation(creator, "operates", platform, sent, "pattern:operate", 0.75)
        subject, stated = sent.subject_at(platform.start)
        if subject is not None:
            yield relation(subject, "operates", platform, sent, "pattern:operate", 0.75 if stated else 0.6)


def park_hosts(sent: Sent) -> Iterator[Relation]:
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
            if stop:
                for guest in sent.within(end, end + stop.start(), {"Company", "ResearchInstitute"}):
                    yield relation(park, "hosts", guest, sent, "pattern:park-attracts", 0.8)
                    where = _place_of(park, sent) or sent.subject_at(park.start)[0]
                    if where is not None:
                        yield relation(guest, "locatedIn", where, sent, "pattern:park-attracts", 0.7)
        arrive = re.search(r"接踵而至|纷至沓来|相继落户|纷纷入驻", text[park.end:])
        if arrive:
            end = park.end + arrive.start()
            for guest in sent.within(park.end, end, {"Company", "ResearchInstitute"}):
                yield relation(park, "hosts", guest, sent, "pattern:park-arrivals", 0.75)


def gathered(sent: Sent) -> Iterator[Relation]:
    """A、B、C等…企业云集/集聚P: each member is located in the place."""
    text = sent.text
    for match in re.finditer(r"(?:云集|集聚|汇聚|齐聚)", text):
        members = [m for m in sent.within(*sent.clause_of(match.start()), {"Company"}) if m.end <= match.start()]
        place = _first_after(sent, match.end(), PLACES, limit=1)
        if place is None:
            place, _ = sent.subject_at(match.start())
        for company in members:
            yield relation(company, "locatedIn", place, sent, "pattern:gathered", 0.75)


def local_firms(sent: Sent) -> Iterator[Relation]:
    """P本地(龙头)企业X / X、Y等一批本地龙头企业: the firms are located in the place."""
    text = sent.text
    for match in re.finditer(r"本地(?:龙头|骨干|重点)?企业", text):
        subject, _ = sent.subject_at(match.start())
        place = _last_before(sent, match.start(), ADMIN, limit=2) or subject
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


def section_defaults(sents: Sequence[Sent], found: list[Relation]) -> Iterator[Relation]:
    """What the text implies about entities it does not place: a company, park or project
    named in a section about a place is located there; a digital platform is its own."""
    located = {form for r in found if r.predicate == "locatedIn" for form in _forms(r.subject)}
    operated = {r.object.text for r in found if r.predicate == "operates"}
    seen: set[tuple[str, str]] = set()
    for sent in sents:
        for m in sent.mentions:
            place, stated = sent.subject_at(m.start)
            if place is None or (m.text, m.label) in seen:
                continue
            if m.label in LOCATABLE and m.label != "DigitalPlatform" and not located & set(_forms(m)):
                seen.add((m.text, m.label))
                yield relation(m, "locatedIn", place, sent, "context:section-place", 0.6 if stated else 0.5)
            elif m.label == "DigitalPlatform" and m.text not in operated:
                seen.add((m.text, m.label))
                yield relation(place, "operates", m, sent, "context:section-place", 0.55 if stated else 0.45)
