"""The parser end to end on the real sample compilation and the shared corpus (read in place from ../shared)."""

from __future__ import annotations

import json
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import shared_path
from sucai.ingest.congress import CONGRESS_YEARS
from sucai.ingest.parse import parse_text
from sucai.model import Document, Repair

MARKER = re.compile(r"[#＃]{2}\s*paid\s*(?:begin|end)\s*[#＃]{2}", re.IGNORECASE)
REPAIRS = {"主T": "主题", "=+大": "二十大"}


@pytest.fixture
def docs(sample_text: str) -> list[Document]:
    return parse_text(sample_text, source="samples/000_c3783159abc01423.txt")


def body_text(doc: Document) -> str:
    return "".join(b.text for b in doc.blocks if b.kind != "title")


def outline(doc: Document, level: int) -> list[str]:
    return [item.text for item in doc.outline if item.level == level]


def children(doc: Document, parent_text: str) -> list[str]:
    """Level-2 outline items between the given level-1 item and the next level-1 item."""
    found, out = False, []
    for item in doc.outline:
        if item.level == 1:
            found = item.text == parent_text
        elif found and item.level == 2:
            out.append(item.text)
    return out


def test_sample_is_four_speeches_with_repaired_titles_and_salutations(docs: list[Document]) -> None:
    assert len(docs) == 4
    assert docs[0].title == "2023年主题教育研讨交流发言材料"  # inherited, count removed
    assert [d.title for d in docs[1:]] == ["2023年主题教育学习研讨交流发言材料"] * 3
    for doc in docs:
        assert "发言材料" in doc.title and "主T" not in doc.title
        assert doc.blocks[0].kind == "title" and doc.blocks[0].text == doc.title
        assert any(b.kind == "salutation" and b.text == "同志们：" for b in doc.blocks)
        assert (doc.year, doc.genre) == (2023, "发言材料")
        assert "主题教育" in doc.tags


def test_no_advertisement_marker_or_obfuscation_is_left(docs: list[Document]) -> None:
    for doc in docs:
        text = doc.text
        for banned in ("哒哒", "公众号", "客服", "##", "paid", "主T", "=+大", "svip", "代笔"):
            assert banned not in text, (doc.title, banned)


def test_paid_flags(docs: list[Document]) -> None:
    first = docs[0].blocks
    turn = next(i for i, b in enumerate(first) if b.paid)
    assert first[turn].text.startswith("一方面，我们要全面了解")
    assert not any(b.paid for b in first[:turn])
    assert all(b.paid for b in first[turn:])
    for doc in docs[1:]:
        assert all(b.paid for b in doc.blocks if b.kind != "title")
        assert not doc.blocks[0].paid  # the title is public metadata


def test_every_sentence_is_kept_in_order(sample_text: str, docs: list[Document]) -> None:
    lines = [line.strip() for line in sample_text.splitlines() if line.strip()]
    speech_end = next(i for i, line in enumerate(lines) if line.startswith("发言完毕"))
    titles = {0} | {i - 1 for i, line in enumerate(lines) if line == "同志们："}
    sentences = []
    for i, line in enumerate(lines[: speech_end + 1]):
        if i not in titles:
            line = MARKER.sub("", line)
            for found, replaced in REPAIRS.items():
                line = line.replace(found, replaced)
            sentences += re.findall(r"[^。！？；]+[。！？；]?", line)
    stored = "".join(body_text(d) for d in docs)
    pos = 0
    for sentence in sentences:
        at = stored.find(sentence, pos)
        assert at >= 0, f"missing or out of order: {sentence}"
        pos = at + len(sentence)
    assert len(sentences) > 150


def test_outline_of_document_1(docs: list[Document]) -> None:
    doc = docs[0]
    assert outline(doc, 1) == ["一、在学深悟透上下功夫", "二、在真抓实干上下功夫"]
    assert outline(doc, 2) == ["（一）扑下身子真抓实干。", "（二）解放思想创新干。", "（三）坚持问题导向科学干。"]
    assert children(doc, "二、在真抓实干上下功夫") == outline(doc, 2)
    heading = doc.blocks[doc.outline[2].block]
    assert (heading.kind, heading.level, heading.text) == ("heading", 2, "（一）扑下身子真抓实干。")
    after = doc.blocks[doc.outline[2].block + 1]
    assert after.kind == "paragraph" and after.text.startswith("习近平总书记非常重视理论联系实际问题")
    # 一是…四是 in the middle of a paragraph are not headings
    assert not any("政治意义" in item.text for item in doc.outline)


def test_outline_of_document_2(docs: list[Document]) -> None:
    level1 = outline(docs[1], 1)
    assert [t[:3] for t in level1] == ["第一，", "第二，", "第三，", "第四，"]
    assert level1[0] == "第一，主题教育对于思想建党、理论强党具有重大意义，我们要用其凝心铸魂奋进新征程。"
    assert outline(docs[1], 2) == []


def test_outline_of_document_3(docs: list[Document]) -> None:
    doc = docs[2]
    assert [t[:3] for t in outline(doc, 1)] == ["（一）", "（二）", "（三）", "（四）"]
    assert outline(doc, 1)[1] == "（二）务必带头抓好调查研究，引导领导干部大兴调查研究之风。"
    assert [t[:3] for t in children(doc, outline(doc, 1)[1])] == ["第一，", "第二，", "第三，"]
    assert outline(doc, 2) == children(doc, outline(doc, 1)[1])


def test_outline_of_document_4(docs: list[Document]) -> None:
    doc = docs[3]
    assert outline(doc, 1) == [
        "一、要在以学铸魂上下功夫。",
        "二、要在以学增智上下功夫。",
        "三、要在以学正风上下功夫。",
        "四、要在以学促干上下功夫。",
    ]
    assert children(doc, "一、要在以学铸魂上下功夫。") == [
        "一要坚定理想信念。",
        "二要加强党性锤炼。",
        "三要筑牢“两个维护”。",
    ]
    for parent in outline(doc, 1):
        assert [t[:2] for t in children(doc, parent)] == ["一要", "二要", "三要"]
    kinds = [b.kind for b in doc.blocks[:7]]
    assert kinds == ["title", "salutation", "paragraph", "heading", "heading", "paragraph", "heading"]
    assert doc.blocks[-1].kind == "closing" and doc.blocks[-1].text == "发言完毕，不妥之处请各位领导批评指正。"


def test_removals_and_repairs_are_recorded_where_they_happened(docs: list[Document]) -> None:
    assert [d.removed for d in docs[:3]] == [[], [], []]
    removed = docs[3].removed
    assert len(removed) == 4
    assert all(r.rule and r.text for r in removed)
    assert "哒哒" in "".join(r.text for r in removed) and "公众号" in removed[0].text
    repairs: dict[tuple[str, str], int] = {}
    for doc in docs:
        for r in doc.repairs:
            repairs[r.found, r.replaced] = repairs.get((r.found, r.replaced), 0) + r.count
    assert repairs == {("=+大", "二十大"): 2, ("主T", "主题"): 14}
    assert [r.found for r in docs[0].repairs] == ["=+大"]


def test_placeholders(docs: list[Document]) -> None:
    found = [{p.text for p in d.placeholders} for d in docs]
    assert found[0] == {"xx", "x月x日"}
    assert found[1] == {"X"}  # "X立即召开了主题教育动员部署会"
    assert found[2] == {"××", "××××"}
    assert found[3] == {"XX"}
    for doc in docs:
        for p in doc.placeholders:
            assert doc.blocks[p.block].text[p.start : p.end] == p.text


def test_duplicate_key_is_blind_to_paragraph_breaks(sample_text: str, docs: list[Document]) -> None:
    assert len({d.body_sha256 for d in docs}) == 4
    broken = sample_text.replace("政治任务。这段时间", "政治任务。\n这段时间", 1)
    assert broken != sample_text
    again = parse_text(broken, source="again.txt")
    assert [len(d.blocks) for d in again] != [len(d.blocks) for d in docs]
    assert [d.body_sha256 for d in again] == [d.body_sha256 for d in docs]


# ---------------------------------------------------------------- corpus


def corpus(name: str) -> list[dict]:
    path = shared_path(f"corpus/{name}")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def record_year(record: dict) -> int | None:
    year = record.get("year")
    return int(year) if year not in (None, "None") else None


def parse_record(record: dict) -> list[Document]:
    hint = record_year(record)
    return parse_text(record["content"], source="corpus", title_hint=record["title"], year_hint=hint)


@pytest.fixture(scope="module")
def gov() -> list[tuple[dict, list[Document]]]:
    return [(record, parse_record(record)) for record in corpus("gov-work-reports.jsonl")]


def test_gov_reports_are_one_document_per_record(gov: list[tuple[dict, list[Document]]]) -> None:
    assert sum(len(docs) for _, docs in gov) == 72
    for record, docs in gov:
        assert [d.title for d in docs] == [record["title"]]


def level1_headings(content: str) -> list[str]:
    """The report's own 一、二、三… section lines, read straight from the source text."""
    lines = [line.strip(" \u3000\t") for line in content.splitlines()]
    return [line for line in lines if re.match(r"[一二三四五六七八九十]+、", line) and len(line) <= 40]


@pytest.mark.parametrize("year", ["2024", "2025"])
def test_modern_gov_report_outline(gov: list[tuple[dict, list[Document]]], year: str) -> None:
    record, docs = next((r, d) for r, d in gov if r["year"] == year)
    expected = {
        "2024": ["一、2023年工作回顾", "二、2024年经济社会发展总体要求和政策取向", "三、2024年政府工作任务"],
        "2025": ["一、2024年工作回顾", "二、2025年经济社会发展总体要求和政策取向", "三、2025年政府工作任务"],
    }[year]
    assert outline(docs[0], 1) == expected == level1_headings(record["content"])
    assert [t[:3] for t in outline(docs[0], 2) if t.startswith("（")][:3] == ["（一）", "（二）", "（三）"]


def test_modern_gov_reports_level1_is_their_numbered_sections(gov: list[tuple[dict, list[Document]]]) -> None:
    for record, docs in gov:
        year = record_year(record)
        if year is not None and year >= 2008:
            assert outline(docs[0], 1) == level1_headings(record["content"]), record["title"]


def test_gov_reports_are_cleaned_and_classified(gov: list[tuple[dict, list[Document]]]) -> None:
    for record, docs in gov:
        doc = docs[0]
        assert "公有领域" not in doc.text and "Public domain" not in doc.text
        if "Public domain" in record["content"]:
            assert [r.rule for r in doc.removed] == ["wikisource-licence"]
        assert doc.genre == ("决议" if "决议" in record["title"] else "工作报告")
        if record_year(record) is not None:
            assert doc.year == record_year(record)
        if re.search(r"^[\s\u3000]*各位代表[：:]", record["content"], re.MULTILINE):
            assert any(b.kind == "salutation" and b.text.startswith("各位代表") for b in doc.blocks)


def test_scrape_breaks_are_rejoined(gov: list[tuple[dict, list[Document]]]) -> None:
    resolution = next(d[0] for r, d in gov if r["title"].startswith("第十四届全国人民代表大会第三次会议"))
    assert resolution.blocks[1].text.startswith(
        "第十四届全国人民代表大会第三次会议听取和审议了国务院总理李强所作的政府工作报告。会议"
    )


def test_1954_report_keeps_traditional_text_and_classifies(gov: list[tuple[dict, list[Document]]]) -> None:
    doc = next(d[0] for r, d in gov if r["year"] == "1954")
    assert "憲法" in doc.text  # kept as written; search normalises
    assert "我們第一届全國人民代表大會第一次會議，在聽了劉少奇同志關於憲法草案的報告並進行了" in doc.text
    assert (doc.year, doc.genre) == (1954, "工作报告")


def test_congress_reports_are_one_document_each() -> None:
    records = corpus("cpc-congress-reports.jsonl")
    parsed = [parse_record(r) for r in records]
    assert [len(docs) for docs in parsed] == [1] * len(records)
    for docs in parsed:
        if docs[0].chars >= 1000:  # (one record is a 65-character list of editions)
            assert docs[0].genre == "工作报告", docs[0].title
    twentieth = parsed[-1][0]
    assert twentieth.year == 2022  # from the dated header line
    # Every report is dated by the congress it was given to (the 九大 report mentions 1964 most often).
    assert [docs[0].year for docs in parsed] == [CONGRESS_YEARS[r["congress"]] for r in records]
    assert outline(twentieth, 1)[0] == "一、过去五年的工作和新时代十年的伟大变革"


def test_corpus_parses_fast() -> None:
    records = corpus("gov-work-reports.jsonl") + corpus("cpc-congress-reports.jsonl")
    parse_text("预热。", source="warm-up")  # the normalisation table is built once per process
    start = time.perf_counter()
    chars = sum(len(r["content"]) for r in records)
    for record in records:
        parse_record(record)
    elapsed = time.perf_counter() - start
    assert elapsed < 10, f"{chars} characters took {elapsed:.1f} s"


# ---------------------------------------------------------------- arbitrary documents


@pytest.mark.parametrize("text", ["", "   \n\u3000\n\t", "【公众号：哒哒君】，最新最全党建资料库\n"])
def test_no_text_gives_no_documents(text: str) -> None:
    assert parse_text(text, source="empty.txt") == []


def test_a_plain_experience_piece() -> None:
    text = "学习二十大精神心得体会\n党的二十大报告内涵丰富。\n作为基层干部，我深受鼓舞。\n今后我将继续努力学习。\n"
    [doc] = parse_text(text, source="a.txt")
    assert (doc.title, doc.genre, doc.outline) == ("学习二十大精神心得体会", "心得体会", [])
    assert [b.kind for b in doc.blocks] == ["title", "paragraph", "paragraph", "paragraph"]


def test_a_document_with_only_numbered_headings() -> None:
    text = (
        "安全生产实施方案\n为做好工作，制定本方案。\n1.总体要求\n1956年以来事故下降1.5%。\n"
        "2.工作措施\n加强排查。\n3.保障措施\n强化领导。"
    )
    [doc] = parse_text(text, source="b.txt")
    assert [(o.level, o.text) for o in doc.outline] == [(1, "1.总体要求"), (1, "2.工作措施"), (1, "3.保障措施")]


def test_markdown_text() -> None:
    text = (
        "# 2024年工作总结\n\n## 一、主要成绩\n\n成绩显著。\n\n### （一）经济发展\n\n经济向好。\n\n"
        "## 二、存在问题\n\n不足。\n"
    )
    [doc] = parse_text(text, source="c.md", title_hint="2024年工作总结")
    assert doc.title == "2024年工作总结" and doc.year == 2024
    assert [(o.level, o.text) for o in doc.outline] == [(1, "一、主要成绩"), (2, "（一）经济发展"), (1, "二、存在问题")]
    assert "#" not in doc.text


def test_title_hint_is_repaired_and_fallback_titles() -> None:
    [doc] = parse_text("正文。", source="x.jsonl#1", title_hint="2023年主T教育心得")
    assert doc.title == "2023年主题教育心得" and doc.repairs == [Repair("主T", "主题", 1)]
    [doc] = parse_text("同志们：\n今天我们开会，研究工作。", source="dir/关于基层治理的发言.txt")
    assert doc.title == "关于基层治理的发言"
    [doc] = parse_text("同志们：\n今天我们开会，研究工作。", source="dir/0001.txt")
    assert doc.title == "今天我们开会，研究工作"  # its first sentence: a fallback title is never cut mid-phrase


def test_removals_go_to_the_document_they_fell_in() -> None:
    text = (
        "材料两篇\n同志们：\n第一篇正文。\n【公众号：甲】\n"
        "第二篇的标题材料\n同志们：\n第二篇正文主T。\n发言完毕，谢谢大家！\n【公众号：乙】\n"
    )
    first, second = parse_text(text, source="d.txt")
    assert [r.text for r in first.removed] == ["【公众号：甲】"]
    assert [r.text for r in second.removed] == ["【公众号：乙】"]
    assert (first.repairs, second.repairs) == ([], [Repair("主T", "主题", 1)])


def test_documents_of_a_compilation_inherit_its_year() -> None:
    body = "这是正文的第一句话。这是第二句话，内容完整。"
    text = (
        f"2024年主题教育研讨交流发言材料三篇\n同志们：\n{body}\n发言完毕，谢谢大家！\n"
        f"关于大兴调查研究之风的研讨交流发言\n同志们：\n{body}2019年以来成效明显。\n发言完毕，谢谢大家！\n"
        f"扛牢意识形态工作责任的研讨发言\n（2023年12月5日）\n同志们：\n{body}\n"
    )
    docs = parse_text(text, source="e.txt")
    assert [(d.title, d.year) for d in docs] == [
        ("2024年主题教育研讨交流发言材料", 2024),
        ("关于大兴调查研究之风的研讨交流发言", 2024),  # not the 2019 it mentions
        ("扛牢意识形态工作责任的研讨发言", 2023),  # its own date line
    ]
    assert docs[2].blocks[1].text == "（2023年12月5日）"


def test_a_date_line_under_the_title_is_kept_after_it() -> None:
    text = "xx县自然资源局局长2025年度述职述廉报告\n（2026年1月X日）\n各位领导、同志们：\n全年讲专题党课2次。"
    [doc] = parse_text(text, source="f.txt")
    assert (doc.title, doc.year, doc.genre) == ("xx县自然资源局局长2025年度述职述廉报告", 2025, "述职报告")
    assert [b.kind for b in doc.blocks] == ["title", "paragraph", "salutation", "paragraph"]
    assert doc.blocks[1].text == "（2026年1月X日）"
    assert [p.text for p in doc.placeholders] == ["xx", "X"]


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet="一二三四是要第、，。！？：（）\n\n 　同志们发言材料四篇谢谢大家#＃paidbeginend主T公众号：x1.",
        max_size=300,
    )
)
def test_any_text_parses(text: str) -> None:
    for doc in parse_text(text, source="fuzz.txt"):
        assert doc.blocks[0].kind == "title" and doc.title
        assert all(b.text == b.text.strip() and b.text for b in doc.blocks)
        assert all(doc.blocks[item.block].kind == "heading" for item in doc.outline)
