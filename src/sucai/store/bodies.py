"""A document's blocks stored as one row: their texts concatenated, and a small layout beside them.

One row per document instead of one per paragraph: reading the twenty documents a results page shows
is twenty rows, not a thousand, and search can look for a phrase in the whole text with one `find`.

    layout  JSON {"kind": [...], "level": [...], "paid": [0 or 1, ...], "length": [...], "shifts": bool},
            a list per attribute with one entry per block in order (lengths in characters), so that it
            parses without a Python step per block; "shifts" = normalize.shifts_offsets(text), which
            search asks of every document it shows (`sucai reindex` writes it again if the
            normalisation ever changes)
    text    every block's text, concatenated (no separator: the lengths say where each one ends)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate
from typing import Any

from sucai.model import Block, FreeFacts
from sucai.normalize import normalize, shifts_offsets


@dataclass(frozen=True, slots=True)
class Layout:
    kinds: tuple[str, ...]
    levels: tuple[int | None, ...]
    paid: tuple[bool, ...]
    starts: tuple[int, ...]  # block i is text[starts[i]:starts[i + 1]]
    shifts: bool | None  # None: not recorded


def pack(blocks: Sequence[Block]) -> tuple[str, str]:
    """(layout, text) for a document's blocks."""
    layout = {
        "kind": [b.kind for b in blocks], "level": [b.level for b in blocks],
        "paid": [int(b.paid) for b in blocks], "length": [len(b.text) for b in blocks],
    }
    text = "".join(b.text for b in blocks)
    layout["shifts"] = shifts_offsets(text)
    return json.dumps(layout, separators=(",", ":")), text


def read_layout(layout: str) -> Layout:
    data = json.loads(layout)
    return Layout(
        kinds=tuple(data["kind"]), levels=tuple(data["level"]), paid=tuple(map(bool, data["paid"])),
        starts=tuple(accumulate(data["length"], initial=0)), shifts=data.get("shifts"),
    )


def unpack(layout: str, text: str) -> list[Block]:
    parts = read_layout(layout)
    starts = parts.starts
    return [
        Block(kind, text[starts[i] : starts[i + 1]], level, paid)  # type: ignore[arg-type]
        for i, (kind, level, paid) in enumerate(zip(parts.kinds, parts.levels, parts.paid, strict=True))
    ]


@dataclass(frozen=True)
class DocumentText:
    """A stored document as search reads it: what a hit shows, and every block's text in one string."""

    id: int
    title: str
    year: int | None
    genre: str | None
    text: str  # every block's text, concatenated
    starts: tuple[int, ...]  # block i is text[starts[i]:starts[i + 1]]
    kinds: tuple[str, ...]
    paid: tuple[bool, ...]
    stored_shifts: bool | None = None
    free_facts: FreeFacts | None = None  # the facts a viewer without member access may see (None: no paid block)

    @classmethod
    def from_row(cls, doc_id: int, title: str, year: int | None, genre: str | None, layout: str,
                 text: str, free_facts: FreeFacts | None = None) -> DocumentText:
        parts = read_layout(layout)
        return cls(
            id=doc_id, title=title, year=year, genre=genre, text=text, starts=parts.starts, kinds=parts.kinds,
            paid=parts.paid, stored_shifts=parts.shifts, free_facts=free_facts,
        )

    def block(self, i: int) -> str:
        return self.text[self.starts[i] : self.starts[i + 1]]

    def __len__(self) -> int:
        return len(self.kinds)

    @property
    def has_paid(self) -> bool:
        return any(self.paid)

    def shown(self, i: int, include_paid: bool) -> bool:
        """May search show block i as a match? Readable by the viewer, and not a title block that only
        repeats the document's title (a hit shows the title already)."""
        return (include_paid or not self.paid[i]) and i not in self._repeated_title

    @cached_property
    def _repeated_title(self) -> frozenset[int]:
        if "title" not in self.kinds:
            return frozenset()
        title = normalize(self.title)
        return frozenset(
            i for i, kind in enumerate(self.kinds) if kind == "title" and normalize(self.block(i)) == title
        )

    @cached_property
    def shifts(self) -> bool:
        """Whether normalising moves characters (see normalize.shifts_offsets): recorded when stored."""
        return shifts_offsets(self.text) if self.stored_shifts is None else self.stored_shifts


def pack_blocks_table(cur: Any, batch: int = 500) -> None:
    """Migration 4's data step: move every document's rows from `blocks` into one `bodies` row."""
    last = -1
    while True:
        cur.execute("SELECT DISTINCT doc_id FROM blocks WHERE doc_id > ? ORDER BY doc_id LIMIT ?", (last, batch))
        ids = [int(r[0]) for r in cur.fetchall()]
        if not ids:
            return
        marks = ", ".join("?" * len(ids))
        cur.execute(f"SELECT doc_id, kind, level, paid, text FROM blocks WHERE doc_id IN ({marks})"
                    " ORDER BY doc_id, pos", ids)
        rows: dict[int, list[Block]] = {}
        for doc_id, kind, level, paid, text in cur.fetchall():
            rows.setdefault(int(doc_id), []).append(Block(kind, text, level, bool(paid)))
        cur.executemany("INSERT INTO bodies (doc_id, layout, text) VALUES (?, ?, ?)",
                        [(doc_id, *pack(blocks)) for doc_id, blocks in rows.items()])
        last = ids[-1]
