"""Typed mentions → relations.

The relation rules (kg/rules/relations/<predicate>.yaml) match patterns over the typed
mentions, cue words and the clause's subject. A few relations follow from the names
themselves and from the reference data, not from a sentence pattern; they are made here,
each under its own extractor id:

    reference-gb2260       a place and its administrative parent, both named (GB/T 2260)
    name-place             a place inside a name (某市经信局 → 某市; 某县经济开发区 → 某县; a
                           province only for a body: 浙江省某某基地 names a level)
    name-industry          an industry inside the name of a park, platform, project or
                           registered company (某某光伏产业园 → 光伏), or of a programme (targets)
    park-of-company        a park named after a company hosts it (某某科技产业园)
    project-head           the company a project is named after develops it
    context-section-place  an organisation the text does not place is where its section is
    context-section-park   a company named where the text speaks of a park is in the park (a
                           data centre or digital platform spoken of hosts no one)
    hosted-place           a firm a park hosts is where the park is
    plan-of-programme      a plan titled after a programme aims at what the programme aims at
    implied-industry       a company that leads a chain works in its industry
"""
from __future__ import annotations

from typing import Iterator, Sequence

from ..model.names import company_aliases
from ..model.records import Evidence, Mention, Relation
from ..model.reference import reference
from ..model.vocab import PLACES, PLATFORMS, fits
from .context import ADMIN, SentenceContext
from .engine import CARRIED_PENALTY, GROUPS, Span, rules, triples_of
from .lexicon import cue_list, ending
from .mentions import PROJECT_HEAD

LOCATABLE = GROUPS["Locatable"]
_COUNTRY_NAMES = ("中国", "全国", "国家")
_LEVEL = {"Town": 0, "County": 1, "City": 2, "Province": 3, "Place": 4}


def relation(subject: Mention | None, predicate: str, obj: Mention | None, ctx: SentenceContext,
             extractor: str, confidence: float, *extra: int) -> Relation | None:
    """A relation whose evidence is the stretch of the sentence from its first to its last
    point (its two ends if in this sentence, and `extra` positions such as the cue word)."""
    if subject is None or obj is None or subject.key == obj.key or subject.text == obj.text \
            or not fits(predicate, subject.label, obj.label):
        return None
    local = [m for m in (subject, obj) if m.sentence == ctx.index]
    if not local:
        return None
    points = [p for m in local for p in (m.start, m.end)] + [p for p in extra if p is not None]
    if len(local) == 1:   # the other end is carried over: quote this end's clause
        points.extend(ctx.clause_of(local[0].start))
    return Relation(subject, predicate, obj, Evidence(ctx.index, min(points), max(points)), extractor,
                    round(confidence, 3))


def find_relations(contexts: Sequence[SentenceContext], only: str | None = None) -> list[Relation]:
    """Every relation the rules and the names state (only rule `only`'s, if given)."""
    found: list[Relation] = []
    for ctx in contexts:
        if ctx.view.sentence.kind == "credit":
            continue
        found.extend(rule_relations(ctx, only))
    if only is not None:
        return _unique(found)
    found.extend(r for r in part_of(contexts) if r is not None)
    named = frozenset(key for ctx in contexts for m in ctx.mentions for key in (m.ref, m.text) if key)
    named |= _industry_words_outside_names(contexts)
    industries = frozenset(m.text for ctx in contexts for m in ctx.mentions if m.label == "Industry")
    for ctx in contexts:
        if ctx.view.sentence.kind != "credit":
            found.extend(r for r in embedded(ctx, named, industries) if r is not None)
            found.extend(r for r in develops(ctx) if r is not None)
    found.extend(r for r in section_defaults(contexts, found) if r is not None)
    found.extend(hosted_places(contexts, found))
    found.extend(plans_of_programmes(contexts, found))
    found.extend(implied(found))
    return _unique(found)


def rule_relations(ctx: SentenceContext, only: str | None = None) -> Iterator[Relation]:
    scene = ctx.scene()
    for rule in rules().relations:
        if only is not None and rule.id != only:
            continue
        for match in rule.matches(scene):
            for s, predicate, o in triples_of(match):
                confidence = rule.confidence - (CARRIED_PENALTY if s.carried or o.carried else 0.0)
                found = relation(_mention(s), predicate, _stand_ins(ctx, predicate, _mention(o)), ctx, rule.id,
                                 confidence, match.start, match.end)
                if found is not None:
                    yield found


def _mention(span: Span) -> Mention | None:
    return span.mention


def _stand_ins(ctx: SentenceContext, predicate: str, mention: Mention | None) -> Mention | None:
    """A project stands for the company it is named after where only a company fits
    (园区引进了某某科技…项目: the park hosts 某某科技)."""
    if mention is None or mention.label != "Project" or predicate not in ("hosts", "leadsChain"):
        return mention
    return next((m for m in ctx.mentions if m.label == "Company" and m.start == mention.start
                 and m.end < mention.end), mention)


def _unique(found: list[Relation]) -> list[Relation]:
    """One relation per (subject, predicate, object) and sentence: the most confident."""
    best: dict[tuple, Relation] = {}
    for r in found:
        key = (r.subject.key, r.subject.label, r.predicate, r.object.key, r.object.label)
        if key not in best or r.confidence > best[key].confidence:
            best[key] = r
    return sorted(best.values(), key=lambda r: (r.evidence.sentence, r.evidence.start, r.predicate, r.subject.start))


# ====================================================================== from reference data
def _industry_words_outside_names(contexts: Sequence[SentenceContext]) -> frozenset[str]:
    """Taxonomy industries the text writes outside any name (农业 in …传统农业优势…), even
    where no rule took them as a mention: a name holding one speaks of the same industry."""
    found = set()
    for ctx in contexts:
        taken = [(m.start, m.end) for m in ctx.mentions if m.label != "Industry"]
        for hit in ctx.view.hits:
            if hit.entry.label == "Industry" and not any(a <= hit.start and hit.end <= b for a, b in taken):
                found.add(hit.entry.ref or hit.surface)
                found.add(hit.surface)
    return frozenset(found)


def part_of(contexts: Sequence[SentenceContext]) -> Iterator[Relation | None]:
    """A place and the nearest administrative parent the document also names."""
    ref = reference()
    mentioned: dict[str, list[tuple[SentenceContext, Mention]]] = {}
    for ctx in contexts:
        for m in ctx.mentions:
            if m.label in ADMIN and m.ref:
                mentioned.setdefault(m.ref, []).append((ctx, m))
    for key, occurrences in mentioned.items():
        for parent in ref.ancestors(key):
            if parent.key not in mentioned:
                continue
            together = [(c, m, p) for c, m in occurrences for d, p in mentioned[parent.key] if d is c]
            ctx, child, parent_mention = together[0] if together else (*occurrences[0], mentioned[parent.key][0][1])
            yield relation(child, "partOf", parent_mention, ctx, "reference-gb2260", 0.95 if together else 0.9)
            break


# ====================================================================== from names
def inner_mentions(ctx: SentenceContext, mention: Mention, labels, named: frozenset[str]) -> list[Mention]:
    """Places or industries named inside a mention's name (某地|人工智能|产业园) that the
    document also names on their own (`named`: their references and surface forms): a
    name inside a longer name is no entity of the document otherwise."""
    view = ctx.view
    name = view.text[mention.start:mention.end]
    by_span: dict[tuple[int, int], list] = {}
    for hit in view.gazetteer.find(name):
        if hit.surface in _COUNTRY_NAMES:
            continue                      # 中国某某网: a national name, not a location
        if hit.entry.label in labels and (hit.start, hit.end) != (0, len(name)) \
                and (hit.entry.ref in named or hit.surface in named):
            by_span.setdefault((hit.start, hit.end), []).append(hit)
    found = []
    for (start, end), hits in by_span.items():
        # One name of several places (新昌: a county, and a township elsewhere): the one the
        # document names by its reference, else the largest (a bare short name is the county's).
        hit = max(hits, key=lambda h: (h.entry.ref in named, _LEVEL.get(h.entry.label, -1)))
        found.append(view.mention(mention.start + start, mention.start + end, hit.entry.label,
                                  "reference", 0.9, hit.entry.ref))
    return found


def _inner_industries(ctx: SentenceContext, mention: Mention, industries: frozenset[str],
                      named: frozenset[str]) -> list[Mention]:
    found = inner_mentions(ctx, mention, {"Industry"}, named)
    name = ctx.text[mention.start:mention.end]
    for industry in industries:
        at = name.find(industry)
        if at >= 0 and 2 <= len(industry) < len(name):
            found.append(ctx.view.mention(mention.start + at, mention.start + at + len(industry), "Industry",
                                          "reference", 0.7))
    return found


def _outermost(found: list[Mention]) -> list[Mention]:
    """The industries of a name not inside a longer one it names (模具 inside 智能模具 is not
    a second industry)."""
    return [m for m in found if not any(o is not m and o.start <= m.start and m.end <= o.end
                                        and (o.start, o.end) != (m.start, m.end) for o in found)]


def place_of(ctx: SentenceContext, mention: Mention, named: frozenset[str]) -> Mention | None:
    """The place a park is in: itself if it is a place, else the most specific place its
    name names (某县经济开发区 → 某县)."""
    if mention.label in PLACES:
        return mention
    places = inner_mentions(ctx, mention, ADMIN | {"Place"}, named)
    if not places:
        return None
    return min(places, key=lambda m: (_LEVEL[m.label], m.start))


def embedded(ctx: SentenceContext, named: frozenset[str], industries: frozenset[str]) -> Iterator[Relation | None]:
    companies = [m for m in ctx.mentions if m.label == "Company"]
    for m in ctx.mentions:
        if m.label == "Policy":   # a programme aims at the industries its name names
            for industry in _inner_industries(ctx, m, industries, named):
                yield relation(m, "targets", industry, ctx, "name-industry", 0.8)
            continue
        if m.label in PLACES or m.label == "Industry":
            continue
        if m.label == "Company":   # a province in a registered name is not a site
            place = next((p for p in inner_mentions(ctx, m, ADMIN - {"Province"}, named) if p.start == m.start), None)
        else:
            place = place_of(ctx, m, named)
        if place is not None and place.label == "Province" and m.label != "GovernmentBody":
            place = None   # 浙江省某某基地, 浙江某某数据中心: the province is a level or a brand, not a site
        if place is not None:
            if m.label == "DigitalPlatform":
                yield relation(place, "operates", m, ctx, "name-place", 0.75)
            else:
                yield relation(m, "locatedIn", place, ctx, "name-place", 0.8)
        elif m.label == "GovernmentBody" and ctx.text.startswith("省", m.start):
            yield relation(m, "locatedIn", ctx.province, ctx, "name-place", 0.8)
        registered = m.label == "Company" and ending(m.text, "company_suffixes")
        if m.label in PLATFORMS | {"Project"} or registered:
            found = _inner_industries(ctx, m, industries, named)
            if registered:   # the head of a compound is its last word: 汽车|轴承 is a bearing maker
                found = sorted(found, key=lambda h: (h.end, h.end - h.start))[-1:]
            for industry in _outermost(found):
                yield relation(m, "inIndustry", industry, ctx, "name-industry", 0.7 if registered else 0.75)
        if m.label == "IndustrialPark":
            name = ctx.text[m.start:m.end]
            owner = next((c for c in companies if c.start == m.start and c.end < m.end), None) or next(
                (c for c in companies if name.startswith(c.text) and len(c.text) < len(name)), None)
            yield relation(m, "hosts", owner, ctx, "park-of-company", 0.75)


def develops(ctx: SentenceContext) -> Iterator[Relation | None]:
    for project in ctx.mentions:
        if project.label != "Project":
            continue
        head = next((m for m in ctx.mentions if m.label == "Company" and m.start == project.start
                     and m.end < project.end), None)
        yield relation(head, "develops", project, ctx, PROJECT_HEAD, 0.85)


# ====================================================================== from the section
def _forms(mention: Mention) -> list[str]:
    return [mention.text, *company_aliases(mention.text)] if mention.label == "Company" else [mention.text]


def section_defaults(contexts: Sequence[SentenceContext], found: list[Relation]) -> Iterator[Relation | None]:
    """What the text implies about what it does not place: an organisation, park or
    project named in a section about a place is there; a digital platform is its own."""
    located = {form for r in found if r.predicate == "locatedIn" for form in _forms(r.subject)}
    operated = {r.object.text for r in found if r.predicate == "operates"}
    hosted = {form for r in found if r.predicate == "hosts" for form in _forms(r.object)}
    placed_parks = {r.subject.text for r in found if r.predicate == "locatedIn" and r.subject.label in PLATFORMS}
    located |= {form for r in found if r.predicate == "hosts" and r.subject.text in placed_parks
                for form in _forms(r.object)}   # where its park is (hosted_places), not the section's place
    seen: set[tuple[str, str]] = set()
    for ctx in contexts:
        if ctx.view.sentence.kind == "credit":
            continue
        for m in ctx.mentions:
            park = ctx.park_at(m.start)
            guest = _stand_ins(ctx, "hosts", m)
            if park is not None and park.label == "IndustrialPark" and guest is not None \
                    and guest.label in ("Company", "ResearchInstitute") and not hosted & set(_forms(guest)):
                # a firm named where the text speaks of a park is in it; a data centre or a digital
                # platform the text speaks of is no site its firms sit in (它是某集团的节点)
                hosted |= set(_forms(guest))
                yield relation(park, "hosts", guest, ctx, "context-section-park", 0.5)
            subject = ctx.subject_at(m.start)
            place = subject.where or ctx.topic
            if place is None or (m.text, m.label) in seen or _elsewhere(ctx, m, place):
                continue
            if subject.mention is not None and subject.mention.label in PLATFORMS and m is not subject.mention:
                continue                  # the clause is about a park: what it names is the park's
            sure = subject.stated and subject.where is not ctx.topic
            if m.label in LOCATABLE and m.label != "DigitalPlatform" and not located & set(_forms(m)):
                seen.add((m.text, m.label))
                yield relation(m, "locatedIn", place, ctx, "context-section-place", 0.6 if sure else 0.5)
            elif m.label == "DigitalPlatform" and m.text not in operated:
                seen.add((m.text, m.label))
                yield relation(place, "operates", m, ctx, "context-section-place", 0.55 if sure else 0.45)


def _elsewhere(ctx: SentenceContext, mention: Mention, place: Mention) -> bool:
    """A name that begins with a city or province unrelated to `place` (外省某市某大学 in a
    section about a county), or with the province's or country's level (省政府, 国家级…):
    it is where its name says, not in the section's place. A country or a region at the
    start (a foreign brand's local firm) says nothing."""
    name = ctx.text[mention.start:mention.end]
    if name.startswith(cue_list("upper_levels")) and place.label in ("City", "County", "Town"):
        return True
    ref = reference()
    inner = [h.entry.ref for h in ctx.view.gazetteer.find(name)
             if h.start == 0 and h.end < len(name) and h.entry.label in PLACES and not h.entry.short
             and ref.places[h.entry.ref].kind not in ("country", "region")]
    if not inner or not place.ref:
        return False
    related = {place.ref} | {p.key for p in ref.ancestors(place.ref)}
    return not any(key in related or place.ref in {p.key for p in ref.ancestors(key)} for key in inner)


def hosted_places(contexts: Sequence[SentenceContext], found: list[Relation]) -> list[Relation]:
    """A firm hosted by a park is where the park is (the park's place, stated or in its
    name), unless the text places the firm itself."""
    where: dict[str, Mention] = {}
    for r in found:
        if r.predicate == "locatedIn" and r.subject.label in PLATFORMS and r.extractor != "context-section-place":
            where.setdefault(r.subject.text, r.object)
    located = {form for r in found if r.predicate == "locatedIn" for form in _forms(r.subject)}
    out = []
    for r in found:
        place = where.get(r.subject.text)
        if r.predicate == "hosts" and place is not None and not located & set(_forms(r.object)):
            located |= set(_forms(r.object))
            out.append(Relation(r.object, "locatedIn", place, r.evidence, "hosted-place", round(r.confidence - 0.05, 3)))
    return out


def plans_of_programmes(contexts: Sequence[SentenceContext], found: list[Relation]) -> list[Relation]:
    """A plan whose title names a programme (《关于加快某县“3+2”体系建设的实施意见》)
    aims at the industries the programme aims at; the title is the evidence."""
    text_of = {ctx.index: ctx.text for ctx in contexts}
    aims: dict[str, list[Relation]] = {}
    for r in found:
        if r.predicate == "targets":
            aims.setdefault(text_of[r.subject.sentence][r.subject.start:r.subject.end], []).append(r)
    out = []
    for ctx in contexts:
        for m in ctx.mentions:
            title = ctx.text[m.start:m.end]
            if m.label != "Policy" or not title.startswith("《"):
                continue
            for name, relations in aims.items():
                if name != title and name in title:
                    out.extend(Relation(m, "targets", r.object, Evidence(ctx.index, m.start, m.end),
                                        "plan-of-programme", round(r.confidence - 0.1, 3)) for r in relations)
    return out


def implied(found: list[Relation]) -> list[Relation]:
    """leadsChain implies inIndustry, with the same evidence."""
    return [Relation(r.subject, "inIndustry", r.object, r.evidence, "implied-industry", r.confidence)
            for r in found if r.predicate == "leadsChain"]
