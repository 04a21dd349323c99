"""Each family of relation patterns on small hand-written sentences (none copied from the seeds)."""
from __future__ import annotations

from .helpers import extract_text, relations


def test_relations_located_in_and_hosted_by_a_park():
    found = relations("位于平湖经济技术开发区的浙江远东精工有限公司是一家汽车零部件企业。")
    assert ("平湖经济技术开发区", "hosts", "浙江远东精工有限公司") in found
    assert ("浙江远东精工有限公司", "inIndustry", "汽车零部件") in found
    # 平湖 is named only inside the park's name: no entity of the document, no place of the firm
    assert not any(o == "平湖" for _, _, o in found)


def test_relations_a_hosted_firm_is_where_its_park_is():
    found = relations("平湖市近年来招商成效明显。位于平湖经济技术开发区的浙江远东精工有限公司订单翻番。")
    places = {"平湖", "平湖市"}   # one entity: the county-level city
    assert any(s == "平湖经济技术开发区" and p == "locatedIn" and o in places for s, p, o in found)
    assert any(s == "浙江远东精工有限公司" and p == "locatedIn" and o in places for s, p, o in found)


def test_relations_settle_verb_after_the_company():
    assert ("星海科技", "locatedIn", "德清县") in relations("去年，星海科技落户德清县。")


def test_relations_lead_list_for_a_chain():
    found = relations("舟山已形成以海晨、远洋等企业为龙头的船舶产业链。")
    assert {("海晨", "leadsChain", "船舶"), ("远洋", "leadsChain", "船舶")} <= found


def test_relations_leader_title_and_as_leader():
    assert ("远东精工", "leadsChain", "数控机床") in relations("在数控机床领军企业——远东精工，车间里机器轰鸣。")
    assert ("海天科技", "leadsChain", "光学镜头") in relations("海天科技作为光学镜头领军企业，出货量居全国前列。")


def test_relations_priority_industries_of_a_place():
    found = relations("绍兴市重点发展集成电路、生物医药和现代纺织3大产业。")
    assert {("绍兴市", "prioritizes", "集成电路"), ("绍兴市", "prioritizes", "生物医药"),
            ("绍兴市", "prioritizes", "现代纺织")} <= found


def test_relations_priority_by_a_place_named_in_a_relative_clause():
    found = relations("率先推进五金行业数字化改造的永康，打造了行业云平台。")
    assert ("永康", "prioritizes", "五金") in found


def test_relations_programme_carried_out_by_the_clause_subject():
    found = relations("湖州市深入实施“八八战略”，出台了《湖州市算力基础设施建设方案》。")
    assert ("湖州市", "implements", "八八战略") in found
    assert ("湖州市", "implements", "《湖州市算力基础设施建设方案》") in found


def test_relations_provincial_programme():
    text = "浙江省发布新政策。嘉兴入选省“未来工厂”试点名单。"
    found = relations(text)
    assert any(s == "浙江省" and p == "implements" for s, p, _ in found)


def test_relations_policy_targets_the_industry_in_its_name():
    assert ("跨境电商五大行动", "targets", "跨境电商") in relations("义乌大力发展跨境电商，实施跨境电商五大行动。")


def test_relations_platform_operated_by_the_place_that_builds_it():
    assert ("台州市", "operates", "台州模具产业大脑") in relations("台州市加快建设台州模具产业大脑。")


def test_relations_project_developed_by_the_company_it_is_named_after():
    found = relations("瑞丰新能源年产20GWh电池项目在长兴县开工。")
    assert ("瑞丰新能源", "develops", "瑞丰新能源年产20GWh电池项目") in found


def test_relations_companies_gathered_in_a_place():
    found = relations("海康威视、大华股份等安防头部企业云集杭州。")
    assert {("海康威视", "locatedIn", "杭州"), ("大华股份", "locatedIn", "杭州")} <= found


def test_relations_part_of_from_the_administrative_reference():
    found = relations("金华市下辖的义乌和东阳都在发展数字经济。")
    assert {("义乌", "partOf", "金华市"), ("东阳", "partOf", "金华市")} <= found


def test_relations_section_place_as_context_with_lower_confidence():
    extraction = extract_text("# 丽水：加快发展\n\n王五\n\n远东精工持续扩大产能。\n")
    located = [r for r in extraction.relations if r.predicate == "locatedIn" and r.subject.text == "远东精工"]
    assert located and located[0].object.text == "丽水" and located[0].confidence < 0.7


def test_relations_section_place_skips_bodies_of_the_province_and_the_state():
    extraction = extract_text("# 丽水：加快发展\n\n王五\n\n远东精工持续扩大产能，扩建方案获省政府批复。\n")
    located = {r.subject.text for r in extraction.relations if r.predicate == "locatedIn"}
    assert "远东精工" in located and "省政府" not in located


def test_relations_a_park_is_no_longer_spoken_of_once_a_place_is_the_subject():
    found = relations("东港科技园占地五千亩，配套齐全。如今的德清，星海科技、远航新材等企业云集。")
    assert not any(p == "hosts" for _, p, _ in found)
    assert ("东港科技园", "hosts", "星海科技") in relations("东港科技园占地五千亩，星海科技、远航新材等企业云集。")


def test_relations_every_relation_quotes_its_sentence():
    extraction = extract_text("位于德清县的地信科技是一家地理信息企业。")
    for r in extraction.relations:
        sentence = extraction.sentences[r.evidence.sentence]
        quote = sentence.text[r.evidence.start:r.evidence.end]
        assert r.subject.text in quote or r.object.text in quote


def test_relations_a_park_named_after_a_county_that_shares_its_name_with_a_township_is_in_the_county():
    # 龙泉 is a county-level city and, elsewhere in the province, a township: the bare name is the city's
    found = extract_text("龙泉大力发展汽车空调零部件产业。龙泉经济开发区新增规上企业十家。").relations
    sites = [r.object for r in found if r.subject.text == "龙泉经济开发区" and r.predicate == "locatedIn"]
    assert sites and all(site.label == "County" and site.ref == "331181" for site in sites)


def test_relations_province_in_a_platform_name_is_no_site_but_a_body_is_there():
    found = relations("今年浙江省加快发展海洋经济。浙江省海洋电子产业基地新增企业30家，省经信厅发布了通知。")
    assert not any(s == "浙江省海洋电子产业基地" and p == "locatedIn" for s, p, _ in found)
    assert any(s == "省经信厅" and p == "locatedIn" and o.startswith("浙江") for s, p, o in found)


def test_relations_a_firm_named_about_a_data_centre_is_not_hosted_by_it():
    found = relations("德清县建成远东云计算数据中心。远东云计算数据中心是星海科技集团的五大节点之一，服务全国用户。")
    assert not any(p == "hosts" for _, p, _ in found)


def test_relations_a_plan_titled_after_a_programme_aims_at_its_industries():
    text = ("德清县发布《关于加快建设德清县“3+2”制造业体系的实施意见》。"
            "“3+2”制造业体系包括地理信息、生物医药、通用航空三大产业。")
    found = relations(text)
    assert ("“3+2”制造业体系", "targets", "地理信息") in found
    assert ("《关于加快建设德清县“3+2”制造业体系的实施意见》", "targets", "地理信息") in found
