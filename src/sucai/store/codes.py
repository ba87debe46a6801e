"""Membership codes in the store: batches made for the shop, and redemption decided in one transaction.

Redeeming marks the code used with an UPDATE that only an unused code satisfies, then extends the user's
membership in the same transaction: two processes redeeming one code at once give one success."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sucai.errors import EditConflict, NotFound
from sucai.memberships import Membership, extended

if TYPE_CHECKING:
    from sucai.store.cursor import Cursor

CODES_MIGRATION = [
    """CREATE TABLE membership_codes (
        code_hash TEXT PRIMARY KEY, batch TEXT NOT NULL, tier TEXT NOT NULL, days INTEGER NOT NULL,
        created_at TEXT NOT NULL, redeemed_by {bigint}, redeemed_at TEXT)""",
    "CREATE INDEX membership_codes_batch ON membership_codes (batch)",
]


@dataclass(frozen=True)
class CodeBatch:
    batch: str
    tier: str
    days: int
    made: int
    redeemed: int
    created_at: str


@dataclass(frozen=True)
class Redemption:
    tier: str
    expires: str | None
    days: int


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class MembershipCodes:
    """Mixed into SqlStore."""

    if TYPE_CHECKING:
        def transaction(self, write: bool = True) -> AbstractContextManager[Cursor]: ...

        def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def add_codes(self, hashes: Sequence[str], batch: str, tier: str, days: int) -> None:
        at = _now()
        with self.transaction() as cur:
            cur.executemany(
                "INSERT INTO membership_codes (code_hash, batch, tier, days, created_at) VALUES (?, ?, ?, ?, ?)",
                [(h, batch, tier, days, at) for h in hashes],
            )

    def redeem_code(self, code_hash: str, user_id: int, today: date) -> Redemption:
        """Use a code for a user: NotFound when no such code, EditConflict when it was used already."""
        with self.transaction() as cur:
            cur.execute(
                "UPDATE membership_codes SET redeemed_by = ?, redeemed_at = ?"
                " WHERE code_hash = ? AND redeemed_by IS NULL RETURNING tier, days",
                (user_id, _now(), code_hash),
            )
            row = cur.fetchone()
            if row is None:
                cur.execute("SELECT redeemed_at FROM membership_codes WHERE code_hash = ?", (code_hash,))
                if cur.fetchone() is None:
                    raise NotFound("兑换码无效。No such code.")
                raise EditConflict("该兑换码已被使用。This code has been used already.")
            tier, days = str(row[0]), int(row[1])
            # Taking the user's row for update serialises two codes redeemed for one user at once.
            cur.execute("UPDATE users SET tier = tier WHERE id = ? RETURNING tier, expires", (user_id,))
            user_row = cur.fetchone()
            if user_row is None:
                raise NotFound(f"no user {user_id}")
            after = extended(Membership(user_row[0], user_row[1]), tier, days, today)
            cur.execute("UPDATE users SET tier = ?, expires = ? WHERE id = ?", (after.tier, after.expires, user_id))
            return Redemption(after.tier, after.expires, days)

    def code_batches(self) -> list[CodeBatch]:
        rows = self._rows(
            "SELECT batch, tier, days, COUNT(*), COUNT(redeemed_by), MIN(created_at) FROM membership_codes"
            " GROUP BY batch, tier, days ORDER BY MIN(created_at) DESC"
        )
        return [CodeBatch(r[0], r[1], int(r[2]), int(r[3]), int(r[4]), r[5]) for r in rows]

    def redemptions_by_day(self, since: str) -> list[tuple[str, int]]:
        rows = self._rows(
            "SELECT substr(redeemed_at, 1, 10), COUNT(*) FROM membership_codes WHERE redeemed_at >= ?"
            " GROUP BY substr(redeemed_at, 1, 10) ORDER BY 1",
            (since,),
        )
        return [(r[0], int(r[1])) for r in rows]
