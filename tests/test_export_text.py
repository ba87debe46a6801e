"""The .txt and .md downloads, file names and formats: what a reader sees is exactly the document."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from conftest import SAMPLE, project_documents, shared_path
from sucai.errors import InputError
from sucai.export import (
    TraceMark,
    export_bundle,
    export_document,
    safe_filename,
    strip_zero_width,
    trace_file,
)
from sucai.export.footer import FOOTER_LINE
from sucai.export.trace import ZW_ALPHABET
from sucai.model import Block, Document

SECRET = b"test-secret-for-traces-0123456789"
MARK = TraceMark("李四", 3, "2024-06-01T01:02:03+00:00", (5,), 41)
TITLE = "2023年主题教育研讨交流发言材料"


def _doc(locked: int = 0) -> Document:
    blocks = [
        Block("title", TITLE),
        Block("salutation", "同志们："),
        Block("heading", "一、在学深悟透上下功夫", 1),
        Block("paragraph", "作为党员领导干部，首先要发挥示范带动作用。"),
        Block("heading", "（一）扑下身子真抓实干。", 2),
        Block("paragraph", "习近平总书记指出，要把学习成效转化为推动工作的实际行动。"),
        Block("closing", "发言完毕，不妥之处请各位领导批评指正。"),
    ]
    return Document(5, TITLE, blocks, locked=locked)


EXPECTED_TXT = (
    f"{TITLE}\n\n同志们：\n一、在学深悟透上下功夫\n作为党员领导干部，首先要发挥示范带动作用。\n"
    "（一）扑下身子真抓实干。\n习近平总书记指出，要把学习成效转化为推动工作的实际行动。\n"
    "发言完毕，不妥之处请各位领导批评指正。\n"
)


def _body(data: bytes) -> str:
    """A download's text above its footer line: the file is that text, a blank line, the footer line."""
    text = data.decode("utf-8")
    body, footer = text[:-1].rsplit("\n", 1)
    assert FOOTER_LINE.fullmatch(footer), footer
    assert text == body + "\n" + footer + "\n" and body.endswith("\n")  # a blank line before the footer
    return body


def test_txt_text_is_the_document_then_the_footer_line_and_nothing_invisible() -> None:
    data, name, media = export_document(_doc(), "txt", MARK, SECRET)
    text = data.decode("utf-8")
    assert _body(data) == EXPECTED_TXT
    assert not any(ch in text for ch in ZW_ALPHABET)  # by default nothing hides in the text
    assert "账户：李四" in text.splitlines()[-1] and "2024-06-01T01:02:03+00:00" in text
    assert (name, media) == (f"{TITLE}.txt", "text/plain; charset=utf-8")


def test_txt_ends_with_the_locked_notice() -> None:
    data, _, _ = export_document(_doc(locked=4), "txt", MARK, SECRET)
    assert _body(data) == EXPECTED_TXT + "（另有 4 段会员内容，已隐藏）\n"


def test_invisible_marks_when_asked_keep_every_lines_visible_text() -> None:
    data, _, _ = export_document(_doc(), "txt", MARK, SECRET, invisible=True)
    assert any(ch in data.decode() for ch in ZW_ALPHABET)
    lines = _body(data).splitlines()
    assert [strip_zero_width(line) for line in lines] == EXPECTED_TXT.splitlines()
    marked = [i for i, line in enumerate(lines) if line != strip_zero_width(line)]
    assert marked[0] == 0 and marked[-1] == len(lines) - 1  # title line and last paragraph carry it


def test_md_layout() -> None:
    data, name, media = export_document(_doc(locked=2), "md", MARK, SECRET)
    assert _body(data) == (
        f"# {TITLE}\n\n同志们：\n\n## 一、在学深悟透上下功夫\n\n"
        "作为党员领导干部，首先要发挥示范带动作用。\n\n"
        "### （一）扑下身子真抓实干。\n\n习近平总书记指出，要把学习成效转化为推动工作的实际行动。\n\n"
        "发言完毕，不妥之处请各位领导批评指正。\n\n（另有 2 段会员内容，已隐藏）\n"
    )
    assert (name, media) == (f"{TITLE}.md", "text/markdown; charset=utf-8")


def test_md_shows_markdown_characters_as_written() -> None:
    doc = Document(
        1,
        "标题",
        [
            Block("paragraph", "1. 这不是列表"),
            Block("paragraph", "# 也不是标题"),
            Block("paragraph", "a*b*c 与 <b>x</b> 和 [链接](y)"),
            Block("heading", "1.坚持读原著学原文", 3),
        ],
    )
    text = _body(export_document(doc, "md", MARK, SECRET)[0])
    assert text.split("\n\n") == [
        "# 标题",
        "1\\. 这不是列表",
        "\\# 也不是标题",
        "a\\*b\\*c 与 \\<b\\>x\\</b\\> 和 \\[链接\\](y)",
        "#### 1.坚持读原著学原文\n",
    ]


def test_stale_marks_and_control_characters_in_the_source_are_dropped() -> None:
    old, _, _ = export_document(
        _doc(), "txt", TraceMark("旧用户", 1, "2020-01-01T00:00:00+00:00", (5,), 1), SECRET
    )
    reingested = Document(5, TITLE, [Block("title", TITLE), Block("paragraph", old.decode() + "\x07")])
    data, _, _ = export_document(reingested, "txt", MARK, SECRET)
    assert trace_file(data, SECRET).user == "李四"
    assert "\x07" not in data.decode()


def test_unknown_format_is_an_input_error() -> None:
    with pytest.raises(InputError, match="rtf"):
        export_document(_doc(), "rtf", MARK, SECRET)
    with pytest.raises(InputError):
        export_bundle([_doc()], "exe", MARK, SECRET)
    with pytest.raises(InputError):
        export_bundle([], "txt", MARK, SECRET)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("2023年主题教育研讨交流发言材料", "2023年主题教育研讨交流发言材料.docx"),
        ('关于"两个确立"的/心得\\体会:*?<>|', "关于两个确立的心得体会.docx"),
        ("  ..标题.. ", "标题.docx"),
        ("带\u202e反转\u200b和\t制表", "带反转和制表.docx"),
        ("CON", "文档-CON.docx"),
        ("///", "文档.docx"),
        ("", "文档.docx"),
    ],
)
def test_safe_filenames(title: str, expected: str) -> None:
    assert safe_filename(title, "docx") == expected


def test_long_titles_are_cut_to_fit_every_file_system() -> None:
    name = safe_filename("很长的标题" * 40, "docx")
    assert name.endswith(".docx") and len(name.encode("utf-8")) <= 255


def test_bundle_holds_one_file_per_document_with_distinct_names() -> None:
    other = Document(6, "心得体会", [Block("paragraph", "学习是立身之本。")])
    mark = TraceMark("李四", 3, "2024-06-01T01:02:03+00:00", (5, 6, 5), 42)
    data, name, media = export_bundle([_doc(), other, _doc()], "txt", mark, SECRET)
    assert (name, media) == (f"{TITLE}等3篇.zip", "application/zip")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == [f"{TITLE}.txt", "心得体会.txt", f"{TITLE} (2).txt"]
        assert _body(zf.read(f"{TITLE}.txt")) == EXPECTED_TXT


def _round_trip(lines: list[str]) -> None:
    """Every line of a file, as a document's blocks, comes back from the .txt export as it was."""
    doc = Document(1, lines[0], [Block("title", lines[0])] + [Block("paragraph", line) for line in lines[1:]])
    data, _, _ = export_document(doc, "txt", MARK, SECRET)
    visible = _body(data).splitlines()
    assert visible == [lines[0].strip(), "", *(line.strip() for line in lines[1:])]
    assert trace_file(data, SECRET).document == 5


@pytest.mark.parametrize("path", project_documents(), ids=lambda p: p.name[:12])
def test_the_project_documents_survive_a_txt_round_trip(path: Path) -> None:
    text = path.read_bytes().decode("gb18030" if "gbk" in path.name else "utf-8")
    _round_trip([line for line in text.splitlines() if line.strip()])


def test_the_real_sample_survives_a_txt_round_trip() -> None:
    _round_trip([line for line in shared_path(SAMPLE).read_text(encoding="utf-8").splitlines() if line.strip()])


def test_md_mark_never_splits_an_escape() -> None:
    doc = Document(1, "标题*", [Block("title", "标题*"), Block("paragraph", "结尾是星号*")])
    data = export_document(doc, "md", MARK, SECRET, invisible=True)[0]
    text = _body(data)
    assert "\\*" in text.split("\n")[0] and text.count("\\*") == 2
    assert strip_zero_width(text) == "# 标题\\*\n\n结尾是星号\\*\n"
