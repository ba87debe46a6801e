"""The visible trace: one footer line (下载自…、账户、时间、校验码) ends every download; `trace` verifies it, tells
a changed text from a changed footer, and nothing invisible is in the text unless asked for."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest

from sucai.errors import TraceError
from sucai.export import TraceMark, export_bundle, export_document, trace_file
from sucai.export.footer import FOOTER_LINE
from sucai.export.trace import ZW_ALPHABET
from sucai.model import Block, Document
from sucai.settings import Settings

SECRET = b"test-secret-for-visible-traces-01234"
MARK = TraceMark("张三", 12, "2025-03-08T07:06:05+00:00", (3,), 99)


def _doc() -> Document:
    blocks = [
        Block("title", "在全县安全生产工作会议上的讲话"),
        Block("salutation", "同志们："),
        Block("heading", "一、提高思想认识", 1),
        Block("paragraph", "安全生产是民生大事，一丝一毫不能放松。今年以来，全县安全形势总体平稳。"),
        Block("closing", "谢谢大家。"),
    ]
    return Document(3, blocks[0].text, blocks)


def _footer(text: str) -> re.Match[str]:
    found = FOOTER_LINE.search(text.rstrip("\n").rsplit("\n", 1)[-1])
    assert found, text[-200:]
    return found


@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_text_downloads_end_with_a_footer_naming_the_download(fmt: str) -> None:
    data, _, _ = export_document(_doc(), fmt, MARK, SECRET)
    text = data.decode("utf-8")
    footer = _footer(text)
    assert (footer["user"], footer["time"], footer["docs"], footer["download"]) == (
        "张三", "2025-03-08T07:06:05+00:00", "#3", "99")
    assert text.splitlines()[-1].startswith("下载自素材库｜账户：张三")
    assert not any(ch in text for ch in ZW_ALPHABET)
    assert len(text) - len(text.rstrip("\n")) == 1


@pytest.mark.parametrize("fmt", ["txt", "md", "docx"])
def test_every_format_traces_through_its_footer(fmt: str) -> None:
    data, _, _ = export_document(_doc(), fmt, MARK, SECRET)
    info = trace_file(data, SECRET)
    assert (info.user, info.time, info.document, info.altered) == ("张三", MARK.time, 3, False)


def _docx_paragraphs(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def test_the_docx_footer_is_its_last_paragraph_and_verifies_alone() -> None:
    data, _, _ = export_document(_doc(), "docx", MARK, SECRET)
    paragraphs = _docx_paragraphs(data)
    assert FOOTER_LINE.fullmatch(paragraphs[-1])
    pasted = "\n".join(paragraphs).encode("utf-8")  # the whole text copied out of Word
    assert trace_file(pasted, SECRET).altered is False


@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_an_edited_text_is_traced_and_reported_as_altered(fmt: str) -> None:
    data, _, _ = export_document(_doc(), fmt, MARK, SECRET)
    edited = data.decode().replace("总体平稳", "持续向好").encode()
    info = trace_file(edited, SECRET)
    assert (info.user, info.altered) == ("张三", True)


@pytest.mark.parametrize("resave", [
    lambda t: t.replace("\n", "\r\n"),
    lambda t: "\ufeff" + t,
    lambda t: t.replace("。", "。\n"),  # re-wrapped
], ids=["crlf", "bom", "rewrapped"])
def test_line_endings_and_wrapping_do_not_count_as_changes(resave: object) -> None:
    data, _, _ = export_document(_doc(), "txt", MARK, SECRET)
    again = resave(data.decode())  # type: ignore[operator]
    assert trace_file(again.encode("utf-8"), SECRET).altered is False
    assert trace_file(data.decode().encode("gb18030"), SECRET).altered is False


def test_a_footer_naming_someone_else_does_not_verify() -> None:
    data, _, _ = export_document(_doc(), "txt", MARK, SECRET)
    forged = data.decode().replace("账户：张三（编号 12）", "账户：李四（编号 13）").encode()
    with pytest.raises(TraceError, match=r"未由本库签发.*footer line was edited"):
        trace_file(forged, SECRET)


def test_a_docx_whose_footer_was_deleted_still_traces_through_its_properties() -> None:
    data, _, _ = export_document(_doc(), "docx", MARK, SECRET)
    document = docx.Document(io.BytesIO(data))
    last = document.paragraphs[-1]._p
    last.getparent().remove(last)
    out = io.BytesIO()
    document.save(out)
    assert not any(FOOTER_LINE.search(p) for p in _docx_paragraphs(out.getvalue()))
    assert trace_file(out.getvalue(), SECRET).user == "张三"


def test_zip_members_carry_their_own_footer_and_the_comment_the_whole_mark() -> None:
    mark = TraceMark("张三", 12, MARK.time, (3, 4), 100)
    other = Document(4, "第二篇", [Block("paragraph", "基层强则国家强。")])
    data, _, _ = export_bundle([_doc(), other], "txt", mark, SECRET)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = [zf.read(n).decode() for n in zf.namelist()]
        assert zf.comment.startswith(b"sc1.")
    assert [_footer(m)["docs"] for m in members] == ["#3", "#4"]
    assert trace_file(data, SECRET).document == [3, 4]


def test_invisible_marks_only_when_the_setting_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUCAI_TRACE_INVISIBLE", raising=False)
    assert Settings.from_env(db="x.db").trace_invisible is False
    monkeypatch.setenv("SUCAI_TRACE_INVISIBLE", "1")
    assert Settings.from_env(db="x.db").trace_invisible is True
    data, _, _ = export_document(_doc(), "txt", MARK, SECRET, invisible=True)
    assert any(ch in data.decode() for ch in ZW_ALPHABET) and _footer(data.decode())
