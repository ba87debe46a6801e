"""The change log derived indexes follow, numbered in commit order.

A writing transaction collects its changes and numbers them only at its very end, by advancing a one-row
counter (`change_counter`). The row stays locked until that transaction commits, so the next writer gets the
following numbers only after this one is visible: whatever a reader sees is a prefix of the log, and a
follower that has read up to N never meets a lower number later. (Numbers taken at insert time, as an
identity column does, commit out of order on PostgreSQL, and a follower skips the late ones for good.)
On SQLite writers are serial anyway; the same SQL runs there.

Nodes record the position of their index (`nodes`); changes every live node has passed are deleted. A
node that was away longer than the log keeps (its position is below `compacted`) rebuilds its index.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sucai.store.base import Change

if TYPE_CHECKING:
    from sucai.store.cursor import Cursor

NODE_STALE = timedelta(days=2)  # a node silent for longer no longer holds the log back
# A new node copying a peer's index holds the log under a name of this prefix (search/snapshot.py); a copy
# takes minutes at most, so a hold left by a process killed meanwhile stops holding after HOLD_STALE.
HOLD_PREFIX = "copying-"
HOLD_STALE = timedelta(hours=1)

MIGRATION: list[str] = [
    # seq: the last number handed out; compacted: changes up to here may be gone.
    "CREATE TABLE IF NOT EXISTS change_counter"
    " (id INTEGER PRIMARY KEY, seq {bigint} NOT NULL, compacted {bigint} NOT NULL)",
    "INSERT INTO change_counter (id, seq, compacted) SELECT 1, COALESCE(MAX(seq), 0), 0 FROM changes"
    " WHERE NOT EXISTS (SELECT 1 FROM change_counter)",
    "CREATE TABLE IF NOT EXISTS nodes"
    " (name TEXT PRIMARY KEY, seq {bigint} NOT NULL, seen_at TEXT NOT NULL, info TEXT NOT NULL)",
]


class ChangesCompacted(Exception):
    """The log no longer holds every change after this position: the index must be rebuilt."""


def number_changes(cur: Cursor, pending: Sequence[tuple[int, str]]) -> None:
    """Write a transaction's changes with the next numbers; call last thing before commit (holds the counter)."""
    if not pending:
        return
    cur.execute("UPDATE change_counter SET seq = seq + ? WHERE id = 1 RETURNING seq", (len(pending),))
    row = cur.fetchone()
    if row is None:
        raise RuntimeError("change_counter has no row: the library's migrations did not run")
    first = int(row[0]) - len(pending) + 1
    cur.executemany(
        "INSERT INTO changes (seq, doc_id, op) VALUES (?, ?, ?)",
        [(first + i, doc_id, op) for i, (doc_id, op) in enumerate(pending)],
    )


def _iso(at: datetime) -> str:
    return at.replace(microsecond=0).isoformat()


class ChangeLog:
    """The change-log part of SqlStore (mixed in; uses its transaction())."""

    if TYPE_CHECKING:

        def transaction(self, write: bool = True) -> AbstractContextManager[Cursor]: ...

    def last_seq(self) -> int:
        """The newest committed change number (every change up to it is committed, or compacted away)."""
        with self.transaction(write=False) as cur:
            cur.execute("SELECT seq FROM change_counter WHERE id = 1")
            row = cur.fetchone()
        return int(row[0]) if row else 0

    def compacted_seq(self) -> int:
        with self.transaction(write=False) as cur:
            cur.execute("SELECT compacted FROM change_counter WHERE id = 1")
            row = cur.fetchone()
        return int(row[0]) if row else 0

    def changes_since(self, seq: int, limit: int = 10_000) -> list[Change]:
        """Changes after `seq`, in order; ChangesCompacted when some of them were deleted already."""
        with self.transaction(write=False) as cur:
            cur.execute("SELECT seq, doc_id, op FROM changes WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit))
            rows = cur.fetchall()
            # Read after the changes: a compaction that committed before them is seen here.
            cur.execute("SELECT compacted FROM change_counter WHERE id = 1")
            row = cur.fetchone()
        if row is not None and seq < int(row[0]):
            raise ChangesCompacted(f"changes up to {int(row[0])} were compacted; this index is at {seq}")
        return [Change(int(s), int(d), str(o)) for s, d, o in rows]

    def report_position(self, node: str, seq: int, info: str = "") -> None:
        """A node's index has applied every change up to `seq` (kept so the log can be compacted)."""
        with self.transaction() as cur:
            cur.execute(
                "INSERT INTO nodes (name, seq, seen_at, info) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE"
                " SET seq = excluded.seq, seen_at = excluded.seen_at, info = excluded.info",
                (node, seq, _iso(datetime.now(UTC)), info),
            )

    def node_positions(self) -> list[tuple[str, int, str, str]]:
        """(name, position, last seen, info) of every node that reported, most recent first."""
        with self.transaction(write=False) as cur:
            cur.execute("SELECT name, seq, seen_at, info FROM nodes ORDER BY seen_at DESC, name")
            return [(str(n), int(s), str(t), str(i)) for n, s, t, i in cur.fetchall()]

    def forget_node(self, node: str) -> None:
        with self.transaction() as cur:
            cur.execute("DELETE FROM nodes WHERE name = ?", (node,))

    def compact_changes(self, stale: timedelta = NODE_STALE) -> int:
        """Delete the changes every live node has applied; returns how many. Nothing without a live node."""
        now = datetime.now(UTC)
        cutoff, hold_cutoff = _iso(now - stale), _iso(now - min(stale, HOLD_STALE))
        with self.transaction() as cur:
            cur.execute(
                "SELECT MIN(seq) FROM nodes WHERE seen_at >= ? AND (name NOT LIKE ? OR seen_at >= ?)",
                (cutoff, HOLD_PREFIX + "%", hold_cutoff),
            )
            row = cur.fetchone()
            if row is None or row[0] is None:
                return 0
            upto = int(row[0])
            cur.execute("SELECT compacted FROM change_counter WHERE id = 1")
            done = cur.fetchone()
            if done is None or upto <= int(done[0]):
                return 0
            cur.execute("SELECT COUNT(*) FROM changes WHERE seq <= ?", (upto,))
            count_row = cur.fetchone()
            cur.execute("DELETE FROM changes WHERE seq <= ?", (upto,))
            cur.execute("UPDATE change_counter SET compacted = ? WHERE id = 1", (upto,))
            return int(count_row[0]) if count_row else 0
