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

from sucai.errors import InputError

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

