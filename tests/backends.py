"""Library URLs for tests that run on both backends: a SQLite file always, a fresh PostgreSQL schema when
SUCAI_TEST_PG names a server (dropped afterwards). Import `backend_url` into a test module to use it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pg_helpers import PG_URL, pg_unavailable, with_search_path


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
