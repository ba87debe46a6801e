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

A document with member-only blocks has two sets, told apart by `Fingerprint.scope`: those of its whole text
(SCOPE_WHOLE, what members check against) and those of its free text (SCOPE_FREE: `free_document(doc).text`,
the non-paid blocks joined as a library without the paid blocks would join them; positions are offsets in
its content characters). A viewer without member access is checked against the free set only, so the
answer never depends on member-only text. Where the paid part is a suffix most fingerprints are in both
sets (one row, both bits); they differ only near a paid block and after one.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from sucai.model import Document
from sucai.normalize import normalize_char
from sucai.store.base import SCOPE_BOTH, SCOPE_FREE, SCOPE_WHOLE, Fingerprint

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


def _block_of(doc: Document, offsets: Positions) -> npt.NDArray[np.int64]:
    """For each content character of doc.text, the index of its block."""
    lengths = np.fromiter((len(b.text) + 1 for b in doc.blocks), np.int64, len(doc.blocks))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if lengths.size else lengths
    return np.searchsorted(starts, offsets, side="right") - 1


def block_ids(doc: Document, offsets: Positions) -> npt.NDArray[np.int64]:
    """For each content character of doc.text, its block index; -1 for characters of title blocks."""
    ids = _block_of(doc, offsets)
    excluded = np.fromiter((b.kind == "title" for b in doc.blocks), bool, len(doc.blocks))
    if ids.size:
        ids[excluded[ids]] = -1
    return ids


def free_document(doc: Document) -> Document:
    """The document as a library without its member-only blocks holds it: the blocks a viewer without
    member access reads (access.visible_document keeps the same ones), in order."""
    if not doc.has_paid:
        return doc
    return Document(id=doc.id, title=doc.title, blocks=[b for b in doc.blocks if not b.paid])


def masked_hashes(codes: Codes, blocks: npt.NDArray[np.int64]) -> Hashes:
    """k-gram hashes with grams that cross a block boundary or touch a title made unselectable."""
    hashes = kgram_hashes(codes)
    if hashes.size:
        first, last = blocks[: hashes.size], blocks[K - 1 :]
        hashes[(first != last) | (first < 0)] = _UNSELECTABLE
    return hashes


def _selected(codes: Codes, blocks: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], Positions]:
    """(stored hash, content position) of each selected k-gram."""
    hashes = masked_hashes(codes, blocks)
    chosen = winnow(hashes)
    return stored_hash(hashes[chosen]), chosen


def document_fingerprints(doc: Document) -> list[Fingerprint]:
    """The winnowed fingerprints of a document's body, to be stored with it in one transaction: those of
    its whole text and, when it has member-only blocks, those of its free text (see the module docstring)."""
    codes, offsets = content_array(doc.text)
    blocks = block_ids(doc, offsets)
    hashes, positions = _selected(codes, blocks)
    if not doc.has_paid:
        return list(map(Fingerprint, hashes.tolist(), positions.tolist(), [SCOPE_BOTH] * positions.size))
    # The free text's content characters are the whole text's without those of paid blocks: a character's
    # content form never depends on its neighbours, and the "\n" between blocks is no content character.
    paid = np.fromiter((b.paid for b in doc.blocks), bool, len(doc.blocks))
    free = ~paid[_block_of(doc, offsets)] if offsets.size else np.zeros(0, bool)
    free_hashes, free_positions = _selected(codes[free], blocks[free])
    return _union(hashes, positions, free_hashes, free_positions)


def _union(hashes: npt.NDArray[np.int64], positions: Positions, free_hashes: npt.NDArray[np.int64],
           free_positions: Positions) -> list[Fingerprint]:
    """The two sets as one list, in position order: a (hash, position) in both is one fingerprint, both bits."""
    all_hashes = np.concatenate((hashes, free_hashes))
    all_positions = np.concatenate((positions, free_positions))
    scopes = np.concatenate((np.full(hashes.size, SCOPE_WHOLE), np.full(free_hashes.size, SCOPE_FREE)))
    order = np.lexsort((all_hashes, all_positions))
    all_hashes, all_positions, scopes = all_hashes[order], all_positions[order], scopes[order]
    first = np.concatenate(([True], (all_hashes[1:] != all_hashes[:-1]) | (all_positions[1:] != all_positions[:-1])))
    merged = np.add.reduceat(scopes, np.flatnonzero(first)) if scopes.size else scopes  # each set holds a key once
    return list(map(Fingerprint, all_hashes[first].tolist(), all_positions[first].tolist(), merged.tolist()))
