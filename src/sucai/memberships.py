"""Membership codes (卡密): what a code looks like, what the store keeps of it, and what redeeming does.

A code is 100 random bits written as 20 characters of Crockford's base 32 in four groups
(``K7Q2M-9XW4T-H3N8R-B6Y1C``): unguessable, and typed back without confusing O/0 or I/1/L. The store keeps
only its SHA-256, so a leaked database gives no codes away; the shop gets them once, when they are made.
Redeeming extends a membership: from its current end when it is still running, from today when it is not.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sucai.access import today
from sucai.errors import AccessDenied, InputError
from sucai.model import User

if TYPE_CHECKING:
    from sucai.store import Store
    from sucai.store.codes import CodeBatch, Redemption

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O, U
GROUPS, GROUP_CHARS = 4, 5
CODE_TIERS = ("member", "svip")
MAX_DAYS = 3660
MAX_COUNT = 10_000
_TYPED_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_RANK = {"guest": 0, "free": 1, "member": 2, "svip": 3, "admin": 4}


@dataclass(frozen=True)
class Membership:
    tier: str
    expires: str | None  # ISO date; None = no end


def new_code() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_CHARS))
    return "-".join(chars[i : i + GROUP_CHARS] for i in range(0, len(chars), GROUP_CHARS))


def canonical(code: str) -> str:
    """A code as typed (any case, spaces or dashes, O for 0) in its one written form; InputError if malformed."""
    chars = "".join(ch for ch in code.upper() if ch.isalnum()).translate(_TYPED_AS)
    if len(chars) != GROUPS * GROUP_CHARS or any(ch not in ALPHABET for ch in chars):
        raise InputError("兑换码格式不对，应为 20 位字母数字（可带短横线）。A code is 20 letters and digits.")
    return "-".join(chars[i : i + GROUP_CHARS] for i in range(0, len(chars), GROUP_CHARS))


def code_hash(code: str) -> str:
    return hashlib.sha256(canonical(code).encode("ascii")).hexdigest()


def codes_csv(codes: list[str], tier: str, days: int) -> str:
    """Codes as the shop's CSV (code, tier, days)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["code", "tier", "days"])
    writer.writerows([c, tier, days] for c in codes)
    return buffer.getvalue()


def check_batch(tier: str, days: int, count: int) -> None:
    if tier not in CODE_TIERS:
        raise InputError(f"兑换码只能开通 {'/'.join(CODE_TIERS)}。A code grants one of {', '.join(CODE_TIERS)}.")
    if not 1 <= days <= MAX_DAYS:
        raise InputError(f"天数应在 1 到 {MAX_DAYS} 之间。days must be 1..{MAX_DAYS}.")
    if not 1 <= count <= MAX_COUNT:
        raise InputError(f"数量应在 1 到 {MAX_COUNT} 之间。count must be 1..{MAX_COUNT}.")


def extended(current: Membership, tier: str, days: int, today: date) -> Membership:
    """The membership after redeeming a code of `tier` for `days`.

    A running membership is extended from its end; an expired one (or none) starts today. The higher tier
    wins; a membership without an end of the same or a higher tier keeps having none."""
    running = current.tier in _RANK and _RANK[current.tier] >= _RANK["member"]
    end = date.fromisoformat(current.expires[:10]) if current.expires else None
    if running and end is not None and end < today:
        running = False
    if running and end is None and _RANK[current.tier] >= _RANK[tier]:
        return current
    start = end if running and end is not None else today
    new_tier = current.tier if running and _RANK[current.tier] > _RANK[tier] else tier
    return Membership(new_tier, (start + timedelta(days=days)).isoformat())


class MembershipCodeDesk:
    """Library methods for membership codes (mixed into Library; needs `store`)."""

    store: Store

    def make_codes(self, tier: str, days: int, count: int, batch: str = "") -> list[str]:
        """`count` new codes granting `tier` for `days`; the only time the codes themselves are seen."""
        check_batch(tier, days, count)
        codes = [new_code() for _ in range(count)]
        label = batch or f"{today().isoformat()}-{tier}-{days}d-{secrets.token_hex(3)}"
        self.store.add_codes([code_hash(c) for c in codes], label, tier, days)
        return codes

    def redeem(self, user: User, code: str) -> Redemption:
        """Redeem a code for a signed-in user: NotFound (no such code), EditConflict (used already)."""
        if user.id <= 0:
            raise AccessDenied("兑换会员需要先登录。Sign in to redeem a code.")
        if user.tier == "admin":
            raise InputError("管理员账户无需兑换会员。An admin account needs no membership.")
        return self.store.redeem_code(code_hash(code), user.id, today())

    def code_batches(self) -> list[CodeBatch]:
        return self.store.code_batches()
