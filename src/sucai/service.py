"""Running a material service: memberships sold as codes, what is new (the daily digest, saved searches, the
shared-drive folders), and what users look for (the admin page's figures). Part of the public Library.

Everything a viewer is shown comes through the Library's own viewer-aware calls (search, documents_since),
so the digest and saved searches carry no member-only text or facts to a viewer without access.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sucai import access
from sucai.errors import AccessDenied, InputError
from sucai.memberships import check_batch, code_hash, new_code
from sucai.model import DocumentSummary, SearchResult, User

if TYPE_CHECKING:
    from sucai.searchlog import SearchLog
    from sucai.settings import Settings
    from sucai.store import Store
    from sucai.store.activity import QueryCount, SavedSearch
    from sucai.store.codes import CodeBatch, Redemption

DIGEST_LIMIT = 5000  # documents a digest lists at most (a day of a busy service is ~1,000)
SAVED_MATCH_LIMIT = 500  # matches of a saved search compared with what is new


@dataclass
class Digest:
    """今日更新: a day's new documents, grouped by genre, with counts by topic."""

    day: str
    total: int
    by_genre: dict[str, list[DocumentSummary]] = field(default_factory=dict)
    by_topic: dict[str, int] = field(default_factory=dict)


@dataclass
class SavedSearchNews:
    search: SavedSearch
    new: list[DocumentSummary] = field(default_factory=list)  # matching documents added since seen_at


@dataclass
class AdminStats:
    days: list[str]
    documents_per_day: list[tuple[str, int]]
    searches_per_day: list[tuple[str, int]]
    downloads_per_day: list[tuple[str, int]]
    top_searches: list[QueryCount]
    top_no_results: list[QueryCount]
    downloads_by_tier: dict[str, int]
    active_members: int
    codes_made: int
    codes_redeemed: int


class Service:
    """Library methods for operating the service (needs store, settings, search, documents_since, export)."""

    store: Store
    settings: Settings
    search_log: SearchLog
    search: Callable[..., SearchResult]
    documents_since: Callable[..., list[DocumentSummary]]
    export: Callable[..., tuple[bytes, str, str]]

    # -- membership codes (卡密) ----------------------------------------------------------------------
    def make_codes(self, tier: str, days: int, count: int, batch: str = "") -> list[str]:
        """`count` new codes granting `tier` for `days`; the only time the codes themselves are seen."""
        check_batch(tier, days, count)
        codes = [new_code() for _ in range(count)]
        label = batch or f"{access.today().isoformat()}-{tier}-{days}d-{secrets.token_hex(3)}"
        self.store.add_codes([code_hash(c) for c in codes], label, tier, days)
        return codes

    def redeem(self, user: User, code: str) -> Redemption:
        """Redeem a code for a signed-in user: NotFound (no such code), EditConflict (used already)."""
        if user.id <= 0:
            raise AccessDenied("兑换会员需要先登录。Sign in to redeem a code.")
        if user.tier == "admin":
            raise InputError("管理员账户无需兑换会员。An admin account needs no membership.")
        return self.store.redeem_code(code_hash(code), user.id, access.today())

    def code_batches(self) -> list[CodeBatch]:
        return self.store.code_batches()

    # -- what users look for -------------------------------------------------------------------------
    def log_search(self, query: str, result: SearchResult, viewer: User) -> None:
        """Record a search for the admin page: the query, its total as this viewer saw it, the tier."""
        if query.strip():
            self.search_log.record(query.strip(), result.total, access.effective_tier(viewer))

    def admin_stats(self, days: int = 30) -> AdminStats:
        first = access.today() - timedelta(days=days - 1)
        day_list = [(first + timedelta(days=i)).isoformat() for i in range(days)]
        since = day_list[0]
        self.search_log.flush()  # what this process holds counts too
        batches = self.store.code_batches()
        return AdminStats(
            days=day_list,
            documents_per_day=self.store.per_day("documents", since),
            searches_per_day=self.store.per_day("searches", since),
            downloads_per_day=self.store.per_day("downloads", since),
            top_searches=self.store.top_searches(since),
            top_no_results=self.store.top_searches(since, no_results=True),
            downloads_by_tier=self.store.downloads_by_tier(since),
            active_members=self.store.active_members(access.today().isoformat()),
            codes_made=sum(b.made for b in batches),
            codes_redeemed=sum(b.redeemed for b in batches),
        )

    # -- what is new -----------------------------------------------------------------------------------
    def digest(self, day: date, viewer: User | None = None) -> Digest:
        """The documents added on `day` (UTC), grouped by genre, as the viewer may see them."""
        start, end = day.isoformat(), (day + timedelta(days=1)).isoformat()
        docs = [d for d in self.documents_since(start, limit=DIGEST_LIMIT, viewer=viewer) if d.created_at < end]
        docs = [d for d in docs if d.duplicate_of is None]
        by_genre: dict[str, list[DocumentSummary]] = {}
        for doc in docs:
            by_genre.setdefault(doc.genre or "其他", []).append(doc)
        topics = Counter(tag for doc in docs for tag in doc.tags)
        return Digest(start, len(docs), by_genre, dict(topics.most_common()))

    def save_search(self, viewer: User, query: str) -> SavedSearch:
        if viewer.id <= 0:
            raise InputError("订阅搜索需要先登录。Sign in to save a search.")
        if not query.strip() or len(query) > 200:
            raise InputError("订阅的搜索词应为 1 到 200 字。A saved search is 1-200 characters.")
        self.search(query, limit=1, viewer=viewer)  # a malformed query is refused now, not on every visit
        return self.store.save_search(viewer.id, query.strip())

    def saved_search_news(self, viewer: User) -> list[SavedSearchNews]:
        """Each saved search with the matching documents added since the member last looked at it."""
        searches = self.store.saved_searches(viewer.id)
        if not searches:
            return []
        # one read of what is recent, from the earliest last look; each search then keeps what came after its own
        recent = self.documents_since(min(s.seen_at for s in searches), limit=DIGEST_LIMIT, viewer=viewer)
        news = []
        for saved in searches:
            new = {d.id: d for d in recent if d.created_at > saved.seen_at}
            matches = self.search(saved.query, limit=SAVED_MATCH_LIMIT, viewer=viewer).hits if new else []
            news.append(SavedSearchNews(saved, [new[h.id] for h in matches if h.id in new]))
        return news

    # -- the shared drive ------------------------------------------------------------------------------
    def publish(self, folder: Path, since: date, progress: Callable[[int, int], None] | None = None) -> list[Path]:
        """Each day's new documents since `since` as GB/T 9704 .docx in dated folders (folder/2026-03-01/…).

        A file already there is left as it is, so publishing again only adds what is new."""
        docs = [d for d in self.documents_since(since.isoformat(), limit=DIGEST_LIMIT) if d.duplicate_of is None]
        written: list[Path] = []
        for done, doc in enumerate(sorted(docs, key=lambda d: (d.created_at, d.id)), start=1):
            day_folder = folder / doc.created_at[:10]
            day_folder.mkdir(parents=True, exist_ok=True)
            data, name, _media = self.export(doc.id, "docx")
            target = day_folder / f"{doc.id:06d}_{name}"
            if not target.exists():
                target.write_bytes(data)
                written.append(target)
            if progress is not None:
                progress(done, len(docs))
        return written
