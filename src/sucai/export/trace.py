"""Download traces: a signed mark of who downloaded what and when, hidden in the file; its verification.

A reader does not see the mark; an admin can verify it; stripping it takes deliberate effort. The token is
HMAC-SHA256 signed (truncated to 128 bits, as RFC 4868 does), so it cannot be forged or edited without the
library's secret. It travels in up to three carriers per file (see ``trace_file``); any valid one names the
download, a carrier that does not verify is reported as tampered.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from sucai.errors import TraceError
from sucai.model import TraceInfo

TOKEN_PREFIX = "sc1"
MAC_BYTES = 16
_MAC_CONTEXT = b"sucai-download-trace-v1\x00"  # domain separation: the secret also signs sessions

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
_MEMBER_LIMIT = 64 * 1024 * 1024  # read no more of a zip member than this (zip bombs)
_MAX_MEMBERS = 2000


@dataclass(frozen=True)
class TraceMark:
    """Who downloaded which documents when; ``time`` is ISO-8601 UTC to the second."""

    user: str
    user_id: int
    time: str
    document_ids: tuple[int, ...]
    download_id: int


@dataclass(frozen=True)
class Carrier:
    """A place a mark was found in a file: the token read there, or None when it cannot be read."""

    where: str
    token: str | None


# -- tokens ------------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """Strict base64url: only the canonical spelling decodes (a flipped padding bit is a change too)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:
        raise ValueError("not canonical base64url")
    return data


def _mac(payload: bytes, secret: bytes) -> bytes:
    if not secret:
        raise ValueError("the trace secret must not be empty")
    return hmac.new(secret, _MAC_CONTEXT + payload, hashlib.sha256).digest()[:MAC_BYTES]


def _payload(mark: TraceMark) -> bytes:
    fields = [mark.user, mark.user_id, mark.time, list(mark.document_ids), mark.download_id]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign_mark(mark: TraceMark, secret: bytes) -> str:
    """The mark as a compact signed token: ``sc1.<payload>.<mac>`` (base64url, HMAC-SHA256/128)."""
    payload = _payload(mark)
    return f"{TOKEN_PREFIX}.{_b64(payload)}.{_b64(_mac(payload, secret))}"


def _mark_from_payload(payload: bytes) -> TraceMark:
    user, user_id, time, ids, download_id = json.loads(payload.decode("utf-8"))
    if not (isinstance(user, str) and isinstance(time, str) and isinstance(ids, list)):
        raise ValueError("unexpected payload shape")
    if not all(isinstance(x, int) for x in [user_id, download_id, *ids]):
        raise ValueError("unexpected payload shape")
    return TraceMark(user, user_id, time, tuple(ids), download_id)


def verify_token(token: str, secret: bytes) -> TraceMark:
    """The mark a token carries; TraceError when it was tampered with, forged or is not a token at all."""
    parts = token.strip().split(".")
    try:
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            raise ValueError("not a sucai trace token")
        payload, mac = _unb64(parts[1]), _unb64(parts[2])
    except (ValueError, binascii.Error) as exc:
        raise TraceError(f"the download mark is damaged: tampered with or forged ({exc})") from None
    if not hmac.compare_digest(mac, _mac(payload, secret)):
        raise TraceError("the download mark does not verify: tampered with or forged (signature mismatch)")
    try:
        return _mark_from_payload(payload)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:  # signed by us, so only a bug gets here
        raise TraceError(f"the download mark is signed but unreadable ({exc})") from None


def token_bytes(token: str) -> bytes:
    """The binary form of a well-formed token (payload length, payload, mac) for compact carriers."""
    _, payload, mac = token.split(".")
    raw = _unb64(payload)
    return len(raw).to_bytes(2, "big") + raw + _unb64(mac)


def token_from_bytes(data: bytes) -> str:
    size = int.from_bytes(data[:2], "big")
    payload, mac = data[2 : 2 + size], data[2 + size : 2 + size + MAC_BYTES]
    if len(payload) != size or len(mac) != MAC_BYTES:
        raise ValueError("truncated mark")
    return f"{TOKEN_PREFIX}.{_b64(payload)}.{_b64(mac)}"


# -- the zero-width carrier -------------------------------------------------------------------------


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


def _body_carriers(data: bytes) -> list[Carrier]:
    root = _xml(data)
    if root is None:
        return []
    # Word may split our run when the file is edited: join each paragraph's text before decoding.
    paragraphs = ("".join(t.text or "" for t in p.iter(f"{{{_W_NS}}}t")) for p in root.iter(f"{{{_W_NS}}}p"))
    return zero_width_tokens("\n".join(paragraphs), "docx body text")


def _docx_carriers(zf: zipfile.ZipFile) -> list[Carrier]:
    found: list[Carrier] = []
    names = zf.namelist()
    if "docProps/custom.xml" in names and (data := _read_member(zf, "docProps/custom.xml")):
        found.extend(_custom_property_carriers(data))
    for name in names:
        if re.fullmatch(r"customXml/item\d+\.xml", name) and (data := _read_member(zf, name)):
            found.extend(_custom_xml_carriers(data))
    if data := _read_member(zf, "word/document.xml"):
        found.extend(_body_carriers(data))
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
    """Every mark carrier in a .docx, .txt, .md or .zip (one level of members), strongest first."""
    if data[:4] == b"PK\x03\x04" or (not nested and zipfile.is_zipfile(io.BytesIO(data))):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if "word/document.xml" in zf.namelist():
                    return _docx_carriers(zf)
                return [] if nested else _bundle_carriers(zf)
        except zipfile.BadZipFile:
            pass  # not an archive after all: scan it as text
    return zero_width_tokens(_decode_text(data), "text")


def _trace_info(mark: TraceMark) -> TraceInfo:
    ids = list(mark.document_ids)
    return TraceInfo(user=mark.user, time=mark.time, document=ids[0] if len(ids) == 1 else ids)


def trace_mark(data: bytes, secret: bytes) -> TraceMark:
    """The full mark of a downloaded file; TraceError when there is none or none verifies."""
    carriers = find_carriers(data)
    if not carriers:
        raise TraceError("no download mark found in this file")
    problems: list[str] = []
    for carrier in carriers:
        if carrier.token is None:
            problems.append(f"{carrier.where}: unreadable")
            continue
        try:
            return verify_token(carrier.token, secret)
        except TraceError as exc:
            problems.append(f"{carrier.where}: {exc}")
    raise TraceError("the download mark was tampered with or forged — " + "; ".join(problems))


def trace_file(data: bytes, secret: bytes) -> TraceInfo:
    """Who a .docx, .txt, .md or .zip was downloaded by, and when, and which documents it holds.

    Every carrier is tried; the first that verifies wins. Raises TraceError when the file carries no mark,
    or only marks whose signature does not verify (tampered with or forged)."""
    return _trace_info(trace_mark(data, secret))
