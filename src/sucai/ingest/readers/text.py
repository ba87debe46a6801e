"""Bytes to text, strictly: BOM, UTF-16 without BOM, UTF-8, a declared charset, GB18030, Big5; never a guess
that replaces characters (paperless turns GBK into U+FFFD with errors="replace").

Two kinds of damage are read through rather than refused, and counted (`Decoded.dropped`): a file cut in the
middle of its last character (a download or preview cut at a byte count) loses that character's bytes; a long
file with a few bad bytes (at most one per DAMAGE_BYTES) loses those bytes, in the encoding that needs the fewest
dropped. Anything worse is an error that says where the first bad byte is. The stored file keeps every byte.
"""

from __future__ import annotations

import codecs
import functools
import re
import threading
from dataclasses import dataclass

from sucai.errors import DecodeError

_BOMS: tuple[tuple[bytes, str, str], ...] = (  # UTF-32 first: its LE mark begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)
# C0 and C1 controls other than tab, newline, carriage return and form feed: never text
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_CONTROL_BYTES = bytes([*range(0, 9), 0x0B, *range(0x0E, 0x20), 0x7F])
_BINARY_RATIO = 0.01  # more control characters than this and it is not a text file
_PLAUSIBLE_RATIO = 0.9  # share of everyday characters a right UTF-16 guess shows
_PLAUSIBLE_SAMPLE = 100_000  # characters enough to judge a byte order
_BIG5_SUSPECT_RATIO = 0.3  # share of GB18030-decoded hanzi outside GB2312 that suggests Big5 bytes
_HAN = re.compile(r"[\u4e00-\u9fff]")
_BIG5 = "cp950"  # Big5 as Windows writes it (with the ETEN extensions)
DAMAGE_BYTES = 2000  # a bad byte run per this many bytes is damage read through; more is not this encoding


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    dropped: int = 0  # undecodable byte runs left out (a cut last character counts one)


def decode_text(data: bytes, declared: str | None = None) -> Decoded:
    """Decode strictly, reject binary data, drop stray control characters and normalise newlines to LF.

    `declared` is a charset the file names for itself (HTML meta); it is tried after strict UTF-8.
    """
    decoded = _decode(data, declared)
    text = decoded.text
    controls = len(_CONTROL_CHARS.findall(text))
    if controls > max(1, len(text) * _BINARY_RATIO):
        raise DecodeError("binary data, not text")
    # a few stray controls (a DOS end-of-file mark, a pasted bell) are not content and break XML export
    text = _CONTROL_CHARS.sub("", text) if controls else text
    return Decoded(normalise_newlines(text), decoded.encoding, decoded.dropped)


def normalise_newlines(text: str) -> str:
    """CRLF, CR and form feeds (page breaks from PDF-to-text tools) become LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")


def drop_controls(text: str) -> str:
    """Text without C0/C1 control characters (tab and newlines stay): they are not content."""
    return _CONTROL_CHARS.sub("", text)


def _decode(data: bytes, declared: str | None) -> Decoded:
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                return Decoded(body.decode(codec), label)
            except UnicodeDecodeError as exc:
                read_through = _read_through(body, codec, label)
                if read_through is not None:
                    return read_through
                raise DecodeError(f"starts with a {label} byte-order mark but is not valid {label} ({exc.reason} "
                                  f"at byte {exc.start + len(bom)})") from exc
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise DecodeError("binary data, not text")
        return utf16
    codecs_in_turn = list(dict.fromkeys(("utf-8", declared or "utf-8", "gb18030", _BIG5)))
    for codec in codecs_in_turn:
        try:
            return _unless_big5(data, Decoded(data.decode(codec), _label(codec)))
        except LookupError:
            continue
        except UnicodeDecodeError:
            if (cut := _cut_short(data, codec)) is not None:
                return _unless_big5(data, cut)
    damaged = [found for codec in codecs_in_turn if (found := _dropping_bad_bytes(data, codec)) is not None]
    if damaged:  # the fewest bytes dropped; the earlier encoding on a tie
        return _unless_big5(data, min(damaged, key=lambda d: d.dropped))
    raise DecodeError(_undecodable_message(data))


def _label(codec: str) -> str:
    return "big5" if codec == _BIG5 else codec


def _unless_big5(data: bytes, decoded: Decoded) -> Decoded:
    """GB18030 decodes most Big5 bytes too, into rare hanzi: such bytes are read as Big5 when they are Big5 as
    well (as strictly, or with as few bytes dropped, as they were GB18030)."""
    if decoded.encoding != "gb18030" or not _big5_in_disguise(decoded.text):
        return decoded
    try:
        return Decoded(data.decode(_BIG5), "big5")
    except UnicodeDecodeError:
        pass
    big5 = _cut_short(data, _BIG5) or _dropping_bad_bytes(data, _BIG5)
    return big5 if big5 is not None and big5.dropped <= decoded.dropped else decoded


def _read_through(data: bytes, codec: str, label: str) -> Decoded | None:
    """Damaged bytes after a byte-order mark: a cut last character, else a few bad bytes (module docstring)."""
    return _cut_short(data, codec, label) or _dropping_bad_bytes(data, codec, label)


def _cut_short(data: bytes, codec: str, label: str | None = None) -> Decoded | None:
    """The text when every byte decodes but an unfinished last character (left out); else None."""
    try:
        text = codecs.getincrementaldecoder(codec)().decode(data, final=False)
    except (UnicodeDecodeError, LookupError):
        return None
    return Decoded(text, label or _label(codec), dropped=1)


def _dropping_bad_bytes(data: bytes, codec: str, label: str | None = None) -> Decoded | None:
    """The text with each undecodable byte run left out, when there are at most one per DAMAGE_BYTES (one pass:
    the codec calls the error handler below for each run, which counts it and gives up past the limit)."""
    _damage.runs, _damage.allowed = 0, len(data) // DAMAGE_BYTES
    try:
        text = data.decode(codec, errors=_drop_counted())
    except (UnicodeDecodeError, LookupError):
        return None
    return Decoded(text, label or _label(codec), _damage.runs)


_damage = threading.local()  # the runs the current thread's decode dropped, and how many it may


@functools.cache
def _drop_counted() -> str:
    """The name of an error handler that drops an undecodable run and counts it (registered once, on first use)."""

    def drop(exc: UnicodeError) -> tuple[str, int]:
        if not isinstance(exc, UnicodeDecodeError) or _damage.runs >= _damage.allowed:
            raise exc
        _damage.runs += 1
        return "", exc.end

    codecs.register_error("sucai-drop-counted", drop)
    return "sucai-drop-counted"


def _utf16_without_bom(data: bytes) -> Decoded | None:
    """UTF-16 when one byte order decodes to everyday text; NULs elsewhere mean binary. An odd byte at the end
    is half a character cut off: left out."""
    cut = len(data) % 2
    best: Decoded | None = None
    best_score = 0.0
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data[: len(data) - cut].decode(codec)
        except UnicodeDecodeError:
            continue
        score = _plausible_share(text)
        if score > best_score:
            best, best_score = Decoded(text, codec, cut), score
    return best if best_score >= _PLAUSIBLE_RATIO else None


def _plausible_share(text: str) -> float:
    """Share of characters a Chinese or English text is made of (swapped UTF-16 bytes give exotic scripts)."""
    text = text[:_PLAUSIBLE_SAMPLE]
    if not text:
        return 0.0
    plausible = sum(
        1
        for ch in text
        if ch in "\n\r\t"
        or " " <= ch <= "~"
        or "\u4e00" <= ch <= "\u9fff"
        or "\u3000" <= ch <= "\u303f"
        or "\uff00" <= ch <= "\uffef"
        or "\u2010" <= ch <= "\u206f"
        or "\u00a0" <= ch <= "\u00ff"
    )
    return plausible / len(text)


def _big5_in_disguise(gb_text: str) -> bool:
    """Big5 bytes mostly decode as GB18030 too, into rare hanzi; real GBK text keeps to GB2312's common set."""
    han = _HAN.findall(gb_text[:200_000])
    if len(han) < 20:
        return False
    rare = sum(1 for ch in han if not _in_gb2312(ch))
    return rare / len(han) >= _BIG5_SUSPECT_RATIO


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _undecodable_message(data: bytes) -> str:
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > len(data) * _BINARY_RATIO:
        return "binary data, not text"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = exc.start
    else:  # pragma: no cover - utf-8 was tried first
        where = 0
    return (
        f"undecodable bytes: not valid UTF-8, GB18030 (GBK/GB2312) or Big5 text (first bad UTF-8 byte at "
        f"offset {where}: 0x{data[where]:02x}); save the file as UTF-8 and ingest it again"
    )
