"""Text -> lines: newlines, paywall markers, blank lines, indentation, and scrape breaks re-joined."""

from __future__ import annotations

from sucai.ingest.lines import lines_with_offsets, to_lines
from sucai.model import Line


def texts(text: str) -> list[str]:
    return [line.text for line in to_lines(text)]


def test_newlines_blank_lines_and_indentation() -> None:
    text = "第一段。\r\n\r\n\u3000\u3000第二段。\r第三段。\n   \n\u200b\n"
    assert texts(text) == ["第一段。", "第二段。", "第三段。"]


def test_markers_become_paid_state() -> None:
    text = "免费一。\n##paidbegin##付费一。\n付费二。\n##paidend##\n免费二。"
    assert to_lines(text) == [
        Line("免费一。"),
        Line("付费一。", True),
        Line("付费二。", True),
        Line("免费二。"),
    ]


def test_a_marker_mid_line_splits_it() -> None:
    assert to_lines("前面免费。##paidbegin##后面付费。") == [Line("前面免费。"), Line("后面付费。", True)]


def test_marker_variants_and_an_unclosed_begin() -> None:
    text = "免费。\n## PaidBegin ##付费。\n＃＃paidend＃＃免费。\n##PAIDBEGIN##\n付费到底。\n还是付费。"
    assert [(x.text, x.paid) for x in to_lines(text)] == [
        ("免费。", False),
        ("付费。", True),
        ("免费。", False),
        ("付费到底。", True),
        ("还是付费。", True),
    ]


def test_a_closing_marker_after_the_last_line_changes_nothing() -> None:
    assert to_lines("##paidbegin##付费。\n\n##paidend##") == [Line("付费。", True)]


def test_offsets_point_at_each_line() -> None:
    text = "第一行。\n\n\u3000\u3000第二行。##paidbegin##第三行。"
    lines, offsets = lines_with_offsets(text)
    assert [text[o : o + len(line.text)] for line, o in zip(lines, offsets, strict=True)] == [
        "第一行。",
        "第二行。",
        "第三行。",
    ]


def test_a_sentence_broken_by_a_scrape_is_rejoined() -> None:
    text = "会议听取和审议了国务院总理李强所作的\n政府工作报告\n。会议充分肯定国务院过去一年的工作。\n\n会议号召。"
    assert texts(text) == [
        "会议听取和审议了国务院总理李强所作的政府工作报告。会议充分肯定国务院过去一年的工作。",
        "会议号召。",
    ]


def test_links_in_a_blank_line_separated_text_are_rejoined() -> None:
    text = (
        "各位代表：\n\n我們第一届全國人民代表大會第一次會議，在聽了劉少奇同志\n關於憲法草案的報告\n"
        "並進行了三天的討論以後，通過了我們國家的根本法——\n中華人民共和國憲法\n，接着又通過了幾個重要的法律。\n\n"
        "\u3000\u3000\n第一，\n承认阶级斗争还没有结束。\n\n毛主席指出：“\n这次大革命是完全必要的。\n”为了认识这个论断。"
    )
    assert texts(text) == [
        "各位代表：",
        "我們第一届全國人民代表大會第一次會議，在聽了劉少奇同志關於憲法草案的報告並進行了三天的討論以後，"
        "通過了我們國家的根本法——中華人民共和國憲法，接着又通過了幾個重要的法律。",
        "第一，承认阶级斗争还没有结束。",
        "毛主席指出：“这次大革命是完全必要的。”为了认识这个论断。",
    ]


def test_headings_titles_and_salutations_keep_their_lines() -> None:
    text = (
        "2023年主题教育研讨交流发言材料四篇\n同志们：\n开场白。\n"
        "一、在学深悟透上下功夫\n作为党员领导干部，首先要发挥示范带动作用。\n"
        "关于人民的文化生活问题\n我们国家的文化水平是落后的，文盲大约占人口的很大比例。"
    )
    assert texts(text) == [
        "2023年主题教育研讨交流发言材料四篇",
        "同志们：",
        "开场白。",
        "一、在学深悟透上下功夫",
        "作为党员领导干部，首先要发挥示范带动作用。",
        "关于人民的文化生活问题",
        "我们国家的文化水平是落后的，文盲大约占人口的很大比例。",
    ]


def test_signature_and_date_lines_stay_apart() -> None:
    text = "学习心得\n张三\n正文写到这里，我们要继续努力\n2023年5月6日"
    assert texts(text) == ["学习心得", "张三", "正文写到这里，我们要继续努力", "2023年5月6日"]


def test_a_header_block_of_a_report_is_not_glued_together() -> None:
    text = (
        "政府工作报告\n——2024年3月5日在第十四届全国人民代表大会第二次会议上\n各位代表：\n现在，我代表国务院报告工作。"
    )
    assert texts(text) == [
        "政府工作报告",
        "——2024年3月5日在第十四届全国人民代表大会第二次会议上",
        "各位代表：",
        "现在，我代表国务院报告工作。",
    ]


def test_lines_are_never_joined_across_a_paywall_change() -> None:
    assert texts("我们要在\n##paidbegin##学深悟透上下功夫。") == ["我们要在", "学深悟透上下功夫。"]


def test_markdown_bold_lines_lose_their_stars() -> None:
    assert texts("**一、总体要求**\n正文。") == ["一、总体要求", "正文。"]


def test_markdown_list_items_keep_their_own_lines() -> None:
    text = "正文一段。\n\n正文二段。\n\n- 经济持续向好\n- 就业稳定\n跨行的内容\n\n结尾。"
    assert texts(text) == ["正文一段。", "正文二段。", "经济持续向好", "就业稳定跨行的内容", "结尾。"]


def test_a_bracketed_byline_is_not_glued_to_a_long_title() -> None:
    title = "党建引领聚合力 网格治理暖民心——在全市基层治理工作推进会上的交流发言"
    text = f"{title}\n（xx街道党工委书记 某某，2026年3月）\n尊敬的各位领导，同志们：\n近年来，我们坚持党建引领。"
    assert texts(text)[:2] == [title, "（xx街道党工委书记 某某，2026年3月）"]
    assert texts(f"{title}\n（2025年X月X日）\n同志们：\n正文。")[:2] == [title, "（2025年X月X日）"]


def test_a_date_line_stays_apart_in_a_blank_line_separated_text() -> None:
    text = "在全县工作会议上的讲话\n（2025年X月X日）\n\n同志们：\n\n第一段正文。\n\n第二段正文。"
    assert texts(text) == ["在全县工作会议上的讲话", "（2025年X月X日）", "同志们：", "第一段正文。", "第二段正文。"]


def test_a_join_never_licenses_the_next_one() -> None:
    # a short fragment re-joined to a broken sentence; the heading-like line after it keeps its own line
    text = "会议审议了国务院总理所作的\n政府工作报告\n良种良法配套推广\n县里建立了示范片区。"
    assert texts(text) == ["会议审议了国务院总理所作的政府工作报告", "良种良法配套推广", "县里建立了示范片区。"]


def test_news_page_lines_keep_their_own_blocks_in_a_blank_line_separated_text() -> None:
    text = (
        "中共中央办公厅 国务院办公厅印发\n《关于进一步精简会议文件的若干措施》\n本报记者 沈知远\n"
        "江渚县2025年3月10日电\n\n近日，两办印发了若干措施，\n要求各地结合实际抓好落实。\n\n"
        "春耕生产有序推进\n――来自田间地头的报道\n\n院长曲青山：\n\n文化遗产是历史的见证。\n"
    )
    assert texts(text) == [
        "中共中央办公厅 国务院办公厅印发",
        "《关于进一步精简会议文件的若干措施》",
        "本报记者 沈知远",
        "江渚县2025年3月10日电",
        "近日，两办印发了若干措施，要求各地结合实际抓好落实。",  # a break inside a sentence is closed
        "春耕生产有序推进",
        "――来自田间地头的报道",
        "院长曲青山：",
        "文化遗产是历史的见证。",
    ]


def test_words_and_names_broken_by_a_scrape_are_still_rejoined_in_a_blank_line_separated_text() -> None:
    text = "政府工作报\n告\n\n国务院总理\n李克强\n\n各位代表：\n\n现在，我代表国务院，\n向大会报告政府工作。"
    assert texts(text) == ["政府工作报告", "国务院总理李克强", "各位代表：", "现在，我代表国务院，向大会报告政府工作。"]
