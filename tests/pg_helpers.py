"""A fresh PostgreSQL schema per test (skipped when SUCAI_TEST_PG names no reachable server)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
import pytest

PG_URL = os.environ.get("SUCAI_TEST_PG", "")


@cache
def pg_unavailable() -> str | None:
    if not PG_URL:
        return "SUCAI_TEST_PG is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)"
    try:
        psycopg.connect(PG_URL, connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"PostgreSQL is unreachable: {exc}"
    return None


def with_search_path(url: str, schema: str) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query), ("options", f"-csearch_path={schema}")]
    return urlunsplit(parts._replace(query=urlencode(query)))


@contextmanager
def pg_schema(prefix: str = "t") -> Iterator[str]:
    """The URL of a new, empty schema, dropped afterwards."""
    reason = pg_unavailable()
    if reason:
        pytest.skip(reason)
    schema = f"{prefix}_{secrets.token_hex(6)}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_search_path(PG_URL, schema)
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")
