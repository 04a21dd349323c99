"""The dataset's description, written by every build: VoID and DCAT (title, licence, dates,
size, entities per class, endpoint, dumps, the named graphs and their sources) and the build
as a PROV activity (software, start and end, what it read).

It is the named graph id/graph/description and the file void.ttl. Times come from the clock,
or from SOURCE_DATE_EPOCH when it is set (the reproducible-builds convention), so two
builds of the same input can give the same bytes.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timezone
from importlib import metadata
from typing import Sequence

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from ..model.records import Document
from ..model.vocab import BASE, DCAT, ENTITY_CLASSES, ID, KG, ONTOLOGY_IRI, SCHEMA, VOID
from .emit import ONTOLOGY_GRAPH, REFERENCE_GRAPH, document_iri, graph_iri, new_graph

DATASET = URIRef(ID["dataset"])
DESCRIPTION_GRAPH = URIRef(ID["graph/description"])
DATA_LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
SPARQL_ENDPOINT = URIRef(BASE + "sparql")
DUMPS = {"graph.nq": "application/n-quads", "graph.trig": "application/trig", "graph.ttl": "text/turtle"}
REFERENCE_SOURCES = (
    "GB/T 2260 中华人民共和国行政区划代码 (data/reference/zhejiang_divisions.csv, china_provinces.csv)",
    "ISO 3166-1, UN/LOCODE (data/reference/world_places.csv)",
    "数字经济及其核心产业统计分类（2021）; 战略性新兴产业分类（2018）; GB/T 4754-2017 (data/reference/industries.ttl, gbt4754.ttl)",
    "State Council and Zhejiang provincial programmes (data/reference/programmes.csv)",
)
RIGHTS = ("The graph is licensed CC BY 4.0. Each kg:quote is a short excerpt of the article its "
          "prov:wasDerivedFrom names (title and source in that document's metadata), quoted as "
          "evidence; the articles' copyright stays with their publishers.")


@dataclass(frozen=True)
class BuildTimes:
    started: datetime
    ended: datetime
    issued: date      # the first build into this output folder

    @property
    def activity(self) -> URIRef:
        return URIRef(ID["build/" + self.started.strftime("%Y%m%dT%H%M%SZ")])


def now() -> datetime:
    """The current UTC time to the second, or SOURCE_DATE_EPOCH when it is set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)
    return moment.replace(microsecond=0)


def software_version() -> str:
    try:
        return metadata.version("kg")
    except metadata.PackageNotFoundError:
        return "unknown"


_TYPE = f" <{RDF.type}> <".encode()
_CLASS_IRIS = {str(KG[name]).encode(): i for i, name in enumerate(ENTITY_CLASSES)}


def typed_counts(ntriples: bytes) -> tuple[int, ...]:
    """In N-Triples lines (`<s> <p> <o> .`) whose subjects appear in no other text given
    (a chunk of the sorted union): the distinct subjects typed with each of ENTITY_CLASSES,
    then those typed with any of them. Only typing lines are looked at, found by
    `bytes.find` (a regex over every line took three times as long)."""
    typed: list[set[bytes]] = [set() for _ in ENTITY_CLASSES]
    at = ntriples.find(_TYPE)
    while at >= 0:
        subject = ntriples[ntriples.rfind(b"\n", 0, at) + 1:at]
        end = ntriples.find(b">", at + len(_TYPE))
        if end < 0:
            break
        i = _CLASS_IRIS.get(ntriples[at + len(_TYPE):end])
        if i is not None and b" " not in subject:   # not the words of a literal
            typed[i].add(subject)
        at = ntriples.find(_TYPE, end)
    return (*map(len, typed), len(set().union(*typed)))


class Sizes:
    """What the description counts: the triples of each named graph, and of their union
    with its distinct typed entities per class (typed_counts of the union)."""

    def __init__(self) -> None:
        self.graphs: dict[URIRef, int] = {}
        self.union = 0
        self.typed = typed_counts(b"")

    def add_graph(self, graph: URIRef, triples: int) -> None:
        self.graphs[graph] = self.graphs.get(graph, 0) + triples

    def entities(self, name: str | None = None) -> int:
        """Distinct entities of the class `name`, or of any entity class."""
        return self.typed[ENTITY_CLASSES.index(name) if name else -1]


def description_graph(sizes: Sizes, documents: Sequence[Document], times: BuildTimes,
                      extractor_version: str) -> Graph:
    """VoID/DCAT and PROV for the graphs `sizes` counted (the description itself not counted)."""
    g = new_graph()
    d = DATASET
    for cls in (VOID.Dataset, DCAT.Dataset):
        g.add((d, RDF.type, cls))
    g.add((d, DCTERMS.title, Literal("浙江数字经济知识图谱", lang="zh")))
    g.add((d, DCTERMS.title, Literal("Zhejiang digital-economy knowledge graph", lang="en")))
    g.add((d, DCTERMS.description, Literal("从新闻与政府文章中抽取的浙江各地数字经济产业、企业、平台、政策与指标，"
                                           "每条事实附原文引文、字符偏移、抽取规则与置信度。", lang="zh")))
    g.add((d, DCTERMS.description, Literal("Industries, companies, platforms, programmes and figures of Zhejiang's "
                                           "regional digital economy, extracted from news and government articles; every "
                                           "fact carries its quote, character offsets, rule and confidence.", lang="en")))
    g.add((d, DCTERMS.license, DATA_LICENCE))
    g.add((d, DCTERMS.rights, Literal(RIGHTS, lang="en")))
    g.add((d, DCTERMS.issued, Literal(times.issued.isoformat(), datatype=XSD.date)))
    g.add((d, DCTERMS.modified, Literal(times.ended.isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime)))
    g.add((d, VOID.triples, Literal(sizes.union, datatype=XSD.integer)))
    g.add((d, VOID.entities, Literal(sizes.entities(), datatype=XSD.integer)))
    g.add((d, VOID.sparqlEndpoint, SPARQL_ENDPOINT))
    g.add((d, VOID.vocabulary, URIRef(ONTOLOGY_IRI)))
    g.add((d, VOID.uriSpace, Literal(str(ID))))
    for name in ENTITY_CLASSES:
        partition = URIRef(ID[f"dataset/class/{name}"])
        g.add((d, VOID.classPartition, partition))
        g.add((partition, VOID["class"], KG[name]))
        g.add((partition, VOID.entities, Literal(sizes.entities(name), datatype=XSD.integer)))
    for file, media in DUMPS.items():
        dump = URIRef(BASE + "dump/" + file)
        g.add((d, VOID.dataDump, dump))
        g.add((d, DCAT.distribution, dump))
        g.add((dump, RDF.type, DCAT.Distribution))
        g.add((dump, DCAT.downloadURL, dump))
        g.add((dump, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/" + media)))
    sources = {graph_iri(doc.name): [document_iri(doc.name)] for doc in documents}
    for graph, count in sizes.graphs.items():
        g.add((d, VOID.subset, graph))
        g.add((graph, RDF.type, VOID.Dataset))
        g.add((graph, VOID.triples, Literal(count, datatype=XSD.integer)))
        if graph == REFERENCE_GRAPH:
            for source in REFERENCE_SOURCES:
                g.add((graph, DCTERMS.source, Literal(source)))
        elif graph == ONTOLOGY_GRAPH:
            g.add((graph, DCTERMS.source, URIRef(ONTOLOGY_IRI)))
        for source in sources.get(graph, ()):
            g.add((graph, DCTERMS.source, source))
    # The build: a PROV activity of the kg software, which read the documents and the reference data.
    build, software = times.activity, URIRef(ID[f"software/kg/{software_version()}"])
    g.add((d, PROV.wasGeneratedBy, build))
    g.add((build, RDF.type, PROV.Activity))
    g.add((build, RDFS.label, Literal(f"kg build {times.started.isoformat()}", lang="en")))
    g.add((build, PROV.startedAtTime, Literal(times.started.isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime)))
    g.add((build, PROV.endedAtTime, Literal(times.ended.isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime)))
    g.add((build, PROV.wasAssociatedWith, software))
    for doc in documents:
        g.add((build, PROV.used, document_iri(doc.name)))
    g.add((build, PROV.used, REFERENCE_GRAPH))
    g.add((build, PROV.used, URIRef(ONTOLOGY_IRI)))
    g.add((software, RDF.type, PROV.SoftwareAgent))
    g.add((software, RDFS.label, Literal(f"kg {software_version()}", lang="en")))
    g.add((software, SCHEMA.softwareVersion, Literal(software_version())))
    g.add((software, RDFS.comment, Literal(f"extraction code and reference data {extractor_version}", lang="en")))
    return g
