"""Quick lookup (快速查找): as-you-type suggestions over titles and outline headings.

Held in memory: titles and headings are small next to the text. Each kind is one blob of normalised
entries joined by newlines plus a parallel blob of pinyin initials, searched with str.find (C speed).
A typed `ztjy` matches initials; `zhutijiaoyu` or `zhutij` is split into pinyin syllables, looked up
by their initials and checked syllable by syllable. New documents go to a small delta scanned directly;
the blobs are rebuilt when the delta grows.

Pinyin is per character (the most common reading of each hanzi, from pypinyin), so a polyphonic
character in an unusual reading is found only under its common one.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sucai.model import Suggestion
from sucai.normalize import normalize
from sucai.search.index import Heading

DELTA_LIMIT = 5000  # entries added since the last rebuild before the blobs are rebuilt
SCAN_LIMIT = 400  # candidate matches looked at per kind before ranking
_LETTERS = re.compile(r"[a-z]+")
_NOT_INITIAL = re.compile(r"[^a-z0-9\n]")


@lru_cache(maxsize=1)
def _syllable_table() -> dict[int, str]:
    """Each common hanzi's most common reading, without tone."""
    from pypinyin import Style, lazy_pinyin

    chars = [chr(cp) for lo, hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF)) for cp in range(lo, hi + 1)]
    readings = lazy_pinyin(chars, style=Style.NORMAL, errors=lambda _c: "-")
    return {ord(c): r for c, r in zip(chars, readings, strict=True) if r and r.isascii() and r.isalpha()}


@lru_cache(maxsize=1)
def _initial_table() -> dict[int, str]:
    return {cp: r[0] for cp, r in _syllable_table().items()}


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    return frozenset(_syllable_table().values())


def initials(normalized: str) -> str:
    """One letter per hanzi (its reading's first), ASCII letters and digits kept, the rest dropped."""
    return _NOT_INITIAL.sub("", normalized.translate(_initial_table()))


def syllables_of(normalized: str) -> list[str]:
    """The syllable per character that `initials` keeps, aligned with it."""
    table = _syllable_table()
    out: list[str] = []
    for ch in normalized:
        reading = table.get(ord(ch))
        if reading:
            out.append(reading)
        elif ch.isascii() and ch.isalnum():
            out.append(ch)
    return out


def segmentations(letters: str, limit: int = 4) -> list[list[str]]:
    """Ways to read typed letters as whole pinyin syllables, the last possibly a prefix of one."""
    known = _syllables()
    found: list[list[str]] = []

    def walk(rest: str, acc: list[str]) -> None:
        if len(found) >= limit:
            return
        if any(s.startswith(rest) for s in known):
            found.append([*acc, rest])
        for cut in range(min(6, len(rest) - 1), 0, -1):
            if rest[:cut] in known:
                walk(rest[cut:], [*acc, rest[:cut]])

    walk(letters, [])
    return [seg for seg in found if len(seg) > 1 or len(letters) > 1]


@dataclass
class _Blob:
    """Entries of one kind, searchable as two joined strings."""

    entries: list[Heading]
    text: str
    initials: str
    text_starts: list[int]
    initial_starts: list[int]

    @classmethod
    def build(cls, entries: list[Heading]) -> _Blob:
        texts = [normalize(e.text).replace("\n", "") for e in entries]
        inits = [initials(t) for t in texts]
        return cls(entries, "\n".join(texts), "\n".join(inits), _starts(texts), _starts(inits))

    def find(self, needle: str, in_initials: bool, limit: int) -> list[tuple[int, int]]:
        """(entry index, offset inside the entry) of up to `limit` occurrences."""
        blob, starts = (self.initials, self.initial_starts) if in_initials else (self.text, self.text_starts)
        out: list[tuple[int, int]] = []
        pos = blob.find(needle)
        while pos >= 0 and len(out) < limit:
            entry = bisect.bisect_right(starts, pos) - 1
            out.append((entry, pos - starts[entry]))
            pos = blob.find(needle, pos + 1)
        return out


def _starts(parts: Sequence[str]) -> list[int]:
    starts, pos = [], 0
    for p in parts:
        starts.append(pos)
        pos += len(p) + 1
    return starts


@dataclass(frozen=True)
class _Candidate:
    rank: tuple[int, int, int, int]
    entry: Heading


class Suggester:
    """Titles and headings of every indexed document, kept in step by the engine's sync."""

    def __init__(self, entries: Iterable[Heading]) -> None:
        self._lock = threading.Lock()
        self._by_doc: dict[int, list[Heading]] = {}
        for e in entries:
            self._by_doc.setdefault(e.doc_id, []).append(e)
        self._blobs: dict[str, _Blob] = {}
        self._delta: list[Heading] = []
        self._removed: set[int] = set()
        self._rebuild()

    def _rebuild(self) -> None:
        everything = [e for entries in self._by_doc.values() for e in entries]
        self._blobs = {
            "title": _Blob.build([e for e in everything if e.block < 0]),
            "heading": _Blob.build([e for e in everything if e.block >= 0]),
        }
        self._delta, self._removed = [], set()

    def update(self, removed: Iterable[int], added: Iterable[Heading]) -> None:
        """Documents deleted (or about to be re-added) and the entries of those now present."""
        with self._lock:
            gone = set(removed)
            for doc_id in gone:
                self._by_doc.pop(doc_id, None)
            self._removed |= gone  # their entries in the blobs are stale from now on
            fresh = list(added)
            for e in fresh:
                self._by_doc.setdefault(e.doc_id, []).append(e)
            self._delta = [e for e in self._delta if e.doc_id not in gone] + fresh
            if len(self._delta) > DELTA_LIMIT:
                self._rebuild()

    def suggest(self, prefix: str, limit: int = 10, paid_visible: bool = True) -> list[Suggestion]:
        query = normalize(prefix)
        if not query or limit <= 0:
            return []
        with self._lock:
            candidates = self._candidates(query, paid_visible)
        candidates.sort(key=lambda c: c.rank)
        seen: set[str] = set()
        out: list[Suggestion] = []
        for c in candidates:
            if c.entry.text not in seen:
                seen.add(c.entry.text)
                out.append(Suggestion(c.entry.text, "title" if c.entry.block < 0 else "heading", c.entry.doc_id))
            if len(out) >= limit:
                break
        return out

    def _candidates(self, query: str, paid_visible: bool) -> list[_Candidate]:
        out: list[_Candidate] = []
        pinyin = bool(_LETTERS.fullmatch(query))
        for kind_rank, kind in enumerate(("title", "heading")):
            blob = self._blobs[kind]
            hits = [(i, off, 0) for i, off in blob.find(query, False, SCAN_LIMIT)]
            if pinyin:
                hits += [(i, off, 1) for i, off in blob.find(query, True, SCAN_LIMIT)]
                hits += [(i, off, 2) for i, off in self._full_pinyin(blob, query)]
            for i, off, how in hits:
                entry = blob.entries[i]
                if entry.doc_id in self._removed or (entry.paid and not paid_visible):
                    continue
                out.append(_Candidate((kind_rank, min(off, 1), how, len(entry.text)), entry))
        out += self._delta_candidates(query, pinyin, paid_visible)
        return out

    def _full_pinyin(self, blob: _Blob, letters: str) -> list[tuple[int, int]]:
        """Entries whose syllables spell the typed letters (found via initials, then checked)."""
        found: list[tuple[int, int]] = []
        for seg in segmentations(letters):
            for i, off in blob.find("".join(s[0] for s in seg), True, SCAN_LIMIT):
                syl = syllables_of(normalize(blob.entries[i].text))
                if _spells(syl[off : off + len(seg)], seg):
                    found.append((i, off))
        return found

    def _delta_candidates(self, query: str, pinyin: bool, paid_visible: bool) -> list[_Candidate]:
        out: list[_Candidate] = []
        for e in self._delta:
            if e.paid and not paid_visible:
                continue
            found = _entry_match(normalize(e.text), query, pinyin)
            if found is not None:
                off, how = found
                out.append(_Candidate((0 if e.block < 0 else 1, min(off, 1), how, len(e.text)), e))
        return out


def _entry_match(text: str, query: str, pinyin: bool) -> tuple[int, int] | None:
    """(offset, how) where one entry matches: 0 text, 1 initials, 2 full pinyin; None if it does not."""
    off = text.find(query)
    if off >= 0:
        return off, 0
    if not pinyin:
        return None
    inits = initials(text)
    off = inits.find(query)
    if off >= 0:
        return off, 1
    syl = syllables_of(text)
    for seg in segmentations(query):
        off = inits.find("".join(s[0] for s in seg))
        while off >= 0:
            if _spells(syl[off : off + len(seg)], seg):
                return off, 2
            off = inits.find("".join(s[0] for s in seg), off + 1)
    return None


def _spells(syllables: list[str], seg: list[str]) -> bool:
    if len(syllables) != len(seg):
        return False
    whole = all(a == b for a, b in zip(syllables[:-1], seg[:-1], strict=True))
    return whole and syllables[-1].startswith(seg[-1])


class LiveSuggester:
    """The Suggester, built in a background thread when the engine opens (titles and headings of 30k
    documents take seconds to read), kept up to date by updates that arrive meanwhile."""

    def __init__(self, source: Callable[[], Iterable[Heading]]) -> None:
        self._source = source
        self._lock = threading.Lock()
        self._ready: Suggester | None = None
        self._pending: list[tuple[list[int], list[Heading]]] = []
        self._thread: threading.Thread | None = None
        self._generation = 0

    def start(self) -> None:
        """(Re)build from the source in the background; suggestions wait for it."""
        with self._lock:
            self._generation += 1
            self._ready, self._pending = None, []
            self._thread = threading.Thread(
                target=self._build, args=(self._generation,), name="sucai-suggest", daemon=True
            )
            self._thread.start()

    def _build(self, generation: int) -> None:
        try:
            built = Suggester(self._source())
        except Exception:  # get() builds again in the foreground and raises there
            return
        with self._lock:
            if generation == self._generation:
                self._install(built)

    def _install(self, built: Suggester) -> None:
        for removed, added in self._pending:  # updates that arrived while building: replaying is harmless
            built.update(removed, added)
        self._ready, self._pending = built, []

    def update(self, removed: Sequence[int], added: Sequence[Heading]) -> None:
        with self._lock:
            if self._ready is not None:
                self._ready.update(removed, added)
            else:
                self._pending.append((list(removed), list(added)))

    def get(self) -> Suggester:
        self.wait()
        with self._lock:
            if self._ready is None:  # the background build failed (or was never started)
                self._install(Suggester(self._source()))
            assert self._ready is not None
            return self._ready

    def wait(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
