"""Slides from an outline (PPT设计): a 16:9 .pptx in a restrained official theme, traced like other downloads.

    data = render_pptx(doc, token, time)

A title slide (title, unit, date); one slide per level-1 heading with its level-2 points as bullets (each
shortened to its lead phrase, at most BULLETS_PER_SLIDE a slide, the rest on continuation slides); a closing
slide. A document without an outline gets slides of its paragraphs' lead sentences. The document comes
already filtered for the viewer (member-only headings are not in it). East-Asian fonts are set on every run:
python-pptx's ``font.name`` fills only the Latin slot, and PowerPoint would show Chinese in its theme font.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.opc.constants import CONTENT_TYPE as CT
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.package import Part
from pptx.opc.packuri import PackURI
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide
from pptx.text.text import TextFrame
from pptx.util import Emu, Inches, Length, Pt

from sucai.compose import headings
from sucai.export.text import clean
from sucai.export.trace import custom_properties_xml
from sucai.model import Document

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)  # 16:9
BULLETS_PER_SLIDE = 6
LEAD_MAX_CHARS = 28  # a bullet longer than this is cut to its lead phrase
PARAGRAPH_LEADS = 4  # bullets drawn from a section's paragraphs when it has no sub-points
RED = RGBColor(0xC0, 0x00, 0x00)
DARK = RGBColor(0x26, 0x26, 0x26)
GREY = RGBColor(0x59, 0x59, 0x59)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
TITLE_FONT, BODY_FONT = "黑体", "仿宋"
TITLE_FALLBACK, BODY_FALLBACK = "微软雅黑", "宋体"
CLOSING = "谢谢！"
CONTINUED = "（续）"


@dataclass
class Section:
    """One level-1 heading and the bullets under it."""

    title: str
    bullets: list[str] = field(default_factory=list)


def lead_phrase(text: str, max_chars: int = LEAD_MAX_CHARS) -> str:
    """A point as a bullet shows it (see compose.headings.lead_phrase)."""
    return headings.lead_phrase(clean(text), max_chars)


def outline_sections(doc: Document) -> list[Section]:
    """Level-1 headings with their level-2 points; a section without points takes its paragraphs' leads."""
    sections: list[Section] = []
    heading_blocks = {item.block for item in doc.outline}
    levels = sorted({item.level for item in doc.outline})
    top = levels[0] if levels else None
    second = levels[1] if len(levels) > 1 else None
    for item in doc.outline:
        if item.level == top:
            sections.append(Section(lead_phrase(item.text, 40)))
        elif item.level == second and sections:
            sections[-1].bullets.append(lead_phrase(item.text))
    if not sections:
        return _paragraph_sections(doc)
    _fill_from_paragraphs(doc, sections, heading_blocks, top)
    return sections


def _fill_from_paragraphs(doc: Document, sections: list[Section], heading_blocks: set[int], top: int | None) -> None:
    """Sections with no sub-points show the lead sentences of their own paragraphs."""
    tops = [item.block for item in doc.outline if item.level == top]
    bounds = [*tops, len(doc.blocks)]
    for k, section in enumerate(sections):
        if section.bullets:
            continue
        blocks = doc.blocks[bounds[k] + 1 : bounds[k + 1]]
        leads = [lead_phrase(b.text) for b in blocks if b.kind == "paragraph" and clean(b.text)]
        section.bullets = leads[:PARAGRAPH_LEADS]


def _paragraph_sections(doc: Document) -> list[Section]:
    leads = [lead_phrase(b.text) for b in doc.blocks if b.kind == "paragraph" and clean(b.text)]
    leads = [lead for lead in leads if lead]
    if not leads:
        return []
    title = lead_phrase(doc.title, 40)
    return [Section(title, leads[i : i + BULLETS_PER_SLIDE]) for i in range(0, len(leads), BULLETS_PER_SLIDE)]


def paginate(sections: list[Section]) -> list[Section]:
    """At most BULLETS_PER_SLIDE bullets a slide; the rest go on continuation slides of the same title."""
    pages: list[Section] = []
    for section in sections:
        chunks = [section.bullets[i : i + BULLETS_PER_SLIDE] for i in range(0, len(section.bullets), BULLETS_PER_SLIDE)]
        for k, chunk in enumerate(chunks or [[]]):
            pages.append(Section(section.title + (CONTINUED if k else ""), chunk))
    return pages


# -- drawing ---------------------------------------------------------------------------------------------


def set_run_fonts(run_properties: etree._Element, font: str, fallback: str) -> None:
    """Latin, East-Asian and complex-script typefaces on one run (python-pptx sets only the Latin one)."""
    for tag in ("a:latin", "a:ea", "a:cs"):
        node = run_properties.find(qn(tag))
        if node is None:
            node = etree.SubElement(run_properties, qn(tag))
        node.set("typeface", font if tag != "a:cs" else fallback)
    run_properties.set("lang", "zh-CN")
    run_properties.set("altLang", "en-US")


def _write(frame: TextFrame, lines: list[str], *, font: str, fallback: str, pt: int, color: RGBColor,
           bold: bool = False, align: PP_ALIGN = PP_ALIGN.LEFT, bullet: bool = False) -> None:
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = align
        paragraph.space_after = Pt(pt * 0.6)
        run = paragraph.add_run()
        run.text = ("■ " if bullet else "") + line
        run.font.size, run.font.bold, run.font.color.rgb = Pt(pt), bold, color
        set_run_fonts(run._r.get_or_add_rPr(), font, fallback)


def _band(slide: Slide, top: Length, height: Length) -> None:
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Emu(0), top, SLIDE_W, height)
    shape.fill.solid()
    shape.fill.fore_color.rgb = RED
    shape.line.fill.background()


def _box(slide: Slide, left: Length, top: Length, width: Length, height: Length) -> TextFrame:
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    return frame


def _title_slide(prs: PresentationType, title: str, unit: str, date: str) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _band(slide, Inches(2.2), Inches(1.9))
    frame = _box(slide, Inches(0.8), Inches(2.2), Emu(SLIDE_W - Inches(1.6)), Inches(1.9))
    _write(frame, [title], font=TITLE_FONT, fallback=TITLE_FALLBACK, pt=36, color=WHITE, bold=True,
           align=PP_ALIGN.CENTER)
    lines = [line for line in (unit, date) if line]
    if lines:
        frame = _box(slide, Inches(0.8), Inches(4.6), Emu(SLIDE_W - Inches(1.6)), Inches(1.4))
        _write(frame, lines, font=BODY_FONT, fallback=BODY_FALLBACK, pt=22, color=GREY, align=PP_ALIGN.CENTER)


def _content_slide(prs: PresentationType, page: Section) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _band(slide, Emu(0), Inches(1.25))
    frame = _box(slide, Inches(0.6), Emu(0), Emu(SLIDE_W - Inches(1.2)), Inches(1.25))
    _write(frame, [page.title], font=TITLE_FONT, fallback=TITLE_FALLBACK, pt=30, color=WHITE, bold=True)
    if page.bullets:
        frame = slide.shapes.add_textbox(Inches(0.9), Inches(1.7), Emu(SLIDE_W - Inches(1.8)), Inches(5.3)).text_frame
        _write(frame, page.bullets, font=BODY_FONT, fallback=BODY_FALLBACK, pt=24, color=DARK, bullet=True)


def _closing_slide(prs: PresentationType) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _band(slide, Emu(SLIDE_H - Inches(0.5)), Inches(0.5))
    frame = _box(slide, Inches(0.8), Inches(2.5), Emu(SLIDE_W - Inches(1.6)), Inches(2))
    _write(frame, [CLOSING], font=TITLE_FONT, fallback=TITLE_FALLBACK, pt=44, color=RED, bold=True,
           align=PP_ALIGN.CENTER)


def _trace(prs: PresentationType, title: str, token: str, time: str) -> None:
    """Core properties without the template's leftovers, and the signed token as a custom property."""
    core = prs.core_properties
    core.title, core.author, core.last_modified_by, core.keywords, core.subject = title, "", "", "", ""
    try:
        core.created = core.modified = datetime.fromisoformat(time)
    except ValueError:
        pass  # keep the template's dates rather than fail a download over a malformed clock string
    package = prs.part.package
    part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, package, custom_properties_xml(token))
    package.relate_to(part, RT.CUSTOM_PROPERTIES)


def _display_date(time: str) -> str:
    try:
        moment = datetime.fromisoformat(time)
    except ValueError:
        return ""
    return f"{moment.year}年{moment.month}月{moment.day}日"


def slides_text(prs: PresentationType) -> list[str]:
    """Every paragraph of every slide, in order (as trace.slide_paragraphs reads them back from the file)."""
    return ["".join(t.text or "" for t in p.iter(qn("a:t")))
            for slide in prs.slides for p in slide._element.iter(qn("a:p"))]


def _footer_box(prs: PresentationType, line: str) -> None:
    """The download's visible footer line, small, at the foot of the closing slide."""
    slide = prs.slides[len(prs.slides) - 1]
    frame = slide.shapes.add_textbox(Inches(0.4), Emu(SLIDE_H - Inches(1.2)), Emu(SLIDE_W - Inches(0.8)),
                                     Inches(0.6)).text_frame
    _write(frame, [line], font=BODY_FONT, fallback=BODY_FALLBACK, pt=9, color=GREY)


def render_pptx(doc: Document, token: str, time: str = "", footer: Callable[[str], str] | None = None,
                unit: str = "") -> bytes:
    """The document's outline as slides: title, one slide per level-1 heading (+ continuations), closing.

    `footer` makes the visible trace line from the slides' text above it (export/footer.py)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(SLIDE_W), Emu(SLIDE_H)
    title = clean(doc.title) or "无标题"
    _title_slide(prs, title, unit, _display_date(time))
    for page in paginate(outline_sections(doc)):
        _content_slide(prs, page)
    _closing_slide(prs)
    if footer is not None:
        _footer_box(prs, footer("\n".join(slides_text(prs))))
    _trace(prs, title, token, time)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
