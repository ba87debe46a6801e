"""CSV/TSV exports of scrapers: one row per document, a long-text column beside title, date and address.

The columns are found by their header (Chinese or English names), else the text column by its length.
A table without a text column is not documents: skipped with the reason; a ".csv" that is prose is text.
"""

from __future__ import annotations

import csv
import io
import re
import statistics
import sys
from dataclasses import dataclass

from sucai.errors import InputError
from sucai.ingest.limits import Limits
from sucai.ingest.readers.base import NotRead, SourceText
from sucai.ingest.readers.text import decode_text, drop_controls, normalise_newlines
from sucai.store.base import StoredFile

_NAMES = {
    "title": {"标题", "题目", "文章标题", "title", "headline", "name", "名称"},
    "date": {"日期", "时间", "发布时间", "发布日期", "发文日期", "成文日期", "date", "time", "publish_date", "pubdate",
             "published", "publish_time", "pub_date", "年份", "year"},
    "url": {"链接", "网址", "来源", "原文链接", "url", "link", "href", "source", "source_url"},
    "text": {"正文", "内容", "全文", "正文内容", "文章内容", "content", "full_text", "fulltext", "text", "body",
             "article", "article_text"},
}
_LONG_CELL = 200  # characters: a column whose typical cell is this long holds the documents
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


@dataclass(frozen=True)
class _Columns:
    text: int
    title: int | None
    date: int | None


def read_table(file: StoredFile, limits: Limits) -> list[SourceText]:
    """One text per row (origin "x.csv#2": the row as a spreadsheet numbers it, the header being row 1)."""
    decoded = decode_text(file.data)
    try:
        rows = _rows(decoded.text, _delimiter(decoded.text), limits)
    except InputError:
        if looks_like_table(decoded.text):
            raise
        rows = []  # not CSV at all: prose that happens to be named .csv
    if len(rows) < 2 or len(rows[0]) < 2:
        return [SourceText(file.origin, decoded.text, "txt", decoded.encoding)]  # prose named .csv
    columns = _columns(rows)
    if columns is None:
        if _tabular(rows):
            raise NotRead("表格没有正文列，不是文档。A table without a text column (none named 正文/内容/content/text, "
                          "none of long text): not documents.")
        return [SourceText(file.origin, decoded.text, "txt", decoded.encoding)]
    texts = []
    for number, row in enumerate(rows[1:], start=2):
        text = _cell(row, columns.text)
        title = _cell(row, columns.title).strip() or None
        texts.append(SourceText(
            f"{file.origin}#{number}", drop_controls(normalise_newlines(text)), "csv", decoded.encoding,
            title, _year(_cell(row, columns.date)),
        ))
    return texts


def looks_like_table(text: str) -> bool:
    """The first line is a header naming a text column and a title, date or address column."""
    first = text.split("\n", 1)[0]
    cells = {_key(cell) for cell in next(csv.reader([first], delimiter=_delimiter(text)), [])}
    return bool(cells & _NAMES["text"]) and bool(cells & (_NAMES["title"] | _NAMES["date"] | _NAMES["url"]))


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return "\t" if first.count("\t") > first.count(",") else ","


def _rows(text: str, delimiter: str, limits: Limits) -> list[list[str]]:
    csv.field_size_limit(min(limits.max_file_bytes, sys.maxsize))  # a whole report in one cell is the point
    # strict: an unclosed quote would otherwise swallow every row after it into one cell, silently
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        return [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise InputError(f"line {reader.line_num}: not valid CSV ({exc}); no row of the file was ingested") from exc


def _columns(rows: list[list[str]]) -> _Columns | None:
    header = [_key(cell) for cell in rows[0]]

    def named(kind: str) -> int | None:
        return next((i for i, cell in enumerate(header) if cell in _NAMES[kind]), None)

    text = named("text")
    if text is None:
        text = _long_column(rows)
    if text is None:
        return None
    return _Columns(text, named("title"), named("date"))


def _long_column(rows: list[list[str]]) -> int | None:
    widths = max(len(row) for row in rows)
    best, best_length = None, 0.0
    for column in range(widths):
        length = statistics.median(len(_cell(row, column)) for row in rows[1:])
        if length >= _LONG_CELL and length > best_length:
            best, best_length = column, length
    return best


def _tabular(rows: list[list[str]]) -> bool:
    width = len(rows[0])
    return sum(1 for row in rows if len(row) == width) >= 0.8 * len(rows)


def _key(cell: str) -> str:
    return cell.strip().strip("\ufeff\"' ").lower().replace(" ", "_")


def _cell(row: list[str], column: int | None) -> str:
    return row[column] if column is not None and column < len(row) else ""


def _year(value: str) -> int | None:
    match = _YEAR.search(value)
    return int(match.group(1)) if match else None
