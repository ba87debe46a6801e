"""PDF with a text layer: PDFium gives characters and where they sit; pdf_layout rebuilds the paragraphs.

PDFium runs in the sandbox helper (a hostile PDF can hang or crash a C parser) under the time limit.
Characters are put in their order on the line by position, not by drawing order: full-width quotes drawn
with another font come last in the content stream but belong where they stand on the page. The spaces
PDFium adds at font changes are dropped (Chinese has none); real spaces are kept.
"""

from __future__ import annotations

import ctypes
import operator
from typing import Any

from sucai.errors import InputError
from sucai.ingest.limits import Limits
from sucai.ingest.readers.base import NotRead, SourceText
from sucai.ingest.readers.pdf_layout import Line, Page, layout
from sucai.ingest.readers.sandbox import Sandbox
from sucai.store.base import StoredFile

NO_TEXT_LAYER = "没有文字层（扫描件），请先做文字识别（OCR）。No text layer (a scanned PDF): run OCR on it first."
_SANDBOX = Sandbox("the PDF reader")
_LINE_BREAKS = "\r\n"
_X = operator.itemgetter(0)
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def pdf_lines(data: bytes, seconds: float) -> list[str]:
    """The text of every line of every page, in order (InputError for a PDF that cannot be read)."""
    return [line.text for page in _SANDBOX.run(pdf_pages, data, seconds) for line in page.lines]


def read_pdf(file: StoredFile, limits: Limits) -> list[SourceText]:
    pages = _SANDBOX.run(pdf_pages, file.data, limits.pdf_seconds)
    if not any(line.text.strip() for page in pages for line in page.lines):
        raise NotRead(NO_TEXT_LAYER)
    text = layout(pages)
    return [SourceText(file.origin, text.text, "pdf", None, text.title)]


def pdf_pages(data: bytes) -> list[Page]:
    """Every page's lines with their geometry (runs in the sandbox)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise InputError("a password-protected PDF; sucai cannot read it") from exc
        raise InputError(f"not a readable PDF ({exc})") from exc
    try:
        return [_page(document[index]) for index in range(len(document))]
    finally:
        document.close()


def _page(page: Any) -> Page:
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        lines = _lines(textpage)
    finally:
        textpage.close()
        page.close()
    return Page(width, height, lines)


def _lines(textpage: Any) -> list[Line]:
    import pypdfium2.raw as raw

    handle = textpage.raw
    count = raw.FPDFText_CountChars(handle)
    text = textpage.get_text_range() if count > 0 else ""
    if len(text) != count:  # characters beyond the BMP: ask one by one
        text = "".join(chr(raw.FPDFText_GetUnicode(handle, i)) for i in range(count))
    x, y = ctypes.c_double(), ctypes.c_double()
    x_ref, y_ref, origin = ctypes.byref(x), ctypes.byref(y), raw.FPDFText_GetCharOrigin  # the hot loop: bound once
    rows: list[list[tuple[float, float, int]]] = []
    row: list[tuple[float, float, int]] = []
    for index, char in enumerate(text):
        if char in _LINE_BREAKS:
            if row:
                rows.append(row)
                row = []
            continue
        if char == " " and not _between_words(text, index) and raw.FPDFText_IsGenerated(handle, index) == 1:
            continue
        origin(handle, index, x_ref, y_ref)
        row.append((x.value, y.value, index))
    if row:
        rows.append(row)
    return [_line(handle, text, row) for row in _merge_rows(rows, handle)]


def _merge_rows(rows: list[list[tuple[float, float, int]]], handle: Any) -> list[list[tuple[float, float, int]]]:
    """PDFium's lines, with a neighbour on the same baseline (a run drawn apart) put back into its line."""
    import pypdfium2.raw as raw

    merged: list[list[tuple[float, float, int]]] = []
    for row in rows:
        size = raw.FPDFText_GetFontSize(handle, row[0][2]) or 10.0
        if merged and abs(merged[-1][0][1] - row[0][1]) < 0.3 * size and _apart(merged[-1], row):
            merged[-1].extend(row)
        else:
            merged.append(row)
    return merged


def _apart(left: list[tuple[float, float, int]], right: list[tuple[float, float, int]]) -> bool:
    """The runs do not overlap on the line (two columns at one height are left alone if they interleave)."""
    lo1, hi1 = min(c[0] for c in left), max(c[0] for c in left)
    lo2, hi2 = min(c[0] for c in right), max(c[0] for c in right)
    return hi1 < lo2 or hi2 < lo1 or (lo1 <= lo2 <= hi1 and len(right) <= 2)


def _line(handle: Any, text: str, row: list[tuple[float, float, int]]) -> Line:
    import pypdfium2.raw as raw

    row.sort(key=_X)  # stable: characters at one x keep PDFium's order
    sizes = sorted([raw.FPDFText_GetFontSize(handle, c[2]) for c in row[:: max(1, len(row) // 5)]])
    size = sizes[len(sizes) // 2] or 10.0
    left, right, bottom, top = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    raw.FPDFText_GetCharBox(handle, row[-1][2], left, right, bottom, top)
    x1 = max(right.value, row[-1][0] + 0.5 * size)
    y = row[len(row) // 2][1]  # the baseline of a character mid-line (a superscript at an end does not move it)
    return Line("".join([text[c[2]] for c in row]).strip(), row[0][0], x1, y, size)


def _between_words(text: str, index: int) -> bool:
    """A space PDFium inferred between Latin words or numbers is kept; between Chinese characters it never was."""
    return 0 < index < len(text) - 1 and text[index - 1] in _WORD and text[index + 1] in _WORD
