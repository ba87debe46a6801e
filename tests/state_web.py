"""For the tests of shared state on the web: a library of the bundled demo documents plus one document
written here whose text is member-only but for its title, one account per tier, apps and clients."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

from starlette.exceptions import StarletteDeprecationWarning

from sucai.demo_setup import DEMO_DIR
from sucai.library import Library, open_library
from sucai.settings import Rate, Settings
from sucai.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

PASSWORD = "correct-horse-1"
TIERS = {"free": "free", "member": "member", "svip": "svip", "admin": "admin"}
QUOTAS: dict[str, int | None] = {"guest": 0, "free": 1000, "member": 1000, "svip": 1000, "admin": None}
# Only the title is free: everything under it is member-only (written for these tests).
TITLE_ONLY = """关于全面加强机关作风建设的实施意见
##paidbegin##
为深入贯彻落实全面从严治党要求，切实转变机关作风，提高工作效能，结合本单位实际，提出如下实施意见。
一、总体要求
坚持问题导向，聚焦群众反映强烈的突出问题，以钉钉子精神推动作风建设常态化长效化。
二、主要任务
（一）强化理论武装。（二）严明纪律规矩。（三）提升服务效能。
##paidend##
"""
# Limits high enough that a test which is not about limits never meets one.
OPEN_LIMITS: dict[str, Any] = {
    "limit_search_guest": Rate(10_000), "limit_search_account": Rate(10_000), "limit_check": Rate(10_000),
    "limit_login_account": Rate(10_000), "login_attempts_per_minute": 1000,
}


def settings_for(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"quotas": dict(QUOTAS), "secret_key": "test-secret", **OPEN_LIMITS, **overrides}
    return Settings(db=url, **values)


def build_library(directory: Path, url: str | None = None, **overrides: Any) -> Library:
    """The demo documents and TITLE_ONLY in a new library (a SQLite file under `directory` unless `url`)."""
    lib = open_library(settings=settings_for(url or str(directory / "lib.db"), index_dir=directory / "index",
                                             **overrides))
    extra = directory / "in"
    extra.mkdir(exist_ok=True)
    (extra / "title_only.txt").write_text(TITLE_ONLY, encoding="utf-8")
    report = lib.ingest([DEMO_DIR, extra])
    assert report.documents and not report.failed, report
    for name, tier in TIERS.items():
        lib.add_user(name, tier, PASSWORD, "2099-12-31" if tier in {"member", "svip"} else None)
    return lib


def reopen(lib: Library, directory: Path, **overrides: Any) -> Library:
    """A second Library (another process or node) over the same store, with an index of its own."""
    return open_library(settings=settings_for(lib.settings.db, index_dir=directory, **overrides))


def client(lib: Library, peer: tuple[str, int] = ("testclient", 50000), **overrides: Any) -> TestClient:
    from dataclasses import replace

    app = create_app(replace(lib.settings, **overrides), lib)
    return TestClient(app, follow_redirects=False, client=peer)


def csrf_of(c: TestClient, path: str = "/login") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', c.get(path).text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def login(c: TestClient, name: str, password: str = PASSWORD) -> None:
    response = c.post("/login", data={"name": name, "password": password, "csrf": csrf_of(c)})
    assert response.status_code == 303, response.text


def doc_id_titled(lib: Library, title: str) -> int:
    _total, docs = lib.list_documents(limit=1000)
    return next(d.id for d in docs if d.title == title)
