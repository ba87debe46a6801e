"""What users look for and what is new to them: the search log (kept no longer than the operator says, and
never naming anyone), members' saved searches, and the figures of the admin page.

The log keeps the query as typed, its total as the searcher saw it, and the searcher's tier — no account,
no address — so an operator sees what the library lacks without a record of who asked."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sucai.errors import NotFound

if TYPE_CHECKING:
    from sucai.store.cursor import Cursor

ACTIVITY_MIGRATION = [
    """CREATE TABLE search_log (
        id {id}, at TEXT NOT NULL, day TEXT NOT NULL, query TEXT NOT NULL, total INTEGER NOT NULL,
        tier TEXT NOT NULL)""",
    "CREATE INDEX search_log_day ON search_log (day)",
    """CREATE TABLE saved_searches (
        id {id}, user_id {bigint} NOT NULL, query TEXT NOT NULL, created_at TEXT NOT NULL,
        seen_at TEXT NOT NULL, UNIQUE (user_id, query))""",
]


@dataclass(frozen=True)
class LoggedSearch:
    at: datetime
    query: str
    total: int  # as the searcher saw it
    tier: str


@dataclass(frozen=True)
class SavedSearch:
    id: int
    query: str
    created_at: str
    seen_at: str  # when its results were last looked at: newer documents are "new since last visit"


@dataclass(frozen=True)
class QueryCount:
    query: str
    count: int


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _first_kept_day(keep_days: int) -> str:
    return (_now() - timedelta(days=keep_days - 1)).date().isoformat()


class Activity:
    """Mixed into SqlStore."""

    if TYPE_CHECKING:
        def transaction(self, write: bool = True) -> AbstractContextManager[Cursor]: ...

        def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    # -- the search log ---------------------------------------------------------------------------
    def log_searches(self, searches: Sequence[LoggedSearch], keep_days: int) -> None:
        if keep_days <= 0 or not searches:
            return  # the operator keeps no log
        with self.transaction() as cur:
            cur.executemany(
                "INSERT INTO search_log (at, day, query, total, tier) VALUES (?, ?, ?, ?, ?)",
                [(s.at.isoformat(), s.at.date().isoformat(), s.query[:200], s.total, s.tier) for s in searches],
            )
            cur.execute("DELETE FROM search_log WHERE day < ?", (_first_kept_day(keep_days),))  # (indexed)

    def prune_search_log(self, keep_days: int) -> None:
        with self.transaction() as cur:
            cur.execute("DELETE FROM search_log WHERE day < ?", (_first_kept_day(keep_days),))

    def top_searches(self, since_day: str, limit: int = 20, no_results: bool = False) -> list[QueryCount]:
        where = " AND total = 0" if no_results else ""
        rows = self._rows(
            f"SELECT query, COUNT(*) FROM search_log WHERE day >= ?{where} GROUP BY query"
            " ORDER BY COUNT(*) DESC, query LIMIT ?",
            (since_day, limit),
        )
        return [QueryCount(r[0], int(r[1])) for r in rows]

    def per_day(self, what: str, since_day: str) -> list[tuple[str, int]]:
        """Counts per day since a day: "searches", "documents" (new originals) or "downloads"."""
        sql = {
            "searches": "SELECT day, COUNT(*) FROM search_log WHERE day >= ? GROUP BY day",
            "documents": "SELECT SUBSTR(created_at, 1, 10) AS d, COUNT(*) FROM documents"
                         " WHERE created_at >= ? AND duplicate_of IS NULL GROUP BY d",
            "downloads": "SELECT day, SUM(used) FROM download_counts WHERE day >= ? GROUP BY day",
        }[what]
        return sorted((str(r[0]), int(r[1] or 0)) for r in self._rows(sql, (since_day,)))

    def downloads_by_tier(self, since_day: str) -> dict[str, int]:
        rows = self._rows(
            "SELECT u.tier, SUM(c.used) FROM download_counts c JOIN users u ON u.id = c.user_id"
            " WHERE c.day >= ? GROUP BY u.tier",
            (since_day,),
        )
        return {str(r[0]): int(r[1] or 0) for r in rows}

    def active_members(self, today: str) -> int:
        rows = self._rows(
            "SELECT COUNT(*) FROM users WHERE tier IN ('member', 'svip') AND (expires IS NULL OR expires >= ?)",
            (today,),
        )
        return int(rows[0][0])

    # -- saved searches ---------------------------------------------------------------------------
    def save_search(self, user_id: int, query: str) -> SavedSearch:
        at = _now().isoformat()
        with self.transaction() as cur:
            cur.execute(
                "INSERT INTO saved_searches (user_id, query, created_at, seen_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (user_id, query) DO NOTHING",
                (user_id, query, at, at),
            )
            cur.execute(
                "SELECT id, query, created_at, seen_at FROM saved_searches WHERE user_id = ? AND query = ?",
                (user_id, query),
            )
            row = cur.fetchone()
        assert row is not None
        return SavedSearch(int(row[0]), row[1], row[2], row[3])

    def saved_searches(self, user_id: int) -> list[SavedSearch]:
        rows = self._rows(
            "SELECT id, query, created_at, seen_at FROM saved_searches WHERE user_id = ? ORDER BY id", (user_id,)
        )
        return [SavedSearch(int(r[0]), r[1], r[2], r[3]) for r in rows]

    def mark_search_seen(self, user_id: int, search_id: int) -> None:
        with self.transaction() as cur:
            cur.execute(
                "UPDATE saved_searches SET seen_at = ? WHERE id = ? AND user_id = ? RETURNING id",
                (_now().isoformat(), search_id, user_id),
            )
            if cur.fetchone() is None:
                raise NotFound(f"没有这条订阅。No saved search {search_id}.")

    def delete_saved_search(self, user_id: int, search_id: int) -> None:
        with self.transaction() as cur:
            cur.execute("DELETE FROM saved_searches WHERE id = ? AND user_id = ? RETURNING id", (search_id, user_id))
            if cur.fetchone() is None:
                raise NotFound(f"没有这条订阅。No saved search {search_id}.")
