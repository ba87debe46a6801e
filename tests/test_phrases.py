"""The phrase bank (金句): parallel runs and introduced quotations, with their document and block."""

from __future__ import annotations

from sucai.compose.phrases import extract_phrases
from sucai.model import Block, Document


def _doc(*paragraphs: str) -> Document:
    return Document(7, "标题", [Block("title", "标题"), *(Block("paragraph", p) for p in paragraphs)])


def test_parallel_run_inside_a_sentence() -> None:
    doc = _doc("前言。", "努力做到以学铸魂、以学增智、以学正风、以学促干方面取得实实在在的成效。")
    phrases = extract_phrases(doc)
    assert [(p.text, p.kind, p.doc_id, p.block) for p in phrases] == [
        ("以学铸魂、以学增智、以学正风、以学促干", "parallel", 7, 2)
    ]


def test_shared_endings_and_commas() -> None:
    texts = [p.text for p in extract_phrases(_doc(
        "做到公正用权、依法用权、为民用权、廉洁用权。时代是出卷人，我们是答卷人，人民是阅卷人。"
    ))]
    assert texts == ["公正用权、依法用权、为民用权、廉洁用权", "时代是出卷人，我们是答卷人，人民是阅卷人"]


def test_lists_without_a_shared_pattern_or_too_short_are_not_phrases() -> None:
    doc = _doc("学思想、强党性、重实践、建新功。原文、原理、原话。甲乙丙、丁戊己。总目标、总任务、总体布局。")
    assert extract_phrases(doc) == []


def test_quotations_introduced_by_a_verb() -> None:
    doc = _doc("习近平总书记强调“踏石留印，抓铁有痕”的作风。他指出：“为政之要，莫先于得人。”树立“四个意识”。")
    assert [(p.text, p.kind) for p in extract_phrases(doc)] == [
        ("踏石留印，抓铁有痕", "quote"), ("为政之要，莫先于得人。", "quote"),
    ]


def test_compilation_phrases(compilation_text: str) -> None:
    lines = [line for line in compilation_text.split("\n") if line.strip()]
    doc = Document(1, lines[0], [Block("title", lines[0]), *(Block("paragraph", line) for line in lines[1:])])
    phrases = extract_phrases(doc)
    texts = {p.text for p in phrases}
    assert "以严治党、以严律己、以严促干" in texts
    assert "有人盯、有人管、有人守" in texts
    assert "防汛救灾没有旁观者，守住安全底线就是最大的政绩" in texts
    assert all(p.text in doc.blocks[p.block].text for p in phrases)
    assert len(texts) == len(phrases)


def test_sample_phrases(sample_text: str) -> None:
    lines = [line for line in sample_text.split("\n") if line.strip()]
    doc = Document(1, lines[0], [Block("title", lines[0]), *(Block("paragraph", line) for line in lines[1:])])
    phrases = extract_phrases(doc)
    texts = {p.text for p in phrases}
    assert "以学铸魂、以学增智、以学正风、以学促干" in texts
    assert "真心爱党、时刻忧党、坚定护党、全力兴党" in texts
    assert "踏石留印，抓铁有痕" in texts
    assert all(p.text in doc.blocks[p.block].text for p in phrases)
    assert len(texts) == len(phrases)


def test_a_last_item_one_character_longer_is_kept_whole() -> None:
    doc = _doc("学习中要一边读、一边想、一边对照，真正做到学以致用。")
    assert [p.text for p in extract_phrases(doc)] == ["一边读、一边想、一边对照"]


def test_no_run_ends_half_way_through_a_word() -> None:
    assert extract_phrases(_doc("要一边读、一边想、一边对照检查。")) == []  # not 一边读、一边想、一边对


def test_each_text_once_and_a_part_of_a_longer_run_gives_way() -> None:
    doc = _doc(
        "坚持以学铸魂、以学增智、以学正风。",
        "努力做到以学铸魂、以学增智、以学正风、以学促干方面取得成效。",
        "再次强调以学铸魂、以学增智、以学正风、以学促干。",
    )
    assert [(p.text, p.block) for p in extract_phrases(doc)] == [("以学铸魂、以学增智、以学正风、以学促干", 2)]


def test_a_free_part_of_a_member_only_run_stays_for_free_readers() -> None:
    doc = Document(7, "标题", [
        Block("title", "标题"),
        Block("paragraph", "坚持以学铸魂、以学增智、以学正风。"),
        Block("paragraph", "做到以学铸魂、以学增智、以学正风、以学促干。", paid=True),
    ])
    assert [p.text for p in extract_phrases(doc)] == [
        "以学铸魂、以学增智、以学正风", "以学铸魂、以学增智、以学正风、以学促干",
    ]
