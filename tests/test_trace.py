"""Download traces: every format traces back to its account, time and documents; tampering is caught.

(The visible footer line itself: tests/test_trace_visible.py.)"""

from __future__ import annotations

import io
import re
import string
import zipfile
from collections.abc import Callable

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sucai.errors import TraceError
from sucai.export import TraceMark, export_bundle, export_document, sign_mark, trace_file, verify_token
from sucai.export.trace import ZW_ALPHABET
from sucai.model import Block, Document, TraceInfo

SECRET = b"test-secret-for-traces-0123456789"
MARK = TraceMark("王五", 27, "2024-07-01T09:10:11+00:00", (7,), 314)
EXPECTED = TraceInfo(user="王五", time="2024-07-01T09:10:11+00:00", document=7)
TOKEN_RE = re.compile(r"sc1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
ZW_RUN = re.compile(f"[{ZW_ALPHABET}]{{32,}}")


def _doc(doc_id: int = 7, title: str = "2023年主题教育研讨交流发言材料") -> Document:
    blocks = [
        Block("title", title),
        Block("salutation", "同志们："),
        Block("heading", "一、在学深悟透上下功夫", 1),
        Block("paragraph", "作为党员领导干部，首先要发挥示范带动作用，在理论武装上下功夫。"),
        Block("closing", "发言完毕，不妥之处请各位领导批评指正。"),
    ]
    return Document(doc_id, title, blocks)


def _flip(text: str, index: int) -> str:
    """The text with one character changed to another of the same kind (base64url or zero-width)."""
    ch = text[index]
    pool = ZW_ALPHABET if ch in ZW_ALPHABET else string.ascii_letters + string.digits + "-_"
    return text[:index] + pool[(pool.index(ch) + 1) % len(pool)] + text[index + 1 :]


def _rewrite(data: bytes, edits: dict[str, Callable[[str], str]], drop: tuple[str, ...] = ()) -> bytes:
    """A copy of a zip (docx) with some members edited as text and some left out."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            body = src.read(info.filename)
            if info.filename in edits:
                body = edits[info.filename](body.decode("utf-8")).encode("utf-8")
            dst.writestr(info, body)
        dst.comment = src.comment
    return out.getvalue()


def _tamper_tokens(xml: str) -> str:
    return TOKEN_RE.sub(lambda m: _flip(m.group(0), len(m.group(0)) - 5), xml)


def _tamper_zero_width(text: str) -> str:
    return ZW_RUN.sub(lambda m: _flip(m.group(0), len(m.group(0)) // 2), text)


# -- tokens ------------------------------------------------------------------------------------------


def test_token_round_trip() -> None:
    token = sign_mark(MARK, SECRET)
    assert verify_token(token, SECRET) == MARK
    assert token.isascii() and len(token) < 140  # compact enough for a zip comment or a property


@given(st.data())
def test_any_changed_character_is_caught(data: st.DataObject) -> None:
    token = sign_mark(MARK, SECRET)
    index = data.draw(st.integers(min_value=4, max_value=len(token) - 1))
    if token[index] == ".":
        return
    with pytest.raises(TraceError, match=r"tampered|未由本库签发"):
        verify_token(_flip(token, index), SECRET)


def test_a_changed_signature_of_ours_is_tampering() -> None:
    token = sign_mark(MARK, SECRET)
    with pytest.raises(TraceError, match=r"签名不符.*tampered with since"):
        verify_token(_flip(token, len(token) - 3), SECRET)


def test_a_token_signed_with_another_secret_is_not_ours_rather_than_forged() -> None:
    with pytest.raises(TraceError, match=r"未由本库签发.*another library") as caught:
        verify_token(sign_mark(MARK, b"someone else's key"), SECRET)
    assert "forged" not in str(caught.value) and "tampered" not in str(caught.value)


@pytest.mark.parametrize("junk", ["", "sc1", "sc1..", "sc2.e30.AAAA", "not a token at all"])
def test_junk_is_not_a_token(junk: str) -> None:
    with pytest.raises(TraceError):
        verify_token(junk, SECRET)


# -- files ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["docx", "txt", "md"])
def test_a_download_traces_back_to_its_account_time_and_document(fmt: str) -> None:
    data, _, _ = export_document(_doc(), fmt, MARK, SECRET)
    assert trace_file(data, SECRET) == EXPECTED


@pytest.mark.parametrize("fmt", ["docx", "txt", "md"])
def test_a_zip_traces_to_all_its_documents_and_each_member_to_its_own(fmt: str) -> None:
    mark = TraceMark("王五", 27, "2024-07-01T09:10:11+00:00", (7, 8), 315)
    data, _, _ = export_bundle([_doc(7), _doc(8, "第二篇心得体会")], fmt, mark, SECRET)
    assert trace_file(data, SECRET) == TraceInfo("王五", "2024-07-01T09:10:11+00:00", [7, 8])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = [zf.read(name) for name in zf.namelist()]
    assert [trace_file(m, SECRET).document for m in members] == [7, 8]


def test_a_zip_whose_comment_was_removed_still_traces_through_its_members() -> None:
    mark = TraceMark("王五", 27, "2024-07-01T09:10:11+00:00", (7, 8), 315)
    data, _, _ = export_bundle([_doc(7), _doc(8, "第二篇")], "txt", mark, SECRET)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
    info = trace_file(out.getvalue(), SECRET)
    assert (info.user, info.document) == ("王五", 7)


@pytest.mark.parametrize("invisible", [False, True])
def test_docx_carries_the_mark_in_properties_custom_xml_and_footer(invisible: bool) -> None:
    data, _, _ = export_document(_doc(), "docx", MARK, SECRET, invisible=invisible)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        custom = zf.read("docProps/custom.xml").decode()
        items = [zf.read(n).decode() for n in zf.namelist() if re.fullmatch(r"customXml/item\d+\.xml", n)]
        body = zf.read("word/document.xml").decode()
    assert 'name="SucaiTrace"' in custom and TOKEN_RE.search(custom)
    assert any("urn:sucai:trace" in item and TOKEN_RE.search(item) for item in items)
    assert "下载自素材库｜账户：王五" in body
    assert bool(ZW_RUN.search(body)) is invisible  # zero-width marks only when asked for
    assert not TOKEN_RE.search(body)  # no token in the text


def test_docx_body_mark_survives_when_the_properties_are_stripped() -> None:
    data, _, _ = export_document(_doc(), "docx", MARK, SECRET, invisible=True)
    items = tuple(f"customXml/item{i}.xml" for i in range(1, 5))
    stripped = _rewrite(data, {}, drop=("docProps/custom.xml", *items))
    assert trace_file(stripped, SECRET) == EXPECTED


def test_text_copied_out_of_the_docx_still_carries_the_invisible_mark() -> None:
    data, _, _ = export_document(_doc(), "docx", MARK, SECRET, invisible=True)
    pasted = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs[3:-1])  # no footer line
    assert trace_file(pasted.encode("utf-8"), SECRET) == EXPECTED


def test_part_of_the_docx_copied_with_its_footer_names_the_download_as_altered() -> None:
    data, _, _ = export_document(_doc(), "docx", MARK, SECRET)
    pasted = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs[3:])
    info = trace_file(pasted.encode("utf-8"), SECRET)
    assert (info.user, info.time, info.document, info.altered) == (EXPECTED.user, EXPECTED.time, 7, True)


def test_one_tampered_carrier_is_outvoted_by_an_intact_one() -> None:
    data, _, _ = export_document(_doc(), "docx", MARK, SECRET)
    edited = _rewrite(data, {"docProps/custom.xml": _tamper_tokens})
    assert trace_file(edited, SECRET) == EXPECTED


def _tamper_footer(xml: str) -> str:
    return xml.replace("账户：王五", "账户：赵六")


def test_docx_with_every_carrier_tampered_is_reported() -> None:
    data, _, _ = export_document(_doc(), "docx", MARK, SECRET, invisible=True)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        items = [n for n in zf.namelist() if re.fullmatch(r"customXml/item\d+\.xml", n)]
    edits: dict[str, Callable[[str], str]] = {"docProps/custom.xml": _tamper_tokens}
    edits |= {name: _tamper_tokens for name in items}
    edits["word/document.xml"] = lambda xml: _tamper_footer(_tamper_zero_width(xml))
    with pytest.raises(TraceError, match="tampered") as caught:
        trace_file(_rewrite(data, edits), SECRET)
    assert "footer line was edited" in str(caught.value)


@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_text_with_its_zero_width_marks_tampered_and_no_footer_is_reported(fmt: str) -> None:
    data, _, _ = export_document(_doc(), fmt, MARK, SECRET, invisible=True)
    without_footer = data.decode().rstrip("\n").rsplit("\n", 1)[0]
    assert trace_file(without_footer.encode(), SECRET) == EXPECTED  # the zero-width marks alone trace it
    tampered = _tamper_zero_width(without_footer).encode()
    with pytest.raises(TraceError, match="tampered"):
        trace_file(tampered, SECRET)


def test_a_zip_with_a_tampered_comment_and_no_traced_members_is_reported() -> None:
    mark = TraceMark("王五", 27, "2024-07-01T09:10:11+00:00", (7, 8), 315)
    data, _, _ = export_bundle([_doc(7), _doc(8, "第二篇")], "txt", mark, SECRET)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, "no mark here")
        dst.comment = _tamper_tokens(src.comment.decode()).encode()
    with pytest.raises(TraceError, match="tampered"):
        trace_file(out.getvalue(), SECRET)


@pytest.mark.parametrize("fmt", ["txt", "md", "docx"])
def test_a_file_of_another_library_is_not_signed_by_this_one(fmt: str) -> None:
    data, _, _ = export_document(_doc(), fmt, MARK, b"a different library's secret")
    with pytest.raises(TraceError, match="未由本库签发") as caught:
        trace_file(data, SECRET)
    assert "not signed by this library" in str(caught.value) and "forged" not in str(caught.value)


def _plain_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("同志们：这份文件不是从素材库下载的。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("a.txt", "没有标记")
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        "同志们：这份文件不是从素材库下载的。\n".encode(),
        "有一个零宽\u200b空格也不算标记".encode(),
        "同志们".encode("gb18030"),
        b"",
        b"\x00\xff\x10garbage",
    ],
    ids=["txt", "stray-zero-width", "gb18030", "empty", "binary"],
)
def test_files_without_a_mark_are_reported(data: bytes) -> None:
    with pytest.raises(TraceError, match="no download mark"):
        trace_file(data, SECRET)


@pytest.mark.parametrize("make", [_plain_docx, _plain_zip], ids=["docx", "zip"])
def test_archives_without_a_mark_are_reported(make: Callable[[], bytes]) -> None:
    with pytest.raises(TraceError, match="no download mark"):
        trace_file(make(), SECRET)
