"""State shared by every process and node, decided in the store: sessions, API tokens, rate limits, leases,
the daily download quota, upload jobs and drafts. Each decision is one statement or one transaction, so two
processes (or two PostgreSQL nodes) racing for the last unit of anything cannot both get it."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sucai.errors import EditConflict, NotFound, StoreError
from sucai.model import User
from sucai.store.base import JobRow, SessionInfo, TokenInfo

if TYPE_CHECKING:
    from sucai.store.cursor import Cursor

SWEEP_EVERY = 64  # one rate-limit hit in this many also deletes windows that have ended
LAST_USED_EVERY = timedelta(minutes=1)  # a token's last use is written at most this often
KEEP_JOB_DAYS = 30
# Trailing whitespace taken off a draft before a paragraph is appended (what str.rstrip() takes, for drafts).
_TRAILING_SPACE = " \t\r\n\v\f\u3000\u00a0"
USER_COLUMNS = "id, name, tier, expires, created_at, disabled_at"
_USER_COLUMNS = ", ".join(f"u.{c}" for c in USER_COLUMNS.split(", "))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def utc_now() -> datetime:
    return datetime.now(UTC)


class Refused(Exception):
    """Internal: a limit had no room; raised inside the transaction so every hit of the call rolls back."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def user_from_row(row: Sequence[Any]) -> User:
    uid, name, tier, expires, created, disabled = row
    return User(id=int(uid), name=name, tier=tier, expires=expires, created_at=created, disabled_at=disabled)


class SharedState:
    """Mixed into SqlStore: the methods of the Store protocol that hold cross-process state."""

    if TYPE_CHECKING:
        def transaction(self, write: bool = True) -> AbstractContextManager[Cursor]: ...

        def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    # -- sessions ---------------------------------------------------------------------------------
    def add_session(self, user_id: int, secret_hash: str, expires_at: str) -> int:
        with self.transaction() as cur:
            cur.execute(
                "INSERT INTO sessions (secret_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?) RETURNING id",
                (secret_hash, user_id, iso(utc_now()), expires_at),
            )
            return _first(cur)

    def session_user(self, secret_hash: str) -> User | None:
        """The user of a live session (not ended, not expired), else None."""
        rows = self._rows(
            f"SELECT {_USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id"
            " WHERE s.secret_hash = ? AND s.ended_at IS NULL AND s.expires_at > ? AND u.disabled_at IS NULL",
            (secret_hash, iso(utc_now())),
        )
        return user_from_row(rows[0]) if rows else None

    def end_session(self, secret_hash: str) -> None:
        with self.transaction() as cur:
            cur.execute(
                "UPDATE sessions SET ended_at = ? WHERE secret_hash = ? AND ended_at IS NULL",
                (iso(utc_now()), secret_hash),
            )

    def set_disabled(self, user_id: int, disabled: bool) -> None:
        """Disable an account (ending its sessions in the same transaction) or enable it again."""
        with self.transaction() as cur:
            stamp = iso(utc_now()) if disabled else None
            cur.execute("UPDATE users SET disabled_at = ? WHERE id = ?", (stamp, user_id))
            if disabled:
                end_sessions(cur, user_id, None)

    def end_sessions(self, user_id: int, keep_hash: str | None = None) -> int:
        """End every live session of the user (but the one kept); returns how many."""
        with self.transaction() as cur:
            return end_sessions(cur, user_id, keep_hash)

    def sessions(self, user_id: int) -> list[SessionInfo]:
        rows = self._rows(
            "SELECT id, created_at, expires_at, ended_at FROM sessions WHERE user_id = ? ORDER BY id DESC",
            (user_id,),
        )
        now = iso(utc_now())
        return [SessionInfo(int(i), c, e, x, live=x is None and e > now) for i, c, e, x in rows]

    # -- API tokens --------------------------------------------------------------------------------
    def add_token(self, user_id: int, token_hash: str, expires_at: str | None = None) -> int:
        with self.transaction() as cur:
            cur.execute(
                "INSERT INTO api_tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)"
                " RETURNING id",
                (token_hash, user_id, iso(utc_now()), expires_at),
            )
            return _first(cur)

    def user_by_token(self, token_hash: str) -> User | None:
        """The user of a token that is neither revoked nor expired; records its use (once a minute at most)."""
        now = utc_now()
        rows = self._rows(
            f"SELECT t.id, t.last_used, {_USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id"
            " WHERE t.token_hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)"
            " AND u.disabled_at IS NULL",
            (token_hash, iso(now)),
        )
        if not rows:
            return None
        token_id, last_used = rows[0][0], rows[0][1]
        if last_used is None or last_used < iso(now - LAST_USED_EVERY):
            with self.transaction() as cur:
                cur.execute("UPDATE api_tokens SET last_used = ? WHERE id = ?", (iso(now), token_id))
        return user_from_row(rows[0][2:])

    def tokens(self, user_id: int) -> list[TokenInfo]:
        rows = self._rows(
            "SELECT id, user_id, created_at, expires_at, last_used, revoked_at FROM api_tokens"
            " WHERE user_id = ? ORDER BY id DESC",
            (user_id,),
        )
        now = iso(utc_now())
        return [
            TokenInfo(int(i), int(u), c, e, lu, r, live=r is None and (e is None or e > now))
            for i, u, c, e, lu, r in rows
        ]

    def token(self, token_id: int) -> TokenInfo:
        rows = self._rows(
            "SELECT id, user_id, created_at, expires_at, last_used, revoked_at FROM api_tokens WHERE id = ?",
            (token_id,),
        )
        if not rows:
            raise NotFound(f"no API token {token_id}")
        i, u, c, e, lu, r = rows[0]
        return TokenInfo(int(i), int(u), c, e, lu, r, live=r is None and (e is None or e > iso(utc_now())))

    def revoke_token(self, token_id: int, user_id: int | None = None) -> None:
        """Revoke a token (only the user's own when user_id is given); NotFound when there is none."""
        sql = "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?"
        params: list[Any] = [iso(utc_now()), token_id]
        if user_id is not None:
            sql += " AND user_id = ?"
            params.append(user_id)
        with self.transaction() as cur:
            cur.execute(sql + " RETURNING id", params)
            if cur.fetchone() is None:
                raise NotFound(f"no API token {token_id}")

    # -- rate limits and leases ----------------------------------------------------------------------
    def hit_limits(self, limits: Sequence[tuple[str, int, int]], now: float | None = None) -> int | None:
        """Count one event against each (key, window seconds, most per window), all or none.

        None when every limit had room (each is counted); else the seconds until the full one has room,
        and nothing is counted. A sliding window, approximated: the current window's counter (one row, raised by
        a conditional upsert) plus the share of the previous window's hits that the last `window` seconds still
        cover, so that a burst across a window boundary cannot pass twice the limit."""
        moment = int(now if now is not None else time.time())
        try:
            with self.transaction() as cur:
                for key, window, most in sorted(limits):  # one order: two PostgreSQL callers never deadlock
                    start = moment - moment % window
                    room = most - _carried(cur, key, start, window, moment)
                    if room <= 0:
                        raise Refused(start + window - moment)
                    cur.execute(
                        "INSERT INTO rate_limits (key, window_start, hits, expires) VALUES (?, ?, 1, ?)"
                        " ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1"
                        " WHERE rate_limits.hits < ? RETURNING hits",
                        (key, start, start + 2 * window, room),
                    )
                    if cur.fetchone() is None:
                        raise Refused(start + window - moment)
                if random.randrange(SWEEP_EVERY) == 0:  # spreads the sweeping; not a secret
                    cur.execute("DELETE FROM rate_limits WHERE expires < ?", (moment,))
        except Refused as refused:
            return max(1, refused.retry_after)
        return None

    def unhit_limits(self, limits: Sequence[tuple[str, int]], now: float | None = None) -> None:
        """Give back one event on each (key, window) counted at `now` (a login that succeeded)."""
        moment = int(now if now is not None else time.time())
        with self.transaction() as cur:
            for key, window in sorted(limits):
                cur.execute(
                    "UPDATE rate_limits SET hits = hits - 1 WHERE key = ? AND window_start = ? AND hits > 0",
                    (key, moment - moment % window),
                )

    def clear_limit(self, key: str) -> None:
        with self.transaction() as cur:
            cur.execute("DELETE FROM rate_limits WHERE key = ?", (key,))

    def acquire_lease(self, key: str, holder: str, seconds: float, now: float | None = None) -> bool:
        """Take the key for `seconds` unless another holder has it and its lease has not run out."""
        ms = int((now if now is not None else time.time()) * 1000)
        with self.transaction() as cur:
            cur.execute(
                "INSERT INTO leases (key, holder, expires) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE"
                " SET holder = excluded.holder, expires = excluded.expires WHERE leases.expires <= ? RETURNING key",
                (key, holder, ms + int(seconds * 1000), ms),
            )
            return cur.fetchone() is not None

    def release_lease(self, key: str, holder: str) -> None:
        with self.transaction() as cur:
            cur.execute("DELETE FROM leases WHERE key = ? AND holder = ?", (key, holder))

    # -- downloads and the daily quota ------------------------------------------------------------------
    def take_download(
        self, user_id: int, doc_ids: Sequence[int], fmt: str, at: str, quota: int | None
    ) -> int | None:
        """Spend one of the day's downloads per document and record the download, or do neither.

        Returns the download's id (which the trace mark carries), or None when the quota has no room for
        all of them. The day is `at`'s UTC date; the counter is raised by one conditional UPDATE."""
        day, cost = at[:10], len(doc_ids)
        with self.transaction() as cur:
            cur.execute(
                "INSERT INTO download_counts (user_id, day, used) VALUES (?, ?, 0) ON CONFLICT DO NOTHING",
                (user_id, day),
            )
            sql = "UPDATE download_counts SET used = used + ? WHERE user_id = ? AND day = ?"
            params: list[Any] = [cost, user_id, day]
            if quota is not None:
                sql += " AND used + ? <= ?"
                params += [cost, quota]
            cur.execute(sql + " RETURNING used", params)
            if cur.fetchone() is None:
                return None
            return _record_download(cur, user_id, doc_ids, fmt, at)

    def cancel_download(self, download_id: int) -> None:
        """Undo a download that could not be delivered: its record goes, its documents return to the quota."""
        with self.transaction() as cur:
            cur.execute("DELETE FROM downloads WHERE id = ? RETURNING user_id, doc_ids, at", (download_id,))
            row = cur.fetchone()
            if row is None:
                return
            cur.execute(
                "UPDATE download_counts SET used = used - ? WHERE user_id = ? AND day = ? AND used >= ?",
                (len(json.loads(row[1])), row[0], str(row[2])[:10], len(json.loads(row[1]))),
            )

    def record_download(self, user_id: int, doc_ids: Sequence[int], fmt: str, at: str) -> int:
        """Record a download without a quota (it still counts); returns its id."""
        found = self.take_download(user_id, doc_ids, fmt, at, None)
        if found is None:
            raise StoreError("the download was not recorded")
        return found

    def downloads_on(self, user_id: int, day: str) -> int:
        """Documents the user downloaded on a day (YYYY-MM-DD, UTC): a zip counts each document in it."""
        rows = self._rows("SELECT used FROM download_counts WHERE user_id = ? AND day = ?", (user_id, day))
        return int(rows[0][0]) if rows else 0

    # -- upload jobs ------------------------------------------------------------------------------------
    def add_job(self, job_id: str, user: str, files: Sequence[str], total: int) -> None:
        now = utc_now()
        with self.transaction() as cur:
            cur.execute("DELETE FROM jobs WHERE created_at < ?", (iso(now - timedelta(days=KEEP_JOB_DAYS)),))
            cur.execute(
                "INSERT INTO jobs (id, user_name, files, total, done, current, finished, error, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, 0, '', 0, '', ?, ?)",
                (job_id, user, json.dumps(list(files), ensure_ascii=False), total, iso(now), iso(now)),
            )

    def update_job(
        self, job_id: str, done: int, current: str, finished: bool = False, error: str = "",
        report: str | None = None,
    ) -> None:
        with self.transaction() as cur:
            cur.execute(
                "UPDATE jobs SET done = ?, current = ?, finished = ?, error = ?, report = COALESCE(?, report),"
                " updated_at = ? WHERE id = ? AND finished = 0",  # a finished job stays as it ended
                (done, current, int(finished), error, report, iso(utc_now()), job_id),
            )

    def job(self, job_id: str) -> JobRow | None:
        rows = self._rows(
            "SELECT id, user_name, files, total, done, current, finished, error, report, created_at, updated_at"
            " FROM jobs WHERE id = ?",
            (job_id,),
        )
        if not rows:
            return None
        i, user, files, total, done, current, finished, error, report, created, updated = rows[0]
        return JobRow(i, user, json.loads(files), int(total), int(done), current, bool(finished), error,
                      report, created, updated)

    # -- drafts (writing desk) ----------------------------------------------------------------------------
    def save_draft(self, user_id: int, draft_id: int | None, title: str, body: str) -> int:
        """Create a draft (draft_id None) or overwrite one whatever its version; returns its id."""
        with self.transaction() as cur:
            if draft_id is None:
                cur.execute(
                    "INSERT INTO drafts (user_id, title, body, updated_at) VALUES (?, ?, ?, ?) RETURNING id",
                    (user_id, title, body, iso(utc_now())),
                )
                return _first(cur)
            cur.execute(
                "UPDATE drafts SET title = ?, body = ?, updated_at = ?, version = version + 1"
                " WHERE id = ? AND user_id = ? RETURNING id",
                (title, body, iso(utc_now()), draft_id, user_id),
            )
            if cur.fetchone() is None:
                raise NotFound(f"no draft {draft_id}")
            return draft_id

    def update_draft(self, user_id: int, draft_id: int, title: str, body: str, version: int) -> int:
        """A full save of the draft as loaded at `version`; returns the new version.

        EditConflict when it changed since (another tab, an add-to-draft): the newer text is not overwritten."""
        with self.transaction() as cur:
            cur.execute(
                "UPDATE drafts SET title = ?, body = ?, updated_at = ?, version = version + 1"
                " WHERE id = ? AND user_id = ? AND version = ? RETURNING version",
                (title, body, iso(utc_now()), draft_id, user_id, version),
            )
            row = cur.fetchone()
            if row is not None:
                return int(row[0])
            cur.execute("SELECT version FROM drafts WHERE id = ? AND user_id = ?", (draft_id, user_id))
            current = cur.fetchone()
        if current is None:
            raise NotFound(f"no draft {draft_id}")
        raise EditConflict(
            f"草稿已在别处修改（当前第 {current[0]} 版，您编辑的是第 {version} 版）。"
            f" The draft changed since it was loaded (version {current[0]}, yours {version}).",
            current=int(current[0]),
        )

    def append_draft(self, user_id: int, draft_id: int, text: str) -> int:
        """Add a paragraph at the end of the draft in one statement (no update lost); returns the new version."""
        with self.transaction() as cur:
            cur.execute(
                "UPDATE drafts SET body = CASE WHEN RTRIM(body, ?) = '' THEN ? ELSE RTRIM(body, ?) || ? || ? END,"
                " updated_at = ?, version = version + 1 WHERE id = ? AND user_id = ? RETURNING version",
                (_TRAILING_SPACE, text, _TRAILING_SPACE, "\n", text, iso(utc_now()), draft_id, user_id),
            )
            row = cur.fetchone()
        if row is None:
            raise NotFound(f"no draft {draft_id}")
        return int(row[0])

    def draft(self, user_id: int, draft_id: int) -> tuple[str, str]:
        title, body, _version = self.draft_state(user_id, draft_id)
        return title, body

    def draft_state(self, user_id: int, draft_id: int) -> tuple[str, str, int]:
        """(title, body, version) of one of the user's drafts."""
        rows = self._rows(
            "SELECT title, body, version FROM drafts WHERE id = ? AND user_id = ?", (draft_id, user_id)
        )
        if not rows:
            raise NotFound(f"no draft {draft_id}")
        return rows[0][0], rows[0][1], int(rows[0][2])

    def drafts(self, user_id: int) -> list[tuple[int, str, str]]:
        rows = self._rows(
            "SELECT id, title, updated_at FROM drafts WHERE user_id = ? ORDER BY updated_at DESC, id DESC",
            (user_id,),
        )
        return [(int(i), t, u) for i, t, u in rows]

    def delete_draft(self, user_id: int, draft_id: int) -> None:
        with self.transaction() as cur:
            cur.execute("DELETE FROM drafts WHERE id = ? AND user_id = ? RETURNING id", (draft_id, user_id))
            if cur.fetchone() is None:
                raise NotFound(f"no draft {draft_id}")


def _carried(cur: Cursor, key: str, start: int, window: int, moment: int) -> int:
    """The previous window's hits that still fall in the last `window` seconds, rounded up (that window has
    ended: its row no longer changes)."""
    cur.execute("SELECT hits FROM rate_limits WHERE key = ? AND window_start = ?", (key, start - window))
    row = cur.fetchone()
    previous = int(row[0]) if row else 0
    return -(-previous * (window - (moment - start)) // window)


def end_sessions(cur: Cursor, user_id: int, keep_hash: str | None) -> int:
    cur.execute(
        "UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL AND secret_hash <> ? RETURNING id",
        (iso(utc_now()), user_id, keep_hash or ""),
    )
    return len(cur.fetchall())


def _record_download(cur: Cursor, user_id: int, doc_ids: Sequence[int], fmt: str, at: str) -> int:
    cur.execute(
        "INSERT INTO downloads (user_id, doc_ids, fmt, at) VALUES (?, ?, ?, ?) RETURNING id",
        (user_id, json.dumps(list(doc_ids), separators=(",", ":")), fmt, at),
    )
    return _first(cur)


def _first(cur: Cursor) -> int:
    row = cur.fetchone()
    if row is None:
        raise StoreError("the database returned no id")
    return int(row[0])
