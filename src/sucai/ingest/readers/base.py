"""What every reader returns and raises: the text of one document-to-be, and NotRead for files passed over."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from sucai.errors import DecodeError, InputError
from sucai.ingest.limits import Limits
from sucai.store.base import StoredFile

_INT_LIKE = re.compile(r"^\s*\d{4}\s*$")


@dataclass(frozen=True)
class SourceText:
    origin: str  # display path: "dir/a.txt", "b.zip!inner/c.docx", "x.jsonl#12" (line 12), "x.csv#3" (row 3)
    text: str  # LF newlines
    fmt: str  # txt, docx, html, md, jsonl, csv, pdf, doc, rtf, odt
    encoding: str | None  # as detected for txt/html/md/jsonl/csv ("utf-8", "utf-8-sig", "gb18030", ...)
    title: str | None = None  # a hint: jsonl/csv title, html <h1>/<title>, docx Title style, md front matter/#
    year: int | None = None  # jsonl "year" or a csv date column, when it holds a year
    dropped: int = 0  # undecodable byte runs of a damaged or cut file left out (readers/text.py)


class Reader(Protocol):
    def __call__(self, file: StoredFile, limits: Limits) -> list[SourceText]: ...


class NotRead(InputError):
    """The file is passed over, not broken: skipped in the report with this reason (an image, a scanned PDF,
    a .doc where LibreOffice is not installed)."""


def year_of(value: object) -> int | None:
    """A year from a record's field: 2023, "2023"; None for anything else ("None", "", null, 12)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1000 <= value <= 9999 else None
    if isinstance(value, str) and _INT_LIKE.match(value):
        return int(value)
    return None


class BinaryData(NotRead, DecodeError):
    """Bytes that are no text and no format sucai knows: skipped, and still a decoding failure to callers."""
