""".doc, .wps, .rtf, .odt through LibreOffice; every file judged by its content, not its name.

Office files are made from a .docx of text written for this test, converted by the LibreOffice on this machine
(tests that need it skip with the reason when it is absent)."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

import sucai
from sample_formats import as_docx, build
from sucai.ingest.limits import Limits
from sucai.ingest.pipeline import IngestOptions, prepare
from sucai.ingest.readers import NotRead, detect, read
from sucai.model import Failed
from sucai.office import convert, soffice
from sucai.store.base import StoredFile

LINES = [
    "关于开展作风建设专项整治的通知",
    "各科室：",
    "为进一步转变工作作风，经研究，决定在全局开展作风建设专项整治。现将有关事项通知如下。",
    "一、整治内容",
    "（一）纪律松弛问题。",
    "二、工作要求",
    "##paidbegin##",
    "各科室要高度重视，认真对照检查，于月底前报送整改情况。",
    "##paidend##",
]
TEXT = "\n".join(LINES)
needs_soffice = pytest.mark.skipif(
    soffice() is None, reason="LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")


def read_file(data: bytes, name: str) -> list[str]:
    [text] = read(StoredFile(name, hashlib.sha256(data).hexdigest(), data, name.rsplit(".", 1)[-1]), Limits())
    return [line for line in text.text.split("\n") if line.strip()]


@needs_soffice
@pytest.mark.parametrize("fmt", ["doc", "odt", "rtf"])
def test_office_formats_read_through_libreoffice(fmt: str) -> None:
    data = build(fmt, TEXT)
    assert data is not None
    assert detect(data, f"x.{fmt}") == fmt
    assert read_file(data, f"通知.{fmt}") == LINES


@needs_soffice
def test_a_wps_file_and_a_doc_without_its_name_are_read_by_content(tmp_path: Path) -> None:
    data = build("doc", TEXT)
    assert data is not None
    for name in ("通知.wps", "通知"):  # WPS saves Word 97 binary under its own extension; or no extension at all
        (tmp_path / name).write_bytes(data)
        with sucai.open(tmp_path / f"{name}.db") as lib:
            report = lib.ingest([tmp_path / name])
            assert report.failed == [] and report.skipped == []
            assert [d.title for d in report.documents] == [LINES[0]]
            doc = lib.document(report.documents[0].id)
        assert [b.text for b in doc.blocks if b.paid] == [LINES[7]]  # the paid markers survived as text


def test_renamed_files_are_read_for_what_they_are(tmp_path: Path) -> None:
    library, tmp_path = tmp_path / "lib.db", tmp_path / "in"
    tmp_path.mkdir()
    page = "<html><head><meta charset='gbk'></head><body><h1>会议纪要</h1><p>会议决定如下。</p></body></html>"
    (tmp_path / "纪要.doc").write_bytes(page.encode("gbk"))  # a web page saved as .doc
    (tmp_path / "通知.doc").write_bytes(as_docx(TEXT))  # a .docx renamed .doc
    (tmp_path / "说明").write_bytes("情况说明\n同志们：\n现将情况说明如下。".encode("gb18030"))  # no extension
    (tmp_path / "图.docx").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(64))  # an image named .docx
    with sucai.open(library) as lib:
        report = lib.ingest([tmp_path])
    assert report.failed == []
    assert {Path(d.source).name: d.title for d in report.documents} == {
        "纪要.doc": "会议纪要", "通知.doc": LINES[0], "说明": "情况说明"}
    assert [(Path(s.path).name, s.reason) for s in report.skipped] == [
        ("图.docx", "a PNG image, not a document sucai reads")]


def test_without_libreoffice_office_files_are_skipped_saying_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUCAI_SOFFICE", str(tmp_path / "no-such-soffice"))
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + bytes(512)
    (tmp_path / "旧文件.doc").write_bytes(ole)
    (tmp_path / "a.rtf").write_bytes(rb"{\rtf1\ansi hello}")
    with pytest.raises(NotRead, match="libreoffice-writer-nogui"):
        read_file(ole, "旧文件.doc")
    with sucai.open(tmp_path / "lib.db") as lib:
        report = lib.ingest([tmp_path / "旧文件.doc", tmp_path / "a.rtf"])
    assert report.failed == []
    assert [Path(s.path).name for s in report.skipped] == ["旧文件.doc", "a.rtf"]
    assert all("libreoffice-writer-nogui" in s.reason for s in report.skipped)


def test_a_conversion_that_hangs_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hanging = tmp_path / "soffice"  # a program that never finishes, standing where LibreOffice would
    hanging.write_text("#!/bin/sh\nsleep 30\n")
    hanging.chmod(0o755)
    monkeypatch.setenv("SUCAI_SOFFICE", str(hanging))
    data = rb"{\rtf1\ansi hello}"
    outcome = prepare(StoredFile("a.rtf", "x", data, "rtf"), IngestOptions(limits=Limits(convert_seconds=1)))
    assert isinstance(outcome, Failed)
    assert "took longer than 1 s" in outcome.error


@needs_soffice
def test_a_corrupt_doc_fails_clearly_and_concurrent_conversions_do_not_collide() -> None:
    broken = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + bytes(600)
    with pytest.raises(Exception, match="LibreOffice could not"):
        read_file(broken, "坏.doc")
    docx = as_docx(TEXT)
    program = soffice()
    assert program is not None
    results: list[bytes] = []

    def one() -> None:
        results.append(convert(docx, "docx", "odt", program, 120))

    threads = [threading.Thread(target=one) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3
    assert all(read_file(data, "x.odt") == LINES for data in results)
