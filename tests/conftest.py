"""Shared fixtures: real files from ../shared read in place, real SQLite libraries under tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("SUCAI_SHARED", Path(__file__).resolve().parents[2] / "shared"))
SAMPLE = "samples/000_c3783159abc01423.txt"


def shared_path(relative: str) -> Path:
    """A file from ../shared, or skip the test with the reason when it is not there."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{path} is not present (third-party documents are read from ../shared, never committed)")
    return path


@pytest.fixture
def sample_text() -> str:
    return shared_path(SAMPLE).read_text(encoding="utf-8")
