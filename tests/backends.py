"""Library URLs for tests that run on both backends: a SQLite file always, a fresh PostgreSQL schema when
SUCAI_TEST_PG names a server (dropped afterwards). Import `backend_url` into a test module to use it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pg_helpers import pg_schema


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL naming an empty library: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield str(tmp_path / "lib.db")
        return
    with pg_schema("t_state") as url:
        yield url
