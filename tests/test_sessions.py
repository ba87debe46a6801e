"""Server-side sessions and API tokens: logout and a password change end sessions everywhere; tokens expire,
are listed and revoked (account page and CLI); nothing dynamic may be cached."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from state_web import PASSWORD, build_library, client, csrf_of, login, reopen
from sucai.cli import app as cli_app
from sucai.library import Library
from sucai.web.auth import SESSION_COOKIE

runner = CliRunner()


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    library = build_library(tmp_path_factory.mktemp("sessions"))
    yield library
    library.close()


def _cookie_of(c: object) -> str:
    value = c.cookies.get(SESSION_COOKIE)  # type: ignore[attr-defined]
    assert value
    return str(value)


def test_a_session_cookie_copied_before_logout_is_refused_after(lib: Library, tmp_path: Path) -> None:
    browser = client(lib)
    login(browser, "member")
    copied = _cookie_of(browser)
    assert browser.get("/api/me").json()["name"] == "member"
    assert browser.post("/logout", data={"csrf": csrf_of(browser, "/account")}).status_code == 303

    thief = client(lib)
    thief.cookies.set(SESSION_COOKIE, copied)
    assert thief.get("/api/me").status_code == 401
    thief.cookies.set(SESSION_COOKIE, copied)
    page = thief.get("/account")
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    # the same on another node: the session is a row in the store, not a cookie alone
    other = reopen(lib, tmp_path / "index2")
    try:
        node2 = client(other)
        node2.cookies.set(SESSION_COOKIE, copied)
        assert node2.get("/api/me").status_code == 401
    finally:
        other.close()


def test_a_live_session_works_on_another_node(lib: Library, tmp_path: Path) -> None:
    browser = client(lib)
    login(browser, "svip")
    other = reopen(lib, tmp_path / "index2")
    try:
        node2 = client(other)
        node2.cookies.set(SESSION_COOKIE, _cookie_of(browser))
        assert node2.get("/api/me").json()["name"] == "svip"
    finally:
        other.close()


def test_a_password_change_ends_the_other_sessions_only(lib: Library) -> None:
    lib.add_user("changer", "free", PASSWORD)
    here, elsewhere = client(lib), client(lib)
    login(here, "changer")
    login(elsewhere, "changer")
    response = here.post("/account/password", data={
        "csrf": csrf_of(here, "/account"), "current": PASSWORD, "password": "a-new-password-2",
    })
    assert response.status_code == 200 and "其他设备上的登录已全部退出" in response.text
    assert here.get("/api/me").json()["name"] == "changer"
    assert elsewhere.get("/api/me").status_code == 401
    assert elsewhere.get("/account").status_code == 303
    wrong = here.post("/account/password", data={
        "csrf": csrf_of(here, "/account"), "current": "not-it", "password": "another-one-3",
    })
    assert wrong.status_code == 400 and "当前密码不正确" in wrong.text
    lib.authenticate("changer", "a-new-password-2")


def test_a_revoked_or_expired_token_is_refused(lib: Library) -> None:
    token, info = lib.issue_token("member", timedelta(days=90))
    c = client(lib)
    auth = {"Authorization": f"Bearer {token}"}
    assert c.get("/api/me", headers=auth).json()["name"] == "member"
    assert info.expires_at is not None
    assert datetime.fromisoformat(info.expires_at) - datetime.now(UTC) > timedelta(days=89)
    lib.revoke_token(info.id)
    refused = c.get("/api/me", headers=auth)
    assert refused.status_code == 401 and "error" in refused.json()
    assert c.get("/account", headers=auth).status_code in {401, 303}
    gone, _ = lib.issue_token("member", timedelta(seconds=-1))
    assert c.get("/api/me", headers={"Authorization": f"Bearer {gone}"}).status_code == 401


def test_tokens_on_the_account_page(lib: Library) -> None:
    browser = client(lib)
    login(browser, "free")
    page = browser.post("/account/token", data={"csrf": csrf_of(browser, "/account"), "days": "30"})
    token = page.text.split("data-copy-self>", 1)[1].split("<", 1)[0]
    auth = {"Authorization": f"Bearer {token}"}
    assert client(lib).get("/api/me", headers=auth).json()["name"] == "free"
    [listed] = [t for t in lib.tokens("free") if t.live]
    assert listed.last_used is not None and listed.expires_at is not None
    assert f"/account/tokens/{listed.id}/revoke" in browser.get("/account").text
    assert browser.post(f"/account/tokens/{listed.id}/revoke").status_code == 403  # no CSRF token
    done = browser.post(f"/account/tokens/{listed.id}/revoke", data={"csrf": csrf_of(browser, "/account")})
    assert done.status_code == 303
    assert client(lib).get("/api/me", headers=auth).status_code == 401
    assert "已撤销" in browser.get("/account").text
    # another account's token cannot be revoked from here
    _other, theirs = lib.issue_token("svip", None)
    response = browser.post(f"/account/tokens/{theirs.id}/revoke", data={"csrf": csrf_of(browser, "/account")})
    assert response.status_code == 404 and lib.store.token(theirs.id).live


def _cli(*args: str) -> dict:
    result = runner.invoke(cli_app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_the_cli_lists_ends_issues_and_revokes(lib: Library) -> None:
    db = lib.settings.db
    lib.add_user("clier", "member", PASSWORD, "2099-12-31")
    one, two = client(lib), client(lib)
    login(one, "clier")
    login(two, "clier")
    live = _cli("user", "sessions", "clier", "--db", db)["sessions"]
    assert len(live) == 2 and all(s["ended_at"] is None for s in live)
    assert _cli("user", "logout", "clier", "--db", db)["ended"] == 2
    assert one.get("/api/me").status_code == 401 and two.get("/api/me").status_code == 401
    assert _cli("user", "sessions", "clier", "--db", db)["sessions"] == []

    issued = _cli("user", "token", "clier", "--expires", "90d", "--db", db)
    expires = datetime.fromisoformat(issued["expires_at"])
    assert timedelta(days=89) < expires - datetime.now(UTC) <= timedelta(days=90)
    default = _cli("user", "token", "clier", "--db", db)
    assert datetime.fromisoformat(default["expires_at"]) - datetime.now(UTC) > timedelta(days=364)
    auth = {"Authorization": f"Bearer {issued['token']}"}
    assert client(lib).get("/api/me", headers=auth).status_code == 200
    listed = {t["id"]: t for t in _cli("user", "tokens", "clier", "--db", db)["tokens"]}
    assert set(listed) == {issued["id"], default["id"]} and listed[issued["id"]]["last_used"]
    assert "token" not in json.dumps(listed).replace("tokens", "")  # values are never listed
    assert _cli("user", "revoke", str(issued["id"]), "--db", db)["revoked_at"]
    assert client(lib).get("/api/me", headers=auth).status_code == 401
    assert runner.invoke(cli_app, ["user", "revoke", "999999", "--db", db]).exit_code != 0


@pytest.mark.parametrize("path", ["/", "/account", "/api/me", "/search?q=作风", "/desk"])
def test_dynamic_answers_are_never_cached(lib: Library, path: str) -> None:
    browser = client(lib)
    login(browser, "member")
    response = browser.get(path)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"


def test_member_pages_and_downloads_are_not_cached_but_static_files_may_be(lib: Library) -> None:
    browser = client(lib)
    login(browser, "member")
    _total, docs = lib.list_documents(limit=1)
    doc_id = docs[0].id
    assert browser.get(f"/d/{doc_id}").headers["cache-control"] == "private, no-store"
    token = lib.new_token("member")
    export = browser.get(f"/api/documents/{doc_id}/export?format=txt", headers={"Authorization": f"Bearer {token}"})
    assert export.status_code == 200 and export.headers["cache-control"] == "private, no-store"
    assert "no-store" not in client(lib).get("/static/sucai.css").headers.get("cache-control", "")
