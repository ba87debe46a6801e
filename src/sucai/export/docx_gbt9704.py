"""Word downloads in the layout of GB/T 9704-2012 (党政机关公文格式), traced.

A4; margins 37/35/28/26 mm; a document grid of 22 lines × 28 characters; title 二号 方正小标宋简体 centred;
body 三号 仿宋_GB2312 with a two-character first-line indent; headings 黑体 / 楷体_GB2312 / 仿宋_GB2312 by
level; page numbers 四号 宋体 "— 1 —" on the outer side (odd pages right, even pages left).

East-Asian fonts are set through w:eastAsia on the styles and on every run: python-docx's ``font.name`` sets
only the Latin slots, and Word then shows Chinese in the theme's East-Asian font (MS Mincho in its template).
"""

from __future__ import annotations

import io
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Length, Mm, Pt, Twips
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph
from lxml import etree

from sucai.export.text import carrier_blocks, carrier_position, locked_notice, reading_plan
from sucai.export.trace import CUSTOM_XML_NS, custom_properties_xml
from sucai.model import Block, Document

# -- the standard's figures ----------------------------------------------------------------------------
PAGE_MM = (210, 297)
MARGIN_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
BODY_PT, TITLE_PT, PAGE_NUMBER_PT = 16, 22, 14
TRACE_PT = 9  # 小五: the footer line that names the download, out of the reader's way
TEXT_WIDTH_MM = PAGE_MM[0] - MARGIN_MM["left"] - MARGIN_MM["right"]  # 156
TEXT_HEIGHT_MM = PAGE_MM[1] - MARGIN_MM["top"] - MARGIN_MM["bottom"]  # 225
# Rounded down so that 22 lines and 28 characters always fit the text area.
LINE_PITCH_TWIPS = math.floor(TEXT_HEIGHT_MM / 25.4 * 1440 / LINES_PER_PAGE)  # 579 = 28.95 pt
# 28 characters a line by condensing body text (w:spacing, in 1/20 pt), not by a character grid: Word and WPS
# honour a linesAndChars grid with a negative charSpace, but LibreOffice then gives each 16 pt character two
# cells (13-14 a line). Rounded down so that 28 always fit: 15.75 pt x 28 = 441 pt of the 442.2 pt line.
BODY_SPACING_TWENTIETHS = math.floor((TEXT_WIDTH_MM / 25.4 * 72 / CHARS_PER_LINE - BODY_PT) * 20)  # -5
PAGE_NUMBER_GAP_MM = 7  # the page number's dash sits 7 mm under the text area

TITLE_FONT, BODY_FONT, HEI, KAI, SONG = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
# Where a reader lacks the GB2312-era fonts, Word takes the altName: Windows ships 仿宋 and 楷体.
FONT_ALT_NAMES = {BODY_FONT: "仿宋", KAI: "楷体", TITLE_FONT: "宋体", HEI: None, SONG: None}
LANG_ZH = "zh-CN"


@dataclass(frozen=True)
class GbStyle:
    name: str
    font: str
    pt: int
    align: WD_ALIGN_PARAGRAPH
    indent_chars: int
    outline_level: int | None = None  # shown in Word's navigation pane
    lines_after: int = 0  # the title stands one empty line above what follows (GB/T 9704 7.3.2)


STYLES = (
    GbStyle("GB Title", TITLE_FONT, TITLE_PT, WD_ALIGN_PARAGRAPH.CENTER, 0, lines_after=1),
    GbStyle("GB Body", BODY_FONT, BODY_PT, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
    GbStyle("GB Salutation", BODY_FONT, BODY_PT, WD_ALIGN_PARAGRAPH.JUSTIFY, 0),
    GbStyle("GB Heading 1", HEI, BODY_PT, WD_ALIGN_PARAGRAPH.JUSTIFY, 2, 0),
    GbStyle("GB Heading 2", KAI, BODY_PT, WD_ALIGN_PARAGRAPH.JUSTIFY, 2, 1),
    GbStyle("GB Heading 3", BODY_FONT, BODY_PT, WD_ALIGN_PARAGRAPH.JUSTIFY, 2, 2),
    GbStyle("GB Heading 4", BODY_FONT, BODY_PT, WD_ALIGN_PARAGRAPH.JUSTIFY, 2, 3),
    GbStyle("GB Page Number", SONG, PAGE_NUMBER_PT, WD_ALIGN_PARAGRAPH.RIGHT, 0),
    GbStyle("GB Trace", SONG, TRACE_PT, WD_ALIGN_PARAGRAPH.LEFT, 0),  # the download's footer line, last
)
STYLE_BY_NAME = {s.name: s for s in STYLES}

# Successor tags, for inserting children in schema order (Word rejects out-of-order properties).
_RPR_AFTER_SZCS = (
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)
_RPR_AFTER_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", *_RPR_AFTER_SZCS)
_RPR_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
_PPR_AFTER_OUTLINE = ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def style_for(block: Block) -> str:
    if block.kind == "title":
        return "GB Title"
    if block.kind == "salutation":
        return "GB Salutation"
    if block.kind == "heading":
        return f"GB Heading {min(max(block.level or 1, 1), 4)}"
    return "GB Body"  # paragraph, closing


# -- fonts on styles and runs ---------------------------------------------------------------------------


def _child(parent: etree._Element, tag: str, successors: tuple[str, ...] = ()) -> etree._Element:
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        parent.insert_element_before(found, *successors)
    return found


def set_fonts(rpr: etree._Element, font: str, pt: float) -> None:
    """All four font slots, both sizes and the Chinese language on one w:rPr (of a style or a run)."""
    fonts = rpr.get_or_add_rFonts()
    for attr in list(fonts.attrib):  # theme fonts would win over the names we set
        if attr.lower().endswith("theme"):
            del fonts.attrib[attr]
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{slot}"), font)
    fonts.set(qn("w:hint"), "eastAsia")
    half_points = str(round(pt * 2))
    rpr.get_or_add_sz().set(qn("w:val"), half_points)
    _child(rpr, "w:szCs", _RPR_AFTER_SZCS).set(qn("w:val"), half_points)
    lang = _child(rpr, "w:lang", _RPR_AFTER_LANG)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), LANG_ZH)


def condense(rpr: etree._Element) -> None:
    """Body type a little narrower than its size, so that 28 characters fill a line in every office suite."""
    _child(rpr, "w:spacing", _RPR_AFTER_SPACING).set(qn("w:val"), str(BODY_SPACING_TWENTIETHS))


def _exact_lines(fmt: object, pitch: Length) -> None:
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY  # type: ignore[attr-defined]
    fmt.line_spacing = pitch  # type: ignore[attr-defined]
    fmt.space_before = Pt(0)  # type: ignore[attr-defined]
    fmt.space_after = Pt(0)  # type: ignore[attr-defined]


def _define_style(document: DocxDocument, spec: GbStyle) -> ParagraphStyle:
    style = document.styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.quick_style = True
    set_fonts(style.element.get_or_add_rPr(), spec.font, spec.pt)
    if spec.pt == BODY_PT:
        condense(style.element.get_or_add_rPr())
    fmt = style.paragraph_format
    _exact_lines(fmt, Twips(LINE_PITCH_TWIPS))
    fmt.alignment = spec.align
    fmt.space_after = Twips(LINE_PITCH_TWIPS * spec.lines_after)
    fmt.first_line_indent = Pt(spec.pt * spec.indent_chars)
    fmt.widow_control = True
    ind = style.element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(spec.indent_chars * 100))  # Word prefers character units
    if spec.outline_level is not None:
        fmt.keep_with_next = True
        level = _child(style.element.get_or_add_pPr(), "w:outlineLvl", _PPR_AFTER_OUTLINE)
        level.set(qn("w:val"), str(spec.outline_level))
    return style


def _set_defaults(document: DocxDocument) -> None:
    """Document defaults, Normal and the theme language in Chinese body type: nothing falls back to Mincho."""
    styles_root = document.styles.element
    rpr_default = styles_root.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr_default, BODY_FONT, BODY_PT)
    normal = document.styles["Normal"]
    set_fonts(normal.element.get_or_add_rPr(), BODY_FONT, BODY_PT)
    condense(normal.element.get_or_add_rPr())
    _exact_lines(normal.paragraph_format, Twips(LINE_PITCH_TWIPS))
    settings = document.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), LANG_ZH)
    document.settings.odd_and_even_pages_header_footer = True  # w:evenAndOddHeaders


# -- page ----------------------------------------------------------------------------------------------


def _page_setup(section: Section) -> None:
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGIN_MM["top"]), Mm(MARGIN_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGIN_MM["left"]), Mm(MARGIN_MM["right"])
    section.gutter = Mm(0)
    section.header_distance = Mm(15)
    # The footer grows upwards from footer_distance: put the top of its one exact line 7 mm under the text.
    section.footer_distance = Mm(MARGIN_MM["bottom"] - PAGE_NUMBER_GAP_MM) - Pt(PAGE_NUMBER_PT + 2)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)  # last child of sectPr but for printerSettings, which we never write
    grid.set(qn("w:type"), "lines")  # a line grid only: see BODY_SPACING_TWENTIETHS
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))


def _field_run(paragraph: Paragraph, kind: str, text: str = "") -> None:
    run = paragraph.add_run()
    set_fonts(run._r.get_or_add_rPr(), SONG, PAGE_NUMBER_PT)
    if kind == "text":
        run.text = text
        return
    if kind == "instr":
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = text
        run._r.append(instr)
        return
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run._r.append(char)


def _page_number(paragraph: Paragraph, align: WD_ALIGN_PARAGRAPH) -> None:
    """'— N —' with a PAGE field, one character in from the outer edge.

    GB/T 9704 7.5: 单页码居右空一字，双页码居左空一字."""
    paragraph.style = "GB Page Number"
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    _exact_lines(fmt, Pt(PAGE_NUMBER_PT + 2))
    fmt.first_line_indent = Pt(0)
    one_char = Pt(PAGE_NUMBER_PT)
    odd = align == WD_ALIGN_PARAGRAPH.RIGHT
    fmt.left_indent, fmt.right_indent = (Pt(0), one_char) if odd else (one_char, Pt(0))
    pieces = [
        ("text", "— "),
        ("begin", ""),
        ("instr", " PAGE "),
        ("separate", ""),
        ("text", "1"),
        ("end", ""),
        ("text", " —"),
    ]
    for kind, text in pieces:
        _field_run(paragraph, kind, text)


def _footers(section: Section) -> None:
    section.footer.is_linked_to_previous = False
    section.even_page_footer.is_linked_to_previous = False
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)  # odd pages
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


# -- body ----------------------------------------------------------------------------------------------


def _styled_run(paragraph: Paragraph, text: str, spec: GbStyle) -> None:
    run = paragraph.add_run(text)
    set_fonts(run._r.get_or_add_rPr(), spec.font, spec.pt)


def _add_block(document: DocxDocument, block: Block, mark: str | None) -> None:
    name = style_for(block)
    paragraph = document.add_paragraph(style=name)
    spec = STYLE_BY_NAME[name]
    if mark is None:
        _styled_run(paragraph, block.text, spec)
        return
    cut = carrier_position(block.text)
    for piece in (block.text[:cut], mark, block.text[cut:]):
        if piece:
            _styled_run(paragraph, piece, spec)


def _write_body(document: DocxDocument, doc: Document, mark: str | None) -> None:
    blocks = reading_plan(doc)
    carriers = carrier_blocks(len(blocks))
    for i, block in enumerate(blocks):
        _add_block(document, block, mark if i in carriers else None)
    if doc.locked > 0:
        _add_block(document, Block("paragraph", locked_notice(doc.locked)), None)


# -- package: properties and the hidden trace ------------------------------------------------------------


def _custom_xml_parts(document: DocxDocument, token: str) -> None:
    """A custom XML data part (customXml/itemN.xml with its itemProps), related from the document."""
    package = document.part.package
    item_name = package.next_partname("/customXml/item%d.xml")
    number = item_name.idx
    root = etree.Element(f"{{{CUSTOM_XML_NS}}}trace", nsmap={"sucai": CUSTOM_XML_NS})
    root.text = token
    item = Part(item_name, CT.XML, etree.tostring(root, xml_declaration=True, encoding="UTF-8"), package)
    item_id = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, token)).upper() + "}"
    props_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<ds:datastoreItem xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml" '
        f'ds:itemID="{item_id}"><ds:schemaRefs><ds:schemaRef ds:uri="{CUSTOM_XML_NS}"/></ds:schemaRefs>'
        "</ds:datastoreItem>"
    )
    props = Part(
        PackURI(f"/customXml/itemProps{number}.xml"),
        CT.OFC_CUSTOM_XML_PROPERTIES,
        props_xml.encode("utf-8"),
        package,
    )
    item.relate_to(props, RT.CUSTOM_XML_PROPS)
    document.part.relate_to(item, RT.CUSTOM_XML)


def _font_table(document: DocxDocument) -> None:
    """Declare the Chinese fonts (GB2312 charset, alternative names) so Word substitutes sensibly."""
    part = document.part.part_related_by(RT.FONT_TABLE)
    root = parse_xml(part.blob)
    for name, alt in FONT_ALT_NAMES.items():
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        family = "modern" if name == HEI else "roman"
        children = [("w:altName", alt), ("w:charset", "86"), ("w:family", family), ("w:pitch", "variable")]
        for tag, value in children:  # schema order: altName, charset, family, pitch
            if value:
                child = OxmlElement(tag)
                child.set(qn("w:val"), value)
                font.append(child)
        root.append(font)
    # python-docx loads the font table as an opaque part; replacing its bytes is the only way in.
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _properties(document: DocxDocument, title: str, token: str, time: str) -> None:
    core = document.core_properties
    core.title, core.author, core.last_modified_by = title, "", ""
    core.comments, core.subject, core.keywords, core.category = "", "", "", ""
    core.revision = 1
    try:
        core.created = core.modified = datetime.fromisoformat(time)
    except ValueError:
        pass  # keep the template's dates rather than fail a download over a malformed clock string
    package = document.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # the template's preview picture is not this document
            del package.rels[rid]
    custom = Part(
        PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, custom_properties_xml(token), package
    )
    package.relate_to(custom, RT.CUSTOM_PROPERTIES)
    _custom_xml_parts(document, token)
    _font_table(document)


def render_docx(
    doc: Document, token: str, time: str = "", mark: str | None = None,
    footer: Callable[[str], str] | None = None,
) -> bytes:
    """The document as a GB/T 9704 .docx whose properties carry the signed trace token; `footer` makes the
    last paragraph from the text above it (the visible trace line); `mark`, when given, is woven into the
    body text as zero-width characters."""
    document = docx.Document()
    _set_defaults(document)
    for spec in STYLES:
        _define_style(document, spec)
    section = document.sections[0]
    _page_setup(section)
    _footers(section)
    _write_body(document, doc, mark)
    if footer is not None:
        above = "\n".join(p.text for p in document.paragraphs)
        _styled_run(document.add_paragraph(style="GB Trace"), footer(above), STYLE_BY_NAME["GB Trace"])
    blocks = reading_plan(doc)
    _properties(document, blocks[0].text if blocks else doc.title, token, time)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
