"""Download traces: where a signed mark travels in a file, and which of them verify.

Every download ends with a visible footer line (export/footer.py) and, in a .docx, carries the signed token
(export/trace_token.py) in its custom properties and a custom XML part; a .zip carries it in its comment.
Zero-width marks in the text are written only when asked for (``SUCAI_TRACE_INVISIBLE=1``) and are still read.
``trace_file`` tries every carrier; any that verifies names the download. A file none of whose carriers
verifies is reported as not signed by this library (未由本库签发) or changed since.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace

from lxml import etree

from sucai.errors import TraceError
from sucai.export.footer import FOOTER_LEAD, FooterClaim, find_footer, verify_footer
from sucai.export.trace_token import (
    MAC_BYTES,
    NOT_OURS,
    TOKEN_PREFIX,
    TraceMark,
    key_id,
    sign_mark,
    token_bytes,
    token_from_bytes,
    verify_token,
)
from sucai.model import TraceInfo

__all__ = [
    "MAC_BYTES", "TOKEN_PREFIX", "Carrier", "TraceMark", "find_carriers", "key_id", "sign_mark",
    "strip_zero_width", "trace_file", "trace_mark", "verify_token", "zero_width_mark",
]

# Zero-width alphabet: four invisible characters, two bits each. Copy-paste of the text carries them.
ZW_ALPHABET = "\u200b\u200c\u200d\u2060"
ZW_STRIP = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_ZW_RUN = re.compile(f"[{ZW_ALPHABET}]+")
_ZW_MAGIC = b"\x5c\xa3"
_ZW_MIN_DAMAGED = 32  # a run this long without our frame is a damaged mark, not a stray joiner

CUSTOM_PROPERTY = "SucaiTrace"
CUSTOM_XML_NS = "urn:sucai:trace"
_CUSTOM_PROPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
PDF_SECONDS = 30.0  # reading a PDF's text to find its footer
_MEMBER_LIMIT = 64 * 1024 * 1024  # read no more of a zip member than this (zip bombs)
_MAX_MEMBERS = 2000


@dataclass(frozen=True)
class Carrier:
    """A place a mark was found in a file: the token read there (None when it cannot be read), or the
    visible footer line with the text above it."""

    where: str
    token: str | None
    footer: FooterClaim | None = None
    # whether the text above the footer can be compared with what was downloaded (not in a PDF, whose
    # extracted text breaks lines and pages differently from the document it was set from)
    content_checked: bool = True


# -- the zero-width carrier -------------------------------------------------------------------------


def custom_properties_xml(token: str) -> bytes:
    """docProps/custom.xml of an Office file (docx, pptx) with the signed token as a user-defined property."""
    vt = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
    root = etree.Element(f"{{{_CUSTOM_PROPS_NS}}}Properties", nsmap={None: _CUSTOM_PROPS_NS, "vt": vt})
    fmtid = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the fixed id of user-defined properties
    prop = etree.SubElement(root, f"{{{_CUSTOM_PROPS_NS}}}property", fmtid=fmtid, pid="2", name=CUSTOM_PROPERTY)
    etree.SubElement(prop, f"{{{vt}}}lpwstr").text = token
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def zero_width_mark(token: str) -> str:
    """The token as invisible characters: a magic frame, then two bits per character, high bits first."""
    data = _ZW_MAGIC + token_bytes(token)
    return "".join(ZW_ALPHABET[(byte >> shift) & 3] for byte in data for shift in (6, 4, 2, 0))


def _zw_to_bytes(run: str) -> bytes:
    usable = len(run) - len(run) % 4
    d = [ZW_ALPHABET.index(ch) for ch in run[:usable]]
    return bytes((d[i] << 6) | (d[i + 1] << 4) | (d[i + 2] << 2) | d[i + 3] for i in range(0, usable, 4))


_ZW_MAGIC_TEXT = "".join(ZW_ALPHABET[(b >> s) & 3] for b in _ZW_MAGIC for s in (6, 4, 2, 0))


def zero_width_tokens(text: str, where: str) -> list[Carrier]:
    """Every zero-width mark in a text: its token, or None for a run that is ours but no longer decodes."""
    found: list[Carrier] = []
    for run in _ZW_RUN.findall(text):
        start = run.find(_ZW_MAGIC_TEXT)
        if start < 0:
            if len(run) >= _ZW_MIN_DAMAGED:
                found.append(Carrier(where, None))
            continue
        try:
            found.append(Carrier(where, token_from_bytes(_zw_to_bytes(run[start + len(_ZW_MAGIC_TEXT) :]))))
        except ValueError:
            found.append(Carrier(where, None))
    return found


def strip_zero_width(text: str) -> str:
    """The visible text: what a reader sees with every zero-width mark taken out."""
    return ZW_STRIP.sub("", text)


# -- finding carriers in files ---------------------------------------------------------------------

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _xml(data: bytes) -> etree._Element | None:
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        return None


def _read_member(zf: zipfile.ZipFile, name: str) -> bytes | None:
    """A zip member's bytes, or None when it is too large, encrypted or corrupt."""
    try:
        with zf.open(name) as fh:
            data = fh.read(_MEMBER_LIMIT + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, OSError):
        return None
    return data if len(data) <= _MEMBER_LIMIT else None


def _custom_property_carriers(data: bytes) -> Iterator[Carrier]:
    root = _xml(data)
    if root is None:
        return
    for prop in root.iter(f"{{{_CUSTOM_PROPS_NS}}}property"):
        if prop.get("name") == CUSTOM_PROPERTY:
            yield Carrier("docx custom property", "".join(prop.itertext()))


def _custom_xml_carriers(data: bytes) -> Iterator[Carrier]:
    root = _xml(data)
    if root is None:
        return
    for node in root.iter(f"{{{CUSTOM_XML_NS}}}trace"):
        yield Carrier("docx custom XML part", "".join(node.itertext()))


def _footer_carriers(lines: list[str], where: str) -> list[Carrier]:
    claim = find_footer(lines)
    return [] if claim is None else [Carrier(where, None, claim)]


def _body_carriers(data: bytes) -> list[Carrier]:
    root = _xml(data)
    if root is None:
        return []
    # Word may split our run when the file is edited: join each paragraph's text before decoding.
    paragraphs = ["".join(t.text or "" for t in p.iter(f"{{{_W_NS}}}t")) for p in root.iter(f"{{{_W_NS}}}p")]
    found = _footer_carriers(paragraphs, "docx footer line")
    return found + zero_width_tokens("\n".join(paragraphs), "docx body text")


def slide_paragraphs(zf: zipfile.ZipFile) -> list[str]:
    """The paragraphs of a .pptx's slides in slide order (what the visible footer's content code covers)."""
    names = [n for n in zf.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)]
    paragraphs: list[str] = []
    for name in sorted(names, key=lambda n: int(re.sub(r"\D", "", n))):
        root = _xml(_read_member(zf, name) or b"")
        if root is not None:
            paragraphs += ["".join(t.text or "" for t in p.iter(f"{{{_A_NS}}}t")) for p in root.iter(f"{{{_A_NS}}}p")]
    return paragraphs


def _office_carriers(zf: zipfile.ZipFile) -> list[Carrier]:
    """A .docx's or .pptx's carriers: its custom property, custom XML parts, and the text's footer line."""
    found: list[Carrier] = []
    names = zf.namelist()
    if "docProps/custom.xml" in names and (data := _read_member(zf, "docProps/custom.xml")):
        found.extend(_custom_property_carriers(data))
    for name in names:
        if re.fullmatch(r"customXml/item\d+\.xml", name) and (data := _read_member(zf, name)):
            found.extend(_custom_xml_carriers(data))
    if "word/document.xml" in names and (data := _read_member(zf, "word/document.xml")):
        found.extend(_body_carriers(data))
    elif "ppt/presentation.xml" in names:
        found.extend(_footer_carriers(slide_paragraphs(zf), "pptx footer line"))
    return found


def _decode_text(data: bytes) -> str:
    """Text for scanning only (never shown): BOMs, strict UTF-8, then GB18030 as a re-saved file may be."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _bundle_carriers(zf: zipfile.ZipFile) -> list[Carrier]:
    found: list[Carrier] = []
    if zf.comment:
        found.append(Carrier("zip comment", zf.comment.decode("ascii", errors="replace")))
    for info in zf.infolist()[:_MAX_MEMBERS]:
        if info.is_dir() or info.file_size > _MEMBER_LIMIT:
            continue
        data = _read_member(zf, info.filename)
        if data is not None:
            found.extend(find_carriers(data, nested=True))
    return found


def find_carriers(data: bytes, nested: bool = False) -> list[Carrier]:
    """Every mark carrier in a .docx, .pptx, .txt, .md or .zip (one level of members), strongest first."""
    if data[:4] == b"PK\x03\x04" or (not nested and zipfile.is_zipfile(io.BytesIO(data))):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if {"word/document.xml", "ppt/presentation.xml"} & set(zf.namelist()):
                    return _office_carriers(zf)
                return [] if nested else _bundle_carriers(zf)
        except zipfile.BadZipFile:
            pass  # not an archive after all: scan it as text
    if data[:5] == b"%PDF-" and not nested:
        return _pdf_carriers(data)
    text = _decode_text(data)
    return _footer_carriers(text.splitlines(), "footer line") + zero_width_tokens(text, "text")


def _pdf_carriers(data: bytes) -> list[Carrier]:
    """A PDF download's footer line, read from its text layer (in the reader's sandbox: a PDF is hostile)."""
    from sucai.errors import InputError
    from sucai.ingest.readers.pdf import pdf_lines

    try:
        lines = pdf_lines(data, PDF_SECONDS)
    except InputError:
        return []
    starts = [i for i, line in enumerate(lines) if FOOTER_LEAD in line]
    if starts:  # the page width wraps the footer line: read it with the lines that follow it
        lines = [*lines[: starts[-1]], "".join(lines[starts[-1] : starts[-1] + 3])]
    return [replace(c, content_checked=False) for c in _footer_carriers(lines, "pdf footer line")]


def _footer_verdict(carrier: Carrier, secret: bytes) -> tuple[TraceMark | None, bool, str]:
    """(the mark, when the footer is this library's; whether the text was changed since; the problem)."""
    assert carrier.footer is not None
    fields_ok, content_ok = verify_footer(carrier.footer, secret)
    if not fields_ok:
        return None, False, f"{NOT_OURS}或页脚被改动：not signed by this library, or the footer line was edited"
    return carrier.footer.mark, carrier.content_checked and not content_ok, ""


def _verdicts(carriers: list[Carrier], secret: bytes) -> tuple[TraceMark | None, bool, list[str]]:
    """The first carrier's mark that verifies, whether a verified footer's text was changed, the problems."""
    found: TraceMark | None = None
    altered = False
    problems: list[str] = []
    for carrier in carriers:
        if carrier.footer is not None:
            mark, changed, problem = _footer_verdict(carrier, secret)
            altered |= changed
        elif carrier.token is None:
            mark, problem = None, "unreadable (damaged, tampered with)"
        else:
            try:
                mark, problem = verify_token(carrier.token, secret), ""
            except TraceError as exc:
                mark, problem = None, str(exc)
        found = found or mark
        if problem:
            problems.append(f"{carrier.where}: {problem}")
    return found, altered, problems


def _verified(data: bytes, secret: bytes) -> tuple[TraceMark, bool]:
    carriers = find_carriers(data)
    if not carriers:
        raise TraceError("no download mark found in this file")
    found, altered, problems = _verdicts(carriers, secret)
    if found is None:
        raise TraceError(f"{NOT_OURS}：no download mark in this file verifies with this library's key — "
                         + "; ".join(problems))
    return found, altered


def trace_mark(data: bytes, secret: bytes) -> TraceMark:
    """The full mark of a downloaded file; TraceError when there is none or none verifies."""
    return _verified(data, secret)[0]


def trace_file(data: bytes, secret: bytes) -> TraceInfo:
    """Who a .docx, .txt, .md or .zip was downloaded by, and when, and which documents it holds.

    Every carrier is tried; the first that verifies wins. ``altered`` says the text under a verified footer
    line was changed after the download. Raises TraceError when the file carries no mark, or only marks
    that do not verify: not signed by this library (another library's file, or a forgery) or tampered with."""
    mark, altered = _verified(data, secret)
    ids = list(mark.document_ids)
    return TraceInfo(user=mark.user, time=mark.time, document=ids[0] if len(ids) == 1 else ids, altered=altered)
