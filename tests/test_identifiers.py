"""The IRI policy (README "Data model"): codes for places, IRIs that survive fuller names,
merges and renamed files, aliases that keep resolving, and IRI segments no server alters."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import replace

import pytest
from rdflib import Dataset, URIRef
from rdflib.namespace import OWL

from kg.build import emit, pipeline
from kg.build.identifiers import Candidate, Identifier, assign
from kg.model.reference import reference
from kg.model.vocab import ID, iri_segment

from .helpers import kg_serve

JINKO_FULL = "晶科能源股份有限公司落户嘉兴市。\n"
JINKO_SHORT = "嘉兴市引进晶科能源、天合光能等企业。\n"


def company_names(result) -> dict[str, set[str]]:
    """The built graph's companies named 晶科…: IRI → every name the graph gives it."""
    from rdflib import Graph, Literal
    from rdflib.namespace import RDF

    from kg.model.vocab import KG

    graph = Graph().parse(result.files["turtle"], format="turtle")
    companies = {str(s): {str(o) for o in graph.objects(s) if isinstance(o, Literal)}
                 for s in graph.subjects(RDF.type, KG.Company)}
    return {iri: names for iri, names in companies.items() if any("晶科" in n for n in names)}


def company_iris(result) -> set[str]:
    return set(company_names(result))


def test_places_are_named_by_codes_never_by_names():
    places = reference().places.values()
    assert len(places) > 250
    for place in places:
        assert str(place.iri) == str(ID["place/" + place.code])
        assert place.code.isascii() and (place.code_kind or place.code.startswith("x-") or "-x-" in place.code), place
    kinds = {p.code_kind for p in places}
    assert kinds == {"gb2260", "division", "iso3166", "unlocode", ""}
    codes = {p.name: p.code for p in places}
    assert codes["南京"] == "320100" and codes["美国"] == "US" and codes["东京"] == "JPTYO" and codes["横店镇"] == "330783123"


def test_an_entity_keeps_its_iri_when_a_later_article_gives_a_fuller_name(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(JINKO_SHORT, encoding="utf-8")
    first = company_iris(pipeline.build(corpus, out, use_cache=False))
    (corpus / "b.txt").write_text(JINKO_FULL, encoding="utf-8")
    second = pipeline.build(corpus, out, use_cache=False)
    assert company_iris(second) == first == {str(ID["company/晶科能源"])}
    names = company_names(second)[str(ID["company/晶科能源"])]
    assert "晶科能源股份有限公司" in names


def test_an_entity_keeps_its_iri_when_a_later_article_gives_a_shorter_name(tmp_path):
    """The fresh build would mint from the shortest name (晶科能源); the registry of the earlier
    build keeps the IRI it published."""
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(JINKO_FULL, encoding="utf-8")
    first = company_iris(pipeline.build(corpus, out, use_cache=False))
    assert first == {str(ID["company/晶科能源股份有限公司"])}
    (corpus / "b.txt").write_text(JINKO_SHORT, encoding="utf-8")
    assert company_iris(pipeline.build(corpus, out, use_cache=False)) == first
    assert company_iris(pipeline.build(corpus, tmp_path / "fresh", use_cache=False)) == {str(ID["company/晶科能源"])}
    registry = json.loads((out / "identifiers.json").read_text(encoding="utf-8"))["identifiers"]
    assert [r["iri"] for r in registry if "晶科" in r["iri"]] == sorted(first)


def _identifier(iri: str, names: set[str], seq: int) -> Identifier:
    return Identifier(iri, "Company", frozenset(names), min(names, key=len), "", seq)


def test_programmes_that_share_a_quoted_name_keep_their_iris_on_a_rebuild(tmp_path):
    """Two programmes known by the same quoted core (“数智强县”): the core names neither, so a
    second build into the folder finds each one's IRI again instead of minting new ones."""
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text("龙泉市出台《龙泉市“数智强县”三年行动计划》。\n", encoding="utf-8")
    (corpus / "b.txt").write_text("庆元县实施“数智强县”提升工程。\n", encoding="utf-8")
    first = pipeline.build(corpus, out, use_cache=False).files["nquads"].read_bytes()
    assert first.count(b"/id/policy/") > 0
    assert pipeline.build(corpus, out, use_cache=False).files["nquads"].read_bytes() == first


def test_a_merge_keeps_the_older_iri_and_makes_the_other_its_alias():
    previous = {i.iri: i for i in (_identifier("id/company/a", {"甲"}, 1), _identifier("id/company/b", {"甲乙"}, 2))}
    merged = Candidate(("Company", "甲乙"), "Company", frozenset({"甲", "甲乙"}), "id/company/甲", "甲")
    chosen, registry = assign([merged], previous)
    assert chosen[merged.key] == ("id/company/a", frozenset({"id/company/b"}))
    assert registry["id/company/b"].same_as == "id/company/a" and not registry["id/company/a"].same_as
    assert registry["id/company/a"].names == {"甲", "甲乙"}
    # An alias of an alias points to where its target points now.
    again, registry = assign([replace(merged, names=frozenset({"甲", "甲乙", "丙"}))],
                             {**registry, "id/company/c": replace(_identifier("id/company/c", {"丙"}, 0), same_as="id/company/b")})
    assert registry["id/company/c"].same_as == "id/company/a"


def test_a_split_gives_the_iri_to_the_entity_that_keeps_its_first_name():
    previous = {"id/company/a": _identifier("id/company/a", {"甲", "甲乙"}, 1)}
    short = Candidate(("Company", "甲"), "Company", frozenset({"甲"}), "id/company/甲", "甲")
    long = Candidate(("Company", "甲乙"), "Company", frozenset({"甲乙"}), "id/company/甲乙", "甲乙")
    chosen, _ = assign([long, short], previous)
    assert chosen[short.key][0] == "id/company/a" and chosen[long.key][0] == "id/company/甲乙"


def test_a_new_entity_never_takes_an_iri_an_earlier_build_gave_another():
    previous = {"id/company/甲": replace(_identifier("id/company/甲", {"别的"}, 1), minted_from="甲")}
    new = Candidate(("Company", "甲"), "Company", frozenset({"甲"}), "id/company/甲", "甲")
    chosen, _ = assign([new], previous)
    assert chosen[new.key][0] == "id/company/甲-2"


def test_reference_iris_win_and_extracted_ones_become_their_aliases():
    previous = {"id/extracted-industry/光伏": _identifier("id/extracted-industry/光伏", {"光伏"}, 1)}
    concept = Candidate(("industry", "photovoltaics"), "Company", frozenset({"光伏"}), "id/industry/photovoltaics", "",
                        fixed=True)
    chosen, registry = assign([concept], previous)
    assert chosen[concept.key] == ("id/industry/photovoltaics", frozenset({"id/extracted-industry/光伏"}))
    assert registry["id/extracted-industry/光伏"].same_as == "id/industry/photovoltaics"
    assert "id/industry/photovoltaics" not in registry   # reference IRIs are fixed by the reference data


def _merged_build(tmp_path):
    """A build in which two IRIs of an earlier build turn out to be one company."""
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(JINKO_SHORT + JINKO_FULL, encoding="utf-8")
    out.mkdir()
    rows = [{"iri": str(ID["company/晶科旧名"]), "class": "Company", "names": ["晶科能源"], "minted_from": "晶科能源",
             "same_as": "", "seq": 1},
            {"iri": str(ID["company/晶科全称"]), "class": "Company", "names": ["晶科能源股份有限公司"],
             "minted_from": "晶科能源股份有限公司", "same_as": "", "seq": 2}]
    (out / "identifiers.json").write_text(json.dumps({"version": 1, "identifiers": rows}, ensure_ascii=False),
                                          encoding="utf-8")
    return pipeline.build(corpus, out, use_cache=False)


def test_a_merged_iri_is_stated_owl_same_as_in_the_graph(tmp_path):
    result = _merged_build(tmp_path)
    assert company_iris(result) == {str(ID["company/晶科旧名"])}
    data = Dataset()
    data.parse(result.files["nquads"], format="nquads")
    assert (URIRef(ID["company/晶科全称"]), OWL.sameAs, URIRef(ID["company/晶科旧名"])) in data.graph(emit.graph_iri("a.txt"))


@pytest.mark.slow
def test_the_server_redirects_an_alias_to_the_entity(tmp_path):
    result = _merged_build(tmp_path)
    with kg_serve("--build", str(result.files["nquads"].parent)) as base:

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as moved:
            opener.open(base + "/id/company/" + urllib.parse.quote("晶科全称") + "?format=turtle", timeout=30)
        assert moved.value.code == 301
        assert moved.value.headers["Location"] == "/id/company/" + urllib.parse.quote("晶科旧名") + "?format=turtle"
        with urllib.request.urlopen(base + "/id/company/" + urllib.parse.quote("晶科全称"), timeout=30) as page:
            assert page.status == 200 and "晶科能源股份有限公司" in page.read().decode("utf-8")


def test_fact_and_observation_iris_depend_on_the_content_not_the_file_name_or_offsets(tmp_path):
    from kg.build.resolve import observation_key

    corpus_a, corpus_b = tmp_path / "a", tmp_path / "b"
    for folder, name in ((corpus_a, "one.txt"), (corpus_b, "renamed.txt")):
        folder.mkdir()
        (folder / name).write_text("# 丽水\n\n丽水市重点发展半导体产业。2022年，丽水市数字经济核心产业增加值达到100亿元。\n",
                                   encoding="utf-8")
    a = pipeline.extract(corpus_a).resolved[0]
    b = pipeline.extract(corpus_b).resolved[0]
    digest = a.document.content_hash
    assert a.facts and a.observations
    assert [emit.fact_iri(digest, f) for f in a.facts] == [emit.fact_iri(b.document.content_hash, f) for f in b.facts]
    assert [emit.observation_iri(digest, o) for o in a.observations] == \
        [emit.observation_iri(b.document.content_hash, o) for o in b.observations]
    moved = replace(a.observations[0], start=a.observations[0].start + 5, end=a.observations[0].end + 5)
    assert emit.observation_iri(digest, moved) == emit.observation_iri(digest, a.observations[0])
    assert observation_key(moved) == observation_key(a.observations[0])


@pytest.mark.parametrize("rule", ["leader-list", "figure-growth", "reference-gb2260", "context-section-place",
                                  "pattern:leader-list", "a/b", "..", ".", "%2F", "x y", "a~b", "a_b", "中文规则",
                                  "a\nb", "?#", "\\"])
def test_extractor_iris_are_one_safe_segment_for_any_rule_id(rule):
    iri = str(emit.extractor_iri(rule))
    segment = iri.removeprefix(str(ID["extractor/"]))
    assert "/" not in segment and "%" not in segment and segment not in (".", "..")
    assert urllib.parse.urlsplit(iri).path.endswith("/extractor/" + segment)
    assert all(ch.isalnum() or ch in "-._~" for ch in segment), segment
    if rule.replace("-", "").isalnum() and rule.isascii() and rule.islower():
        assert segment == rule   # a rule id is its own IRI segment


def test_iri_segments_are_injective():
    texts = ["a/b", "a~2Fb", "a~b", "a~7Eb", "..", "~2E~2E", "x y", "x~20y", "中文", "a_b"]
    assert len({iri_segment(t) for t in texts}) == len(texts)


def test_a_minted_iri_never_takes_the_iri_of_a_reference_entity_the_corpus_does_not_name():
    """某“甲”试点 minted from its quoted core 甲 would take the listed programme 甲's IRI."""
    pilot = Candidate(("policy", "某甲试点"), "Policy", frozenset({"某甲试点", "甲"}), "id/policy/甲", "甲")
    chosen, _ = assign([pilot], {}, reserved=frozenset({"id/policy/甲"}))
    assert chosen[pilot.key][0] == "id/policy/甲-2"
