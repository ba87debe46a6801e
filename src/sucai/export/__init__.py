"""Downloads: .docx in the GB/T 9704 layout, .txt, .md, slides (.pptx) from the outline, and .zip of several,
each traced to its downloader.

    data, filename, media_type = export_document(doc, "docx", mark, secret)
    info = trace_file(data, secret)          # TraceInfo(user, time, document, altered)

Every file ends with a visible footer line naming the download (export/footer.py); a .docx also carries the
signed token in its properties, a .zip in its comment. Zero-width marks in the text only with
``invisible=True`` (``SUCAI_TRACE_INVISIBLE=1``).

The documents come already filtered for the viewer (access.py decides); ``doc.locked`` counts withheld
member-only blocks and adds a notice line. Nothing here re-adds or looks at access.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Sequence

from sucai.errors import InputError
from sucai.export.bundle import zip_files
from sucai.export.docx_gbt9704 import render_docx
from sucai.export.footer import footer_line
from sucai.export.pdf import docx_to_pdf
from sucai.export.slides import render_pptx
from sucai.export.text import md_escape, render_md, render_txt
from sucai.export.trace import (
    TraceMark,
    sign_mark,
    strip_zero_width,
    trace_file,
    trace_mark,
    verify_token,
    zero_width_mark,
)
from sucai.model import Document

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "TraceMark",
    "export_bundle",
    "export_document",
    "safe_filename",
    "sign_mark",
    "strip_zero_width",
    "trace_file",
    "trace_mark",
    "verify_token",
]

MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "zip": "application/zip",
}
FORMATS = ("docx", "txt", "md", "pptx", "pdf")
MAX_NAME_CHARS = 80  # 240 bytes of UTF-8 Chinese, under every file system's 255
_UNSAFE = re.compile(r'[/\\:*?"<>|]')
_WINDOWS_RESERVED = re.compile(r"(con|prn|aux|nul|com\d|lpt\d)(\..*)?", re.IGNORECASE)


def safe_filename(title: str, ext: str, fallback: str = "文档") -> str:
    """A file name from a title that every OS accepts: no separators, reserved characters, controls or
    invisible format characters (a right-to-left override can disguise an extension), no trailing dots."""
    kept = "".join(ch for ch in title if unicodedata.category(ch)[0] != "C" or ch == " ")
    stem = re.sub(r"\s+", " ", _UNSAFE.sub("", kept)).strip(" .")[:MAX_NAME_CHARS].strip(" .")
    if not stem or _WINDOWS_RESERVED.fullmatch(stem):
        stem = f"{fallback}-{stem}" if stem else fallback
    return f"{stem}.{ext}"


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")


def _render(doc: Document, fmt: str, mark: TraceMark, secret: bytes, invisible: bool) -> bytes:
    token = sign_mark(mark, secret)
    hidden = zero_width_mark(token) if invisible else None

    def footer(above: str) -> str:
        return footer_line(mark, above, secret)

    if fmt in {"docx", "pdf"}:
        docx = render_docx(doc, token, mark.time, hidden, footer)
        return docx if fmt == "docx" else docx_to_pdf(docx)
    if fmt == "pptx":
        return render_pptx(doc, token, mark.time, footer)
    if fmt == "txt":
        body = render_txt(doc, hidden)
        return (body + "\n" + footer(body) + "\n").encode("utf-8")
    body = render_md(doc, hidden)
    return (body + "\n" + md_escape(footer(body)) + "\n").encode("utf-8")


def export_document(
    doc: Document, fmt: str, mark: TraceMark, secret: bytes, invisible: bool = False
) -> tuple[bytes, str, str]:
    """One document as (data, filename, media type) in docx, txt, md, pptx or pdf, carrying the signed mark: a visible
    footer line (and in a .docx its properties); zero-width marks in the text too when `invisible`.

    Raises InputError for an unknown format."""
    _check_format(fmt)
    return _render(doc, fmt, mark, secret, invisible), safe_filename(doc.title, fmt), MEDIA_TYPES[fmt]


def _member_mark(doc: Document, mark: TraceMark) -> TraceMark:
    """Each file in a bundle names its own document, so a file taken out of the zip still traces exactly."""
    if doc.id is not None and doc.id in mark.document_ids:
        return dataclasses.replace(mark, document_ids=(doc.id,))
    return mark


def export_bundle(
    docs: Sequence[Document], fmt: str, mark: TraceMark, secret: bytes, invisible: bool = False
) -> tuple[bytes, str, str]:
    """Several documents as one .zip: each file traced, and the archive comment carries the whole mark.

    Raises InputError for an unknown format or an empty list."""
    _check_format(fmt)
    if not docs:
        raise InputError("nothing to export")
    files = [export_document(doc, fmt, _member_mark(doc, mark), secret, invisible)[:2] for doc in docs]
    data = zip_files([(name, body) for body, name in files], sign_mark(mark, secret), mark.time)
    first = docs[0].title
    name = first if len(docs) == 1 else f"{first}等{len(docs)}篇"
    return data, safe_filename(name, "zip", fallback="素材"), MEDIA_TYPES["zip"]
