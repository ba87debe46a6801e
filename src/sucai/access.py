"""Who may see and download what: the one place the paywall and the quotas are decided.

Pages, search snippets, the API, exports and feeds all ask here; none decides for itself.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from sucai.errors import AccessDenied, QuotaExceeded
from sucai.model import Document, DocumentSummary, FreeFacts, OutlineItem, User
from sucai.store.free_facts import shown_free_facts

if TYPE_CHECKING:
    from sucai.store.base import Store

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
    """The document as this viewer may see it: member-only blocks removed and counted in `locked`, and
    for a viewer without member access the facts (year, genre, tags, repairs) of the free text alone."""
    source = shown_source(doc.source, viewer)
    if can_read_paid(viewer) or not doc.has_paid:
        return dataclasses.replace(doc, locked=0, source=source)
    keep: list[int] = [i for i, b in enumerate(doc.blocks) if not b.paid]
    new_index = {old: new for new, old in enumerate(keep)}
    outline = [
        OutlineItem(item.level, item.text, new_index[item.block]) for item in doc.outline if item.block in new_index
    ]
    placeholders = [
        dataclasses.replace(p, block=new_index[p.block]) for p in doc.placeholders if p.block in new_index
    ]
    free = shown_free_facts(doc.free_facts, doc.has_paid) or FreeFacts()
    return dataclasses.replace(
        doc,
        blocks=[doc.blocks[i] for i in keep],
        outline=outline,
        placeholders=placeholders,
        removed=[],
        credits={},  # credit lines, like advertisements, were taken from anywhere in the text
        appendix=new_index.get(doc.appendix) if doc.appendix is not None else None,
        locked=len(doc.blocks) - len(keep),
        source=source,
        year=free.year,
        genre=free.genre,
        tags=list(free.tags),
        repairs=list(free.repairs),
    )


def visible_summary(summary: DocumentSummary, viewer: User) -> DocumentSummary:
    """A list entry (lists, /new, the feed) as this viewer may see it: the source's file name, and for a
    viewer without member access the year, genre, tags and characters of the free text."""
    source = shown_source(summary.source, viewer)
    free = summary.free_facts
    if free is None or can_read_paid(viewer):
        return summary if source == summary.source else dataclasses.replace(summary, source=source)
    return dataclasses.replace(
        summary, source=source, year=free.year, genre=free.genre, tags=list(free.tags), chars=free.chars
    )


_RECORD = re.compile(r"#\d+$")


def source_name(source: str) -> str:
    """A document's source as the file's name, never a path on the server: `/srv/in/a.txt` -> `a.txt`,
    `/tmp/x/b.zip!dir/c.docx` -> `b.zip!c.docx`, `d/e.jsonl#3` -> `e.jsonl#3`."""
    record = _RECORD.search(source)
    path = source[: record.start()] if record else source
    names = [PurePosixPath(part.replace("\\", "/")).name or part for part in path.split("!")]
    return "!".join(names) + (record.group(0) if record else "")


def shown_source(source: str, viewer: User) -> str:
    """The operator at the command line sees where a file was read from; everyone else its name."""
    return source if viewer.id == OPERATOR.id else source_name(source)


def download_quota(viewer: User, quotas: dict[str, int | None]) -> int | None:
    """Downloads allowed per day for this viewer; None = unlimited."""
    return quotas.get(effective_tier(viewer), 0)


MEMBER_ONLY = "全文为会员内容，开通会员后可阅读和下载。The whole text is for members only."


def has_visible_text(doc: Document) -> bool:
    """False for a document (as the viewer sees it) whose every block but the title is member-only:
    it offers no download, and nothing is spent on it."""
    return not doc.locked or any(b.kind != "title" and b.text.strip() for b in doc.blocks)


def check_downloadable(docs: Sequence[Document]) -> None:
    """Raise (AccessDenied, "全文为会员内容") when a document offers the viewer nothing but its title."""
    empty = [d for d in docs if not has_visible_text(d)]
    if empty:
        titles = "、".join(f"《{d.title}》" for d in empty[:3]) + ("等" if len(empty) > 3 else "")
        raise AccessDenied(f"{titles}{MEMBER_ONLY}" if len(docs) > 1 else MEMBER_ONLY)


def check_download(viewer: User, used_today: int, quotas: dict[str, int | None], cost: int = 1) -> None:
    """Raise unless the viewer may download `cost` more documents today (a zip costs one per document).

    Only for showing the answer in advance; take_download decides, atomically."""
    if viewer.id == OPERATOR.id:
        return
    quota = download_quota(viewer, quotas)
    if quota is None:
        return
    if quota <= 0:
        raise AccessDenied("下载需要登录账户。Downloads need a signed-in account.")
    if used_today + cost > quota:
        raise _over_quota(quota, used_today, cost)


def take_download(
    store: Store, viewer: User, doc_ids: Sequence[int], fmt: str, at: str, quotas: dict[str, int | None]
) -> int:
    """Spend the viewer's quota, one per document, and record the download, in one transaction; returns
    the download's id. Requests racing from any number of processes never pass the quota together."""
    if viewer.id == OPERATOR.id:
        return store.record_download(0, doc_ids, fmt, at)
    quota = download_quota(viewer, quotas)
    if quota is not None and quota <= 0:
        raise AccessDenied("下载需要登录账户。Downloads need a signed-in account.")
    found = store.take_download(viewer.id, doc_ids, fmt, at, quota)
    if found is None:
        assert quota is not None  # an unlimited quota always has room
        raise _over_quota(quota, store.downloads_on(viewer.id, at[:10]), len(doc_ids))
    return found


def _over_quota(quota: int, used: int, cost: int) -> QuotaExceeded:
    left = max(0, quota - used)
    if left and cost > 1:
        return QuotaExceeded(
            f"今日下载次数不足：打包 {cost} 篇需 {cost} 次，今日还剩 {left} 次（每日 {quota} 次）。"
            f" A zip of {cost} documents costs {cost} downloads; {left} of {quota} are left today."
        )
    return QuotaExceeded(
        f"今日下载次数已用完（{quota} 次），明日恢复或升级会员。"
        f" Daily download quota of {quota} used up; it resets tomorrow (UTC)."
    )


def can_admin(viewer: User) -> None:
    if not is_admin(viewer):
        raise AccessDenied("需要管理员权限。This needs an admin account.")
