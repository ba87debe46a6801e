"""PDF downloads: the GB/T 9704 .docx set by LibreOffice (the same layout, fonts embedded where installed).

The trace travels as the .docx's visible footer line, which becomes text of the PDF's last page; the signed
token also goes into the PDF's keywords (LibreOffice carries the .docx's properties over)."""

from __future__ import annotations

from sucai.errors import InputError
from sucai.office import convert, soffice

CONVERT_SECONDS = 120.0


class PdfUnavailable(InputError):
    """No LibreOffice on this server: PDF downloads are not offered."""


def pdf_available() -> bool:
    return soffice() is not None


def docx_to_pdf(docx: bytes) -> bytes:
    program = soffice()
    if program is None:
        raise PdfUnavailable("本服务器未安装 LibreOffice，暂不能导出 PDF（apt-get install libreoffice-writer-nogui）。"
                             " PDF export needs LibreOffice on the server.")
    return convert(docx, "docx", "pdf:writer_pdf_Export", program, CONVERT_SECONDS)
