"""What a file really is, from its bytes: magic numbers first, then markup, then text; the name only breaks ties.

An HTML page saved as .doc is HTML, a docx renamed .txt is a docx, a file without an extension is whatever
its content says. The name decides only between readers of the same text (md, jsonl, csv or plain txt) and
passes over the few text files that are never documents (stylesheets, scripts, data).
"""

from __future__ import annotations

import io
import re
from pathlib import PurePosixPath

from sucai.errors import DecodeError, InputError
from sucai.ingest.limits import Limits
from sucai.ingest.readers.base import BinaryData, NotRead
from sucai.ingest.readers.jsonl import looks_like_jsonl
from sucai.ingest.readers.table import looks_like_table
from sucai.ingest.readers.text import decode_text
from sucai.ingest.sevenzip import is_7z
from sucai.ingest.zipfiles import is_zip, open_zip, package_kind

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97 .doc, WPS .wps, Excel .xls, Outlook .msg ...
_PDF_MAGIC = b"%PDF-"
_PDF_HEAD = 1024  # Acrobat accepts junk before the header within the first kilobyte
_RTF_MAGIC = b"{\\rtf"
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|"
    rb"<meta[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_MHT = re.compile(rb"^(?:[\w-]+:[^\n]*\r?\n)*?MIME-Version:\s*1\.0", re.IGNORECASE)
_BINARY: tuple[tuple[bytes, int, str], ...] = (  # (magic, offset, what it is); the reason says what to do
    (b"\x89PNG", 0, "a PNG image"),
    (b"\xff\xd8\xff", 0, "a JPEG image"),
    (b"GIF8", 0, "a GIF image"),
    (b"II*\x00", 0, "a TIFF image (a scan? run OCR on it and ingest the text)"),
    (b"MM\x00*", 0, "a TIFF image (a scan? run OCR on it and ingest the text)"),
    (b"WEBP", 8, "a WebP image"),
    (b"Rar!", 0, "a RAR archive; sucai opens zip and 7z archives: re-pack it as .zip or .7z"),
    (b"\x1f\x8b", 0, "a gzip file; unpack it first"),
    (b"BZh", 0, "a bzip2 file; unpack it first"),
    (b"\xfd7zXZ", 0, "an xz file; unpack it first"),
    (b"MZ", 0, "a Windows program"),
    (b"\x7fELF", 0, "a program"),
    (b"ID3", 0, "an audio file"),
    (b"OggS", 0, "an audio or video file"),
    (b"ftyp", 4, "a video or audio file"),
    (b"SQLite format 3", 0, "a database file"),
)
_TEXT_NOT_DOCUMENTS = {  # text by content, never a document by purpose
    ".css": "a stylesheet", ".js": "a script", ".mjs": "a script", ".json": "a data file", ".xml": "a data file",
    ".svg": "an image", ".py": "a program", ".sh": "a script", ".bat": "a script", ".ini": "a settings file",
    ".cfg": "a settings file", ".yaml": "a data file", ".yml": "a data file", ".toml": "a settings file",
    ".map": "a source map", ".log": "a log file",
}
_MARKDOWN = (".md", ".markdown")
_TABLES = (".csv", ".tsv")
_HTML = (".html", ".htm", ".xhtml")
_LOCK_PREFIX = "~$"  # Word and WPS leave these beside an open document
_TEXT_SAMPLE = 65536  # bytes enough to tell text from binary


def detect(data: bytes, name: str = "") -> str:
    """The format to read the bytes as: txt, md, html, docx, jsonl, csv, pdf, doc, rtf, odt, zip or 7z.

    Raises NotRead with the reason when the bytes are not something sucai reads (an image, a spreadsheet).
    """
    if is_lock_file(name):
        raise NotRead("an Office lock file (~$...), not a document")
    binary = _binary_format(data)
    if binary is not None:
        return binary
    reason = known_binary(data[:16])
    if reason is not None:
        raise NotRead(reason)
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if _HTML_START.match(data[:2048]) or suffix in _HTML:
        return "html"
    if _MHT.match(data[:2048]):
        raise NotRead("a web archive (.mht, as Word saves a 'single file web page'); save it as .docx or .html")
    if suffix in _TEXT_NOT_DOCUMENTS:
        raise NotRead(f"{_TEXT_NOT_DOCUMENTS[suffix]} ({suffix}), not a document")
    sample = _text_sample(data)
    if suffix in _MARKDOWN:
        return "md"
    if suffix == ".jsonl" or (sample is not None and looks_like_jsonl(sample)):
        return "jsonl"
    if suffix in _TABLES or (sample is not None and looks_like_table(sample)):
        return "csv"
    return "txt"


def is_lock_file(name: str) -> bool:
    return PurePosixPath(name.replace("\\", "/")).name.startswith(_LOCK_PREFIX)


def known_binary(head: bytes) -> str | None:
    """Why a file is passed over, from its first 16 bytes (an image, a program), or None."""
    kind = next((kind for magic, at, kind in _BINARY if head[at : at + len(magic)] == magic), None)
    return None if kind is None else f"{kind}, not a document sucai reads"


def _binary_format(data: bytes) -> str | None:
    if _PDF_MAGIC in data[:_PDF_HEAD]:
        return "pdf"
    if data.startswith(OLE_MAGIC):
        return _ole_kind(data)
    if data.startswith(_RTF_MAGIC):
        return "rtf"
    if is_zip(data):
        return _zip_kind(data)
    if is_7z(data):
        return "7z"
    return None


def _ole_kind(data: bytes) -> str:
    """Word 97 and WPS keep a WordDocument stream; the others are named so the reason can say what they are."""
    if "WordDocument".encode("utf-16-le") in data:
        return "doc"
    for stream, kind in (("Workbook", "an Excel spreadsheet (.xls)"), ("PowerPoint Document", "a PowerPoint deck"),
                         ("__substg1.0_", "an Outlook message (.msg)")):
        if stream.encode("utf-16-le") in data:
            raise NotRead(f"{kind}, not a document sucai reads")
    return "doc"  # a WPS or Works file of another vintage: LibreOffice knows more kinds than we name


def _zip_kind(data: bytes) -> str:
    try:
        with open_zip(io.BytesIO(data), Limits()) as zf:
            kind = package_kind(zf)
    except InputError:
        return "zip"  # a broken archive: expanding it reports why
    if kind is None:
        return "zip"
    if kind in ("docx", "odt"):
        return kind
    if kind == "ooxml":  # no document part at all: the docx reader says which is missing
        return "docx"
    names = {"xlsx": "an Excel spreadsheet", "ods": "a spreadsheet", "pptx": "a PowerPoint deck",
             "odp": "a presentation", "epub": "an e-book (EPUB)"}
    raise NotRead(f"{names.get(kind, 'an office file')} ({kind}), not a document sucai reads; save the text as .docx")


def _text_sample(data: bytes) -> str | None:
    """The decoded start of the file; raises NotRead for binary data, None when it does not decode as text.

    A cut through a multi-byte character is retried a byte shorter (up to 3) before giving up.
    """
    cuts = [data] if len(data) <= _TEXT_SAMPLE else [data[: _TEXT_SAMPLE - back] for back in range(4)]
    binary = 0
    for cut in cuts:
        try:
            return decode_text(cut).text
        except DecodeError as exc:
            binary += "binary data" in str(exc)
    if binary == len(cuts):
        raise BinaryData("binary data, not text")
    return None  # undecodable text: the reader says why, with the first bad byte
