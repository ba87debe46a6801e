"""The originality report as .docx: the figures, the sources, per-section figures, and the draft with every
copied span marked (red on yellow; quotations in green) and numbered after its source."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph

from sucai.model import CheckReport, CopiedSpan

FONT = "宋体"
COPIED = RGBColor(0xC0, 0x00, 0x00)
QUOTED = RGBColor(0x00, 0x80, 0x00)


def _percent(ratio: float) -> str:
    return f"{ratio * 100:.1f}%"


def _set_fonts(doc: DocxDocument) -> None:
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(12)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _table(doc: DocxDocument, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text


def _summary(doc: DocxDocument, report: CheckReport) -> None:
    _table(doc, ["指标", "数值"], [
        ["总字符数（不含标点、空白）", str(report.chars)],
        ["复制字符数", str(report.copied_chars)],
        ["总文字复制比", _percent(report.copy_ratio)],
        ["去除引用文献复制比", _percent(report.copy_ratio_excluding_quotes)],
        ["单篇最大文字复制比", _percent(report.max_single_source_ratio)],
    ])


def _sources(doc: DocxDocument, report: CheckReport) -> None:
    doc.add_heading("相似文献", level=2)
    if not report.sources:
        doc.add_paragraph("未发现与库中文献相同的文字。")
        return
    rows = [[str(i), s.title, str(s.id), str(s.copied_chars), _percent(s.copied_chars / max(report.chars, 1))]
            for i, s in enumerate(report.sources, 1)]
    _table(doc, ["序号", "标题", "文献编号", "重合字符数", "文字复制比"], rows)


def _sections(doc: DocxDocument, report: CheckReport) -> None:
    doc.add_heading("分段检测结果", level=2)
    rows = [[s.heading, str(s.chars), str(s.copied_chars), _percent(s.copy_ratio)] for s in report.sections]
    _table(doc, ["部分", "字符数", "复制字符数", "文字复制比"], rows)


def _marked_line(paragraph: Paragraph, line: str, offset: int, spans: Sequence[CopiedSpan],
                 numbers: dict[int, int]) -> None:
    """One line of the draft with the spans inside it marked and followed by their source number."""
    pos = 0
    for span in spans:
        start, end = max(span.start - offset, pos), min(span.end - offset, len(line))
        if end <= start:
            continue
        paragraph.add_run(line[pos:start])
        run = paragraph.add_run(line[start:end])
        run.font.color.rgb = QUOTED if span.quoted else COPIED
        if not span.quoted:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        if span.end - offset <= len(line):
            paragraph.add_run(f"[{numbers.get(span.source_id, 0)}]").font.superscript = True
        pos = end
    paragraph.add_run(line[pos:])


def _draft(doc: DocxDocument, draft: str, report: CheckReport) -> None:
    doc.add_heading("检测文本", level=2)
    doc.add_paragraph("红字黄底为与库中文献相同的文字，绿字为其中的引文；方括号内为相似文献序号。")
    numbers = {s.id: i for i, s in enumerate(report.sources, 1)}
    spans = sorted(report.spans, key=lambda s: s.start)
    offset = 0
    for line in draft.split("\n"):
        inside = [s for s in spans if s.start < offset + len(line) and s.end > offset]
        _marked_line(doc.add_paragraph(), line, offset, inside, numbers)
        offset += len(line) + 1


def check_report_docx(draft: str, report: CheckReport) -> bytes:
    """The report as a Word document (bytes of a .docx file)."""
    doc = new_docx()
    _set_fonts(doc)
    doc.add_heading("原创性检测报告（查重）", level=1)
    _summary(doc, report)
    _sources(doc, report)
    _sections(doc, report)
    _draft(doc, draft, report)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
