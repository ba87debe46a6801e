"""Content characters and winnowing fingerprints (Schleimer, Wilkerson, Aiken 2003), vectorised with numpy.

Content characters are the normal form of sucai.normalize (NFKC, casefold, traditional -> simplified, no
whitespace) with punctuation and symbols also dropped: letters, digits and CJK ideographs only. A copy whose
punctuation or spacing was changed is still one run of content characters.

A document's fingerprints are its selected k-grams: each window of W consecutive k-gram hashes selects its
rightmost minimum. Selection depends on the window's text alone, so two texts sharing a run of
GUARANTEE = W + K - 1 content characters select the same k-gram inside it: every shared run of 13 or more
content characters shares a fingerprint. k-grams never cross a block boundary and title blocks are left out.

`Fingerprint.pos` is an offset in `content_chars(doc.text)[0]` — the content characters of the whole
document text, title blocks included (they are skipped, not removed), so a checker that reads the document
back can seed an exact comparison there.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from sucai.model import Document
from sucai.normalize import normalize_char
from sucai.store.base import Fingerprint

# K + W - 1 = 13 is the guarantee. Density is about 2 / (W + 1) = 0.2 fingerprints per content character,
# about 15 bytes each in SQLite (hash in 4 bytes, doc id, position, B-tree overhead): close to 1.0x the
# UTF-8 text (3 bytes a character), against a budget of 1.5x. A longer K would make fewer stock-phrase
# candidates but more fingerprints (K=7, W=7: 0.25 a character).
K = 5  # characters per hashed gram
W = 9  # k-grams per window
GUARANTEE = W + K - 1  # 13: every shared run this long shares a fingerprint

Codes = npt.NDArray[np.uint32]
Hashes = npt.NDArray[np.uint64]
Positions = npt.NDArray[np.int64]

_DELETE = 0
_SLOW = 0xFFFFFFFF  # a character whose content form is several characters (½ -> 12), or outside the BMP
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_BASE = np.uint64(0x100000001B3)
_UNSELECTABLE = np.uint64(0xFFFFFFFFFFFFFFFF)


def is_content(ch: str) -> bool:
    """Letters (CJK ideographs are letters) and digits carry content; punctuation, symbols, spaces do not."""
    return unicodedata.category(ch)[0] in "LN"


def content_form(ch: str) -> str:
    """What one character of the original becomes among the content characters ("" when dropped)."""
    return "".join(c for c in normalize_char(ch) if is_content(c))


@lru_cache(maxsize=1)
def _lookup() -> Codes:
    """Content code point for every BMP character: 0 when dropped, _SLOW when it needs the slow path."""
    table = np.zeros(0x10000, dtype=np.uint32)
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        out = content_form(chr(cp))
        table[cp] = ord(out) if len(out) == 1 else (_DELETE if not out else _SLOW)
    return table


def _codes(text: str) -> Codes:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.uint32)


def content_array(text: str) -> tuple[Codes, Positions]:
    """Content code points of `text` and, for each, the index of the original character it came from."""
    cps = _codes(text)
    mapped = _lookup()[cps & 0xFFFF]
    mapped[cps > 0xFFFF] = _SLOW
    slow = np.flatnonzero(mapped == _SLOW)
    if slow.size:
        return _expand(text, mapped, slow)
    keep = np.flatnonzero(mapped)
    return mapped[keep], keep.astype(np.int64)


def _expand(text: str, mapped: Codes, slow: Positions) -> tuple[Codes, Positions]:
    """The rare characters whose content form is not one BMP character (½ -> 12, 𠀋) done one by one."""
    forms = {int(i): content_form(text[i]) for i in slow}
    lengths = (mapped != _DELETE).astype(np.int64)
    lengths[slow] = [len(forms[int(i)]) for i in slow]
    codes = np.repeat(mapped, lengths)
    ends = np.cumsum(lengths)
    for i, form in forms.items():
        codes[ends[i] - len(form) : ends[i]] = [ord(c) for c in form]
    return codes, np.repeat(np.arange(mapped.size, dtype=np.int64), lengths)


def content_chars(text: str) -> tuple[str, list[int]]:
    """The content characters of `text` and, for each, its index in `text`."""
    codes, offsets = content_array(text)
    return codes.astype("<u4").tobytes().decode("utf-32-le"), offsets.tolist()


def kgram_hashes(codes: Codes) -> Hashes:
    """A well-mixed 64-bit hash of every k-gram (polynomial over code points, then splitmix64's finaliser)."""
    count = codes.size - K + 1
    if count <= 0:
        return np.zeros(0, np.uint64)
    wide = codes.astype(np.uint64)
    h = np.zeros(count, np.uint64)
    for j in range(K):
        h = h * _BASE + wide[j : j + count]
    h ^= h >> np.uint64(30)
    h *= _MIX1
    h ^= h >> np.uint64(27)
    h *= _MIX2
    h ^= h >> np.uint64(31)
    return h


def winnow(hashes: Hashes) -> Positions:
    """Positions of the k-grams selected by some window: the rightmost minimum of each window of W."""
    if hashes.size < W:
        return np.zeros(0, np.int64)
    windows = np.lib.stride_tricks.sliding_window_view(hashes, W)
    from_right = windows[:, ::-1].argmin(axis=1)
    chosen = np.arange(windows.shape[0], dtype=np.int64) + (W - 1 - from_right)
    chosen = chosen[np.concatenate(([True], chosen[1:] != chosen[:-1]))]  # consecutive windows often agree
    return chosen[hashes[chosen] != _UNSELECTABLE]


def stored_hash(hashes: Hashes) -> npt.NDArray[np.int64]:
    """The 32 high bits as a signed integer: 4 bytes in SQLite, a BIGINT in PostgreSQL."""
    return (hashes >> np.uint64(32)).astype(np.int64) - (1 << 31)


def block_ids(doc: Document, offsets: Positions) -> npt.NDArray[np.int64]:
    """For each content character of doc.text, its block index; -1 for characters of title blocks."""
    starts = np.zeros(len(doc.blocks), np.int64)
    excluded = np.zeros(len(doc.blocks), bool)
    pos = 0
    for i, block in enumerate(doc.blocks):
        starts[i] = pos
        excluded[i] = block.kind == "title"
        pos += len(block.text) + 1
    ids = np.searchsorted(starts, offsets, side="right") - 1
    ids[excluded[ids]] = -1
    return ids


def masked_hashes(codes: Codes, blocks: npt.NDArray[np.int64]) -> Hashes:
    """k-gram hashes with grams that cross a block boundary or touch a title made unselectable."""
    hashes = kgram_hashes(codes)
    if hashes.size:
        first, last = blocks[: hashes.size], blocks[K - 1 :]
        hashes[(first != last) | (first < 0)] = _UNSELECTABLE
    return hashes


def document_fingerprints(doc: Document) -> list[Fingerprint]:
    """The winnowed fingerprints of a document's body, to be stored with it in one transaction."""
    codes, offsets = content_array(doc.text)
    hashes = masked_hashes(codes, block_ids(doc, offsets))
    chosen = winnow(hashes)
    return list(map(Fingerprint, stored_hash(hashes[chosen]).tolist(), chosen.tolist()))
