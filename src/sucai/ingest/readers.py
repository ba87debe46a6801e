"""Readers: one stored file's bytes to decoded texts, by format (a registry: a Protocol and a dict).

The format comes from the extension, then the content has its say (`sniff`): a .txt that is really a docx is
read as a docx, a PDF named .txt is named as a PDF. Every failure is an InputError (or DecodeError,
TooLarge) whose message is fit for the ingest report; the caller adds the file's name.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Protocol

from sucai.errors import InputError, TooLarge
from sucai.ingest.archive import is_docx_zip, is_zip, open_zip
from sucai.ingest.limits import Limits, human_size
from sucai.ingest.readers_docx import docx_to_text
from sucai.ingest.readers_html import html_to_text
from sucai.ingest.readers_md import markdown_to_text
from sucai.ingest.readers_text import decode_text, drop_controls, normalise_newlines
from sucai.store.base import StoredFile

FORMATS: dict[str, str] = {  # extension -> format
    ".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
    ".xhtml": "html", ".docx": "docx", ".jsonl": "jsonl", ".zip": "zip",
}
_FORMAT_ALIASES = {ext.lstrip("."): fmt for ext, fmt in FORMATS.items()}
_HINTS = {
    ".doc": "old Word .doc format; open it in Word or WPS and save as .docx",
    ".wps": "WPS format; save it as .docx",
    ".pdf": "PDF is not read; export it to .docx or .txt",
    ".rtf": "RTF is not read; save it as .docx",
    ".rar": "RAR archives are not read; re-pack it as .zip",
    ".7z": "7z archives are not read; re-pack it as .zip",
}
_FOREIGN = (  # signatures of files people rename by mistake
    (b"%PDF-", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (.doc/.wps/.xls); save it as .docx"),
    (b"{\\rtf", "an RTF document; save it as .docx"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"\x1f\x8b", "a gzip file"),
)
_LOCK_PREFIX = "~$"  # Word and WPS leave these beside an open document
_HTML_START = re.compile(rb"^(\xef\xbb\xbf)?\s*(<!doctype\s+html|<html[\s>])", re.IGNORECASE)
_INT_LIKE = re.compile(r"^\s*\d{4}\s*$")


@dataclass(frozen=True)
class SourceText:
    origin: str  # display path: "dir/a.txt", "b.zip!inner/c.docx", "x.jsonl#12" (line 12)
    text: str  # LF newlines
    fmt: str  # txt, docx, html, md, jsonl
    encoding: str | None  # as detected for txt/html/md/jsonl ("utf-8", "utf-8-sig", "gb18030", ...)
    title: str | None = None  # a hint: jsonl "title", html <h1>/<title>, docx Title style, md front matter/#
    year: int | None = None  # jsonl "year" when it is a year


class Reader(Protocol):
    def __call__(self, file: StoredFile, limits: Limits) -> list[SourceText]: ...


def read(file: StoredFile, limits: Limits) -> list[SourceText]:
    """The texts in one file (a jsonl file holds one per line); blank texts are left out.

    Raises InputError (DecodeError, TooLarge, UnsafeArchive) with a message for the ingest report. A zip
    is not read here: `sources.expand` opens archives and hands over their members.
    """
    if len(file.data) > limits.max_file_bytes:
        raise TooLarge(f"{human_size(len(file.data))} exceeds the {human_size(limits.max_file_bytes)} limit")
    declared = _FORMAT_ALIASES.get(file.fmt.lower().lstrip("."), file.fmt.lower())
    foreign = _foreign_kind(file.data)
    if foreign is not None:
        raise InputError(f"this is {foreign}, not {declared}")
    fmt = sniff(file.data, declared)
    if fmt == "zip":
        raise InputError("a zip archive: its members are ingested one by one, not read as one text")
    reader = READERS.get(fmt)
    if reader is None:
        raise InputError(f"unsupported format {fmt!r}")
    return [text for text in reader(file, limits) if text.text.strip()]


def format_for_name(name: str) -> str | None:
    """The format a file name promises, or None when sucai does not read that kind of file."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.name.startswith(_LOCK_PREFIX):
        return None
    return FORMATS.get(path.suffix.lower())


def unsupported_reason(name: str) -> str:
    path = PurePosixPath(name.replace("\\", "/"))
    suffix = path.suffix.lower()
    if path.name.startswith(_LOCK_PREFIX):
        return "an Office lock file (~$...), not a document"
    if not suffix:
        return "unsupported file type (no extension)"
    hint = _HINTS.get(suffix)
    return f"unsupported file type {suffix}" + (f": {hint}" if hint else "")


def sniff(data: bytes, fmt: str) -> str:
    """The format the bytes really are: the one the name gives unless the content plainly says otherwise."""
    if fmt != "docx" and is_zip(data):
        return "docx" if _is_docx(data) else "zip"
    if fmt == "txt" and _HTML_START.match(data[:1024]):
        return "html"
    return fmt


def _is_docx(data: bytes) -> bool:
    try:
        with open_zip(io.BytesIO(data), Limits()) as zf:
            return is_docx_zip(zf)
    except InputError:
        return False


def _foreign_kind(data: bytes) -> str | None:
    return next((kind for magic, kind in _FOREIGN if data.startswith(magic)), None)


def _read_txt(file: StoredFile, limits: Limits) -> list[SourceText]:
    decoded = decode_text(file.data)
    return [SourceText(file.origin, decoded.text, "txt", decoded.encoding)]


def _read_md(file: StoredFile, limits: Limits) -> list[SourceText]:
    decoded = decode_text(file.data)
    markdown = markdown_to_text(decoded.text)
    return [SourceText(file.origin, markdown.text, "md", decoded.encoding, markdown.title)]


def _read_html(file: StoredFile, limits: Limits) -> list[SourceText]:
    page = html_to_text(file.data, limits)
    return [SourceText(file.origin, page.text, "html", page.encoding, page.title)]


def _read_docx(file: StoredFile, limits: Limits) -> list[SourceText]:
    document = docx_to_text(file.data, limits)
    return [SourceText(file.origin, document.text, "docx", None, document.title)]


def _read_jsonl(file: StoredFile, limits: Limits) -> list[SourceText]:
    """One text per line of {"title", "content", "year"?}; one bad line fails the whole file, naming the line.

    Failing whole keeps the report honest: a half-ingested file would look done and never be retried.
    """
    decoded = decode_text(file.data)
    texts: list[SourceText] = []
    for number, line in enumerate(decoded.text.split("\n"), start=1):
        if not line.strip():
            continue
        record = _jsonl_record(line, number)
        title = record.get("title")
        texts.append(SourceText(
            f"{file.origin}#{number}", drop_controls(normalise_newlines(record["content"])), "jsonl",
            decoded.encoding, (title.strip() or None) if isinstance(title, str) else None,
            _year(record.get("year")),
        ))
    return texts


def _jsonl_record(line: str, number: int) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"line {number}: not valid JSON ({exc.msg} at column {exc.colno}); "
                         "no line of the file was ingested") from exc
    except RecursionError as exc:
        raise InputError(f"line {number}: JSON nested too deeply; no line of the file was ingested") from exc
    if not isinstance(record, dict):
        raise InputError(f"line {number}: expected a JSON object with \"title\" and \"content\"; "
                         "no line of the file was ingested")
    if not isinstance(record.get("content"), str):
        raise InputError(f"line {number}: no \"content\" text; no line of the file was ingested")
    return record


def _year(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1000 <= value <= 9999 else None
    if isinstance(value, str) and _INT_LIKE.match(value):
        return int(value)
    return None  # "None", "", null: the corpus marks documents without a year so


READERS: dict[str, Reader] = {
    "txt": _read_txt,
    "md": _read_md,
    "html": _read_html,
    "docx": _read_docx,
    "jsonl": _read_jsonl,
}
