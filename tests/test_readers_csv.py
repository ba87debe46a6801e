"""CSV/TSV exports of scrapers: one document per row with its title and year; other tables are passed over."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pytest

import sucai
from sucai.errors import InputError
from sucai.ingest.limits import Limits
from sucai.ingest.readers import NotRead, SourceText, detect, read
from sucai.store.base import StoredFile

BODY_A = ("各单位：\n为深入贯彻落实全省工作会议精神，现就做好今年的重点工作通知如下。\n"
          "一、提高认识\n各单位要把这项工作摆上重要议事日程。\n二、压实责任\n主要负责同志要亲自抓。")
BODY_B = "同志们：\n今天我们召开这次会议，主要任务是总结去年工作，部署今年任务。\n发言完毕。"


def table(header: list[str], rows: list[list[str]], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def read_table(data: bytes, name: str = "export.csv") -> list[SourceText]:
    return read(StoredFile(name, hashlib.sha256(data).hexdigest(), data, "csv"), Limits())


def test_each_row_of_a_chinese_export_is_a_document_with_title_and_year() -> None:
    data = table(["标题", "发布时间", "链接", "正文"], [
        ["关于做好重点工作的通知", "2022-03-01 10:00", "https://example.org/1", BODY_A],
        ["在全县工作会议上的讲话", "2023年1月5日", "https://example.org/2", BODY_B],
    ])
    texts = read_table(data)
    assert [(t.origin, t.title, t.year, t.fmt) for t in texts] == [
        ("export.csv#2", "关于做好重点工作的通知", 2022, "csv"),
        ("export.csv#3", "在全县工作会议上的讲话", 2023, "csv"),
    ]
    assert [t.text for t in texts] == [BODY_A, BODY_B]  # multi-line cells kept whole


def test_english_headers_tsv_and_no_extension_are_read_by_content() -> None:
    data = table(["url", "title", "date", "full_text"], [["https://example.org/2", "讲话", "2021", BODY_B]], "\t")
    assert detect(data, "scraped") == "csv"
    [text] = read_table(data, "scraped")
    assert (text.title, text.year, text.text) == ("讲话", 2021, BODY_B)


def test_a_text_column_is_found_by_its_length_when_its_header_is_unknown() -> None:
    long_a, long_b = BODY_A * 5, BODY_B * 8
    data = table(["标题", "栏目", "文章"], [["通知", "通知公告", long_a], ["讲话", "领导讲话", long_b]])
    assert [(t.title, t.text) for t in read_table(data)] == [("通知", long_a), ("讲话", long_b)]


def test_a_table_without_a_text_column_is_skipped_and_prose_named_csv_is_text(tmp_path: Path) -> None:
    numbers = table(["地区", "人口", "面积"], [["甲县", "12", "300"], ["乙县", "15", "420"], ["丙县", "9", "210"]])
    with pytest.raises(NotRead, match="without a text column"):
        read_table(numbers)
    [prose] = read_table("情况说明\n同志们：\n今年以来，我们做了三件事。".encode(), "说明.csv")
    assert prose.fmt == "txt" and prose.text.startswith("情况说明")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "统计.csv").write_bytes(numbers)
    (folder / "导出.csv").write_bytes(table(["标题", "日期", "内容"], [["通知", "2020-1-1", BODY_A], ["空", "", ""]]))
    with sucai.open(tmp_path / "lib.db") as lib:
        report = lib.ingest([folder])
    assert [(Path(s.path).name, "without a text column" in s.reason) for s in report.skipped] == [("统计.csv", True)]
    assert [(Path(d.source).name, d.title) for d in report.documents] == [("导出.csv#2", "通知")]
    assert report.failed == []


def test_a_malformed_export_fails_whole_naming_the_line() -> None:
    data = table(["标题", "正文"], [["通知", BODY_A]]) + '讲话,"未闭合的引号会吞掉后面所有的行\n下一行,正文\n'.encode()
    with pytest.raises(InputError, match=r"line \d+: not valid CSV .*no row of the file was ingested"):
        read_table(data)
