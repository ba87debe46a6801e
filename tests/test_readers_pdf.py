"""PDF: paragraphs rebuilt from lines, page furniture out, headings kept apart; scanned, corrupt and slow PDFs
cost one file each. PDFs are made here: with PDFium's own writer (Latin text at positions we choose) and,
where LibreOffice is installed, from a .docx of text written for this test."""

from __future__ import annotations

import ctypes
import hashlib
import io
from pathlib import Path

import pytest

import sucai
from sucai.errors import InputError
from sucai.ingest.limits import Limits
from sucai.ingest.readers import NotRead, read
from sucai.ingest.readers.pdf_layout import Line, Page, layout
from sucai.office import soffice
from sucai.store.base import StoredFile

A4 = (595.0, 842.0)
SIZE = 12.0
LEFT, RIGHT = 72.0, 523.0


def line(text: str, y: float, x0: float = LEFT, x1: float | None = None, size: float = SIZE) -> Line:
    return Line(text, x0, x1 if x1 is not None else x0 + size * len(text), y, size)


def full(text: str, y: float) -> Line:
    return line(text, y, LEFT, RIGHT)


def page(*lines: Line) -> Page:
    return Page(*A4, list(lines))


# -- layout on lines ---------------------------------------------------------------------------------------------


def test_lines_broken_by_the_page_width_are_joined_and_indented_starts_split() -> None:
    text = layout([page(
        line("关于加强学习的发言", 780, 230, 365, 16),
        line("同志们：", 740, LEFT + 24),
        full("今年以来我们坚持把学习摆在首位，推动各项工作", 720),
        line("取得新成效。", 705),
        full("一年来的实践表明，只有坚持学习，才能把握方", 685, ),
        line("向。", 670),
    )]).text.split("\n")
    assert text == ["关于加强学习的发言", "同志们：", "今年以来我们坚持把学习摆在首位，推动各项工作取得新成效。",
                    "一年来的实践表明，只有坚持学习，才能把握方向。"]


def test_a_heading_is_never_joined() -> None:
    text = layout([page(
        full("这一段写满了一整行，一直排到右边界为止，", 720, ),
        line("一、提高政治站位", 705),  # numbered: its own line though the one before ran to the margin
        full("（一）扑下身子真抓实干。习近平总书记非常重视理论联系", 690),
        line("实际。", 675),
        line("二、强化责任担当", 650, 250, 350),  # short and centred
        full("第二段的开头也写满了一整行，一直排到右边界为止", 630),
        line("结束。", 615),
    )]).text.split("\n")
    assert text == ["这一段写满了一整行，一直排到右边界为止，", "一、提高政治站位",
                    "（一）扑下身子真抓实干。习近平总书记非常重视理论联系实际。", "二、强化责任担当",
                    "第二段的开头也写满了一整行，一直排到右边界为止结束。"]


def test_running_headers_footers_and_page_numbers_are_dropped() -> None:
    pages = [
        page(
            line("某某县人民政府办公室文件", 800, 200, 400, 9),
            full(f"第{n}页的正文一直写到右边界，下一行接着写，没有" if n < 3 else "最后一页的正文写满了一整行", 700),
            line("写完的句子在这里结束。", 685),
            line(footer, 40, 270, 320, 9),
        )
        for n, footer in ((1, "— 1 —"), (2, "- 2 -"), (3, "第3页"))
    ]
    text = layout(pages).text
    assert "某某县人民政府办公室文件" not in text
    assert not any(mark in text for mark in ("— 1 —", "- 2 -", "第3页"))
    assert text.split("\n")[0] == "第1页的正文一直写到右边界，下一行接着写，没有写完的句子在这里结束。"


def test_a_paragraph_runs_on_across_the_page_break() -> None:
    pages = [page(line("同志们：", 760, LEFT + 24), full("上一页的最后一行写满了，句子还没有", 60)),
             page(line("写完，下一页接着写。", 780), line("新的一段从缩进开始。", 760, LEFT + 24))]
    assert layout(pages).text.split("\n") == ["同志们：", "上一页的最后一行写满了，句子还没有写完，下一页接着写。",
                                              "新的一段从缩进开始。"]


def test_a_large_title_is_one_line_and_the_hint() -> None:
    text = layout([page(line("关于进一步加强基层党组织建设", 780, 150, 450, 20),
                        line("工作的实施意见", 755, 230, 370, 20),
                        line("各乡镇党委：", 720), line("现将有关事项通知如下。", 700, LEFT + 24))])
    assert text.title == "关于进一步加强基层党组织建设工作的实施意见"
    assert text.text.split("\n")[0] == text.title


def test_a_red_header_is_not_the_title() -> None:
    text = layout([page(line("某某市人民政府文件", 790, 150, 450, 30),
                        line("某政发〔2023〕1号", 750, 240, 350),
                        line("关于印发某某工作方案的", 710, 180, 420, 20),
                        line("通知", 685, 280, 320, 20),
                        line("各县（市、区）人民政府：", 650), line("现将方案印发给你们。", 630, LEFT + 24))])
    assert text.title == "关于印发某某工作方案的通知"
    assert text.text.split("\n")[:3] == ["某某市人民政府文件", "某政发〔2023〕1号", "关于印发某某工作方案的通知"]


# -- PDFs written by PDFium -------------------------------------------------------------------------------------


def pdf_of(pages: list[list[tuple[str, float, float]]]) -> bytes:
    """A PDF with Helvetica text at (x, y) on A4 pages: what a PDF exporter draws, written with PDFium."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument.new()
    for items in pages:
        new = document.new_page(*A4)
        for text, x, y in items:
            obj = raw.FPDFPageObj_NewTextObj(document.raw, b"Helvetica", ctypes.c_float(SIZE))
            buffer = ctypes.create_string_buffer((text + "\0").encode("utf-16-le"))
            raw.FPDFText_SetText(obj, ctypes.cast(buffer, ctypes.POINTER(raw.FPDF_WCHAR)))
            raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, y)
            raw.FPDFPage_InsertObject(new.raw, obj)
        raw.FPDFPage_GenerateContent(new.raw)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def read_pdf_bytes(data: bytes, limits: Limits | None = None) -> str:
    [text] = read(StoredFile("a.pdf", hashlib.sha256(data).hexdigest(), data, "pdf"), limits or Limits())
    return text.text


WIDE = "The committee met on Monday and agreed that every county will report its progress"


def test_a_pdf_drawn_by_an_exporter_comes_back_as_paragraphs() -> None:
    pages = [
        [("Quarterly Work Report", 72, 800), (WIDE, 72, 700), ("before the end of June.", 72, 685),
         ("1. Training", 72, 660), (f"Page {n} of 3", 270, 40)]
        for n in (1, 2, 3)
    ]
    lines = read_pdf_bytes(pdf_of(pages)).split("\n")
    assert lines == [f"{WIDE} before the end of June.", "1. Training"] * 3


def test_a_scanned_pdf_is_skipped_for_no_text_layer(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument.new()
    document.new_page(*A4)  # a page with no text: what a scanner's PDF is to a text reader
    out = io.BytesIO()
    document.save(out)
    (tmp_path / "scan.pdf").write_bytes(out.getvalue())
    with pytest.raises(NotRead, match=r"(?i)no text layer"):
        read_pdf_bytes(out.getvalue())
    with sucai.open(tmp_path / "lib.db") as lib:
        report = lib.ingest([tmp_path / "scan.pdf"])
    assert [Path(s.path).name for s in report.skipped] == ["scan.pdf"]
    assert "没有文字层" in report.skipped[0].reason and "No text layer" in report.skipped[0].reason


def test_corrupt_and_slow_pdfs_fail_alone_and_the_reader_recovers(tmp_path: Path) -> None:
    good = pdf_of([[("A short report.", 72, 700)]])
    with pytest.raises(InputError, match="not a readable PDF"):
        read_pdf_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    with pytest.raises(InputError, match="took longer than"):
        read_pdf_bytes(pdf_of([[(WIDE, 72, 700 - 15 * i) for i in range(40)]] * 300), Limits(pdf_seconds=0.05))
    assert read_pdf_bytes(good) == "A short report."  # a new helper took over
    (tmp_path / "broken.pdf").write_bytes(good[: len(good) // 3])
    (tmp_path / "good.pdf").write_bytes(good)
    with sucai.open(tmp_path / "lib.db") as lib:
        report = lib.ingest([tmp_path])
    assert [Path(f.path).name for f in report.failed] == ["broken.pdf"]
    assert [d.title for d in report.documents] == ["A short report."]


# -- a PDF as LibreOffice exports it -----------------------------------------------------------------------------

SPEECH = [
    "在学习贯彻主题教育专题读书班上的发言",
    "同志们：",
    "根据安排，我围绕“以学铸魂、以学增智、以学正风、以学促干”谈几点体会，这几句话需要写得足够长，"
    "长到在页面上折成好几行，才能检验断行之后能不能接回原来的段落。",
    "一、坚持以学铸魂，筑牢信仰之基",
    "（一）深刻领会“两个确立”的决定性意义。我们要把学习成果转化为坚定理想信念、锤炼政治品格的实际行动，"
    "做到学思用贯通、知信行统一，在新征程上展现新担当新作为。",
    "二、坚持以学促干，推动工作落实",
    "发言完毕，不妥之处请批评指正。",
]


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
def test_a_libreoffice_pdf_gives_the_paragraphs_back_with_quotes_in_place() -> None:
    from sample_formats import build

    data = build("pdf", "\n".join(SPEECH))
    assert data is not None
    assert read_pdf_bytes(data).split("\n") == SPEECH
