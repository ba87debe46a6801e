"""Who may see and download what: the one place the paywall and the quotas are decided.

Pages, search snippets, the API, exports and feeds all ask here; none decides for itself.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from sucai.errors import AccessDenied, QuotaExceeded
from sucai.model import Document, OutlineItem, User

# The operator at the command line (no --as): sees and exports everything, no quota.
OPERATOR = User(id=0, name="operator", tier="admin")
# Anyone not signed in.
GUEST = User(id=-1, name="guest", tier="guest")

PAID_TIERS = frozenset({"member", "svip", "admin"})
TIER_NAMES = {"guest": "游客", "free": "注册用户", "member": "会员", "svip": "SVIP会员", "admin": "管理员"}


def today() -> date:
    return datetime.now(UTC).date()


def effective_tier(viewer: User, on: date | None = None) -> str:
    """The tier in force: an expired membership counts as a free account."""
    if viewer.tier in {"member", "svip"} and viewer.expires:
        if date.fromisoformat(viewer.expires[:10]) < (on or today()):
            return "free"
    return viewer.tier


def can_read_paid(viewer: User) -> bool:
    return effective_tier(viewer) in PAID_TIERS


def is_admin(viewer: User) -> bool:
    return viewer.tier == "admin"


def visible_document(doc: Document, viewer: User) -> Document:
    """The document as this viewer may see it: member-only blocks removed and counted in `locked`."""
    if can_read_paid(viewer) or not doc.has_paid:
        return dataclasses.replace(doc, locked=0)
    keep: list[int] = [i for i, b in enumerate(doc.blocks) if not b.paid]
    new_index = {old: new for new, old in enumerate(keep)}
    outline = [
        OutlineItem(item.level, item.text, new_index[item.block]) for item in doc.outline if item.block in new_index
    ]
    placeholders = [
        dataclasses.replace(p, block=new_index[p.block]) for p in doc.placeholders if p.block in new_index
    ]
    return dataclasses.replace(
        doc,
        blocks=[doc.blocks[i] for i in keep],
        outline=outline,
        placeholders=placeholders,
        removed=list(doc.removed) if can_read_paid(viewer) else [],
        locked=len(doc.blocks) - len(keep),
    )


def locked_chars(doc: Document) -> int:
    """How many characters a viewer without access misses (for the lock notice)."""
    return sum(len(b.text) for b in doc.blocks if b.paid)


def download_quota(viewer: User, quotas: dict[str, int | None]) -> int | None:
    """Downloads allowed per day for this viewer; None = unlimited."""
    return quotas.get(effective_tier(viewer), 0)


def check_download(viewer: User, used_today: int, quotas: dict[str, int | None]) -> None:
    """Raise unless the viewer may download one more file today."""
    if viewer.id == OPERATOR.id:
        return
    quota = download_quota(viewer, quotas)
    if quota is None:
        return
    if quota <= 0:
        raise AccessDenied("下载需要登录账户。Downloads need a signed-in account.")
    if used_today >= quota:
        raise QuotaExceeded(
            f"今日下载次数已用完（{quota} 次），明日恢复或升级会员。"
            f" Daily download quota of {quota} used up; it resets tomorrow (UTC)."
        )


def can_admin(viewer: User) -> None:
    if not is_admin(viewer):
        raise AccessDenied("需要管理员权限。This needs an admin account.")
