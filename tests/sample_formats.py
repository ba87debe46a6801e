"""A text in every format material arrives in: the builders the format tests and bench/bench_formats.py share.

Office formats are made the way people make them: a .docx written with python-docx, converted by LibreOffice
(to .doc, .odt, .rtf, .pdf). `build` returns None for a format that needs LibreOffice when it is absent.
"""

from __future__ import annotations

import csv
import html
import io
import zipfile

import docx

from sucai.office import convert, soffice

FORMATS = ("txt", "docx", "doc", "odt", "rtf", "pdf", "html", "md", "csv", "zip", "7z")
CONVERTED = ("doc", "odt", "rtf", "pdf")  # made by LibreOffice from the docx


def build(fmt: str, text: str, title: str = "") -> bytes | None:
    """The text as a file of that format (title: the CSV title column), or None without LibreOffice."""
    if fmt in CONVERTED:
        program = soffice()
        if program is None:
            return None
        return convert(as_docx(text), "docx", fmt, program, 120)
    builders = {
        "txt": lambda: text.replace("\n", "\r\n").encode("gb18030"),
        "docx": lambda: as_docx(text),
        "html": lambda: as_html(text),
        "md": lambda: as_markdown(text),
        "csv": lambda: as_csv(text, title),
        "zip": lambda: as_zip(text),
        "7z": lambda: as_7z(text),
    }
    return builders[fmt]()


def as_docx(text: str) -> bytes:
    document = docx.Document()
    for line in text.splitlines():
        if line.strip():
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def as_html(text: str) -> bytes:
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>材料</title>"
        "<script>var tracker = '不应出现的脚本文字';</script></head><body>"
        "<nav><a href='/'>首页</a> <a href='/vip'>会员中心</a></nav>"
        f"<article>{body}</article><footer>版权所有 © 某网站 备案号</footer></body></html>"
    )
    return page.encode("utf-8")


def as_markdown(text: str) -> bytes:
    return "\n\n".join(line for line in text.splitlines() if line.strip()).encode("utf-8")


def as_csv(text: str, title: str) -> bytes:
    """A scraper's export: the text in a full_text column beside title, date and address."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["标题", "发布时间", "链接", "full_text"])
    writer.writerow([title, "2023-06-01 09:00", "https://example.org/a/1.html", text])
    return buffer.getvalue().encode("utf-8-sig")


def as_zip(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("材料/发言材料.txt", text.encode("gb18030"))
    return buffer.getvalue()


def as_7z(text: str) -> bytes:
    import py7zr

    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w") as archive:
        archive.writestr(text.encode("utf-8"), "材料/发言材料.txt")
    return buffer.getvalue()
