"""A Word .docx's text: body paragraphs and tables in document order, read with zipfile and a locked-down lxml.

A docx is a zip, so it gets the archive checks; its XML gets no DTD, no entities, no network, no huge trees.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from sucai.errors import InputError, UnsafeArchive
from sucai.ingest.limits import Budget, Limits
from sucai.ingest.readers.docx_numbering import Numbering, load_numbering
from sucai.ingest.zipfiles import check_archive, open_zip, read_member

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_OFFICE_DOCUMENT = "/officeDocument"
_DEFAULT_PART = "word/document.xml"
_STYLES_PART = "word/styles.xml"
_NUMBERING_PART = "word/numbering.xml"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TEXT_TAGS = (f"{_W}p", f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}noBreakHyphen")
# superseded or duplicate text: the Fallback copy of a text box, text moved away, deleted text
_DROP = (_MC_FALLBACK, f"{_W}moveFrom", f"{_W}del")
_CONTAINERS = (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}ins", f"{_W}moveTo")
_OFF = ("0", "false", "off")


@dataclass(frozen=True)
class DocxText:
    text: str
    title: str | None


@dataclass(frozen=True)
class _Context:
    title_styles: frozenset[str]
    numbering: Numbering


def docx_to_text(data: bytes, limits: Limits) -> DocxText:
    """One line per paragraph (a table row is one line, cells tab-separated), Word's list numbers written
    out; the title hint is the first paragraph in the Title style."""
    if data.startswith(_OLE_MAGIC):
        raise InputError("an old Word .doc (or WPS) file named .docx; open it in Word or WPS and save as .docx")
    try:
        zf = open_zip(io.BytesIO(data), limits)
    except UnsafeArchive:
        raise
    except InputError as exc:
        raise InputError(f"not a valid .docx: {exc}") from exc
    with zf:
        check_archive(zf, "the docx", limits, Budget.of(limits))
        part = _main_part(zf, limits)
        if part not in zf.namelist():
            raise InputError(f"not a Word document: {part} is missing from the docx")
        root = _parse_xml(read_member(zf, zf.getinfo(part), limits.max_file_bytes), part)
        styles = _optional_part(zf, _STYLES_PART, limits)
        numbering = _optional_part(zf, _NUMBERING_PART, limits)
    body = root.find(f"{_W}body")
    if body is None:
        raise InputError(f"not a Word document: {part} has no body")
    _drop_invisible(body)
    context = _Context(_title_style_ids(styles), load_numbering(numbering, styles))
    return _collect(body, context)


def _collect(body: etree._Element, context: _Context) -> DocxText:
    lines: list[str] = []
    title: str | None = None
    try:
        for line, is_title in _block_lines(body, context):
            if is_title and title is None and line.strip():
                title = line.strip()
            lines.append(line)
    except RecursionError as exc:  # tables nested past reason; libxml2's depth cap makes this unlikely
        raise InputError("the docx nests tables too deeply to read") from exc
    return DocxText("\n".join(line for line in lines if line.strip()), title)


def _parse_xml(data: bytes, part: str) -> etree._Element:
    # Word never writes a DTD; one in a docx is an entity bomb or an external-entity probe
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise InputError(f"corrupt or hostile docx: {part} declares a DTD or entities")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, remove_comments=True,
        remove_pis=True,
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"corrupt docx: {part} is not well-formed XML ({exc})") from exc


def _optional_part(zf: zipfile.ZipFile, part: str, limits: Limits) -> etree._Element | None:
    try:
        info = zf.getinfo(part)
    except KeyError:
        return None
    return _parse_xml(read_member(zf, info, limits.max_file_bytes), part)


def _main_part(zf: zipfile.ZipFile, limits: Limits) -> str:
    """The main document part named by _rels/.rels (almost always word/document.xml)."""
    rels = _optional_part(zf, "_rels/.rels", limits)
    if rels is None:
        return _DEFAULT_PART
    for rel in rels.iter(_REL):
        if (rel.get("Type") or "").endswith(_OFFICE_DOCUMENT) and rel.get("Target"):
            return posixpath.normpath(str(rel.get("Target")).lstrip("/"))
    return _DEFAULT_PART


def _title_style_ids(styles: etree._Element | None) -> frozenset[str]:
    """Style ids whose name is Title (Word localises ids, e.g. "a3", but keeps the English name)."""
    ids = {"Title"}
    for style in [] if styles is None else styles.iter(f"{_W}style"):
        name = style.find(f"{_W}name")
        if name is not None and (name.get(f"{_W}val") or "").lower() in ("title", "标题"):
            ids.add(style.get(f"{_W}styleId") or "Title")
    return frozenset(ids)


def _drop_invisible(body: etree._Element) -> None:
    """Remove what Word does not show: Fallback copies, moved-away and deleted text, hidden runs."""
    doomed = list(body.iter(*_DROP))
    for run in body.iter(f"{_W}r"):
        vanish = run.find(f"{_W}rPr/{_W}vanish")
        if vanish is not None and (vanish.get(f"{_W}val") or "true").lower() not in _OFF:
            doomed.append(run)
    for element in doomed:
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)


def _block_lines(container: etree._Element, context: _Context) -> Iterator[tuple[str, bool]]:
    """(line, styled as title) for each paragraph and table row in a body, cell or content control."""
    for child in container:
        if child.tag == f"{_W}p":
            style = _style(child)
            label = context.numbering.label(child, style)
            if label[-1:].isascii() and label[-1:].isalnum():
                label += " "  # "1 text", while "一、text" and "1.text" need no space
            is_title = style in context.title_styles
            for line in (label + _paragraph_text(child)).split("\n"):
                yield line, is_title
        elif child.tag == f"{_W}tbl":
            for line in _table_lines(child, context):
                yield line, False
        elif child.tag in _CONTAINERS:
            yield from _block_lines(child, context)


def _table_lines(table: etree._Element, context: _Context) -> Iterator[str]:
    """A row with one filled cell (a layout table) keeps its paragraphs; otherwise a row is one line."""
    for row in _children(table, f"{_W}tr"):
        cells = [[line for line, _ in _block_lines(cell, context) if line.strip()]
                 for cell in _children(row, f"{_W}tc")]
        filled = [cell for cell in cells if cell]
        if len(filled) == 1:
            yield from filled[0]
        elif filled:
            yield "\t".join(" ".join(cell) for cell in filled)


def _children(element: etree._Element, tag: str) -> Iterator[etree._Element]:
    """Children with a tag, looking through content controls and custom XML wrapped around them."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in _CONTAINERS:
            yield from _children(child, tag)


def _paragraph_text(paragraph: etree._Element) -> str:
    parts: list[str] = []
    for element in paragraph.iter(*_TEXT_TAGS):
        tag = element.tag
        if tag != f"{_W}p" and _tag_of_parent(element) != f"{_W}r":
            continue  # a tab stop or break setting in the paragraph's properties, not in its text
        if tag == f"{_W}t":
            parts.append(element.text or "")
        elif tag == f"{_W}tab":
            parts.append("\t")
        elif tag == f"{_W}noBreakHyphen":
            parts.append("-")
        elif tag != f"{_W}p" or element is not paragraph:  # a break, or a text box's own paragraph
            parts.append("\n")
    return "".join(parts)


def _tag_of_parent(element: etree._Element) -> object:
    parent = element.getparent()
    return None if parent is None else parent.tag


def _style(paragraph: etree._Element) -> str | None:
    style = paragraph.find(f"{_W}pPr/{_W}pStyle")
    return None if style is None else style.get(f"{_W}val")
