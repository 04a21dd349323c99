"""Documents as sources (header lines, metadata, Dublin Core and PROV in the graph, dates on
facts), the coded lists of indicators and units, and the chain reference data."""
from __future__ import annotations

from collections import Counter

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from kg.build import emit, pipeline
from kg.extract.load import iso_date, load_corpus, read_header
from kg.model.codes import code_lists, indicator_code, unit_code
from kg.model.reference import reference
from kg.model.vocab import KG

from .conftest import FIXTURES

# Invented header lines in the styles web articles use.
ARTICLE = """某区上半年数字经济稳中有进
发布时间：2021-07-15 来源：某区融媒体中心
原文链接：https://news.example.org/a/123.html

1-6月，全区实现数字经济核心产业增加值30亿元，同比增长9%。
"""


@pytest.mark.parametrize("text, expected", [
    (ARTICLE, {"title": "某区上半年数字经济稳中有进", "date": "2021-07-15", "publisher": "某区融媒体中心",
               "url": "https://news.example.org/a/123.html"}),
    ("# 标题一\n\n日期:2020年3月\n正文", {"title": "标题一", "date": "2020-03", "publisher": "", "url": ""}),
    ("标题二\n来源：某日报  作者：某人  发布日期：2019/8/8\n正文", {"title": "标题二", "date": "2019-08-08",
                                                         "publisher": "某日报", "url": ""}),
    ("标题三\n会上说，时间：2018年就已开始\n" + "时间：2018年" + "，这是正文的一部分" * 20,
     {"title": "标题三", "date": "", "publisher": "", "url": ""}),
])
def test_sources_header_lines(text, expected):
    assert read_header(text) == expected


def test_sources_iso_dates():
    assert [iso_date(x) for x in ("2019/8/8", "2019.08.08", "2023年3月", "2023", "2023-13-01", "无")] == \
        ["2019-08-08", "2019-08-08", "2023-03", "2023", "2023", ""]


def test_sources_metadata_wins_over_the_header(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("file,title,date,publisher\nb.txt,别的标题,2022年1月2日,别的报社\n",
                                           encoding="utf-8")
    docs = {d.name: d for d in load_corpus(tmp_path)[0]}
    assert (docs["a.txt"].title, docs["a.txt"].date, docs["a.txt"].publisher) == (
        "某区上半年数字经济稳中有进", "2021-07-15", "某区融媒体中心")
    assert (docs["b.txt"].title, docs["b.txt"].date, docs["b.txt"].publisher, docs["b.txt"].url) == (
        "别的标题", "2022-01-02", "别的报社", "https://news.example.org/a/123.html")


def test_sources_in_the_graph_with_dates_on_every_fact(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = (FIXTURES / "small" / "lishui.txt").read_text(encoding="utf-8")
    (corpus / "a.txt").write_text(ARTICLE + body, encoding="utf-8")
    result = pipeline.build(corpus, tmp_path / "out", use_cache=False)
    graph = Graph().parse(result.files["turtle"])
    doc = emit.document_iri("a.txt")
    assert graph.value(doc, DCTERMS.title) == Literal("某区上半年数字经济稳中有进", lang="zh")
    assert graph.value(doc, DCTERMS.issued) == Literal("2021-07-15", datatype=XSD.date)
    publisher = graph.value(doc, DCTERMS.publisher)
    assert str(graph.value(publisher, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))) == "某区融媒体中心"
    dated = [n for n in graph.subjects(RDF.type, KG.Assertion)] + [n for n in graph.subjects(RDF.type, KG.Observation)]
    assert dated and all(graph.value(n, DCTERMS.date) == Literal("2021-07-15", datatype=XSD.date) for n in dated)
    codes = {str(graph.value(n, KG.indicatorCode)).rsplit("/", 1)[-1] for n in graph.subjects(RDF.type, KG.Observation)}
    assert codes and "other" not in codes


def test_sources_seeds_have_titles_and_a_not_before_year(corpus_build):
    graph = Graph().parse(corpus_build.files["turtle"])
    docs = list(graph.subjects(RDF.type, KG.Document))
    assert len(docs) == 5 and all(graph.value(d, DCTERMS.title) for d in docs)
    # the seeds carry no date: each that reports a figure reached in a given year cannot be older
    years = {str(graph.value(d, KG.notBefore)) for d in docs if graph.value(d, KG.notBefore) is not None}
    assert len(years) >= 2 and years <= {"2021", "2022"}
    assert not any(graph.value(d, DCTERMS.issued) for d in docs)   # (the dataset description has its own)


@pytest.mark.parametrize("wording, unit, code", [
    ("温州市实现数字经济核心产业增加值", "亿元", "dex-core-value-added"),
    ("数字经济核心产业增加值增速", "%", "dex-core-value-added-growth"),
    ("数字经济核心产业增加值占地区生产总值比重", "%", "dex-core-value-added-gdp-share"),
    ("占全市地区生产总值比重的增速", "%", "growth"),
    ("力争实现2022年数字经济核心产业营收", "亿元", "dex-core-revenue"),
    ("数字经济企业营收", "亿元", "revenue"),          # 企业 is not what is counted in 亿元
    ("吸引某某等", "家", "enterprises"),
    ("已建成5G基站", "万个", "5g-base-stations"),
    ("规模以上工业企业数字化改造覆盖率", "%", "digitalisation-rate"),
    ("指标", "亿元", "other"),
])
def test_sources_indicator_codes(wording, unit, code):
    assert indicator_code(wording, unit) == code


def test_sources_unit_codes_and_the_lists():
    assert [unit_code(u) for u in ("亿元", "%", "万户", "GW", "P", "家", "平方公里")] == [
        "cny-100m", "percent", "households-10k", "gw", "pflops", "enterprises", ""]
    lists = code_lists()
    assert lists.units["cny-100m"].multiplier == 1e8 and lists.units["cny-100m"].base_unit == "cny"
    for key, code in lists.indicators.items():   # every growth concept has its quantity
        if key.endswith("-growth"):
            assert key.removesuffix("-growth") in lists.indicators and code.broader == "growth"
    qudt = {str(o) for o in lists.graph.objects(None, SKOS.exactMatch)}
    assert "http://qudt.org/vocab/unit/PERCENT" in qudt


FLAGSHIP = ("数字安防", "集成电路", "网络通信", "智能计算", "生物医药", "炼化一体化与新材料", "节能与新能源汽车",
            "智能装备", "智能家居", "现代纺织")


def test_sources_chain_reference_data_is_whole():
    ref = reference()
    g = ref.chain_graph
    chains = {next(str(o) for o in g.objects(c, SKOS.prefLabel) if o.language == "zh"): c
              for c in g.subjects(RDF.type, KG.IndustryChain)}
    assert set(FLAGSHIP) | {"智能光伏", "新型储能"} <= set(chains)
    taxonomy = {URIRef(i.iri) for i in ref.industries.values()}
    for name, chain in chains.items():
        segments = list(g.subjects(KG.segmentOf, chain))
        assert len(segments) >= 3, name
        ranks = sorted(int(g.value(s, KG.segmentRank)) for s in segments)
        assert ranks == list(range(1, len(segments) + 1)), name
        for s in segments:
            assert {o.language for o in g.objects(s, SKOS.prefLabel)} == {"zh", "en"}
            assert list(g.objects(s, KG.segmentTerm)) and g.value(s, KG.stage) is not None
            for later in g.objects(s, KG.upstreamOf):   # upstream of something further down only
                assert int(g.value(later, KG.segmentRank)) > int(g.value(s, KG.segmentRank))
        assert set(g.objects(chain, KG.includesIndustry)) <= taxonomy
        assert all(set(g.objects(s, KG.includesIndustry)) <= taxonomy for s in segments)
    terms = Counter(str(t) for t in g.objects(None, KG.segmentTerm))
    assert not [t for t, n in terms.items() if n > 3]   # a term that places things everywhere places nothing
