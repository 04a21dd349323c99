"""A closed Python mirror of ontology/kg.ttl: a misspelt term is an error at once.

tests/test_vocab.py checks this mirror term by term against the Turtle file.
"""
from __future__ import annotations

import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

BASE = "https://w3id.org/zjkg/"
ID = Namespace(BASE + "id/")
ONTOLOGY_IRI = URIRef(BASE + "ontology")
QB = Namespace("http://purl.org/linked-data/cube#")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")


class KG(DefinedNamespace):
    """Terms of https://w3id.org/zjkg/ontology#"""

    _fail = True
    _NS = Namespace(BASE + "ontology#")

    # classes
    Place: URIRef
    Province: URIRef
    City: URIRef
    County: URIRef
    Town: URIRef
    Organization: URIRef
    Company: URIRef
    ResearchInstitute: URIRef
    GovernmentBody: URIRef
    Association: URIRef
    Industry: URIRef
    Platform: URIRef
    IndustrialPark: URIRef
    DataCenter: URIRef
    DigitalPlatform: URIRef
    Policy: URIRef
    Project: URIRef
    Document: URIRef
    Extractor: URIRef
    Assertion: URIRef
    Observation: URIRef
    IndustryChain: URIRef
    ChainSegment: URIRef
    Period: URIRef
    # what relations share: named unions (domains and ranges)
    EconomicUnit: URIRef
    PolicyActor: URIRef
    Operator: URIRef
    Tenant: URIRef
    FigureRegion: URIRef
    # relations
    partOf: URIRef
    locatedIn: URIRef
    inIndustry: URIRef
    leadsChain: URIRef
    prioritizes: URIRef
    implements: URIRef
    targets: URIRef
    hosts: URIRef
    develops: URIRef
    operates: URIRef
    # names, documents, provenance
    adminCode: URIRef
    divisionCode: URIRef
    countryCode: URIRef
    locode: URIRef
    mentionedIn: URIRef
    subject: URIRef
    predicate: URIRef
    object: URIRef
    quote: URIRef
    startOffset: URIRef
    endOffset: URIRef
    confidence: URIRef
    contentHash: URIRef
    notBefore: URIRef
    # industrial chains
    segmentOf: URIRef
    upstreamOf: URIRef
    downstreamOf: URIRef
    segmentRank: URIRef
    stage: URIRef
    includesIndustry: URIRef
    segmentTerm: URIRef
    # figures (RDF Data Cube)
    figures: URIRef
    figuresStructure: URIRef
    sourceDocument: URIRef
    region: URIRef
    refPeriod: URIRef
    aboutIndustry: URIRef
    indicator: URIRef
    year: URIRef
    value: URIRef
    unit: URIRef
    target: URIRef
    indicatorCode: URIRef
    unitCode: URIRef
    multiplier: URIRef
    baseUnit: URIRef


# The classes of the annotation guidelines, in their order.
ENTITY_CLASSES: tuple[str, ...] = (
    "Province", "City", "County", "Town", "Place",
    "Company", "ResearchInstitute", "GovernmentBody", "Association",
    "Industry", "IndustrialPark", "DataCenter", "DigitalPlatform", "Policy", "Project",
)
RELATION_PREDICATES: tuple[str, ...] = (
    "partOf", "locatedIn", "leadsChain", "inIndustry", "prioritizes",
    "implements", "targets", "hosts", "develops", "operates",
)

PLACES = frozenset({"Province", "City", "County", "Town", "Place"})
ORGANIZATIONS = frozenset({"Company", "ResearchInstitute", "GovernmentBody", "Association"})
PLATFORMS = frozenset({"IndustrialPark", "DataCenter", "DigitalPlatform"})

# Domain and range of each relation, with unions and subclasses spelt out (the same as
# rdfs:domain / rdfs:range in the ontology and the classes the shapes allow; tests/test_vocab.py
# checks both).
SIGNATURES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "partOf": (PLACES, PLACES),
    "locatedIn": (ORGANIZATIONS | PLATFORMS | {"Project"}, PLACES),
    "inIndustry": (ORGANIZATIONS | PLATFORMS | {"Project"}, frozenset({"Industry"})),
    "leadsChain": (frozenset({"Company"}), frozenset({"Industry"})),
    "prioritizes": (PLACES, frozenset({"Industry"})),
    "implements": (PLACES | {"GovernmentBody"}, frozenset({"Policy"})),
    "targets": (frozenset({"Policy"}), frozenset({"Industry"})),
    "hosts": (PLATFORMS, frozenset({"Company", "ResearchInstitute"})),
    "develops": (frozenset({"Company"}), frozenset({"Project"})),
    "operates": (ORGANIZATIONS | PLACES, PLATFORMS),
}


def fits(predicate: str, subject_label: str, object_label: str) -> bool:
    """Whether a relation between entities of these classes is allowed by the ontology."""
    domain, range_ = SIGNATURES[predicate]
    return subject_label in domain and object_label in range_


def class_iri(label: str) -> URIRef:
    """The IRI of an entity class; raises AttributeError on an unknown name."""
    if label not in ENTITY_CLASSES:
        raise AttributeError(f"{label!r} is not a class of the kg ontology")
    return KG[label]


def predicate_iri(name: str) -> URIRef:
    if name not in RELATION_PREDICATES:
        raise AttributeError(f"{name!r} is not a relation of the kg ontology")
    return KG[name]


# Characters kept as they are in an IRI path segment: ASCII letters, digits and -._, and any
# letter, mark, number, punctuation or symbol outside ASCII (CJK names stay readable).
_SEGMENT_ASCII = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._")
_SEGMENT_ESCAPED_CATEGORIES = ("C", "Z")   # controls, format, unassigned, private use; spaces


def iri_segment(text: str) -> str:
    """`text` as one IRI path segment that no server or client alters: every other character
    becomes ~XX (the hex of its UTF-8 bytes; '~' is unreserved, so nothing decodes it), so no
    segment holds '/', '%' or a space, and '.' or '..' never stand alone. Injective: '~'
    itself is escaped."""
    if not text:
        raise ValueError("an IRI segment cannot be empty")
    if set(text) == {"."}:
        return "".join(f"~{ord(ch):02X}" for ch in text)
    out = []
    for ch in text:
        if ch in _SEGMENT_ASCII or (ord(ch) > 0x7F and unicodedata.category(ch)[0] not in _SEGMENT_ESCAPED_CATEGORIES):
            out.append(ch)
        else:
            out.append("".join(f"~{byte:02X}" for byte in ch.encode("utf-8")))
    return "".join(out)
