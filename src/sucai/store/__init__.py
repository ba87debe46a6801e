"""Stores: open one by URL (a file path for SQLite, postgresql://... for PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from sucai.store.base import Change, Fingerprint, FingerprintHit, Store, StoredFile

__all__ = ["Change", "Fingerprint", "FingerprintHit", "Store", "StoredFile", "open_store"]


def open_store(url: str | Path) -> Store:
    text = str(url)
    if text.startswith(("postgresql://", "postgres://")):
        from sucai.store.postgres import PostgresStore

        return PostgresStore(text)
    from sucai.store.sqlite import SqliteStore

    return SqliteStore(text.removeprefix("sqlite:///"))
