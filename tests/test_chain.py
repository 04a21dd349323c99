"""kg chain: leaders first, narrower industries included, places and quotes, city filter, errors."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kg.serve.chain import chain
from kg.cli import app
from kg.model.errors import UnknownIndustryError
from kg.serve.store import open_store


@pytest.fixture(scope="module")
def store(graph_dir):
    return open_store(graph_dir, "rdflib")


def test_chain_includes_narrower_industries_and_puts_leaders_first(store):
    result = chain(store, "光伏")
    assert [c.name for c in result.companies] == ["甲光伏", "乙能源"]
    assert [c.leader for c in result.companies] == [True, False]
    assert result.industries == ["光伏", "智能光伏"]


def test_chain_gives_county_city_and_evidence(store):
    leader = chain(store, "智能光伏").companies[0]
    assert leader.counties == ["东阳市"] and leader.cities == ["金华市"]
    assert leader.evidence == [("甲光伏为龙头的智能光伏", "a.txt")]


def test_chain_by_iri_and_narrowed_to_a_city(store):
    by_iri = chain(store, "https://w3id.org/zjkg/id/industry/photovoltaics")
    assert [c.name for c in by_iri.companies] == ["甲光伏", "乙能源"]
    assert [c.name for c in chain(store, "光伏", city="台州").companies] == ["乙能源"]


def test_chain_unknown_industry_lists_the_closest(store):
    with pytest.raises(UnknownIndustryError) as error:
        chain(store, "光伏玻璃")
    assert "光伏" in str(error.value)


def test_chain_on_the_corpus_names_the_photovoltaic_leaders_with_quotes(corpus_build):
    store = open_store(corpus_build.files["nquads"].parent)
    result = chain(store, "智能光伏")
    assert {"晶澳科技", "爱旭太阳能", "晶科能源"} <= {c.name for c in result.leaders}
    assert all(c.evidence for c in result.leaders)
    output = CliRunner().invoke(app, ["chain", "智能光伏", "--build", str(corpus_build.files["nquads"].parent)])
    assert output.exit_code == 0 and "★ 晶澳科技" in output.output and "000_e2287a8c5824cdbc.txt" in output.output
