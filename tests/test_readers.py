"""Readers: a compilation written for the tests, in every encoding and format, decodes to its own lines;
hostile bytes fail clearly. The shared sample and corpus are read as themselves when they are present."""

from __future__ import annotations

import hashlib
import io
import json
import random
import time
import zipfile
from pathlib import Path

import docx
import pytest

from conftest import shared_path
from sucai.errors import DecodeError, InputError, TooLarge, UnsafeArchive
from sucai.ingest.limits import Limits
from sucai.ingest.pipeline import UNDECODABLE_RULE, IngestOptions, Prepared, prepare
from sucai.ingest.readers import READERS, NotRead, SourceText, detect, read, sniff
from sucai.store.base import StoredFile

LIMITS = Limits()


def read_bytes(data: bytes, fmt: str, name: str | None = None, limits: Limits = LIMITS) -> list[SourceText]:
    origin = name or f"file.{fmt}"
    return read(StoredFile(origin, hashlib.sha256(data).hexdigest(), data, fmt), limits)


def read_one(data: bytes, fmt: str, limits: Limits = LIMITS) -> SourceText:
    texts = read_bytes(data, fmt, limits=limits)
    assert len(texts) == 1
    return texts[0]


def speech_lines(sample: str) -> list[str]:
    return [line.strip() for line in sample.split("\n") if line.strip()]


def assert_has_every_line(text: str, sample: str) -> None:
    lines = set(text.split("\n"))
    missing = [line for line in speech_lines(sample) if line not in lines]
    assert not missing, f"{len(missing)} lines lost, first: {missing[0][:40]}"


# -- plain text: encodings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codec", "expected"),
    [
        ("gb18030", "gb18030"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16-le"),  # Python writes the BOM in native (little-endian) order
        ("utf-32", "utf-32-le"),
    ],
)
def test_text_decodes_exactly_in_every_encoding_with_crlf(compilation_text: str, codec: str, expected: str) -> None:
    data = compilation_text.replace("\n", "\r\n").encode(codec)
    text = read_one(data, "txt")
    assert text.encoding == expected
    assert text.text == compilation_text
    assert text.fmt == "txt" and text.origin == "file.txt"


def test_utf16_big_endian_with_bom(compilation_text: str) -> None:
    data = b"\xfe\xff" + compilation_text.encode("utf-16-be")
    assert read_one(data, "txt").text == compilation_text


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised(compilation_text: str, codec: str) -> None:
    text = read_one(compilation_text.encode(codec), "txt")
    assert (text.encoding, text.text) == (codec, compilation_text)


def test_gbk_and_old_mac_line_ends() -> None:
    text = read_one("学习心得\r同志们：\r发言完毕。".encode("gbk"), "txt")
    assert text.encoding == "gb18030"
    assert text.text == "学习心得\n同志们：\n发言完毕。"


def test_big5_is_told_from_gbk(compilation_text: str) -> None:
    import opencc

    traditional = opencc.OpenCC("s2t").convert(compilation_text[:3000])
    big5 = traditional.encode("cp950", errors="ignore")
    text = read_one(big5, "txt")
    assert text.encoding == "big5"
    assert text.text == big5.decode("cp950")
    # the same traditional characters written as GB18030 stay GB18030
    gb = read_one(traditional.encode("gb18030"), "txt")
    assert (gb.encoding, gb.text) == ("gb18030", traditional)


def test_form_feeds_between_pages_become_line_breaks() -> None:
    assert read_one("第一页末尾\f第二页开头".encode(), "txt").text == "第一页末尾\n第二页开头"


def test_stray_control_characters_are_dropped() -> None:
    body = "第一段内容。" * 40
    assert read_one(f"{body}\x07\n第二段\x1a".encode(), "txt").text == f"{body}\n第二段"


def test_random_bytes_are_binary_data() -> None:
    junk = random.Random(7).randbytes(4096)
    with pytest.raises(DecodeError, match="binary data, not text"):
        read_bytes(junk, "txt")


def test_control_heavy_bytes_without_nul_are_binary_data() -> None:
    junk = bytes(b % 31 + 1 for b in range(3000))
    with pytest.raises(DecodeError, match="binary data, not text"):
        read_bytes(junk, "txt")


def test_undecodable_bytes_say_so_and_never_become_replacement_characters() -> None:
    data = "正文".encode() + b"\xff\xfe\xff text \x80"
    with pytest.raises(DecodeError, match="not valid UTF-8, GB18030"):
        read_bytes(data, "txt")


# A speech of some 6 KB in each encoding: long enough that one bad byte is damage, not another encoding.
SPEECH = "同志们：\n今天召开全市安全生产工作会议，主要任务是总结去年工作，部署今年任务。\n" + (
    "一要压实责任，坚持党政同责、一岗双责，层层传导压力。二要排查隐患，聚焦重点行业领域开展专项整治。\n" * 40
) + "三要强化保障，确保各项措施落地见效。"


SPEECH_TRADITIONAL = "同志們：\n今天召開全市安全生產工作會議，總結去年工作，部署今年任務。\n" + (
    "一要壓實責任，堅持黨政同責、一崗雙責，層層傳導壓力。二要排查隱患，聚焦重點行業領域開展專項整治。\n" * 40
) + "三要強化保障，確保各項措施落地見效。"


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "big5", "utf-8-sig", "utf-16"])
def test_a_file_cut_in_its_last_character_is_read_but_that_character(encoding: str) -> None:
    """A download or preview cut at a byte count ends inside a character: the rest is read, that one left
    out and counted, never refused and never a replacement character."""
    text = SPEECH_TRADITIONAL if encoding == "big5" else SPEECH
    data = text.encode(encoding)[:-1]
    read = read_one(data, "txt")
    assert read.text == text[:-1] and read.dropped == 1 and "\ufffd" not in read.text


def test_utf16_without_a_byte_order_mark_cut_short_is_read() -> None:
    data = SPEECH.encode("utf-16-le")[:-1]
    assert read_one(data, "txt").text == SPEECH[:-1]


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_few_bad_bytes_in_a_long_file_are_left_out_and_counted(encoding: str) -> None:
    data = bytearray(SPEECH.encode(encoding))
    middle = data.index("排查隐患".encode(encoding))
    data[middle:middle] = b"\xff"  # a byte no encoding here begins a character with
    read = read_one(bytes(data), "txt")
    assert read.text == SPEECH and read.dropped == 1 and read.encoding == encoding


def test_many_bad_bytes_are_still_an_error_that_says_where() -> None:
    data = bytearray(SPEECH.encode())
    for at in range(100, len(data), 400):  # one per 400 bytes: more than damage
        data[at] = 0xFF
    with pytest.raises(DecodeError, match="first bad UTF-8 byte at offset 100: 0xff"):
        read_bytes(bytes(data), "txt")


def test_a_cut_file_s_document_says_what_was_left_out() -> None:
    data = SPEECH.encode("gb18030")[:-1]
    prepared = prepare(StoredFile("cut.txt", hashlib.sha256(data).hexdigest(), data, "txt"), IngestOptions())
    assert isinstance(prepared, Prepared)
    [document] = prepared.documents
    assert [r.rule for r in document.removed] == [UNDECODABLE_RULE]
    assert "1 undecodable byte run" in document.removed[0].text and document.chars >= len(SPEECH) - 200


def test_bad_bytes_after_a_bom_are_an_error() -> None:
    with pytest.raises(DecodeError, match="byte-order mark"):
        read_bytes(b"\xef\xbb\xbf" + "中文".encode() + b"\xff", "txt")


def test_empty_and_blank_files_give_no_text() -> None:
    assert read_bytes(b"", "txt") == []
    assert read_bytes(b" \r\n\r\n ", "txt") == []


def test_over_the_size_limit_is_too_large() -> None:
    with pytest.raises(TooLarge, match="exceeds the 1 KB limit"):
        read_bytes(b"a" * 2000, "txt", limits=Limits(max_file_bytes=1024))


def test_renamed_files_are_read_for_what_they_are() -> None:
    assert read_one(build_docx(["正文一段"]), "txt").fmt == "docx"
    assert read_one(b"<!DOCTYPE html><html><body><p>\xe6\xad\xa3\xe6\x96\x87</p></body></html>", "txt").fmt == "html"
    with pytest.raises(InputError, match="PDF"):  # read as the PDF it is, and found broken
        read_bytes(b"%PDF-1.7\n...", "txt")
    with pytest.raises(InputError, match=r"LibreOffice"):  # an old Office file goes to LibreOffice, or is skipped
        read_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + b"\x00" * 100, "docx")
    assert read_one(b"just text named docx", "docx").fmt == "txt"
    with pytest.raises(InputError, match="zip archive"):
        read_bytes(zip_of({"a.txt": b"x"}), "zip")
    assert sniff(b"plain", "txt") == "txt"


def test_format_aliases_from_file_suffixes() -> None:
    assert read_one(b"# T\n**x**", "markdown").fmt == "md"
    assert read_one(b"<p>x</p>", "htm").fmt == "html"
    assert set(READERS) == {"txt", "md", "html", "docx", "jsonl", "csv", "pdf", "doc", "rtf", "odt"}


# -- markdown --------------------------------------------------------------------------------------------


MARKDOWN = """---
title: "关于加强学习的发言"
date: 2023-06-01
---
# 关于加强学习的发言

同志们：**一是**要*加强*学习，参见[学习资料](https://example.org/x)。![图](a.png)

一、提高站位
----------

- 第一点 `重点`
1. 第二点 ~~删除~~
> 引用的话

| 项目 | 内容 |
|------|------|
| 学习 | 每周一次 |

```
代码 **原样**
```
<!-- 注释 --><script>alert("脚本")</script>
转义 \\*星号\\* 与 变量_名_字
***
"""


def test_markdown_syntax_out_headings_and_lists_kept() -> None:
    text = read_one(MARKDOWN.encode(), "md")
    assert text.title == "关于加强学习的发言"
    lines = [line for line in text.text.split("\n") if line]
    assert lines == [
        "# 关于加强学习的发言",
        "同志们：一是要加强学习，参见学习资料。",
        "## 一、提高站位",
        "- 第一点 重点",
        "1. 第二点 删除",
        "引用的话",
        "项目\t内容",
        "学习\t每周一次",
        "代码 **原样**",
        "转义 *星号* 与 变量_名_字",
    ]


def test_markdown_title_falls_back_to_first_heading() -> None:
    assert read_one("前言\n# 标题一\n正文".encode("gb18030"), "md").title == "标题一"


# -- html -------------------------------------------------------------------------------------------------


def html_page(lines: list[str], charset: str = "utf-8") -> str:
    title, body = lines[0], lines[1:]
    paragraphs = "\n".join(f"<p>{line}</p>" for line in body[: len(body) // 2])
    rest = "\n".join(f"<p>\n  {line}\n</p>" for line in body[len(body) // 2 :])
    return f"""<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>{title}_学习园地_某某网</title>
<style>p {{ color: red; }}</style><script>var nav = "脚本里的字";</script></head>
<body>
<header><div class="logo">某某网</div><ul><li><a href="/">首页</a></li><li><a href="/x">要闻</a></li></ul></header>
<nav><a href="/a">导航一</a><a href="/b">导航二</a></nav>
<div class="breadcrumb">当前位置：首页 &gt; 学习园地</div>
<div id="wrapper">
  <div class="content"><h1>{title}</h1>
  <!-- 评论 -->
  <span style="display:none">隐藏的字</span>
  {paragraphs}
  {rest}
  </div>
  <div class="sidebar"><h3>热门文章</h3><ul><li><a href="/1">另一篇文章的标题很长很长很长</a></li></ul></div>
  <div class="share-box">分享到：微信 微博</div>
</div>
<form><input name="q"><button>站内检索</button></form>
<footer>版权所有 © 某某网 备案号 京ICP备00000000号</footer>
<script>document.write("页脚脚本")</script>
</body></html>"""


JUNK = ("某某网", "首页", "导航一", "当前位置", "热门文章", "分享到", "版权所有", "脚本", "隐藏的字", "评论",
        "站内检索")


def test_html_page_gives_the_article_and_nothing_else(compilation_text: str) -> None:
    lines = speech_lines(compilation_text)
    text = read_one(html_page(lines).encode(), "html")
    assert_has_every_line(text.text, compilation_text)
    assert text.text.split("\n")[0] == lines[0]
    assert text.title == lines[0]
    assert text.encoding == "utf-8"
    for junk in JUNK:
        assert junk not in text.text


def test_html_in_gb2312_with_meta_charset(compilation_text: str) -> None:
    lines = speech_lines(compilation_text)
    text = read_one(html_page(lines, charset="gb2312").encode("gb18030"), "html")
    assert text.encoding == "gb18030"
    assert_has_every_line(text.text, compilation_text)


def test_html_article_in_table_layout_with_br_and_source_newlines() -> None:
    page = """<html><head><title>首页 | 关于开展主题教育的通知</title></head><body>
    <table><tr><td><a href="/">首页</a> <a href="/1">机构</a> <a href="/2">政策</a> <a href="/3">服务</a></td></tr>
    <tr><td class="TRS_Editor">各单位：<br>为深入学习贯彻党的二十大精神，
    经研究决定，开展主题教育。<br/>请认真组织实施。<br>特此通知。</td></tr></table>
    <div>联系我们 网站地图</div></body></html>"""
    text = read_one(page.encode(), "html")
    assert text.text.split("\n") == [
        "各单位：", "为深入学习贯彻党的二十大精神，经研究决定，开展主题教育。", "请认真组织实施。", "特此通知。",
    ]
    assert text.title == "关于开展主题教育的通知"


def test_html_article_element_wins_and_keeps_its_header() -> None:
    page = """<html><body><nav>栏目 栏目 栏目</nav><article><header><h1>心得体会</h1></header>
    <p>学习是一辈子的事情，要持之以恒。</p><table><tr><td>时间</td><td>2023年</td></tr></table></article>
    <aside>推荐阅读</aside></body></html>"""
    text = read_one(page.encode(), "html")
    assert text.text == "心得体会\n学习是一辈子的事情，要持之以恒。\n时间\t2023年"


def test_deeply_nested_html_fails_fast_and_clearly() -> None:
    page = "<html><body>" + "<div>" * 100_000 + "正文" + "</div>" * 100_000 + "</body></html>"
    started = time.monotonic()
    with pytest.raises(InputError, match="nested deeper than"):
        read_bytes(page.encode(), "html")
    assert time.monotonic() - started < 5


def test_html_nesting_limit_is_configurable() -> None:
    page = ("<div>" * 40 + "正文内容" + "</div>" * 40).encode()
    assert read_one(page, "html").text == "正文内容"
    with pytest.raises(InputError, match="nested deeper than 20"):
        read_bytes(page, "html", limits=Limits(max_html_depth=20))


def test_html_with_xml_declaration_and_empty_page() -> None:
    page = '<?xml version="1.0" encoding="utf-8"?><html><body><p>正文</p></body></html>'
    assert read_one(page.encode(), "html").text == "正文"
    assert read_bytes(b"   ", "html") == []


# -- docx -------------------------------------------------------------------------------------------------


def build_docx(paragraphs: list[str], title: str | None = None, table_after: int | None = None) -> bytes:
    document = docx.Document()
    if title is not None:
        document.add_heading(title, level=0)
    for index, paragraph in enumerate(paragraphs):
        document.add_paragraph(paragraph)
        if index == table_after:
            table = document.add_table(rows=2, cols=2)
            for r, row in enumerate([("序号", "学习内容"), ("1", "党的二十大报告")]):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_paragraphs_and_table_in_document_order(compilation_text: str) -> None:
    lines = speech_lines(compilation_text)
    data = build_docx(lines[1:], title=lines[0], table_after=2)
    text = read_one(data, "docx")
    assert text.title == lines[0]
    assert text.encoding is None
    assert_has_every_line(text.text, compilation_text)
    out = text.text.split("\n")
    assert out[:6] == [lines[0], lines[1], lines[2], lines[3], "序号\t学习内容", "1\t党的二十大报告"]
    assert out[6] == lines[4]


def test_docx_layout_table_keeps_its_paragraphs_as_lines() -> None:
    document = docx.Document()
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    cell.text = "同志们："
    cell.add_paragraph("这是表格里的正文。")
    buffer = io.BytesIO()
    document.save(buffer)
    assert read_one(buffer.getvalue(), "docx").text == "同志们：\n这是表格里的正文。"


def docx_with(document_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    return zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": document_xml, **(extra or {})})


def test_corrupt_docx_is_an_input_error() -> None:
    with pytest.raises(InputError, match="zip"):
        read_bytes(b"PK\x03\x04 not really a docx", "docx")
    with pytest.raises(InputError, match=r"word/document\.xml is missing"):
        read_bytes(zip_of({"[Content_Types].xml": b"<Types/>"}), "docx")
    with pytest.raises(InputError, match="not well-formed"):
        read_bytes(docx_with(b"<w:document><w:body>"), "docx")


def test_docx_entity_bomb_is_refused() -> None:
    laughs = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>
<w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>"""
    with pytest.raises(InputError, match="DTD or entities"):
        read_bytes(docx_with(laughs), "docx")


def test_docx_zip_bomb_is_refused() -> None:
    padding = b"<w:document>" + b" " * (3 * 1024 * 1024) + b"</w:document>"
    with pytest.raises(UnsafeArchive, match="zip bomb"):
        read_bytes(docx_with(padding), "docx")


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
NUMBERING = f"""<w:numbering {W_NS}>
<w:abstractNum w:abstractNumId="0">
 <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
 <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
 <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="\uf0b7"/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
</w:numbering>""".encode()
STYLES = f"""<w:styles {W_NS}>
<w:style w:styleId="a3"><w:name w:val="Title"/></w:style>
<w:style w:styleId="1"><w:name w:val="heading 1"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:styleId="10"><w:name w:val="my heading"/><w:basedOn w:val="1"/></w:style>
</w:styles>""".encode()


def numbered_paragraph(text: str, style: str | None = None, level: int | None = None, num: int = 1) -> str:
    props = f'<w:pStyle w:val="{style}"/>' if style else ""
    if level is not None:
        props += f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr>'
    return f"<w:p><w:pPr>{props}</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"


def test_docx_writes_out_word_list_numbers_and_skips_hidden_text() -> None:
    paragraphs = [
        numbered_paragraph("学习心得", style="a3"),
        numbered_paragraph("提高站位", style="1"),
        numbered_paragraph("深化认识", level=1),
        numbered_paragraph("第一点", level=2),
        numbered_paragraph("第二点", level=2),
        numbered_paragraph("强化担当", level=1),
        numbered_paragraph("压实责任", style="10"),
        numbered_paragraph("细化分工", level=1),
        numbered_paragraph("要点", level=0, num=2),
        '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr><w:r><w:t>甲</w:t></w:r>'
        '<w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r><w:r><w:tab/><w:t>乙</w:t></w:r>'
        '<w:del><w:r><w:delText>删掉的</w:delText></w:r></w:del><w:ins><w:r><w:t>加上的</w:t></w:r></w:ins></w:p>',
    ]
    document = f"<w:document {W_NS}><w:body>{''.join(paragraphs)}</w:body></w:document>".encode()
    data = docx_with(document, {"word/numbering.xml": NUMBERING, "word/styles.xml": STYLES})
    text = read_one(data, "docx")
    assert text.title == "学习心得"
    assert text.text.split("\n") == [
        "学习心得", "一、提高站位", "（一）深化认识", "1.第一点", "2.第二点", "（二）强化担当", "二、压实责任",
        "（一）细化分工", "要点", "甲\t乙加上的",
    ]


# -- jsonl ------------------------------------------------------------------------------------------------


def test_jsonl_gives_one_text_per_line_with_hints() -> None:
    rows = [
        {"title": "2023年政府工作报告", "content": "各位代表：\r\n现在，我代表国务院。", "year": "2023"},
        {"title": "决议", "content": "会议同意。", "year": "None"},
        {"title": "  ", "content": "无标题的正文。", "year": 1954},
        {"title": "空的", "content": "   "},
    ]
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows[:2]) + "\n\n"
    data += "\n".join(json.dumps(r, ensure_ascii=False) for r in rows[2:])
    texts = read_bytes(data.encode(), "jsonl", name="dir/x.jsonl")
    assert [(t.origin, t.title, t.year) for t in texts] == [
        ("dir/x.jsonl#1", "2023年政府工作报告", 2023),
        ("dir/x.jsonl#2", "决议", None),
        ("dir/x.jsonl#4", None, 1954),
    ]
    assert texts[0].text == "各位代表：\n现在，我代表国务院。"
    assert {t.fmt for t in texts} == {"jsonl"}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"title": "x", "content": ', "line 2: not valid JSON"),
        ('["a list"]', "line 2: expected a JSON object"),
        ('{"title": "no content"}', 'line 2: no "content" text'),
        ("[" * 100_000, "line 2: JSON nested too deeply"),
    ],
)
def test_jsonl_bad_line_fails_the_whole_file_naming_the_line(line: str, message: str) -> None:
    data = json.dumps({"title": "好", "content": "好的一行"}, ensure_ascii=False) + "\n" + line + "\n"
    with pytest.raises(InputError, match=message):
        read_bytes(data.encode(), "jsonl")


def test_shared_corpus_jsonl_reads_every_record() -> None:
    path = shared_path("corpus/gov-work-reports.jsonl")
    texts = read_bytes(path.read_bytes(), "jsonl", name=str(path))
    assert len(texts) == 72
    assert all(t.title and t.text for t in texts)
    assert texts[0].origin.endswith("gov-work-reports.jsonl#1")
    assert sum(t.year is None for t in texts) < len(texts)


# -- helpers shared with test_sources ----------------------------------------------------------------------


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_sample_file_reads_as_itself(sample_text: str) -> None:
    path = shared_path("samples/000_c3783159abc01423.txt")
    text = read_bytes(Path(path).read_bytes(), "txt")[0]
    assert (text.text, text.encoding) == (sample_text, "utf-8")


# -- judged by content ------------------------------------------------------------------------------------------


def _ole(stream: str) -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64) + stream.encode("utf-16-le") + bytes(64)


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"junk before\n%PDF-1.4\n", "a.txt", "pdf"),
        (rb"{\rtf1\ansi x}", "a.doc", "rtf"),
        (_ole("WordDocument"), "a.wps", "doc"),
        (_ole("WordDocument"), "noname", "doc"),
        (zip_of({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}), "a.zip", "odt"),
        (b"<!-- saved from url --><html xmlns:o='urn:schemas-microsoft-com:office:office'><p>x</p>", "a.doc", "html"),
        ('{"title": "t", "content": "正文"}\n'.encode(), "export", "jsonl"),
        ("标题,日期,正文\n通知,2023,内容\n".encode(), "export.txt", "csv"),
        ("# 标题\n\n正文".encode(), "a.markdown", "md"),
        ("没有扩展名的正文".encode("gb18030"), "README", "txt"),
    ],
)
def test_detect_reads_the_content_not_the_name(data: bytes, name: str, expected: str) -> None:
    assert detect(data, name) == expected


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (_ole("Workbook"), "a.doc", "an Excel spreadsheet (.xls)"),
        (zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}), "a.docx", "an Excel spreadsheet"),
        (zip_of({"mimetype": b"application/epub+zip"}), "a.zip", "an e-book"),
        (b"MIME-Version: 1.0\r\nContent-Type: multipart/related\r\n", "a.doc", "a web archive (.mht"),
        (b"body { color: red }", "site.css", "a stylesheet"),
        (b"\x89PNG\r\n\x1a\n" + bytes(16), "photo.txt", "a PNG image"),
        (b"~$ owner", "~$报告.docx", "an Office lock file"),
    ],
)
def test_detect_passes_over_what_is_not_a_document(data: bytes, name: str, reason: str) -> None:
    with pytest.raises(NotRead) as caught:
        detect(data, name)
    assert str(caught.value).startswith(reason)
