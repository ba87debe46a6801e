"""Results parts shared by the worker processes of one node (`sucai serve --workers N`), in a SQLite file.

Each worker keeps the answers and rendered parts of repeated searches in memory (web/fragments.py), but a
query asked first on one worker was computed again on every other: with two workers, twice the work of every
first asking, which is most of a results page's cost. A part computed by one worker is now written here and
read by the others.

The key names the index content a part was computed from: the index position (its epoch and the store
change it reflects, search/index.py), which is the same in every process of the node, where the in-memory
generation is not. A part computed while the index was being built is never shared (web/pages.py). Within
a position, the key carries what web/fragments.py's does: the query, the page, member text visible or not,
signed in or not, pinyin matches shown. A viewer without member access is only ever given a part computed
for such a viewer.

It is a cache: when the file is busy or unreadable a worker computes the part itself, never waits for long,
and never fails a page for it. The file lives in a private folder the supervisor makes for one run of the
server (web/workers.py) and removes after; values are JSON, never pickles.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

from markupsafe import Markup

from sucai.model import Hit, ParagraphHit, SearchResult
from sucai.search.index import Position
from sucai.web.fragments import ResultsPart

CAPACITY = 2048  # parts kept (~20 KB each, ~40 MB in all, as many as the engine keeps answers); the oldest go first
PRUNE_EVERY = 256  # writes between prunings
BUSY_MS = 20  # a worker waits this long for the other's write, then does without
FILE_NAME = "shared-pages.db"
log = logging.getLogger("sucai.shared_pages")


def shared_key(position: Position, kind: tuple[object, ...]) -> str:
    """The key of one part: where the index was, and what web/fragments.py's key names."""
    return json.dumps([position.epoch, position.seq, *kind], ensure_ascii=False, separators=(",", ":"))


class SharedPages:
    """get / put by key from any thread of any worker process sharing the file."""

    def __init__(self, path: Path, capacity: int = CAPACITY) -> None:
        self.path, self.capacity = Path(path), capacity
        self._db = sqlite3.connect(str(path), timeout=BUSY_MS / 1000, isolation_level=None,
                                   check_same_thread=False)
        self._db.execute("PRAGMA synchronous=OFF")  # a cache: nothing in it need survive a crash
        self._lock = threading.Lock()
        self._writes = 0

    @classmethod
    def create(cls, path: Path) -> None:
        """Make the file and its table once, before the workers open it."""
        db = sqlite3.connect(str(path), isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS parts (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        finally:
            db.close()

    def get(self, key: str) -> ResultsPart | None:
        try:
            with self._lock:
                row = self._db.execute("SELECT value FROM parts WHERE key = ?", (key,)).fetchone()
            return None if row is None else part_from_json(row[0])
        except (sqlite3.Error, ValueError, KeyError, TypeError) as exc:
            log.debug("shared part not read: %s", exc)
            return None

    def put(self, key: str, part: ResultsPart) -> None:
        value = part_to_json(part)
        try:
            with self._lock:
                self._db.execute("INSERT OR REPLACE INTO parts (key, value) VALUES (?, ?)", (key, value))
                self._writes += 1
                if self._writes % PRUNE_EVERY == 0:
                    self._db.execute("DELETE FROM parts WHERE rowid <= (SELECT MAX(rowid) FROM parts) - ?",
                                     (self.capacity,))
        except sqlite3.Error as exc:  # busy: the part is simply not shared this time
            log.debug("shared part not written: %s", exc)

    def close(self) -> None:
        with self._lock:
            self._db.close()


# -- the JSON of a part -------------------------------------------------------------------------------------
def part_to_json(part: ResultsPart) -> str:
    res = part.result
    answer = None if res is None else {
        "query": res.query, "total": res.total, "offset": res.offset, "limit": res.limit,
        "facets": res.facets, "took_ms": res.took_ms, "hits": [_hit_json(h) for h in res.hits],
    }
    return json.dumps({"hits": str(part.hits), "facets": str(part.facets), "result": answer},
                      ensure_ascii=False, separators=(",", ":"))


def _hit_json(hit: Hit) -> dict[str, Any]:
    return {
        "id": hit.id, "title": hit.title, "score": hit.score, "snippets": hit.snippets, "locked": hit.locked,
        "paragraphs": [[p.block, p.text] for p in hit.paragraphs], "year": hit.year, "genre": hit.genre,
        "title_html": hit.title_html,
    }


def part_from_json(text: str) -> ResultsPart:
    data = json.loads(text)
    answer = data["result"]
    result = None if answer is None else SearchResult(
        query=answer["query"], total=answer["total"], offset=answer["offset"], limit=answer["limit"],
        facets=answer["facets"], took_ms=answer["took_ms"], hits=[_hit(h) for h in answer["hits"]],
    )
    return ResultsPart(Markup(data["hits"]), Markup(data["facets"]), result)


def _hit(data: dict[str, Any]) -> Hit:
    return Hit(
        id=data["id"], title=data["title"], score=data["score"], snippets=data["snippets"], locked=data["locked"],
        paragraphs=[ParagraphHit(block, text) for block, text in data["paragraphs"]], year=data["year"],
        genre=data["genre"], title_html=data["title_html"],
    )
