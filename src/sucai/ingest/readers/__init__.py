"""Readers: one stored file's bytes to decoded texts, by format (a registry: a Protocol and a dict).

The format comes from the content (`detect`: magic bytes, markup, decoding), the name only breaking ties
between text formats. Every failure is an InputError (or DecodeError, TooLarge) whose message is fit for the
ingest report; NotRead marks a file passed over on purpose (skipped, not failed). The caller adds the name.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from sucai.errors import InputError, TooLarge
from sucai.ingest.limits import Limits, human_size
from sucai.ingest.readers.base import NotRead, Reader, SourceText
from sucai.ingest.readers.docx import docx_to_text
from sucai.ingest.readers.html import html_to_text
from sucai.ingest.readers.jsonl import read_jsonl
from sucai.ingest.readers.md import markdown_to_text
from sucai.ingest.readers.office import read_office
from sucai.ingest.readers.pdf import read_pdf
from sucai.ingest.readers.sniff import detect, is_lock_file, known_binary
from sucai.ingest.readers.table import read_table
from sucai.ingest.readers.text import decode_text
from sucai.store.base import StoredFile

__all__ = [
    "READERS", "NotRead", "Reader", "SourceText", "detect", "is_lock_file", "known_binary", "read", "sniff",
]


def read(file: StoredFile, limits: Limits) -> list[SourceText]:
    """The texts in one file (a jsonl or csv file holds one per record); blank texts are left out.

    Raises NotRead (skip it, with the reason) or InputError (DecodeError, TooLarge, UnsafeArchive: it failed).
    An archive is not read here: `sources.expand` opens archives and hands over their members.
    """
    if len(file.data) > limits.max_file_bytes:
        raise TooLarge(f"{human_size(len(file.data))} exceeds the {human_size(limits.max_file_bytes)} limit")
    fmt = detect(file.data, _name(file))
    if fmt in ("zip", "7z"):
        raise InputError(f"a {fmt} archive: its members are ingested one by one, not read as one text")
    reader = READERS.get(fmt)
    if reader is None:
        raise InputError(f"unsupported format {fmt!r}")
    return [text for text in reader(file, limits) if text.text.strip()]


def sniff(data: bytes, fmt: str) -> str:
    """The format the bytes really are, for a file whose name promised `fmt` (kept for callers of old)."""
    try:
        return detect(data, f"file.{fmt}")
    except NotRead:
        return fmt


def _name(file: StoredFile) -> str:
    """The name to break ties with: the origin's last part, or the stored format as an extension."""
    name = file.origin.rsplit("!", 1)[-1]
    if not PurePosixPath(name.replace("\\", "/")).suffix and file.fmt:
        name = f"{name}.{file.fmt.lstrip('.')}"
    return name


def _read_txt(file: StoredFile, limits: Limits) -> list[SourceText]:
    decoded = decode_text(file.data)
    return [SourceText(file.origin, decoded.text, "txt", decoded.encoding, dropped=decoded.dropped)]


def _read_md(file: StoredFile, limits: Limits) -> list[SourceText]:
    decoded = decode_text(file.data)
    markdown = markdown_to_text(decoded.text)
    return [SourceText(file.origin, markdown.text, "md", decoded.encoding, markdown.title, dropped=decoded.dropped)]


def _read_html(file: StoredFile, limits: Limits) -> list[SourceText]:
    page = html_to_text(file.data, limits)
    return [SourceText(file.origin, page.text, "html", page.encoding, page.title, dropped=page.dropped)]


def _read_docx(file: StoredFile, limits: Limits) -> list[SourceText]:
    document = docx_to_text(file.data, limits)
    return [SourceText(file.origin, document.text, "docx", None, document.title)]


def _read_converted(file: StoredFile, limits: Limits) -> list[SourceText]:
    """Word 97/WPS, RTF, ODT: the format detected names the kind for LibreOffice."""
    fmt = detect(file.data, _name(file))
    return read_office(StoredFile(file.origin, file.sha256, file.data, fmt), limits)


READERS: dict[str, Reader] = {
    "txt": _read_txt,
    "md": _read_md,
    "html": _read_html,
    "docx": _read_docx,
    "jsonl": read_jsonl,
    "csv": read_table,
    "pdf": read_pdf,
    "doc": _read_converted,
    "rtf": _read_converted,
    "odt": _read_converted,
}
