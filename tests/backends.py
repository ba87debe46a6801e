"""Library URLs for tests that run on both backends: a SQLite file always, a fresh PostgreSQL schema when
SUCAI_TEST_PG names a server (dropped afterwards). Import `backend_url` into a test module to use it."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from functools import cache
from pathlib import Path
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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL naming an empty library: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield str(tmp_path / "lib.db")
        return
    reason = pg_unavailable()
    if reason:
        pytest.skip(reason)
    schema = f"t_state_{secrets.token_hex(5)}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_search_path(PG_URL, schema)
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")
