"""The Store protocol: the one source of truth. SQLite (default) and PostgreSQL implement it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, Protocol

from sucai.model import Document, DocumentSummary, PhraseHit, User
from sucai.store.bodies import DocumentText

if TYPE_CHECKING:
    from datetime import date

    import numpy as np
    import numpy.typing as npt

    from sucai.compose.phrases import Phrase
    from sucai.store.activity import LoggedSearch, QueryCount, SavedSearch
    from sucai.store.codes import CodeBatch, Redemption


@dataclass(frozen=True)
class StoredFile:
    """The raw bytes of one ingested file, kept so a better parser can reprocess it (`sucai reindex`)."""

    origin: str  # path as given, or "archive.zip!inner/path.txt"
    sha256: str
    data: bytes
    fmt: str


@dataclass(frozen=True)
class Change:
    """One row of the change log the search index follows."""

    seq: int
    doc_id: int
    op: str  # "add" or "delete"


# A fingerprint's scope: which text of its document selected it (see originality.fingerprint). Positions of
# FREE fingerprints are offsets in the free text, of WHOLE ones in the whole text; a row in both sets (the
# usual case: the same k-gram at the same offset, before any paid block) carries both bits.
SCOPE_WHOLE = 1  # the whole text: what members and admins check against
SCOPE_FREE = 2  # the free text (non-paid blocks only): what a viewer without member access checks against
SCOPE_BOTH = SCOPE_WHOLE | SCOPE_FREE


class Fingerprint(NamedTuple):
    """One selected k-gram (a tuple: ingest makes one per five characters, and a tuple is made twice as fast)."""

    hash: int
    pos: int  # offset in the document's content characters, of the text its scope names
    scope: int = SCOPE_BOTH


@dataclass(frozen=True)
class FingerprintHit:
    hash: int
    doc_id: int
    pos: int


@dataclass(frozen=True)
class FingerprintArrays:
    """Fingerprint hits as columns: hash, doc_id and pos of hit i are hashes[i], doc_ids[i], positions[i]."""

    hashes: npt.NDArray[np.int64]
    doc_ids: npt.NDArray[np.int64]
    positions: npt.NDArray[np.int64]


@dataclass(frozen=True)
class SessionInfo:
    """A signed-in session (the store keeps only a hash of the cookie's secret)."""

    id: int
    created_at: str
    expires_at: str
    ended_at: str | None
    live: bool


@dataclass(frozen=True)
class TokenInfo:
    """An API token as listed (never its value, which only its creator saw once)."""

    id: int
    user_id: int
    created_at: str
    expires_at: str | None  # None: a token from before expiries, valid until revoked
    last_used: str | None
    revoked_at: str | None
    live: bool


@dataclass(frozen=True)
class JobRow:
    """An upload (ingest) job's state as kept in the store, so any node can show its progress."""

    id: str
    user: str
    files: list[str]
    total: int
    done: int
    current: str
    finished: bool
    error: str
    report: str | None  # the IngestReport as JSON, once finished
    created_at: str
    updated_at: str


class Store(Protocol):
    """Everything sucai keeps. Each method is one transaction unless it says otherwise."""

    url: str
    parallel_writes: bool  # whether several threads may write at once (each on a connection of its own)

    def close(self) -> None: ...

    # -- files and documents -------------------------------------------------------------
    def has_file(self, sha256: str) -> bool: ...

    def stored_files(self, sha256s: Sequence[str]) -> set[str]:
        """Which of these files (by sha256) are stored: one query for a group of files about to be parsed."""
        ...

    def add_file(
        self, file: StoredFile, documents: Sequence[Document], fingerprints: Sequence[Sequence[Fingerprint]],
        phrases: Sequence[Sequence[Phrase]] | None = None,
    ) -> list[int]:
        """Store a file, its documents, their fingerprints and phrases atomically; returns the new ids.

        A document whose body_sha256 is already stored is kept with duplicate_of set to the original.
        Phrases are extracted here unless given (a worker process may have done it)."""
        ...

    def replace_file_documents(
        self, sha256: str, documents: Sequence[Document], fingerprints: Sequence[Sequence[Fingerprint]]
    ) -> list[int]:
        """Re-parse support: drop a file's documents and store new ones, in one transaction."""
        ...

    def files(self) -> Iterator[StoredFile]: ...

    def find_body(self, body_sha256: str) -> int | None: ...

    def originals_of(self, ids: Sequence[int]) -> dict[int, int]:
        """For each of the documents that is a duplicate, the id of its original (others are left out)."""
        ...

    def document(self, doc_id: int) -> Document: ...

    def documents(self, ids: Sequence[int]) -> list[Document]: ...

    def document_texts(self, ids: Sequence[int]) -> list[DocumentText]:
        """What search shows of documents (title, year, genre, block texts and flags), in the order asked;
        much cheaper than `documents`. Unknown ids are left out."""
        ...

    def list_documents(
        self, offset: int = 0, limit: int = 50, include_duplicates: bool = False
    ) -> tuple[int, list[DocumentSummary]]: ...

    def count_documents(self) -> int: ...

    def library_chars(self) -> int:
        """Characters of all documents that are not duplicates (the home page's total)."""
        ...

    def documents_since(self, since: str, limit: int = 50) -> list[DocumentSummary]:
        """Documents (not duplicates) created at or after an ISO date or time, newest first."""
        ...

    def duplicates(self, limit: int = 200) -> list[tuple[DocumentSummary, int]]:
        """Documents found to duplicate another at ingest, newest first, with the original's id."""
        ...

    def delete_document(self, doc_id: int) -> None: ...

    def iter_documents(self, batch: int = 500) -> Iterator[Document]:
        """Every stored document that is not a duplicate, in id order."""
        ...

    # -- change log for derived indexes (numbered in commit order: store/changelog.py) -----------
    def last_seq(self) -> int: ...

    def changes_since(self, seq: int, limit: int = 10_000) -> list[Change]:
        """Changes after `seq`, in order; raises changelog.ChangesCompacted when some were deleted already."""
        ...

    def compacted_seq(self) -> int:
        """Changes up to this number may have been deleted (every live node had applied them)."""
        ...

    def report_position(self, node: str, seq: int, info: str = "") -> None:
        """A node's index has applied every change up to `seq`."""
        ...

    def node_positions(self) -> list[tuple[str, int, str, str]]: ...

    def forget_node(self, node: str) -> None:
        """The node no longer holds the log back (a hold that served its purpose, a node taken away)."""
        ...

    def compact_changes(self) -> int:
        """Delete changes every live node has applied; returns how many."""
        ...

    def restore_file(
        self, sha256: str, documents: Sequence[Document], fingerprints: Sequence[Sequence[Fingerprint]]
    ) -> list[int]:
        """`ingest --again`: a stored file's documents stored anew, those the operator deleted too."""
        ...

    # -- fingerprints (originality check) ----------------------------------------------------
    def lookup_fingerprints(self, hashes: Sequence[int], scope: int = SCOPE_WHOLE) -> list[FingerprintHit]:
        """Stored fingerprints with one of these hashes whose scope has a bit of `scope`."""
        ...

    def lookup_fingerprint_arrays(self, hashes: Sequence[int], scope: int = SCOPE_WHOLE) -> FingerprintArrays:
        """The same as lookup_fingerprints, as three int64 arrays (a genre draft's hits are millions of
        rows at scale: no Python object per hit)."""
        ...

    def merge_fingerprints(self) -> int:
        """Fold fingerprints logged by add_file into the lookup table (after a batch); returns rows moved."""
        ...

    def fingerprint_bytes(self) -> int:
        """Approximate storage used by fingerprints, for the benchmark."""
        ...

    # -- phrase bank (金句), written with each original document ------------------------------
    def search_phrases(
        self, text: str, kind: str | None, include_paid: bool, limit: int = 50, offset: int = 0
    ) -> tuple[int, list[PhraseHit]]:
        """(total, page) of phrases containing `text` literally (empty = all), newest documents first.

        `kind` None = every kind; phrases from paid blocks only with include_paid."""
        ...

    # -- users, tokens, downloads -----------------------------------------------------------
    def add_user(self, name: str, tier: str, password_hash: str, expires: str | None = None) -> User: ...

    def user(self, name: str) -> User: ...

    def user_by_id(self, user_id: int) -> User: ...

    def users(self) -> list[User]: ...

    def set_tier(self, name: str, tier: str, expires: str | None = None) -> User: ...

    def password_hash(self, name: str) -> str | None: ...

    def set_password_hash(self, name: str, password_hash: str, keep_session: str | None = None) -> None:
        """Set the password and end the user's sessions (but `keep_session`, a secret hash), in one transaction."""
        ...

    # -- sessions and API tokens (store/state.py: shared by every process and node) -----------------
    def add_session(self, user_id: int, secret_hash: str, expires_at: str) -> int: ...

    def session_user(self, secret_hash: str) -> User | None:
        """The user of a session that is neither ended nor expired."""
        ...

    def end_session(self, secret_hash: str) -> None: ...

    def end_sessions(self, user_id: int, keep_hash: str | None = None) -> int: ...

    def sessions(self, user_id: int) -> list[SessionInfo]: ...

    def add_token(self, user_id: int, token_hash: str, expires_at: str | None = None) -> int:
        """Store a token's hash; returns the token's id (to list and revoke it)."""
        ...

    def user_by_token(self, token_hash: str) -> User | None:
        """The user of a token neither revoked nor expired (its last use is recorded)."""
        ...

    def tokens(self, user_id: int) -> list[TokenInfo]: ...

    def token(self, token_id: int) -> TokenInfo: ...

    def revoke_token(self, token_id: int, user_id: int | None = None) -> None: ...

    # -- rate limits and leases ---------------------------------------------------------------
    def hit_limits(self, limits: Sequence[tuple[str, int, int]], now: float | None = None) -> int | None:
        """Count one event on each (key, window seconds, most), all or none: None, or seconds to wait."""
        ...

    def unhit_limits(self, limits: Sequence[tuple[str, int]], now: float | None = None) -> None: ...

    def clear_limit(self, key: str) -> None: ...

    def acquire_lease(self, key: str, holder: str, seconds: float, now: float | None = None) -> bool:
        """Hold `key` for `seconds` unless someone else holds it (a crashed holder's lease runs out)."""
        ...

    def release_lease(self, key: str, holder: str) -> None: ...

    # -- downloads and the daily quota ---------------------------------------------------------
    def take_download(
        self, user_id: int, doc_ids: Sequence[int], fmt: str, at: str, quota: int | None
    ) -> int | None:
        """Spend one download per document and record it atomically; the download's id, or None when the
        day's quota has no room for all of them (nothing is spent)."""
        ...

    def cancel_download(self, download_id: int) -> None: ...

    def record_download(self, user_id: int, doc_ids: Sequence[int], fmt: str, at: str) -> int:
        """Record a download with no quota (it still counts); returns its id (which the trace mark carries)."""
        ...

    def downloads_on(self, user_id: int, day: str) -> int:
        """How many documents the user downloaded on a day (YYYY-MM-DD, UTC)."""
        ...

    # -- upload jobs ------------------------------------------------------------------------------
    def add_job(self, job_id: str, user: str, files: Sequence[str], total: int) -> None: ...

    def update_job(
        self, job_id: str, done: int, current: str, finished: bool = False, error: str = "",
        report: str | None = None,
    ) -> None: ...

    def job(self, job_id: str) -> JobRow | None: ...

    # -- drafts (writing desk) ----------------------------------------------------------------
    def save_draft(self, user_id: int, draft_id: int | None, title: str, body: str) -> int: ...

    def update_draft(self, user_id: int, draft_id: int, title: str, body: str, version: int) -> int:
        """Save the draft loaded at `version`; the new version, or EditConflict when it changed since."""
        ...

    def append_draft(self, user_id: int, draft_id: int, text: str) -> int:
        """Append a paragraph in one statement; returns the new version."""
        ...

    def draft(self, user_id: int, draft_id: int) -> tuple[str, str]: ...

    def draft_state(self, user_id: int, draft_id: int) -> tuple[str, str, int]:
        """(title, body, version)."""
        ...

    def drafts(self, user_id: int) -> list[tuple[int, str, str]]:
        """(id, title, updated_at) of a user's drafts."""
        ...

    def delete_draft(self, user_id: int, draft_id: int) -> None: ...

    # -- settings kept in the library (secret keys) ------------------------------------------
    def meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...

    # -- membership codes (store/codes.py) -------------------------------------------------------
    def add_codes(self, hashes: Sequence[str], batch: str, tier: str, days: int) -> None: ...

    def redeem_code(self, code_hash: str, user_id: int, today: date) -> Redemption:
        """Mark the code used and extend the user's membership in one transaction."""
        ...

    def code_batches(self) -> list[CodeBatch]: ...

    def redemptions_by_day(self, since: str) -> list[tuple[str, int]]: ...

    # -- what users look for, what is new to them (store/activity.py) ---------------------------
    def log_searches(self, searches: Sequence[LoggedSearch], keep_days: int) -> None:
        """Log searches (query, total, tier; never who) and drop rows past keep_days."""
        ...

    def prune_search_log(self, keep_days: int) -> None: ...

    def top_searches(self, since_day: str, limit: int = 20, no_results: bool = False) -> list[QueryCount]: ...

    def per_day(self, what: str, since_day: str) -> list[tuple[str, int]]:
        """(day, count) of "searches", "documents" or "downloads" since a day."""
        ...

    def downloads_by_tier(self, since_day: str) -> dict[str, int]: ...

    def active_members(self, today: str) -> int: ...

    def save_search(self, user_id: int, query: str) -> SavedSearch: ...

    def saved_searches(self, user_id: int) -> list[SavedSearch]: ...

    def mark_search_seen(self, user_id: int, search_id: int) -> None: ...

    def delete_saved_search(self, user_id: int, search_id: int) -> None: ...

    def set_disabled(self, user_id: int, disabled: bool) -> None:
        """Disable an account and end its sessions (its tokens stop working), or enable it again."""
        ...
