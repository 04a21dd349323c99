"""Entity resolution: short and full names, places, industries, ambiguity, stable canonical names."""
from __future__ import annotations

from dataclasses import replace

from kg.build import emit
from kg.build.resolve import resolve
from kg.build.validate import validate_document

from .helpers import extract_text


def resolved(*texts: str):
    return resolve([extract_text(t, f"d{i}.txt") for i, t in enumerate(texts)])


def iri_of(entities, name):
    return {e.iri for e in entities.values() if name in e.names}


def test_resolve_short_and_full_company_names_are_one_entity_across_documents():
    entities, _ = resolved("浙江远东精工科技股份有限公司相关负责人说。", "远东精工、海晨船舶等龙头企业纷纷布局。")
    assert iri_of(entities, "远东精工") == iri_of(entities, "浙江远东精工科技股份有限公司")
    entity = entities[next(iter(iri_of(entities, "远东精工")))]
    assert entity.name == "浙江远东精工科技股份有限公司"


def test_resolve_a_zone_and_its_abbreviations_are_one_entity():
    entities, _ = resolved("浙江德清经济开发区成立于上世纪九十年代。", "德清经开区新增企业三十家。", "德清开发区订单翻番。")
    iris = iri_of(entities, "浙江德清经济开发区")
    assert iris and iri_of(entities, "德清经开区") == iris == iri_of(entities, "德清开发区")


def test_resolve_a_programme_goes_by_its_quoted_part_too():
    entities, _ = resolved("德清县全面实施“数智万家”行动，推动企业上云。")
    programme = next(e for e in entities.values() if e.label == "Policy")
    assert {"数智万家"} < set(programme.names)


def test_resolve_places_to_the_administrative_reference():
    entities, _ = resolved("义乌小商品市场繁荣。")
    place = entities[next(iter(iri_of(entities, "义乌")))]
    assert place.iri.endswith("/place/330782") and place.name == "义乌市" and place.parent.endswith("/place/330700")


def test_resolve_industry_aliases_to_the_taxonomy():
    entities, _ = resolved("做强影视、集成电路2大产业。", "数字影视产业发展迅速。")
    assert iri_of(entities, "影视") == iri_of(entities, "数字影视")
    assert next(iter(iri_of(entities, "影视"))).endswith("/industry/digital-film-tv")


def test_resolve_a_short_name_two_companies_share_stays_apart():
    entities, _ = resolved("正威国际、正威电子、正威等企业纷纷布局。")
    assert len(iri_of(entities, "正威国际") | iri_of(entities, "正威电子")) == 2
    assert iri_of(entities, "正威") not in (iri_of(entities, "正威国际"), iri_of(entities, "正威电子"))


def test_resolve_canonical_names_do_not_depend_on_document_order():
    a, b = "远东精工相关负责人说。", "浙江远东精工科技股份有限公司发布年报。"
    first, _ = resolved(a, b)
    second, _ = resolved(b, a)
    assert {e.iri: e.name for e in first.values()} == {e.iri: e.name for e in second.values()}


def test_resolve_an_extracted_industry_goes_under_the_taxonomy_concepts_it_names():
    from kg.build.resolve import _broader_concepts
    from kg.model.reference import reference

    ind = "https://w3id.org/zjkg/id/industry/"
    ref = reference()
    assert _broader_concepts("智能光伏组件", ref) == (ind + "smart-pv",)
    assert _broader_concepts("工业软件和集成电路", ref) == (ind + "industrial-software", ind + "integrated-circuits")
    assert _broader_concepts("新能源动力电池生产", ref) == (ind + "power-batteries",)   # 新能源 is above it already
    assert _broader_concepts("及零部件", ref) == ()


def test_resolve_two_figures_of_one_cell_of_the_data_cube_become_one_observation():
    """Two figures of one region, indicator, year and unit (a growth rate of the whole county
    and of one trade, the trade not read) are one cell: Data Cube IC-12 allows one observation."""
    extraction = extract_text("2023年，德清县数字经济核心产业增加值达到120亿元，同比增长8.5%。", "a.txt")
    growth = next(f for f in extraction.figures if f.unit == "%")
    weaker = replace(growth, value=31.2, confidence=growth.confidence - 0.1)
    extraction = replace(extraction, figures=(*extraction.figures, weaker),
                         document=replace(extraction.document, title="德清县数字经济"))
    entities, (document,) = resolve([extraction])
    rates = [o for o in document.observations if o.unit == "%"]
    assert [o.value for o in rates] == [8.5]
    triples = emit.document_triples(document, entities)
    assert validate_document(triples, "a.txt").conforms
