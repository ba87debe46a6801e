"""The .docx download: GB/T 9704-2012 layout as Word will read it (page, fonts, grid, page numbers)."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Length, Pt, Twips

from sucai.export import TraceMark, export_document, strip_zero_width
from sucai.export.footer import FOOTER_LINE
from sucai.model import Block, Document

SECRET = b"test-secret-for-traces-0123456789"
MARK = TraceMark("张三", 12, "2024-05-01T08:30:00+00:00", (7,), 99)
TITLE = "2023年主题教育研讨交流发言材料"
BLOCKS = [
    Block("title", TITLE),
    Block("salutation", "同志们："),
    Block(
        "paragraph", "根据主题教育工作安排，下面我围绕学习贯彻习近平新时代中国特色社会主义思想进行交流发言。"
    ),
    Block("heading", "一、在学深悟透上下功夫", 1),
    Block("heading", "（一）扑下身子真抓实干。", 2),
    Block("paragraph", "作为党员领导干部，首先要发挥示范带动作用，在理论武装上下功夫。"),
    Block("heading", "1.坚持读原著学原文", 3),
    Block("heading", "（1）制定学习计划", 4),
    Block("paragraph", "把学习贯彻新思想作为首要政治任务。"),
    Block("closing", "发言完毕，不妥之处请各位领导批评指正。"),
]
NOTICE = "（另有 3 段会员内容，已隐藏）"


def _mm(length: Length | None) -> float:
    assert length is not None
    return length.mm


@pytest.fixture(scope="module")
def data() -> bytes:
    body, name, media = export_document(Document(7, TITLE, list(BLOCKS), locked=3), "docx", MARK, SECRET)
    assert name == f"{TITLE}.docx"
    assert media == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return body


@pytest.fixture(scope="module")
def word(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def _east_asia(element: object) -> dict[str, str | None]:
    fonts = element.rPr.rFonts  # type: ignore[attr-defined]
    return {slot: fonts.get(qn(f"w:{slot}")) for slot in ("ascii", "hAnsi", "eastAsia", "cs")}


def _size_pt(element: object) -> float:
    return int(element.rPr.sz.get(qn("w:val"))) / 2  # type: ignore[attr-defined]


def test_page_is_a4_with_the_standard_margins(word: docx.document.Document) -> None:
    section = word.sections[0]
    assert (round(_mm(section.page_width)), round(_mm(section.page_height))) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(_mm(m)) for m in margins] == [37, 35, 28, 26]


def test_document_grid_is_22_lines_of_28_characters(word: docx.document.Document) -> None:
    grid = word.sections[0]._sectPr.find(qn("w:docGrid"))
    # A line grid only: a character grid with a negative charSpace sets 13-14 a line in LibreOffice.
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:charSpace")) is None
    pitch = int(grid.get(qn("w:linePitch")))
    text_height_pt, text_width_pt = 225 / 25.4 * 72, 156 / 25.4 * 72
    assert 22 * pitch / 20 <= text_height_pt < 23 * pitch / 20  # 22 lines fit, a 23rd would not
    for name in ("Normal", "GB Body", "GB Heading 1", "GB Heading 2"):
        spacing = word.styles[name].element.rPr.find(qn("w:spacing"))
        char_pitch = 16 + int(spacing.get(qn("w:val"))) / 20
        assert 28 * char_pitch <= text_width_pt < 29 * char_pitch, name
    assert pitch == 579


@pytest.mark.parametrize(
    ("style", "font", "size"),
    [
        ("GB Title", "方正小标宋简体", 22),
        ("GB Body", "仿宋_GB2312", 16),
        ("GB Salutation", "仿宋_GB2312", 16),
        ("GB Heading 1", "黑体", 16),
        ("GB Heading 2", "楷体_GB2312", 16),
        ("GB Heading 3", "仿宋_GB2312", 16),
        ("GB Heading 4", "仿宋_GB2312", 16),
    ],
)
def test_styles_and_their_runs_set_chinese_fonts_in_every_slot(
    word: docx.document.Document, style: str, font: str, size: int
) -> None:
    element = word.styles[style].element
    assert set(_east_asia(element).values()) == {font}
    assert _size_pt(element) == size
    runs = [r for p in word.paragraphs if p.style.name == style for r in p.runs]
    assert runs, f"no paragraph uses {style}"
    for run in runs:
        assert set(_east_asia(run._r).values()) == {font}
        assert run.font.size == Pt(size)


def test_blocks_map_to_styles_in_order_with_the_locked_notice_last(word: docx.document.Document) -> None:
    *got, (footer_style, footer) = [(p.style.name, strip_zero_width(p.text)) for p in word.paragraphs]
    assert footer_style == "GB Trace" and FOOTER_LINE.fullmatch(footer)  # the visible trace line, last
    assert got == [
        ("GB Title", TITLE),
        ("GB Salutation", "同志们："),
        ("GB Body", BLOCKS[2].text),
        ("GB Heading 1", "一、在学深悟透上下功夫"),
        ("GB Heading 2", "（一）扑下身子真抓实干。"),
        ("GB Body", BLOCKS[5].text),
        ("GB Heading 3", "1.坚持读原著学原文"),
        ("GB Heading 4", "（1）制定学习计划"),
        ("GB Body", BLOCKS[8].text),
        ("GB Body", BLOCKS[9].text),
        ("GB Body", NOTICE),
    ]


def test_paragraph_layout(word: docx.document.Document) -> None:
    title, body, salutation = (
        word.styles[n].paragraph_format for n in ("GB Title", "GB Body", "GB Salutation")
    )
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.space_after == Twips(579)  # one empty line under the title
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert body.first_line_indent == Pt(32)
    ind = word.styles["GB Body"].element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"  # two characters, in Word's character units
    assert salutation.first_line_indent == Pt(0)
    assert word.styles["GB Heading 1"].paragraph_format.first_line_indent == Pt(32)
    for fmt in (title, body, salutation):
        assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
        assert fmt.line_spacing == Twips(579)  # the grid pitch, ≈ 28.95 pt


def test_headings_appear_in_the_navigation_pane(word: docx.document.Document) -> None:
    for level in (1, 2, 3, 4):
        outline = word.styles[f"GB Heading {level}"].element.pPr.find(qn("w:outlineLvl"))
        assert outline.get(qn("w:val")) == str(level - 1)


def test_document_defaults_leave_no_japanese_fallback(data: bytes, word: docx.document.Document) -> None:
    defaults = word.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert not [a for a in fonts.attrib if a.lower().endswith("theme")]
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    settings = zipfile.ZipFile(io.BytesIO(data)).read("word/settings.xml").decode()
    assert 'w:eastAsia="ja-JP"' not in settings


def _footer_check(paragraph: docx.text.paragraph.Paragraph, align: WD_ALIGN_PARAGRAPH) -> None:
    assert paragraph.alignment == align
    xml = paragraph._p.xml
    assert "PAGE" in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
    assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
    assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
    for run in paragraph.runs:
        assert set(_east_asia(run._r).values()) == {"宋体"}
        assert run.font.size == Pt(14)


def test_page_numbers_on_the_outer_side(word: docx.document.Document) -> None:
    assert word.settings.odd_and_even_pages_header_footer
    section = word.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    _footer_check(odd, WD_ALIGN_PARAGRAPH.RIGHT)
    _footer_check(even, WD_ALIGN_PARAGRAPH.LEFT)
    assert odd.paragraph_format.right_indent == Pt(14)  # 空一字 from the outer edge
    assert even.paragraph_format.left_indent == Pt(14)


def test_properties_name_the_document_not_the_tool_or_the_downloader(word: docx.document.Document) -> None:
    core = word.core_properties
    assert core.title == TITLE
    assert core.author == "" and "python-docx" not in core.comments
    assert "张三" not in (core.title + core.author + core.subject + core.keywords)


def test_chinese_fonts_are_declared_with_fallbacks(data: bytes) -> None:
    table = zipfile.ZipFile(io.BytesIO(data)).read("word/fontTable.xml").decode()
    assert 'w:name="仿宋_GB2312"' in table and 'w:altName w:val="仿宋"' in table
    assert 'w:name="楷体_GB2312"' in table and 'w:name="方正小标宋简体"' in table


def test_a_document_without_a_title_block_gets_its_title() -> None:
    doc = Document(8, "关于加强学习的心得体会", [Block("paragraph", "学习是立身之本。")])
    data, name, _ = export_document(doc, "docx", MARK, SECRET)
    paragraphs = docx.Document(io.BytesIO(data)).paragraphs
    assert [(p.style.name, strip_zero_width(p.text)) for p in paragraphs[:-1]] == [
        ("GB Title", "关于加强学习的心得体会"),
        ("GB Body", "学习是立身之本。"),
    ]
    assert paragraphs[-1].style.name == "GB Trace"
    assert name == "关于加强学习的心得体会.docx"
