"""kg place, kg compare and kg figures on a hand-written graph: each view's rows, tables, files."""
from __future__ import annotations

import csv
import io
import json
import warnings

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.serve.figures import chart, cjk_font, series, series_frame
from kg.serve.place import compare, compare_frame, place, place_frames
from kg.serve.store import open_store


@pytest.fixture(scope="module")
def store(chains_dir):
    return open_store(chains_dir, "oxigraph")


def test_place_profile_rows(store):
    view = place(store, "绍兴")
    assert (view.name, view.cls, view.parents) == ("绍兴市", "City", ["浙江省"])
    [row] = view.chains
    assert (row.chain, row.prioritised_by, row.industries) == ("集成电路", ["绍兴市"], ["集成电路"])
    assert (row.segments, row.covered, row.gaps, row.companies, row.leaders) == (3, ["材料"], ["设计", "封装测试"], 2,
                                                                                  ["甲微电子"])
    assert [(e.name, e.industries) for e in view.leaders] == [("甲微电子", ["集成电路"])]
    assert [(e.name, e.cls) for e in view.platforms] == [("上虞集成电路产业园", "IndustrialPark")]
    assert [(p.name, p.by, p.targets, p.quote.text) for p in view.programmes] == [
        ("芯片行动", ["绍兴市"], ["集成电路"], "绍兴实施芯片行动")]
    # the latest actual figure and the latest target, the code read from the graph or the wording
    assert [(p.indicator, p.kind, p.year, p.value) for p in view.figures] == [
        ("dex-core-value-added", "actual", 2022, 120.0), ("dex-core-value-added", "target", 2025, 200.0)]
    assert [s.doc for s in view.figures[0].sources] == ["b.txt", "c.txt"]


def test_place_frames_and_as_of(store):
    tables = place_frames(place(store, "绍兴"))
    assert list(tables) == ["chains", "leaders", "platforms", "programmes", "figures"]
    assert tables["chains"][["chain", "covered", "gaps"]].values.tolist() == [["集成电路", "材料", "设计、封装测试"]]
    earlier = place(store, "绍兴", as_of="2022-12-31")
    assert earlier.leaders == [] and earlier.programmes == []
    assert [(p.year, p.value, [s.doc for s in p.sources]) for p in earlier.figures] == [(2022, 120.0, ["b.txt"])]


def test_compare_puts_places_on_the_same_rows(store):
    result = compare(store, ["绍兴", "杭州"])
    assert result.places == ["绍兴市", "杭州市"]
    rows = {(r["section"], r["row"]): (r["绍兴市"], r["杭州市"]) for r in result.rows}
    assert rows[("overview", "leaders")] == ("1", "1")
    assert rows[("overview", "parks")] == ("1", "0")
    assert rows[("chain", "集成电路")] == ("2 co., 1/3 seg., ★甲微电子 · priority", "2 co., 1/3 seg., ★丙芯片设计 · priority")
    assert rows[("figure", "数字经济核心产业增加值")] == ("120 亿元 (2022)", "—")
    assert rows[("programme", "芯片行动")] == ("✓", "—")
    assert list(compare_frame(result).columns) == ["section", "row", "绍兴市", "杭州市"]


def test_compare_cli_needs_two_places_and_writes_json(chains_dir):
    one = CliRunner().invoke(app, ["compare", "绍兴", "--build", str(chains_dir)])
    assert one.exit_code == 2 and "two places or more" in one.output
    both = CliRunner().invoke(app, ["compare", "绍兴", "杭州", "--build", str(chains_dir), "--json"])
    assert json.loads(both.output)["places"] == ["绍兴市", "杭州市"]


def test_figures_series_keep_actual_and_target_apart_and_merge_copies(store):
    result = series(store, "绍兴")
    rows = [(p.region, p.indicator, p.year, p.kind, p.value, len(p.sources)) for p in result.points]
    assert rows == [("绍兴市", "dex-core-value-added", 2021, "actual", 100.0, 1),
                    ("绍兴市", "dex-core-value-added", 2022, "actual", 120.0, 2),   # stated by b and c: one point
                    ("绍兴市", "dex-core-value-added", 2025, "target", 200.0, 1),
                    ("上虞区", "dex-core-value-added-growth", 2022, "actual", 12.0, 1)]
    lines = result.lines()
    assert [p.year for p in lines[("dex-core-value-added", "绍兴市", "actual", "亿元")]] == [2021, 2022]
    assert [p.indicator for p in series(store, "绍兴", "增速").points] == ["dex-core-value-added-growth"]
    assert series_frame(result)["kind"].tolist() == ["actual", "actual", "target", "actual"]


def test_figures_chart_draws_chinese_with_the_installed_cjk_font(store, tmp_path):
    family = cjk_font()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = chart(series(store, "绍兴"), tmp_path / "shaoxing.png")
        svg = chart(series(store, "绍兴"), tmp_path / "shaoxing.svg")
    assert not [w for w in caught if "missing from font" in str(w.message)], family
    assert png.read_bytes().startswith(b"\x89PNG") and b"<svg" in svg.read_bytes()


def test_figures_cli_table_csv_and_unknown_indicator(chains_dir, tmp_path):
    out = tmp_path / "f.csv"
    result = CliRunner().invoke(app, ["figures", "绍兴", "--build", str(chains_dir), "--csv", str(out), "--bom"])
    assert result.exit_code == 0, result.output
    assert "绍兴市: 4 figures, 2 indicators" in result.output
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert [r["year"] for r in rows] == ["2021", "2022", "2025", "2022"]
    bad = CliRunner().invoke(app, ["figures", "绍兴", "--build", str(chains_dir), "--indicator", "利润"])
    assert bad.exit_code == 2 and "it has: 数字经济核心产业增加值" in bad.output


def test_place_compare_figures_on_the_seeds(corpus_build, tmp_path):
    build = str(corpus_build.files["nquads"].parent)
    profile = CliRunner().invoke(app, ["place", "金华", "--build", build])
    assert profile.exit_code == 0 and "智能光伏" in profile.output and "★ 晶澳科技" in profile.output
    side = CliRunner().invoke(app, ["compare", "金华", "台州", "--build", build])
    assert side.exit_code == 0 and "金华市" in side.output and "台州市" in side.output
    figures = CliRunner().invoke(app, ["figures", "金华", "--build", build, "--chart", str(tmp_path / "j.png")])
    assert figures.exit_code == 0 and "数字经济核心产业增加值" in figures.output
    assert (tmp_path / "j.png").stat().st_size > 10_000
