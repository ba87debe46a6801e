"""A compilation (written for the tests) gives the same documents whatever container it arrives in: GB18030 +
CRLF, .docx, .html, .zip."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

import sucai
from sample_formats import FORMATS, build
from sample_formats import as_docx as _as_docx
from sample_formats import as_html as _as_html
from sucai.model import Document


def _shape(docs: list[Document]) -> list[tuple]:
    return [
        (d.title, [(b.kind, b.level, b.paid, b.text) for b in d.blocks], [(o.level, o.text) for o in d.outline])
        for d in docs
    ]


def _ingest(tmp_path: Path, name: str, data: bytes) -> list[Document]:
    source = tmp_path / name
    source.write_bytes(data)
    with sucai.open(tmp_path / f"{name}.db") as lib:
        report = lib.ingest([source])
        assert report.failed == [], report.failed
        return [lib.document(d.id) for d in report.documents]


def _as_zip(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("材料/发言材料两篇.txt", text.encode("gb18030"))
    return buffer.getvalue()


@pytest.fixture
def reference(tmp_path: Path, compilation_text: str) -> list[tuple]:
    return _shape(_ingest(tmp_path, "utf8.txt", compilation_text.encode("utf-8")))


@pytest.mark.parametrize(
    ("name", "convert"),
    [
        ("gbk-crlf.txt", lambda t: t.replace("\n", "\r\n").encode("gb18030")),
        ("utf16.txt", lambda t: t.encode("utf-16")),
        ("bom.txt", lambda t: t.encode("utf-8-sig")),
        ("sample.docx", _as_docx),
        ("sample.html", _as_html),
        ("sample.zip", _as_zip),
    ],
)
def test_every_container_gives_the_same_documents(
    tmp_path: Path, compilation_text: str, reference, name, convert
) -> None:
    docs = _ingest(tmp_path, name, convert(compilation_text))
    assert len(docs) == 2
    assert _shape(docs) == reference
    assert all("不应出现" not in d.text and "备案号" not in d.text for d in docs)


def _outline_shape(docs: list[Document]) -> list[tuple]:
    """What a writer relies on in each format: titles, outlines, and which text is member-only."""
    return [
        (d.title, [(o.level, o.text) for o in d.outline], "".join(b.text for b in d.blocks if b.paid).replace(" ", ""))
        for d in docs
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_sample_in_every_format_gives_the_same_documents(tmp_path: Path, sample_text: str, fmt: str) -> None:
    data = build(fmt, sample_text, title=sample_text.split("\n", 1)[0])
    if data is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    reference = _outline_shape(_ingest(tmp_path, "reference.txt", sample_text.encode("utf-8")))
    docs = _ingest(tmp_path, f"sample.{fmt}", data)
    assert len(docs) == 4
    assert _outline_shape(docs) == reference
    assert all(any(b.paid for b in d.blocks) == bool(r[2]) for d, r in zip(docs, reference, strict=True))
