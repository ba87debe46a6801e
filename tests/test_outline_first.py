"""Outline first: a proposal assembled from ranked documents' headings, each with its source, never twice."""

from __future__ import annotations

from sucai.compose.headings import strip_numbering
from sucai.compose.outline import MAX_SECTIONS, propose_outline
from sucai.ingest.parse import parse_text
from sucai.model import Document

REMARKS = """关于调查研究的研讨交流发言
一、调查研究要深入基层，摸清真实情况
（一）一是选题要准。
（二）二是方法要对。
二、调查研究要解决问题，推动工作落实
"""
LESSON = """以学正风党课讲稿
一、为什么要以学正风
二、调查研究要深入基层，摸清真实情况
三、以学正风要从哪些方面着力
"""


def ranked(*texts: str) -> list[Document]:
    docs = []
    for i, text in enumerate(texts, start=1):
        doc = parse_text(text, source=f"{i}.txt")[0]
        doc.id = i
        docs.append(doc)
    return docs


def test_points_come_with_sources_and_sub_points_without_double_numbers() -> None:
    proposal = propose_outline(["调查研究"], ranked(REMARKS, LESSON))
    first = proposal.sections[0]
    assert first.text.startswith("一、调查研究要深入基层") and first.source.title == "关于调查研究的研讨交流发言"
    assert [strip_numbering(p.text) for p in first.points] == ["选题要准。", "方法要对。"]
    lines = proposal.as_text().split("\n")
    assert lines[:3] == ["一、调查研究要深入基层，摸清真实情况", "（一）选题要准", "（二）方法要对"]


def test_the_same_point_from_two_documents_is_offered_once_and_topic_points_rank_first() -> None:
    proposal = propose_outline(["调查研究"], ranked(REMARKS, LESSON))
    texts = [strip_numbering(s.text) for s in proposal.sections]
    assert texts.count("调查研究要深入基层，摸清真实情况") == 1
    on_topic = [t for t in texts if "调查研究" in t]
    assert texts[: len(on_topic)] == on_topic
    assert len(texts) <= MAX_SECTIONS


def test_documents_without_outline_give_nothing() -> None:
    assert propose_outline(["学习"], ranked("心得\n学习让我收获很大。\n")).sections == []
