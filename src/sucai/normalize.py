"""The one text normalisation shared by the index, queries, highlighting and fingerprints.

NFKC width folding, case folding, traditional -> simplified (character by character, so that the
mapping is the same for a one-character query and a whole document), and whitespace removed.
Paragraphs are normalised one by one and joined with PARAGRAPH_SEP, which no normalised query can
contain, so a match never spans two paragraphs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

PARAGRAPH_SEP = "\u2029"
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


def _fold(ch: str) -> str:
    if ch.isspace() or ch in _ZERO_WIDTH:
        return ""
    # NFKC of a few compatibility characters carries a space (¨ -> " ̈"): whitespace never survives.
    return "".join(c for c in unicodedata.normalize("NFKC", ch).casefold() if not c.isspace())


def _simplify_each(chars: list[str]) -> list[str]:
    """Traditional -> simplified for each character alone (one OpenCC call for all of them)."""
    import opencc  # imported here: building the table is the only use and costs ~0.3 s

    converter = opencc.OpenCC("t2s")
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):
        converted = [converter.convert(c) for c in chars]
    return converted


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    """str.translate table for every BMP character whose normal form differs from itself."""
    table: dict[int, str] = {}
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        folded = _fold(ch)
        if folded != ch:
            table[cp] = folded
    cjk = [chr(cp) for lo, hi in _CJK_RANGES for cp in range(lo, hi + 1)]
    for ch, simple in zip(cjk, _simplify_each(cjk), strict=True):
        if simple != ch and simple:
            table[ord(ch)] = _fold(simple) if len(simple) == 1 else simple
    # NFKC can yield a traditional form (compatibility ideographs, ㈶ -> (財)): simplify the result too, so
    # that every output is already normal (normalize relies on it).
    for cp, out in list(table.items()):
        table[cp] = "".join(table.get(ord(c), c) for c in out)
    return table


def char_class(cps: Iterable[int]) -> re.Pattern[str]:
    """A regex class matching any of the (BMP) code points, written as ranges."""
    ranges: list[list[int]] = []
    for cp in sorted(cps):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return re.compile("[" + "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in ranges) + "]")


@lru_cache(maxsize=1)
def _changed() -> re.Pattern[str]:
    return char_class(_table())


FEW_DISTINCT = 24  # distinct changing characters in a text up to which `replace` per character beats `translate`


def normalize(text: str) -> str:
    """The normal form of one paragraph (or a query).

    Equal to text.translate(table). Most text holds few characters that change (，（） in a simplified
    document), and translate costs a dictionary lookup per character, while a regex scan finds them
    several times faster and `replace` swaps each in bulk. Every output of the table is already normal,
    so the order of the replacements does not matter."""
    found = _changed().findall(text)
    if not found:
        return text
    distinct = set(found)
    table = _table()
    if len(distinct) > FEW_DISTINCT:
        return text.translate(table)
    for ch in distinct:
        text = text.replace(ch, table[ord(ch)])
    return text


@lru_cache(maxsize=1)
def _length_changers() -> re.Pattern[str]:
    """A class of the characters whose normal form is not exactly one character (deleted or expanded)."""
    return char_class(cp for cp, out in _table().items() if len(out) != 1)


def shifts_offsets(text: str) -> bool:
    """Whether normalising deletes or expands a character of the text; if not, the normal form has the
    same length and each character's normal form sits at its own offset."""
    return _length_changers().search(text) is not None


def normalize_char(ch: str) -> str:
    return _table().get(ord(ch), ch)


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Normal form plus, for each of its characters, the index of the original character it came from.

    The list has one extra entry, len(text), so a normalised span [i, j) maps back to
    [offsets[i], offsets[j-1] + 1) in the original.
    """
    table = _table()
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        mapped = table.get(ord(ch), ch)
        out.append(mapped)
        offsets.extend([i] * len(mapped))
    offsets.append(len(text))
    return "".join(out), offsets


def original_span(offsets: list[int], start: int, end: int) -> tuple[int, int]:
    """Map a normalised span [start, end) back to the original text."""
    if end <= start:
        return offsets[start], offsets[start]
    return offsets[start], offsets[end - 1] + 1


def normalize_paragraphs(paragraphs: Iterable[str]) -> str:
    """A document's searchable form: each paragraph normalised, joined by PARAGRAPH_SEP."""
    return PARAGRAPH_SEP.join(normalize(p) for p in paragraphs)
