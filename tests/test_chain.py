"""kg chain: segments in order, companies placed by taxonomy, industry name, trade and park; leaders
first; gaps with ranked candidates; quotes with all their documents; as of a date; tables and files."""
from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.model.errors import UnknownIndustryError
from kg.serve.chain import Placer, chain, chain_frames
from kg.serve.lookup import ChainDef, SegmentDef
from kg.serve.store import open_store


@pytest.fixture(scope="module", params=["rdflib", "oxigraph"])
def store(chains_dir, request):
    return open_store(chains_dir, request.param)


def names(entries):
    return [e.name for e in entries]


def test_chain_segments_in_order_with_their_companies_in_a_city(store):
    view = chain(store, "集成电路", city="绍兴")
    assert [(s.stage, s.name) for s in view.segments] == [("上游", "材料"), ("中游", "设计"), ("中游", "封装测试")]
    materials, design, packaging = view.segments
    assert names(materials.companies) == ["甲微电子", "乙光刻胶"]           # the leader first
    assert [(e.role, e.placed_by) for e in materials.companies] == [
        ("leader", ["taxonomy: 半导体材料"]), ("trade", ["name: 光刻胶"])]
    assert materials.companies[0].counties == ["上虞区"] and materials.companies[0].cities == ["绍兴市"]
    assert materials.feeds == ["设计"] and not materials.gap
    assert [(p.name, p.placed_by) for p in materials.platforms] == [("上虞集成电路产业园", ["hosts 乙光刻胶"])]
    assert names(view.unplaced_platforms) == ["上虞集成电路产业园"]     # in the chain's industry, on no segment


def test_chain_gaps_list_candidates_elsewhere_ranked_by_leader_status_and_evidence(store):
    view = chain(store, "集成电路", city="绍兴")
    assert [s.name for s in view.gaps] == ["设计", "封装测试"]
    design, packaging = view.gaps
    assert names(design.candidates) == ["丙芯片设计", "丁科技"]
    assert [c.role for c in design.candidates] == ["leader", "member"]
    assert design.candidates[0].cities == ["杭州市"] and len(design.candidates[0].quotes) == 2
    assert design.candidates[1].placed_by == ["industry 芯片设计服务: 芯片设计"]
    assert names(packaging.candidates) == ["戊封测"] and packaging.candidates[0].where == ""
    assert chain(store, "集成电路", city="绍兴", candidates=1).gaps[0].candidates[0].name == "丙芯片设计"
    assert len(chain(store, "集成电路", city="绍兴", candidates=1).gaps[0].candidates) == 1


def test_chain_without_a_city_has_every_company_and_no_candidates(store):
    view = chain(store, "芯片产业链")     # an alternative name of the chain
    assert view.name == "集成电路" and not view.gaps
    assert [names(s.companies) for s in view.segments] == [["甲微电子", "乙光刻胶"], ["丙芯片设计", "丁科技"], ["戊封测"]]
    assert all(not s.candidates for s in view.segments)
    assert names(view.leaders) == ["丙芯片设计", "甲微电子"]


def test_chain_quote_stated_by_a_syndicated_copy_lists_both_documents_once(store):
    leader = chain(store, "集成电路", city="绍兴").segments[0].companies[0]
    texts = [q.text for q in leader.quotes]
    assert texts.count("甲微电子是集成电路龙头") == 1
    quote = next(q for q in leader.quotes if q.text == "甲微电子是集成电路龙头")
    assert [(s.doc, s.title, s.date) for s in quote.sources] == [("a.txt", "绍兴芯片报道", "2023-03-01"),
                                                                 ("c.txt", "绍兴芯片报道（转载）", "2023-03-02")]


def test_chain_as_of_a_date_keeps_only_what_was_said_by_then(store):
    view = chain(store, "集成电路", city="绍兴", as_of="2022-12-31")
    # documents a and c are of 2023; b is undated but reports 2022, so it counts
    assert names(view.segments[0].companies) == ["乙光刻胶"]
    assert view.segments[0].companies[0].quotes[0].sources[0].when == "≥2022"


def test_chain_reached_by_a_taxonomy_industry_and_unknown_names_suggest_chains(store):
    assert chain(store, "半导体材料").segments[0].name == "材料"
    with pytest.raises(UnknownIndustryError) as error:
        chain(store, "芯片封装")
    assert "芯片产业链" in str(error.value)


def test_chain_frames_have_one_row_per_company_and_segment(store):
    tables = chain_frames(chain(store, "集成电路", city="绍兴"))
    assert list(tables) == ["segments", "companies", "platforms", "gaps"]
    assert tables["segments"][["segment", "companies", "gap"]].values.tolist() == [
        ["材料", 2, False], ["设计", 0, True], ["封装测试", 0, True]]
    assert tables["companies"][["segment", "name", "role"]].values.tolist() == [
        ["材料", "甲微电子", "leader"], ["材料", "乙光刻胶", "trade"]]
    assert tables["gaps"][["segment", "name", "city"]].values.tolist() == [
        ["设计", "丙芯片设计", "杭州市"], ["设计", "丁科技", "杭州市"], ["封装测试", "戊封测", ""]]


def test_chain_cli_writes_csv_for_excel_and_a_workbook(chains_dir, tmp_path):
    import openpyxl

    out, book = tmp_path / "chain.csv", tmp_path / "chain.xlsx"
    result = CliRunner().invoke(app, ["chain", "集成电路", "--city", "绍兴", "--build", str(chains_dir),
                                      "--csv", str(out), "--view", "gaps", "--bom", "--xlsx", str(book)])
    assert result.exit_code == 0, result.output
    assert "中游 · 设计 (Design): gap — nobody in 绍兴市; candidates elsewhere:" in result.output
    assert "→ 丙芯片设计  [leader]  滨江区、杭州市  (name: 芯片设计)" in result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")          # Excel reads UTF-8 only with a BOM
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["name"] for r in rows] == ["丙芯片设计", "丁科技", "戊封测"] and rows[0]["role"] == "candidate"
    workbook = openpyxl.load_workbook(book)
    assert workbook.sheetnames == ["segments", "companies", "platforms", "gaps"]
    assert [c.value for c in workbook["companies"][2]][3:6] == ["材料", "甲微电子", "leader"]
    plain = tmp_path / "plain.csv"
    CliRunner().invoke(app, ["chain", "集成电路", "--build", str(chains_dir), "--csv", str(plain)])
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")


def test_chain_cli_json_and_bad_view(chains_dir, tmp_path):
    result = CliRunner().invoke(app, ["chain", "集成电路", "--city", "绍兴", "--build", str(chains_dir), "--json"])
    data = json.loads(result.output)
    assert [s["name"] for s in data["segments"]] == ["材料", "设计", "封装测试"]
    assert data["segments"][1]["candidates"][0]["quotes"][0]["sources"][0]["doc"] == "b.txt"
    bad = CliRunner().invoke(app, ["chain", "集成电路", "--build", str(chains_dir), "--csv", str(tmp_path / "x.csv"),
                                   "--view", "nope"])
    assert bad.exit_code == 2 and "--view takes one of segments, companies, platforms, gaps" in bad.output


def test_placer_prefers_the_longer_term_and_places_by_the_taxonomy():
    segments = [SegmentDef("s:wafer", "c:ic", "材料", "", 1, "上游", ("半导体硅片",)),
                SegmentDef("s:pv", "c:pv", "硅片", "", 1, "上游", ("硅片",), ("ind:si",))]
    chains = {"c:ic": ChainDef("c:ic", "集成电路", "", ("集成电路",), (), segments[:1]),
              "c:pv": ChainDef("c:pv", "光伏", "", ("光伏",), (), segments[1:])}
    placer = Placer(chains, {"ind:si": "硅材料", "ind:mono": "单晶"}, {"ind:si": {"ind:si"}, "ind:mono": {"ind:mono", "ind:si"}})
    assert placer.by_name("某半导体硅片公司", "name").segments == {"s:wafer": "name: 半导体硅片"}
    assert placer.by_name("某硅片公司", "name").segments == {"s:pv": "name: 硅片"}
    assert placer.by_name("某光伏公司", "name").chains == {"c:pv"} and not placer.by_name("某光伏公司", "name").segments
    assert placer.industry("ind:mono").segments == {"s:pv": "taxonomy: 单晶"}      # through skos:broader


def test_chain_on_the_seeds_fills_the_new_energy_chain_of_wenzhou(corpus_build):
    """The README example that printed "0 companies": 温州's new-energy companies come through
    their projects and the park that hosts them."""
    store = open_store(corpus_build.files["nquads"].parent)
    view = chain(store, "新能源", city="温州")
    assert {"新型储能", "智能光伏"} <= {name for _, name, _ in view.chains}
    assert len(view.companies) >= 2 and all(c.quotes for c in view.companies)
    assert view.gaps
    pv = chain(store, "智能光伏")
    assert {"晶澳科技", "爱旭太阳能", "晶科能源"} <= set(names(pv.leaders))
    output = CliRunner().invoke(app, ["chain", "智能光伏", "--build", str(corpus_build.files["nquads"].parent)])
    assert output.exit_code == 0 and "★ 晶澳科技" in output.output and "000_e2287a8c5824cdbc.txt" in output.output
