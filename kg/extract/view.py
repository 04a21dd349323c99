"""One sentence as the rules see it: its normalised text, the model's tokens and the
reference-data hits, with the questions every rule family asks of them (which token is
at a position, is a word a place, is a token part of a name).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from ..model.records import Mention, Sentence, Token
from .lexicon import cue_set
from .gazetteer import Gazetteer, Hit

# Tags the model gives to words that can stand inside a name.
NAME_TAGS = frozenset({"n", "nz", "nw", "ORG", "LOC", "PER", "vn", "an", "a", "m", "q", "xc", "f", "s", "TIME"})
PROPER_TAGS = frozenset({"ORG", "LOC", "PER", "nz", "nw"})
NOUN_TAGS = frozenset({"n", "nz", "nw", "ORG", "LOC", "PER", "vn", "xc"})
FUNCTION_TAGS = frozenset({"w", "p", "u", "c"})
PLACE_LABELS = frozenset({"Province", "City", "County", "Town", "Place"})
CLAUSE_PUNCTUATION = frozenset(",;:。!?")
NAME_BREAKERS = frozenset(",;:。!?、\"()《》 ")
_LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9]")


@dataclass
class View:
    sentence: Sentence
    tokens: list[Token]
    gazetteer: Gazetteer
    source: str                      # the document's text: surface forms are quoted from it
    hits: list[Hit] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.sentence.text

    @property
    def index(self) -> int:
        return self.sentence.index

    @cached_property
    def _token_index(self) -> list[int]:
        index = [0] * (len(self.text) + 1)
        for i, token in enumerate(self.tokens):
            for pos in range(token.start, token.end):
                index[pos] = i
        index[len(self.text)] = len(self.tokens)
        return index

    def token_at(self, pos: int) -> int:
        """Index of the token covering character `pos` (len(tokens) at the end)."""
        return self._token_index[min(max(pos, 0), len(self.text))]

    @cached_property
    def token_starts(self) -> frozenset[int]:
        return frozenset(t.start for t in self.tokens)

    @cached_property
    def token_ends(self) -> frozenset[int]:
        return frozenset(t.end for t in self.tokens)

    def tokens_in(self, start: int, end: int) -> list[Token]:
        return self.tokens[self.token_at(start):self.token_at(end - 1) + 1] if end > start else []

    @cached_property
    def quote_pairs(self) -> dict[int, int]:
        """Opening quotation mark → its closing mark. Normalisation makes both straight, so
        which is which is read from the document (“ opens, ” closes; straight quotes alternate)."""
        pairs, stack = {}, []
        for i, ch in enumerate(self.text):
            if ch != '"':
                continue
            original = self.source[self.sentence.offsets[i]]
            opening = original == "“" or (original not in "”" and not stack)
            if opening:
                stack.append(i)
            elif stack:
                pairs[stack.pop()] = i
        return pairs

    @cached_property
    def place_spans(self) -> frozenset[tuple[int, int]]:
        spans = {(h.start, h.end) for h in self.hits if h.entry.label in PLACE_LABELS}
        return frozenset(spans | {(t.start, t.end) for t in self.tokens if t.pos == "LOC"})

    def mention(self, start: int, end: int, label: str, source: str, confidence: float, ref: str = "") -> Mention:
        surface = "".join(self.source[o] for o in self.sentence.offsets[start:end])
        return Mention(self.index, start, end, surface, label, source, ref, confidence)

    # ------------------------------------------------------------------ words
    def reference(self, word: str, labels=None) -> bool:
        return any(labels is None or e.label in labels for e in self.gazetteer.lookup(word))

    def is_industry(self, word: str) -> bool:
        return self.reference(word, ("Industry",))

    def is_place(self, word: str) -> bool:
        """A place's full name, or a short name that is no common word (short names that
        are, such as 天台, count only where the model tags them: see `place_spans`)."""
        return any(e.label in PLACE_LABELS and not e.short for e in self.gazetteer.lookup(word))

    def name_like(self, token: Token) -> bool:
        """Whether a token can stand inside a name (not a verb of the clause, a function
        word or a superlative that describes)."""
        if token.pos == "TIME":   # brand names the model reads as times; real times are not names
            return not _LATIN_OR_DIGIT.search(token.text) and token.text not in cue_set("time_words")
        if token.text in cue_set("name_internal_verbs"):
            return True
        return (token.pos in NAME_TAGS and token.text not in cue_set("function_words")
                and token.text not in cue_set("superlatives")
                and not (token.text in cue_set("clause_verbs") and token.pos != "vn"))

    def clean(self, start: int, end: int) -> bool:
        """No punctuation, clause verbs or function words in text[start:end]."""
        if any(ch in NAME_BREAKERS for ch in self.text[start:end]):
            return False
        return all(self.name_like(t) for t in self.tokens_in(start, end))

    def distinctive(self, start: int, end: int, strict: bool = False, places: bool = True) -> int:
        """2: holds a proper name; 1: only industry (or, when strict, ordinary) words; 0: generic words.

        Proper-name evidence is a word the model tags as a name and the reference data does
        not know, a place (unless places=False), Latin letters or digits, or a quote."""
        segment = self.text[start:end]
        if not segment:
            return 0
        if _LATIN_OR_DIGIT.search(segment) or '"' in segment:
            return 2
        level = 0
        generic = cue_set("generic_words")
        tokens = self.tokens_in(start, end)
        if len(segment) >= 2 and all(t.end - t.start == 1 for t in tokens):
            # single characters the model did not join (药|茶): judge them as one word
            tokens = [Token(segment, start, end, "n")]
        run = 0
        for token in tokens:   # characters the model left single before a trade: a brand (某|某|厨电)
            if token.end - token.start == 1 and token.pos in _BRAND_CHARACTER_TAGS:
                run += 1
            elif run >= 2 and self.is_industry(token.text):
                return 2
            else:
                run = 0
        for token in tokens:
            word = self.text[max(token.start, start):min(token.end, end)]
            if word in generic or len(word) < 2 or token.pos in ("m", "q"):
                continue
            if self.is_place(word) or (token.start, token.end) in self.place_spans:
                if places:
                    return 2
                continue
            if token.pos in PROPER_TAGS and not self.gazetteer.lookup(word):
                return 2
            if self.is_industry(word) or strict:
                level = max(level, 1)
                continue
            return 2
        if places and any(a >= start and b <= end and self.is_place(self.text[a:b]) for a, b in self.place_spans):
            return 2
        return level


_BRAND_CHARACTER_TAGS = frozenset({"n", "v", "vn", "nz", "s", "ns", "nr", "PER", "LOC", "ORG"})


def split_at_brackets(tokens: list[Token]) -> list[Token]:
    """Tokens with brackets cut out as tokens of their own: the model glues a bracket to
    the words around it (…|(某地)科技有限公司 as one word tagged as punctuation)."""
    out: list[Token] = []
    for token in tokens:
        if len(token.text) == 1 or not any(ch in "()" for ch in token.text):
            out.append(token)
            continue
        piece = token.start
        for i, ch in enumerate(token.text + "\0"):
            pos = token.start + i
            if ch in "()\0":
                if pos > piece:
                    out.append(Token(token.text[piece - token.start:i], piece, pos, "nz"))
                if ch != "\0":
                    out.append(Token(ch, pos, pos + 1, "w"))
                piece = pos + 1
    return out


def clauses(text: str) -> list[tuple[int, int]]:
    """Spans between clause punctuation; brackets and titles are kept whole."""
    spans, start, depth = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "(《":
            depth += 1
        elif ch in ")》":
            depth = max(0, depth - 1)
        elif ch in CLAUSE_PUNCTUATION and depth == 0:
            if i > start:
                spans.append((start, i))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans
