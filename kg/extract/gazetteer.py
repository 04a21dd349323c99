"""Reference gazetteers: places, industries and programmes, matched with Aho-Corasick.

A match counts only where the model's word boundaries agree with it, so 金华 inside
金华市经信局 (one organisation) or 东阳 inside an unrelated word is not a place. Short
place names (义乌 for 义乌市) must also be tagged LOC/ORG by the model: many are common
words too (天台 "rooftop", 江山 "landscape", 临海 "by the sea").
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import ahocorasick

from ..model.names import normalise
from ..model.reference import Reference, reference
from ..model.records import Token
from .lexicon import cue_set, ending


@dataclass(frozen=True, slots=True)
class Entry:
    label: str       # entity class
    ref: str         # reference key (place key, industry concept, programme name)
    short: bool      # a short form that needs the model's LOC/ORG tag


@dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int
    surface: str
    entry: Entry


class Gazetteer:
    def __init__(self, entries: dict[str, list[Entry]]) -> None:
        self._automaton = ahocorasick.Automaton()
        for surface, found in entries.items():
            self._automaton.add_word(surface, (surface, tuple(found)))
        self._automaton.make_automaton()
        self.surfaces = frozenset(entries)

    def find(self, text: str) -> list[Hit]:
        """Every occurrence of every entry, overlapping ones included."""
        hits = []
        for end, (surface, found) in self._automaton.iter(text):
            for entry in found:
                hits.append(Hit(end + 1 - len(surface), end + 1, surface, entry))
        return hits

    def lookup(self, surface: str) -> tuple[Entry, ...]:
        value = self._automaton.get(surface, None)
        return value[1] if value else ()

    def find_aligned(self, text: str, tokens: list[Token]) -> list[Hit]:
        """Occurrences that fall on the model's word boundaries (see module doc)."""
        starts = {t.start: t for t in tokens}
        ends = {t.end: t for t in tokens}
        accepted, untagged = [], []
        chain: set[int] = set()   # ends of places that open a word the model did not split (某市某区某街道…)
        for hit in sorted(self.find(text), key=lambda h: (h.start, -h.end)):
            first, last = starts.get(hit.start), ends.get(hit.end)
            if (first is None or last is None) and _in_chain(hit, starts, chain):
                chain.add(hit.end)
                accepted.append(hit)
                continue
            if hit.entry.label == "Policy" and hit.end - hit.start >= 4:
                accepted.append(hit)      # a programme's name is distinctive wherever the words fall
                continue
            if first is None or last is None:
                hit = _split_place_prefix(hit, tokens, self) or _split_product(hit, tokens)
                if hit is None:
                    continue
                first = starts.get(hit.start)
            bracketed = text[hit.start - 1:hit.start] == "(" and text[hit.end:hit.end + 1] == ")"
            if hit.entry.short and not bracketed and not (first.end == hit.end and first.pos in ("LOC", "ORG")):
                if first.end == hit.end:
                    untagged.append(hit)
                continue
            accepted.append(hit)
        accepted += _listed_siblings(text, accepted, untagged)
        # an industry inside a longer one the text names (医药 in 生物医药) is part of it
        industries = [(h.start, h.end) for h in accepted if h.entry.label == "Industry"]
        return [h for h in accepted if h.entry.label != "Industry" or not any(
            a <= h.start and h.end <= b and (a, b) != (h.start, h.end) for a, b in industries)]


def _listed_siblings(text: str, accepted: list[Hit], untagged: list[Hit]) -> list[Hit]:
    """Short names the model did not tag that stand in an enumeration with a place it did,
    of the same parent (某镇、某镇等乡镇 where only one is tagged): a list names one kind."""
    places = reference().places
    parent = {h.start: places[h.entry.ref].parent for h in accepted if h.entry.ref in places}
    known = [h for h in accepted if h.start in parent]
    found: list[Hit] = []
    grew = True
    while grew:
        grew = False
        for hit in untagged:
            if hit in found or hit.entry.ref not in places:
                continue
            mine = places[hit.entry.ref].parent
            for other in known:
                between = text[hit.end:other.start] if hit.end <= other.start else text[other.end:hit.start]
                if between in _LIST_SEPARATORS and parent.get(other.start) == mine and other.entry.label == hit.entry.label:
                    found.append(hit)
                    known.append(hit)
                    parent[hit.start] = mine
                    grew = True
                    break
    return found


_LIST_SEPARATORS = ("、", "和", "与", "及")


def _in_chain(hit: Hit, starts: dict, chain: set[int]) -> bool:
    """A full administrative name at the start of a word, or right after another such
    name in it: 某市|某区|某街道|… written as one word with the name that follows."""
    return hit.entry.label in ("City", "County", "Town") and not hit.entry.short \
        and (hit.start in starts or hit.start in chain)


def _split_place_prefix(hit: Hit, tokens: list[Token], gazetteer: Gazetteer) -> Hit | None:
    """Accept a place the model glued to an industry word (某市光电, 某县泵业 → 某市, 某县):
    the rest of the word is a taxonomy industry or ends like one (…业, …装备)."""
    if hit.entry.label not in ("Province", "City", "County", "Town"):
        return None
    for token in tokens:
        if token.start == hit.start and token.end > hit.end:
            rest = token.text[hit.end - token.start:]
            if any(e.label == "Industry" for e in gazetteer.lookup(rest)) or (
                    len(rest) >= 2 and ending(rest, "industry_heads") and token.pos in ("ORG", "LOC", "n", "nz")):
                return Hit(hit.start, hit.end, hit.surface, Entry(hit.entry.label, hit.entry.ref, False))
    return None


def _split_product(hit: Hit, tokens: list[Token]) -> Hit | None:
    """Accept an industry the model glued to its product (光伏组件 → 光伏): the rest of the
    word is a product word (cue list product_words)."""
    if hit.entry.label != "Industry":
        return None
    for token in tokens:
        if token.start == hit.start and token.end > hit.end:
            return hit if token.text[hit.end - token.start:] in cue_set("product_words") else None
    return None


def _entries(ref: Reference) -> dict[str, list[Entry]]:
    entries: dict[str, list[Entry]] = {}

    def add(surface: str, entry: Entry) -> None:
        surface = normalise(surface)
        if surface and entry not in entries.setdefault(surface, []):
            entries[surface].append(entry)

    for place in ref.places.values():
        full, *short = place.names
        add(full, Entry(place.label, place.key, False))
        for name in short:
            # Zhejiang's short forms are often common words; world places' aliases are not.
            add(name, Entry(place.label, place.key, place.zhejiang))
    for industry in ref.industries.values():
        for name in industry.names:
            add(name, Entry("Industry", industry.key, False))
    for programme in ref.programmes:
        for name in (programme.name, *programme.aliases):
            add(name, Entry("Policy", programme.name, False))
    return entries


@cache
def gazetteer() -> Gazetteer:
    return Gazetteer(_entries(reference()))
