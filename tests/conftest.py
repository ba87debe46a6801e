"""Shared fixtures: documents written for the project (the demo set, tests/fixtures/), real SQLite libraries
under tmp_path, and real files from ../shared read in place for the tests whose point is fidelity to them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sucai.demo_setup import DEMO_DIR

SHARED = Path(os.environ.get("SUCAI_SHARED", Path(__file__).resolve().parents[2] / "shared"))
SAMPLE = "samples/000_c3783159abc01423.txt"
# Documents written for the tests, in the genre of what the library holds: a compilation of two speeches with
# a member-only part, obfuscated terms (主T教育, =+大), placeholders (xx, ××, X月X日) and a trailing
# advertisement; a report that is member-only all through but for its title.
FIXTURES = Path(__file__).resolve().parent / "fixtures"
COMPILATION = FIXTURES / "2024年主题教育专题学习研讨发言材料两篇.txt"
ALL_PAID = FIXTURES / "全文会员_关于××镇2024年度基层党建工作情况的报告.txt"


def project_documents() -> list[Path]:
    """The demo set and the test fixtures: 10 files, 13 documents, 7 with member-only parts (one all through)."""
    return [*sorted(p for p in DEMO_DIR.iterdir() if p.is_file()), COMPILATION, ALL_PAID]


def shared_path(relative: str) -> Path:
    """A file from ../shared, or skip the test with the reason when it is not there."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{path} is not present (third-party documents are read from ../shared, never committed)")
    return path


@pytest.fixture
def sample_text() -> str:
    return shared_path(SAMPLE).read_text(encoding="utf-8")


@pytest.fixture
def compilation_text() -> str:
    """The project's own compilation (member-only part, obfuscations, placeholders, an advertisement)."""
    return COMPILATION.read_text(encoding="utf-8")
