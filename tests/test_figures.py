"""Figures: values, units as written, years, targets and growth rates."""
from __future__ import annotations

from .helpers import extract_text, figures


def test_figures_value_unit_and_year():
    found = figures("2022年，温州市数字经济核心产业增加值达613.4亿元，同比增长12.5%。")
    assert ("温州市", 613.4, "亿元", 2022, False) in found
    assert ("温州市", 12.5, "%", 2022, False) in found


def test_figures_growth_rate_indicator_ends_in_zengsu():
    extraction = extract_text("2022年，温州市软件业务收入达100亿元，同比增长8%。")
    growth = [f for f in extraction.figures if f.unit == "%"]
    assert growth and growth[0].indicator.endswith("增速")


def test_figures_units_as_written():
    found = figures("截至目前，舟山累计建成5G基站1.2万个，用户达80.5万户，算力总量达0.5EFLOPS。")
    assert {("舟山", 1.2, "万个", None, False), ("舟山", 80.5, "万户", None, False),
            ("舟山", 0.5, "EFLOPS", None, False)} <= found


def test_figures_targets():
    found = figures("衢州市力争到2025年数字经济核心产业营业收入突破800亿元。")
    assert ("衢州市", 800.0, "亿元", 2025, True) in found


def test_figures_thousand_billion_goal():
    assert ("台州市", 1000.0, "亿元", None, True) in figures("台州市力争打造一个千亿级汽车产业集群。")


def test_figures_ranks_and_percentage_points_are_not_figures():
    found = figures("2022年，绍兴市增速居全省第2位，高于全省平均5.1个百分点。")
    assert found == set()


def test_figures_of_a_company_are_not_the_regions():
    found = figures("远东精工是一家机械企业，公司产值从2020年的5亿元升至2022年的9亿元。")
    assert found == set()


def test_figures_quoted_company_speech_is_the_companys():
    text = "“今年我们计划交付3万台。”远东精工相关负责人说。"
    assert figures(text) == set()


def test_figures_threshold_passed_is_not_the_figure():
    found = figures("2022年，湖州数字经济核心产业营收首破800亿元，达856亿元。")
    assert {f[1] for f in found} == {856.0}


def test_figures_a_count_of_firms_beside_a_leader_is_the_regions():
    # 以某某为核心、N家…企业: the firms counted are the cluster's, not the leader's own figure
    found = figures("走进磁性材料领军企业——远东磁业，车间繁忙。丽水市做强磁性材料，培育以远东磁业为核心、80余家磁性材料企业为重点的企业集群。")
    assert any(region in ("丽水市", "丽水") and value == 80.0 and unit == "家" for region, value, unit, _, _ in found)
    assert figures("由远东磁业投资10亿元建设的项目开工。") == set()
