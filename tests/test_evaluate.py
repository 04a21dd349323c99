"""The scorer follows the Scoring rules of data/gold/ANNOTATION.md, case by case."""
from __future__ import annotations

from kg.build.evaluate import score


def E(name, cls, *aliases, doc="d.txt"):
    return {"doc": doc, "kind": "entity", "name": name, "aliases": list(aliases), "class": cls}


def R(s, p, o, doc="d.txt"):
    return {"doc": doc, "kind": "relation", "subject": s, "predicate": p, "object": o, "evidence": ""}


def O(region, value, unit, year=None, target=False, doc="d.txt"):
    return {"doc": doc, "kind": "observation", "region": region, "indicator": "x", "year": year,
            "value": value, "unit": unit, "target": target, "evidence": ""}


def overall(report, part):
    return report.overall(getattr(report, part))


def test_scorer_names_ignore_width_quotes_and_white_space():
    gold = [E("“一号发展工程”", "Policy"), E("ＡＩ产业园", "IndustrialPark")]
    pred = [E("一号发展工程", "Policy"), E("AI 产业园", "IndustrialPark")]
    assert overall(score(pred, gold), "entities").f1 == 1.0


def test_scorer_industry_names_drop_industry_suffixes():
    gold = [E("光电", "Industry")]
    assert overall(score([E("光电产业", "Industry")], gold), "entities").f1 == 1.0
    assert overall(score([E("光电产业链", "Industry")], gold), "entities").f1 == 1.0
    # the suffix rule is for industries only
    assert overall(score([E("光电产业", "Company")], [E("光电", "Company")]), "entities").f1 == 0.0


def test_scorer_entity_matches_through_any_name_and_needs_the_class():
    gold = [E("晶澳科技", "Company", "晶澳")]
    assert overall(score([E("晶澳", "Company")], gold), "entities").f1 == 1.0
    report = score([E("晶澳", "Industry")], gold)
    assert overall(report, "entities").f1 == 0.0
    assert report.entities_untyped.f1 == 1.0
    assert {e.cause for e in report.errors} == {"wrong class"}


def test_scorer_relations_match_through_entity_names():
    gold = [E("水晶光电", "Company"), E("光电", "Industry", "光电产业"), R("水晶光电", "leadsChain", "光电")]
    pred = [E("浙江水晶光电科技股份有限公司", "Company", "水晶光电"), E("光电产业", "Industry"),
            R("浙江水晶光电科技股份有限公司", "leadsChain", "光电产业")]
    assert overall(score(pred, gold), "relations").f1 == 1.0


def test_scorer_leads_chain_implies_in_industry_on_both_sides():
    gold = [R("甲", "leadsChain", "光伏")]
    report = score([R("甲", "inIndustry", "光伏")], gold)
    assert report.relations["inIndustry"].precision == 1.0      # implied by the gold leadsChain
    assert report.relations["leadsChain"].recall == 0.0
    report = score([R("甲", "leadsChain", "光伏")], [R("甲", "inIndustry", "光伏")])
    assert report.relations["inIndustry"].recall == 1.0         # implied by the extracted leadsChain
    assert report.relations["leadsChain"].precision == 0.0


def test_scorer_part_of_is_transitive_and_located_in_follows_it():
    gold = [R("婺城区", "partOf", "金华市"), R("金华市", "partOf", "浙江省"), R("海蜜", "locatedIn", "婺城区")]
    pred = [R("婺城区", "partOf", "浙江省"), R("海蜜", "locatedIn", "金华市"), R("海蜜", "locatedIn", "浙江省")]
    report = score(pred, gold)
    assert overall(report, "relations").precision == 1.0
    assert overall(report, "relations").recall == 0.0
    # nothing else is inferred: located in a county does not make a county part of it
    assert score([R("金华市", "partOf", "婺城区")], gold).relations["partOf"].precision == 0.0


def test_scorer_observations_compare_region_value_unit_target_and_year_when_both_have_one():
    gold = [E("金华市", "City", "金华"), O("金华市", 2182, "亿元", 2022)]
    assert score([O("金华", 2182, "亿元", 2022)], gold).observations.f1 == 1.0
    assert score([O("金华", 2182, "亿元", None)], gold).observations.f1 == 1.0   # year given on one side only
    assert score([O("金华", 2182, "亿元", 2021)], gold).observations.f1 == 0.0
    assert score([O("金华", 2182, "万元", 2022)], gold).observations.f1 == 0.0
    assert score([O("金华", 2182, "亿元", 2022, target=True)], gold).observations.f1 == 0.0
    assert score([O("温州", 2182, "亿元", 2022)], gold).observations.f1 == 0.0


def test_scorer_is_per_document_and_micro_averaged():
    gold = [E("金华市", "City", doc="a.txt"), E("温州市", "City", doc="b.txt"), E("台州市", "City", doc="b.txt")]
    pred = [E("金华市", "City", doc="b.txt"), E("温州市", "City", doc="b.txt")]
    report = score(pred, gold)
    total = overall(report, "entities")
    assert (total.matched_predicted, total.predicted, total.matched_gold, total.gold) == (1, 2, 1, 3)


def test_scorer_counts_identical_extracted_records_once():
    gold = [E("金华市", "City")]
    report = score([E("金华市", "City"), E("金华市", "City")], gold)
    assert overall(report, "entities").predicted == 1


def test_reading_records_names_the_line_and_field_that_break_the_schema(tmp_path):
    import pytest

    from kg.model.errors import KGError
    from kg.build.evaluate import read_jsonl

    path = tmp_path / "p.jsonl"
    path.write_text('{"doc": "a.txt", "kind": "entity", "name": "晶澳", "aliases": [], "class": "Company"}\n'
                    '{"doc": "a.txt", "kind": "observation", "region": "金华", "indicator": "GDP", "value": "many"}\n',
                    encoding="utf-8")
    with pytest.raises(KGError, match=r"p.jsonl:2: .*observation\.value"):
        read_jsonl(path)
    path.write_text('{"doc": "a.txt", "kind": "entity", "name": "晶澳", "class": "Company", "confidence": 0.9}\n',
                    encoding="utf-8")
    assert read_jsonl(path) == [{"doc": "a.txt", "kind": "entity", "name": "晶澳", "aliases": [],
                                 "class": "Company", "confidence": 0.9}]
