"""Records passed between the pipeline stages.

load → Document; text → Sentence; mentions → Mention; relations → Relation;
figures → Figure; resolve → Entity, Fact, Observation. Each stage takes and returns
these plain frozen dataclasses, so a stage can be tested with hand-made inputs.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Document:
    name: str            # file name inside the corpus folder: the gold `doc` field
    text: str            # decoded text, exactly as in the file (offsets index into it)
    content_hash: str    # SHA-256 of the file's bytes
    title: str = ""
    source: str = ""
    about: tuple[str, ...] = ()   # names of the places the article is about (metadata)
    date: str = ""       # publication date, ISO 8601 to the precision known: 2023-03-05, 2023-03 or 2023
    publisher: str = ""
    url: str = ""
    encoding: str = "utf-8"       # the file's character encoding, as detected when it was read

    @property
    def stem(self) -> str:
        return self.name.rsplit(".", 1)[0]


@dataclass(frozen=True, slots=True)
class LoadProblem:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence, heading or caption, normalised, with a map back to the document.

    `text` is normalised (full-width ASCII → half-width, curly quotes → straight) and has
    page breaks, caption lines and bold markers cut out; `offsets[i]` is the position in
    `Document.text` of `text[i]`, so every span can be quoted exactly from the source.
    """
    index: int
    text: str
    offsets: tuple[int, ...]
    kind: str = "body"   # body | heading | caption | credit (photo credits: no entities)

    def doc_span(self, start: int, end: int) -> tuple[int, int]:
        """Document offsets [start, end) of the sentence span [start, end)."""
        return self.offsets[start], self.offsets[end - 1] + 1


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int           # offset in the sentence
    end: int
    pos: str             # LAC tag: n, v, nz, ORG, LOC, PER, TIME, w …


@dataclass(frozen=True, slots=True)
class Mention:
    """A named entity found in a sentence."""
    sentence: int        # Sentence.index
    start: int           # offsets in the sentence's normalised text
    end: int
    text: str            # the surface form as written in the document
    label: str           # one of vocab.ENTITY_CLASSES
    source: str          # which matcher found it, e.g. "gazetteer", "suffix", "ner"
    ref: str = ""        # reference-data key (admin code, industry concept) when known
    confidence: float = 1.0

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.sentence, self.start, self.end)


@dataclass(frozen=True, slots=True)
class Evidence:
    sentence: int
    start: int           # span of the sentence text that states the fact
    end: int


@dataclass(frozen=True, slots=True)
class Relation:
    subject: Mention
    predicate: str       # one of vocab.RELATION_PREDICATES
    object: Mention
    evidence: Evidence
    extractor: str       # name of the rule that produced it
    confidence: float


@dataclass(frozen=True, slots=True)
class Figure:
    """A number a region or industry reaches or aims at."""
    region: Mention
    indicator: str
    value: float
    unit: str
    year: int | None
    target: bool
    evidence: Evidence
    extractor: str
    confidence: float
    industry: Mention | None = None


@dataclass(frozen=True, slots=True)
class DocumentExtraction:
    """Everything extracted from one document: the unit cached by incremental builds."""
    document: Document
    sentences: tuple[Sentence, ...]
    mentions: tuple[Mention, ...]
    relations: tuple[Relation, ...]
    figures: tuple[Figure, ...]


@dataclass(frozen=True, slots=True)
class Name:
    """What resolution reads of a mention: the same name, class and reference key name the
    same entity, wherever they occur."""
    text: str
    label: str
    ref: str = ""


@dataclass(frozen=True, slots=True)
class Entity:
    """A resolved entity: one IRI for all its names across the corpus."""
    iri: str
    label: str          # entity class
    name: str           # canonical name
    names: frozenset[str]
    ref: str = ""
    parent: str = ""    # IRI of the administrative parent, for reference places
    broader: tuple[str, ...] = ()   # IRIs of the taxonomy concepts an extracted industry belongs under
    aliases: frozenset[str] = frozenset()   # older IRIs that now stand for this entity (owl:sameAs)


@dataclass(frozen=True, slots=True)
class Fact:
    """A relation between resolved entities with its evidence in one document."""
    doc: str
    subject: str        # IRIs
    predicate: str
    object: str
    quote: str
    start: int          # document offsets
    end: int
    extractor: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Observation:
    doc: str
    region: str         # IRI
    indicator: str
    value: float
    unit: str
    year: int | None
    target: bool
    quote: str
    start: int
    end: int
    extractor: str
    confidence: float
    industry: str = ""  # IRI or ""
    indicator_code: str = ""   # key in the indicator code list (kg.model.codes)
    unit_code: str = ""        # key in the unit code list, "" when the list has no such unit


@dataclass(frozen=True, slots=True)
class ResolvedDocument:
    document: Document
    entities: tuple[str, ...]        # IRIs of the entities the document names
    surface: dict[str, frozenset[str]] = field(hash=False)  # IRI → names written in this document
    facts: tuple[Fact, ...] = ()
    observations: tuple[Observation, ...] = ()
