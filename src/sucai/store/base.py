"""The Store protocol: the one source of truth. SQLite (default) and PostgreSQL implement it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from sucai.model import Document, DocumentSummary, PhraseHit, User
from sucai.store.bodies import DocumentText

if TYPE_CHECKING:
    from sucai.compose.phrases import Phrase


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


@dataclass(frozen=True)
class Fingerprint:
    hash: int
    pos: int  # offset in the document's normalised text (see originality.fingerprint)


@dataclass(frozen=True)
class FingerprintHit:
    hash: int
    doc_id: int
    pos: int


class Store(Protocol):
    """Everything sucai keeps. Each method is one transaction unless it says otherwise."""

    url: str

    def close(self) -> None: ...

    # -- files and documents -------------------------------------------------------------
    def has_file(self, sha256: str) -> bool: ...

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

    # -- change log for derived indexes ----------------------------------------------------
    def last_seq(self) -> int: ...

    def changes_since(self, seq: int, limit: int = 10_000) -> list[Change]: ...

    # -- fingerprints (originality check) ----------------------------------------------------
    def lookup_fingerprints(self, hashes: Sequence[int]) -> list[FingerprintHit]: ...

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

    def set_password_hash(self, name: str, password_hash: str) -> None: ...

    def add_token(self, user_id: int, token_hash: str) -> None: ...

    def user_by_token(self, token_hash: str) -> User | None: ...

    def record_download(self, user_id: int, doc_ids: Sequence[int], fmt: str, at: str) -> int:
        """Record a download; returns its id (which the trace mark carries)."""
        ...

    def downloads_on(self, user_id: int, day: str) -> int:
        """How many downloads the user made on a day (YYYY-MM-DD, UTC)."""
        ...

    # -- drafts (writing desk) ----------------------------------------------------------------
    def save_draft(self, user_id: int, draft_id: int | None, title: str, body: str) -> int: ...

    def draft(self, user_id: int, draft_id: int) -> tuple[str, str]: ...

    def drafts(self, user_id: int) -> list[tuple[int, str, str]]:
        """(id, title, updated_at) of a user's drafts."""
        ...

    def delete_draft(self, user_id: int, draft_id: int) -> None: ...

    # -- settings kept in the library (secret keys) ------------------------------------------
    def meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...
