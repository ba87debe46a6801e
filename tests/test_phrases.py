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
