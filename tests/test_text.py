"""Normalisation and sentence splitting survive what real pages contain."""
from __future__ import annotations

from kg.extract.sentences import split_sentences
from kg.model.names import normalise
from kg.model.records import Document


def doc(text: str) -> Document:
    return Document("t.txt", text, "0" * 64)


def test_text_normalise_maps_one_character_to_one():
    raw = "“数字经济”（ＡＩ）：１２３，‘试点’"
    out = normalise(raw)
    assert len(out) == len(raw)
    assert out == '"数字经济"(AI):123,\'试点\''


def test_text_sentence_broken_by_captions_is_joined():
    text = "在这一领域，当地已形成以\n\n\n\n工厂车间现场\n\n\n\n甲公司、乙公司等企业为龙头的储能产业链；发展很快。\n"
    sentences = split_sentences(doc(text))
    body = [s for s in sentences if s.kind == "body"]
    assert body[0].text == "在这一领域,当地已形成以甲公司、乙公司等企业为龙头的储能产业链;发展很快。"
    assert [s.text for s in sentences if s.kind != "body"] == ["工厂车间现场"]
    # every character maps back to the same character of the document
    for s in sentences:
        assert "".join(normalise(text[o]) for o in s.offsets) == s.text


def test_text_a_quote_after_a_full_stop_opens_the_next_sentence_or_closes_its_own():
    text = "县里定下了新目标。“5+2”产业体系包括两大产业。“这是好事。效果很好。”他说。\n"
    assert [s.text for s in split_sentences(doc(text))] == [
        "县里定下了新目标。", '"5+2"产业体系包括两大产业。', '"这是好事。', '效果很好。"', "他说。"]


def test_text_word_broken_by_a_page_break_is_joined():
    text = "加快双千兆网络建\n\n设，协同推进。"
    assert split_sentences(doc(text))[0].text == "加快双千兆网络建设,协同推进。"


def test_text_headings_bylines_and_bold_markers():
    text = "# 宁波：智造新高地\n\n张三 李四\n\n## 数说宁波\n\n2022年，增加值**100亿元**，增速**全省第一**。\n"
    sentences = split_sentences(doc(text))
    kinds = [(s.kind, s.text) for s in sentences]
    assert kinds[0] == ("heading", "宁波:智造新高地")
    assert ("heading", "数说宁波") in kinds
    assert kinds[-1] == ("body", "2022年,增加值100亿元,增速全省第一。")
    last = sentences[-1]
    start, end = last.doc_span(0, len(last.text))
    assert text[start:end].startswith("2022年") and text[start:end].endswith("。")


def test_text_title_above_a_byline_is_a_heading():
    text = "温州:打造高地,领跑赛道\n\n王五 赵六\n\n温州市重点发展智能装备产业。\n"
    sentences = split_sentences(doc(text))
    assert sentences[0].kind == "heading"
    assert sentences[-1].text == "温州市重点发展智能装备产业。"
