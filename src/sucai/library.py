"""The public API: one Library over a store and its search index. The CLI and the web are thin layers on it."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sucai import access, webhook
from sucai.accounts import Accounts
from sucai.errors import AccessDenied, AccountDisabled, InputError
from sucai.model import (
    PHRASE_KINDS,
    CheckReport,
    Document,
    DocumentSummary,
    IngestReport,
    LintReport,
    PhraseHit,
    SearchResult,
    Suggestion,
    TraceInfo,
    User,
)
from sucai.search.following import IndexFollowing
from sucai.searchlog import SearchLog
from sucai.service import Service
from sucai.settings import Settings
from sucai.store import Store, open_store
from sucai.writing import WritingDesk

if TYPE_CHECKING:
    from sucai.search.engine import SearchEngine
    from sucai.search.follower import Follower


class Library(Accounts, Service, WritingDesk):
    """A material library: documents, their search index, users and downloads."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._engine: SearchEngine | None = None
        self._engine_lock = threading.Lock()
        self.follower: Follower | None = None
        self._following = False
        self.search_log = SearchLog(store, settings.search_log_days)

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def engine(self) -> SearchEngine:
        """The search index, opened on first use (by one thread): caught up with the store at once, or, once
        `follow()` was called, as it is while the follower catches up in the background."""
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    from sucai.search.engine import SearchEngine

                    index_dir = self.settings.resolved_index_dir()
                    self._engine = SearchEngine(self.store, index_dir, catch_up=not self._following)
        return self._engine

    def follow(self) -> Follower:
        """Keep the index in step from a background thread (a serving process): searches and suggestions
        then answer at once from what is indexed, never syncing inside a request. Idempotent."""
        from sucai.search.follower import Follower

        if self.follower is None:
            self._following = True  # before the engine opens: it must not catch up inside this call
            from sucai.search.snapshot import fetch_snapshot

            # a new node copies a peer's index (SUCAI_INDEX_FROM) rather than build it
            fetch_snapshot(self.settings, self.store)
            self.follower = Follower(self.engine).start()
        return self.follower

    def close(self) -> None:
        if self.follower is not None:
            self.follower.stop()
            self.follower = None
        if self._engine is not None:
            self._engine.close()
            self._engine = None
        self.search_log.close()
        self.store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ingest ------------------------------------------------------------------------------
    def ingest(
        self,
        paths: Sequence[str | Path],
        progress: Callable[[int, str], None] | None = None,
        relative_to: Path | None = None,
        again: bool = False,
    ) -> IngestReport:
        """Ingest files, folders and archives; each new document is searchable when this returns.

        `relative_to` records sources relative to a folder (uploads land in a temporary one). `again` takes
        back files already stored, with the documents an operator deleted from them."""
        from sucai.ingest.limits import Limits
        from sucai.ingest.pipeline import IngestOptions, ingest

        options = IngestOptions(
            limits=Limits(max_file_bytes=self.settings.max_file_bytes), rules_dirs=self.settings.rules_dirs,
            again=again,
        )
        try:
            with IndexFollowing(self.engine):
                report = ingest(paths, self.store, options, progress=progress, relative_to=relative_to)
        finally:
            self.store.merge_fingerprints()
            self.engine.sync()
        webhook.announce(self.settings.webhook_url, self.settings.public_url, report.documents)
        return report

    def reindex(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Re-parse every stored source file with the current parser, then rebuild the search index."""
        from sucai.ingest.limits import Limits
        from sucai.ingest.pipeline import IngestOptions, parse_file
        from sucai.originality.fingerprint import document_fingerprints

        options = IngestOptions(
            limits=Limits(max_file_bytes=self.settings.max_file_bytes), rules_dirs=self.settings.rules_dirs
        )
        for file in self.store.files():
            try:
                docs = parse_file(file, options)
            except InputError:
                continue  # it parsed once; keep its stored documents rather than lose them
            self.store.replace_file_documents(file.sha256, docs, [document_fingerprints(d) for d in docs])
        self.store.merge_fingerprints()
        return self.engine.rebuild(progress)

    def delete(self, doc_id: int) -> None:
        self.store.delete_document(doc_id)
        self.engine.sync()

    # -- reading -----------------------------------------------------------------------------
    def document(self, doc_id: int, viewer: User | None = None) -> Document:
        """A document as the viewer may see it (viewer None = the operator, who sees everything)."""
        return access.visible_document(self.store.document(doc_id), viewer or access.OPERATOR)

    def locked_blocks(self, doc_id: int, viewer: User) -> list[tuple[int, int]]:
        """Where the viewer's lock notices go: (block index in the full document, characters) per withheld block.

        Positions and counts only, never text; empty when the viewer may read everything."""
        return self.document_and_locks(doc_id, viewer)[1]

    def document_and_locks(self, doc_id: int, viewer: User) -> tuple[Document, list[tuple[int, int]]]:
        """The document as the viewer may see it and its lock positions, from one read of the store."""
        full = self.store.document(doc_id)
        locks = [] if access.can_read_paid(viewer) else [(i, len(b.text)) for i, b in enumerate(full.blocks) if b.paid]
        return access.visible_document(full, viewer), locks

    def list_documents(
        self, offset: int = 0, limit: int = 50, viewer: User | None = None
    ) -> tuple[int, list[DocumentSummary]]:
        """(total, page) of documents, newest first, as the viewer may see them (access.visible_summary)."""
        total, docs = self.store.list_documents(offset=offset, limit=limit)
        return total, [access.visible_summary(d, viewer or access.OPERATOR) for d in docs]

    def documents_since(self, since: str, limit: int = 50, viewer: User | None = None) -> list[DocumentSummary]:
        """Documents created at or after an ISO date or time, newest first, as the viewer may see them."""
        docs = self.store.documents_since(since, limit=limit)
        return [access.visible_summary(d, viewer or access.OPERATOR) for d in docs]

    def search(
        self, query: str, limit: int = 20, offset: int = 0, viewer: User | None = None, snippets: bool = True
    ) -> SearchResult:
        """The page of hits from `offset`; `snippets=False` leaves out the short snippets (paragraph hits stay)."""
        self.catch_up()
        paid_visible = access.can_read_paid(viewer or access.OPERATOR)
        return self.engine.search(query, limit=limit, offset=offset, paid_visible=paid_visible, snippets=snippets)

    def catch_up(self) -> None:
        """Bring the index in step with the store now, unless a follower does so in the background (a serving
        process's)."""
        if self.follower is None:
            self.engine.sync()

    def suggest(self, prefix: str, limit: int = 10, viewer: User | None = None) -> list[Suggestion]:
        paid_visible = access.can_read_paid(viewer or access.OPERATOR)
        return self.engine.suggest(prefix, limit=limit, paid_visible=paid_visible)

    # -- downloads -----------------------------------------------------------------------------
    def secret(self) -> bytes:
        """The key that signs download traces and sessions: from settings, else kept in the library."""
        if self.settings.secret_key:
            return self.settings.secret_key.encode()
        key = self.store.meta("secret_key")
        if key is None:
            key = secrets.token_hex(32)
            self.store.set_meta("secret_key", key)
        return key.encode()

    def downloads_today(self, viewer: User) -> int:
        return self.store.downloads_on(viewer.id, access.today().isoformat())

    def export(self, doc_ids: int | Sequence[int], fmt: str, viewer: User | None = None) -> tuple[bytes, str, str]:
        """A traced download of one document (or a .zip of several): (data, filename, media type)."""
        from sucai.export import FORMATS, TraceMark, export_bundle, export_document

        viewer = viewer or access.OPERATOR
        ids = [doc_ids] if isinstance(doc_ids, int) else list(doc_ids)
        if fmt not in FORMATS:
            raise InputError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")
        if not ids:
            raise InputError("nothing to export")
        docs = [self.document(i, viewer) for i in ids]
        access.check_downloadable(docs)  # a title alone is no download, and costs nothing
        at = datetime.now(UTC).replace(microsecond=0).isoformat()
        download_id = access.take_download(self.store, viewer, ids, fmt, at, self.settings.quotas)
        mark = TraceMark(viewer.name, viewer.id, at, tuple(ids), download_id)
        try:
            if len(docs) == 1:
                return export_document(docs[0], fmt, mark, self.secret(), self.settings.trace_invisible)
            return export_bundle(docs, fmt, mark, self.secret(), self.settings.trace_invisible)
        except BaseException:
            self.store.cancel_download(download_id)  # nothing delivered: nothing spent
            raise

    def trace(self, data: bytes) -> TraceInfo:
        from sucai.export import trace_file

        return trace_file(data, self.secret())

    # -- writing desk ----------------------------------------------------------------------------
    def check(self, text: str, viewer: User | None = None) -> CheckReport:
        """The originality check of a draft against the library as the viewer may read it (viewer None = the
        operator): a viewer without member access is compared with free text only, and gets the report a
        library without its member-only blocks would give. Drafts over settings.check_max_chars are refused."""
        from sucai.errors import TooLarge
        from sucai.originality.check import check

        limit = self.settings.check_max_chars
        if len(text) > limit:
            raise TooLarge(
                f"查重文本过长：{len(text):,} 字，单次上限 {limit:,} 字，请分段查重。"
                f" The draft is too long to check: {len(text):,} characters; the limit is {limit:,}."
            )
        return check(text, self.store, paid_visible=access.can_read_paid(viewer or access.OPERATOR))

    def lint(self, text: str) -> LintReport:
        from sucai.compose.lint import lint
        from sucai.compose.lint_rules import load_lint_rules

        return lint(text, load_lint_rules(self.settings.rules_dirs))

    def phrases(
        self, text: str = "", kind: str | None = None, viewer: User | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[int, list[PhraseHit]]:
        """The phrase bank (金句): (total, page) of phrases containing `text` literally, newest documents first.

        `kind` is "parallel", "quote" or None for both; phrases from member-only blocks reach only viewers
        who may read them (viewer None = the operator)."""
        if kind is not None and kind not in PHRASE_KINDS:
            raise InputError(f"未知的金句类型 {kind!r}。Unknown phrase kind; one of {', '.join(PHRASE_KINDS)}.")
        if limit < 1 or offset < 0:
            raise InputError("limit 至少为 1，offset 不能为负。limit must be >= 1 and offset >= 0.")
        include_paid = access.can_read_paid(viewer or access.OPERATOR)
        return self.store.search_phrases(text.strip(), kind, include_paid, limit=limit, offset=offset)

    # -- users -------------------------------------------------------------------------------------
    def add_user(self, name: str, tier: str, password: str, expires: str | None = None) -> User:
        from sucai.passwords import hash_password

        if len(password) < 8:
            raise InputError("密码至少 8 位。A password needs at least 8 characters.")
        return self.store.add_user(name, tier, hash_password(password), expires)

    def authenticate(self, name: str, password: str) -> User:
        from sucai.passwords import burn_verification, verify_password

        stored = self.store.password_hash(name)
        if stored is None:
            burn_verification(password)
        if stored is None or not verify_password(stored, password):
            raise AccessDenied("用户名或密码错误。Wrong name or password.")
        user = self.store.user(name)
        if user.disabled_at is not None:  # said only to whoever knows the password
            raise AccountDisabled("该账户已被管理员停用，请联系管理员。This account has been disabled.")
        return user

    def set_disabled(self, name: str, disabled: bool) -> User:
        """Disable an account (it can no longer sign in; its sessions and tokens stop working) or enable it."""
        self.store.set_disabled(self.store.user(name).id, disabled)
        return self.store.user(name)

    def user(self, name: str) -> User:
        return self.store.user(name)

    def users(self) -> list[User]:
        return self.store.users()

    def set_tier(self, name: str, tier: str, expires: str | None = None) -> User:
        return self.store.set_tier(name, tier, expires)

    # sessions, API tokens and password changes: accounts.Accounts


def open_library(url: str | Path | None = None, settings: Settings | None = None) -> Library:
    """Open (creating if needed) the library at a SQLite path or a postgresql:// URL."""
    settings = settings or Settings.from_env(db=str(url) if url is not None else None)
    if url is not None and settings.db != str(url):
        from dataclasses import replace

        settings = replace(settings, db=str(url))
    return Library(open_store(settings.db), settings)
