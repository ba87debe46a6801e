"""Compilation -> documents: title + salutation starts a document, a report's header never does."""

from __future__ import annotations

import pytest

from sucai.ingest.lines import to_lines
from sucai.ingest.parts import strip_count
from sucai.ingest.split import split_documents

BODY = "这是正文的第一句话。这是第二句话，内容完整。"


def split(text: str, hint: str | None = None) -> tuple[str | None, list[tuple[str | None, list[str]]]]:
    result = split_documents(to_lines(text), title_hint=hint)
    return result.collection_title, [(p.title, [x.text for x in p.lines]) for p in result.parts]


@pytest.mark.parametrize(
    ("title", "stripped"),
    [
        ("2023年主题教育研讨交流发言材料四篇", "2023年主题教育研讨交流发言材料"),
        ("第0批学习材料两篇", "第0批学习材料"),
        ("主题教育心得体会范文（5篇）", "主题教育心得体会"),
        ("党课讲稿合集", "党课讲稿"),
        ("述职报告汇编【12篇】", "述职报告"),
        ("学习贯彻党的二十大精神研讨发言", "学习贯彻党的二十大精神研讨发言"),
        ("合集", "合集"),
    ],
)
def test_strip_count(title: str, stripped: str) -> None:
    assert strip_count(title) == stripped


def test_compilation_with_an_untitled_first_document() -> None:
    text = (
        f"2023年主题教育研讨交流发言材料三篇\n同志们：\n{BODY}\n一、提高站位\n{BODY}\n"
        f"2023年主题教育学习研讨交流发言材料\n同志们：\n{BODY}\n发言完毕，不妥之处请批评指正。\n"
        f"在主题教育读书班上的研讨发言\n各位领导、同志们：\n{BODY}\n"
    )
    collection, parts = split(text)
    assert collection == "2023年主题教育研讨交流发言材料三篇"
    assert [title for title, _ in parts] == [None, "2023年主题教育学习研讨交流发言材料", "在主题教育读书班上的研讨发言"]
    assert parts[0][1] == ["同志们：", BODY, "一、提高站位", BODY]
    assert parts[1][1] == ["同志们：", BODY, "发言完毕，不妥之处请批评指正。"]
    assert parts[2][1][0] == "各位领导、同志们："


def test_a_title_after_a_closing_starts_a_document_without_salutation() -> None:
    text = f"心得体会两篇\n{BODY}\n谢谢大家！\n学习二十大精神的几点体会\n{BODY}\n"
    _, parts = split(text)
    assert [title for title, _ in parts] == [None, "学习二十大精神的几点体会"]


def test_a_subtitle_line_stays_with_its_title() -> None:
    text = f"合集\n同志们：\n{BODY}\n坚定信念勇担使命\n——在青年干部座谈会上的讲话\n同志们：\n{BODY}\n"
    _, parts = split(text)
    assert parts[1] == ("坚定信念勇担使命", ["——在青年干部座谈会上的讲话", "同志们：", BODY])


def test_a_report_header_is_not_a_document() -> None:
    text = (
        "政府工作报告\n——2024年3月5日在第十四届全国人民代表大会第二次会议上\n国务院总理\u3000李\u3000强\n"
        f"各位代表：\n{BODY}\n各位代表！\n{BODY}\n结束语\n各位代表：\n{BODY}\n"
    )
    collection, parts = split(text, hint="2024年中华人民共和国国务院政府工作报告")
    assert collection == "2024年中华人民共和国国务院政府工作报告"
    assert len(parts) == 1 and parts[0][0] is None
    assert parts[0][1][0] == "政府工作报告"


def test_a_first_line_equal_to_the_hint_is_the_title() -> None:
    collection, parts = split(f"学习心得\n{BODY}", hint="学习心得")
    assert collection == "学习心得"
    assert parts == [(None, [BODY])]


def test_a_signature_after_the_closing_stays_in_the_document() -> None:
    text = f"年度述职报告\n各位领导：\n{BODY}\n以上报告，请审议。谢谢大家！\n县委办公室主任张三\n2024年1月5日\n"
    _, parts = split(text)
    assert len(parts) == 1
    assert parts[0][1][-2:] == ["县委办公室主任张三", "2024年1月5日"]


def test_single_document_and_markdown_title() -> None:
    collection, parts = split(f"# 学习心得\n\n{BODY}\n")
    assert collection == "学习心得"
    assert parts == [(None, [BODY])]
    collection, parts = split(f"同志们：\n{BODY}")
    assert collection is None and len(parts) == 1


@pytest.mark.parametrize(
    "numbered",
    [
        "第{n}篇：{title}", "【篇{n}】{title}", "篇{n}：{title}", "【篇{n}】\n{title}", "范文{n}\n{title}",
        "第{n}篇\n{title}", "{d}.{title}", "{n}、{title}",
    ],
)
def test_the_numbers_of_a_compilation_s_pieces_are_no_one_s_title_or_text(numbered: str) -> None:
    """A piece's number is the compilation's, not the document's: a library lists each piece by its own title."""
    first = numbered.format(n="一", d=1, title="在读书班上的发言")
    second = numbered.format(n="二", d=2, title="在座谈会上的发言")
    _, parts = split(f"发言材料两篇\n{first}\n同志们：\n{BODY}\n{second}\n同志们：\n{BODY}\n")
    assert parts == [("在读书班上的发言", ["同志们：", BODY]), ("在座谈会上的发言", ["同志们：", BODY])]


ESSAY = "近日，我认真学习了全会精神，深受教育、倍感振奋。我将把学习成果转化为推动工作的实际成效。"


@pytest.mark.parametrize("numbered", ["篇{n}：{title}", "【篇{n}】\n{title}", "第{n}篇\n{title}", "范文{n}：{title}"])
def test_numbered_pieces_without_salutations_are_documents(numbered: str) -> None:
    """心得体会 open with no salutation and end with no closing: the compilation's numbers tell its pieces."""
    titles = ["学习全会精神心得体会", "参加读书班心得体会", "观看警示教育片心得体会"]
    numbered_titles = [numbered.format(n=n, title=t) for n, t in zip("一二三", titles, strict=True)]
    pieces = "".join(f"{head}\n{ESSAY}\n一是坚定信念。{ESSAY}\n" for head in numbered_titles)
    collection, parts = split(f"2024年学习心得体会范文（3篇）\n{pieces}")
    assert collection == "2024年学习心得体会范文（3篇）"
    assert parts == [(t, [ESSAY, f"一是坚定信念。{ESSAY}"]) for t in titles]


@pytest.mark.parametrize("head", ["{title}", "{d}.{title}"])
def test_a_declared_count_finds_pieces_that_have_no_numbers_or_salutations(head: str) -> None:
    """"（3篇）" and three lines that read as the genre's titles (…心得体会), each over body: three documents."""
    titles = ["学习全会精神心得体会", "参加读书班心得体会", "观看警示教育片心得体会"]
    heads = [head.format(d=d, title=t) for d, t in enumerate(titles, start=1)]
    pieces = "".join(f"{h}\n{ESSAY}\n坚定理想信念\n{ESSAY}\n" for h in heads)
    _, parts = split(f"2024年学习心得体会范文（3篇）\n{pieces}")
    assert parts == [(t, [ESSAY, "坚定理想信念", ESSAY]) for t in titles]


def test_a_declared_count_that_the_titles_do_not_match_splits_nothing() -> None:
    """Two such lines where the title declares three: not trusted, the text stays one document."""
    pieces = "".join(f"{t}\n{ESSAY}\n" for t in ["学习全会精神心得体会", "参加读书班心得体会"])
    _, parts = split(f"2024年学习心得体会范文（3篇）\n{pieces}")
    assert len(parts) == 1


def test_the_parts_of_a_plan_are_not_pieces_of_a_compilation() -> None:
    """A 规划纲要 is one document in 篇, 章 and 节: its 第一篇 / 第二篇 are parts, not pieces."""
    text = (f"xx县国民经济和社会发展第十五个五年规划纲要\n第一篇　开启新征程\n第一章　发展环境\n{ESSAY}\n"
            f"第二章　指导思想\n{ESSAY}\n第二篇\n坚持创新驱动发展\n第三章　强化科技支撑\n{ESSAY}\n")
    _, parts = split(text)
    assert len(parts) == 1 and parts[0][1][0] == "第一篇　开启新征程"
    assert "第二篇" in parts[0][1]  # a part's heading on a line of its own is the plan's text, kept


def test_numbered_pieces_with_no_collection_title_above_them() -> None:
    _, parts = split(f"篇一：学习心得体会\n{ESSAY}\n篇二：读书心得体会\n{ESSAY}\n")
    assert parts == [("学习心得体会", [ESSAY]), ("读书心得体会", [ESSAY])]


@pytest.mark.parametrize("numbers", [("一",), ("二", "三"), ("一", "三")])
def test_pieces_are_only_split_by_numbers_that_run_one_two_three(numbers: tuple[str, ...]) -> None:
    """One numbered title, or numbers that do not start at one or skip, are not a compilation's pieces."""
    pieces = "".join(f"篇{n}：学习心得体会\n{ESSAY}\n" for n in numbers)
    _, parts = split(f"学习心得体会汇编\n{pieces}")
    assert len(parts) == 1


def test_a_heading_s_own_numbering_is_never_taken_for_a_piece_s() -> None:
    text = f"在全县安全生产工作会议上的讲话\n同志们：\n{BODY}\n一、提高站位\n{BODY}\n（二）狠抓落实\n{BODY}\n"
    _, parts = split(text)
    assert parts == [(None, ["同志们：", BODY, "一、提高站位", BODY, "（二）狠抓落实", BODY])]


@pytest.mark.parametrize(
    "byline",
    [
        "（2025年X月X日）",
        "（2026年1月X日）",
        "——2024年3月5日在第十四届全国人民代表大会第二次会议上",
        "国务院总理 李强",
        "（xx街道党工委书记 某某，2026年3月）",
        "某某同志",
        "xx县自然资源局",
    ],
)
def test_a_date_or_byline_under_the_title_is_not_the_title(byline: str) -> None:
    collection, parts = split(f"在xx县2025年安全生产工作会议上的讲话\n{byline}\n同志们：\n{BODY}\n")
    assert collection == "在xx县2025年安全生产工作会议上的讲话"
    assert parts == [(None, [byline, "同志们：", BODY])]  # the document inherits the title; the byline is kept


def test_several_byline_lines_under_the_title_are_all_kept() -> None:
    text = f"坚定信念勇担使命\n——在青年干部座谈会上的讲话\n（2023年5月）\n习\u3000近\u3000平\n同志们：\n{BODY}\n"
    collection, parts = split(text)
    assert collection == "坚定信念勇担使命"
    assert parts == [(None, ["——在青年干部座谈会上的讲话", "（2023年5月）", "习\u3000近\u3000平", "同志们：", BODY])]


def test_documents_of_a_compilation_keep_their_titles_above_date_lines() -> None:
    text = (
        f"2024年研讨发言材料两篇\n在读书班上的发言\n（2024年3月）\n同志们：\n{BODY}\n发言完毕，谢谢大家！\n"
        f"关于调查研究的发言\n（xx县委书记 某某，2024年4月）\n同志们：\n{BODY}\n"
    )
    collection, parts = split(text)
    assert collection == "2024年研讨发言材料两篇"
    assert [title for title, _ in parts] == ["在读书班上的发言", "关于调查研究的发言"]
    assert parts[0][1][0] == "（2024年3月）"
    assert parts[1][1][0] == "（xx县委书记 某某，2024年4月）"


def test_a_title_after_a_closing_may_have_a_date_line() -> None:
    text = f"心得体会两篇\n{BODY}\n谢谢大家！\n学习二十大精神的几点体会\n（2023年5月）\n{BODY}\n"
    _, parts = split(text)
    assert parts[1] == ("学习二十大精神的几点体会", ["（2023年5月）", BODY])


def test_a_spaced_out_title_is_still_a_title() -> None:
    collection, parts = split(f"述\u3000职\u3000报\u3000告\n各位领导：\n{BODY}\n")
    assert collection == "述\u3000职\u3000报\u3000告"
    assert parts == [(None, ["各位领导：", BODY])]


def test_a_title_from_opening_words_is_never_cut_inside_a_quotation_or_mid_clause() -> None:
    from sucai.ingest.parts import opening_words

    assert opening_words("全面推行河长制。这是重要举措。", 30) == "全面推行河长制"
    said = "习近平总书记强调“要把调查研究作为基本功，深入基层一线”，我们要认真贯彻落实，推动工作。"
    assert opening_words(said, 30) == "习近平总书记强调“要把调查研究作为基本功，深入基层一线”"
    long = "今年以来，我们坚持稳中求进工作总基调，全面贯彻新发展理念，推动高质量发展取得新成效。"
    assert opening_words(long, 30) == "今年以来，我们坚持稳中求进工作总基调，全面贯彻新发展理念"
    assert opening_words("没有标点" * 10, 30).endswith("…") and len(opening_words("没有标点" * 10, 30)) == 30
