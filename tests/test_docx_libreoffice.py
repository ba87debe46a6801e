"""The GB/T 9704 .docx as LibreOffice sets it (and so as its PDF shows it): 22 lines of 28 characters."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sucai.export.docx_gbt9704 import render_docx
from sucai.export.trace import TraceMark, sign_mark
from sucai.ingest.parse import parse_text

pdfium = pytest.importorskip("pypdfium2")
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")

ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
TITLE = "关于进一步加强基层调查研究工作的实施意见"
SENTENCE = "坚持把调查研究作为谋事之基、成事之道，深入基层察实情、出实招、办实事，切实解决群众急难愁盼问题。"
TEXT = TITLE + "\n" + "\n".join(SENTENCE * 4 for _ in range(6))


def pdf_lines(tmp_path: Path) -> list[list[str]]:
    token = sign_mark(TraceMark("alice", 3, "2026-03-01T09:00:00", (1,), 1), b"secret")
    doc = parse_text(TEXT, source="a.txt")[0]
    (tmp_path / "a.docx").write_bytes(render_docx(doc, token, "2026-03-01T09:00:00"))
    subprocess.run(
        [SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(tmp_path / "a.docx")],
        check=True, capture_output=True, timeout=180,
    )
    pdf = pdfium.PdfDocument(str(tmp_path / "a.pdf"))
    pages = []
    for page in pdf:
        text = page.get_textpage().get_text_range()
        # spaces pdfium puts around Latin text and any zero-width trace characters are not set characters
        pages.append([ZERO_WIDTH.sub("", line.replace(" ", "")) for line in text.split("\r\n") if line.strip()])
    return pages


def test_libreoffice_sets_28_characters_a_line_and_22_lines_a_page(tmp_path: Path) -> None:
    pages = pdf_lines(tmp_path)
    assert len(pages) >= 2
    first = pages[0]
    assert first[0] == TITLE  # the title is not broken early
    # full lines: those inside a paragraph (not its first, indented line, nor its last)
    paragraph_lines = [line for line in first[1:-1] if not line.startswith("—")]
    full = [line for line in paragraph_lines if not line.endswith("。") and not line.startswith("坚持把调")]
    assert full and all(27 <= len(line) <= 29 for line in full), full
    body_of_page_two = [line for line in pages[1] if not line.startswith("—")]
    if len(pages) > 2:  # page two is full
        assert 21 <= len(body_of_page_two) <= 23


def test_a_pdf_download_is_a4_with_its_text_and_title_and_is_traced(tmp_path: Path) -> None:
    from sucai.library import open_library
    from sucai.settings import Settings

    source = tmp_path / "讲话.txt"
    source.write_text(TEXT, encoding="utf-8")
    with open_library(settings=Settings(db=str(tmp_path / "lib.db"), secret_key="k")) as lib:
        [doc_id] = [d.id for d in lib.ingest([source]).documents]
        free = lib.add_user("free", "free", "a-long-password")
        data, name, media = lib.export(doc_id, "pdf", free)
        assert name.endswith(".pdf") and media == "application/pdf" and data.startswith(b"%PDF-")
        pdf = pdfium.PdfDocument(data)
        width, height = pdf[0].get_size()
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4
        first = ZERO_WIDTH.sub("", pdf[0].get_textpage().get_text_range().replace(" ", ""))
        assert first.startswith(TITLE) and SENTENCE[:20] in first.replace("\r\n", "")
        traced = lib.trace(data)
        assert traced.user == "free" and traced.document == doc_id
        assert lib.downloads_today(free) == 1


def test_a_pdf_for_a_free_account_carries_no_member_only_text(tmp_path: Path) -> None:
    from web_helpers import build_library, leaks, paid_sentences

    lib = build_library(tmp_path)
    try:
        free = lib.user("free")
        sentences = paid_sentences(lib)
        with_paid = [d.id for d in lib.list_documents(limit=100)[1] if lib.document(d.id).has_paid]
        checked = 0
        for doc_id in with_paid[:3]:
            if not lib.document(doc_id, free).blocks[1:]:
                continue  # member-only but for its title: no download is offered
            data = lib.export(doc_id, "pdf", free)[0]
            assert leaks(data, sentences) == []
            checked += 1
        assert checked
        member_pdf = lib.export(with_paid[0], "pdf", lib.user("member"))[0]
        assert leaks(member_pdf, sentences)  # the scanner does read PDFs: not vacuous
    finally:
        lib.close()
