"""What a backend's transaction yields (the one interface the store's SQL is written against)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class Cursor:
    """What a backend's transaction yields: execute with '?' placeholders, fetch rows as tuples."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        raise NotImplementedError

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        raise NotImplementedError

    def fetchall(self) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def fetchone(self) -> tuple[Any, ...] | None:
        raise NotImplementedError
