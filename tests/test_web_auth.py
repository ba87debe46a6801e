"""Accounts on the web: sign-in, sessions, CSRF on every form, the login rate limit, Bearer tokens, admin only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from sucai.library import Library
from sucai.settings import Settings
from sucai.store import open_store
from sucai.web.auth import SESSION_COOKIE, LoginLimiter
from sucai.web.problems import RateLimited
from web_helpers import PASSWORD, app_routes, build_library, csrf_of, login, make_client, signed_client


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    library = build_library(tmp_path_factory.mktemp("auth"))
    yield library
    library.close()


def test_sign_in_sets_a_signed_http_only_lax_session_cookie(lib: Library) -> None:
    client = make_client(lib)
    response = client.post("/login", data={"name": "member", "password": PASSWORD, "csrf": csrf_of(client)})
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    account = client.get("/account")
    assert account.status_code == 200
    assert "member" in account.text and "会员" in account.text and "2099-12-31" in account.text


def test_the_session_cookie_is_secure_when_configured(lib: Library) -> None:
    """SUCAI_SECURE_COOKIES=1 behind HTTPS: the browser never sends the session over plain http."""
    client = make_client(lib, secure_cookies=True)
    client.base_url = "https://testserver"
    response = client.post("/login", data={"name": "member", "password": PASSWORD, "csrf": csrf_of(client)})
    assert response.status_code == 303
    flags = [f.strip().lower() for f in response.headers["set-cookie"].split(";")]
    assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags
    assert client.get("/account").status_code == 200  # over https the session works
    client.base_url = "http://testserver"
    assert client.get("/account").status_code == 303  # over http the cookie is not sent: a guest


def test_the_session_cookie_is_not_secure_by_default_so_plain_http_works(lib: Library) -> None:
    response = make_client(lib).get("/login")
    flags = [f.strip().lower() for f in response.headers["set-cookie"].split(";")]
    assert "secure" not in flags and "httponly" in flags


@pytest.mark.parametrize(("value", "secure"), [(None, False), ("0", False), ("1", True), ("true", True)])
def test_secure_cookies_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str | None, secure: bool
) -> None:
    if value is None:
        monkeypatch.delenv("SUCAI_SECURE_COOKIES", raising=False)
    else:
        monkeypatch.setenv("SUCAI_SECURE_COOKIES", value)
    assert Settings.from_env(db="x.db").secure_cookies is secure


def test_wrong_password_is_refused_with_a_message(lib: Library) -> None:
    client = make_client(lib, login_attempts_per_minute=100)
    response = client.post("/login", data={"name": "member", "password": "wrong-one", "csrf": csrf_of(client)})
    assert response.status_code == 400
    assert "用户名或密码错误" in response.text
    assert client.get("/account").status_code == 303  # still a guest: sent to the login page


def test_a_tampered_session_cookie_is_a_guest(lib: Library) -> None:
    value = signed_client(lib, "admin").cookies[SESSION_COOKIE]
    genuine, tampered = make_client(lib), make_client(lib)
    genuine.cookies.set(SESSION_COOKIE, value)
    tampered.cookies.set(SESSION_COOKIE, value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert genuine.get("/admin").status_code == 200
    assert tampered.get("/admin").status_code == 403


def test_sign_out_ends_the_session(lib: Library) -> None:
    client = signed_client(lib, "free")
    assert client.get("/account").status_code == 200
    assert client.post("/logout", data={"csrf": csrf_of(client, "/logout")}).status_code == 303
    assert client.get("/account").status_code == 303


def test_login_redirects_only_within_the_site(lib: Library) -> None:
    client = make_client(lib)
    for target, expected in [("/d/1", "/d/1"), ("//evil.example/x", "/"), ("https://evil.example", "/")]:
        response = client.post(
            "/login", data={"name": "free", "password": PASSWORD, "csrf": csrf_of(client), "next": target}
        )
        assert response.headers["location"] == expected


def test_a_page_that_needs_an_account_sends_guests_to_login_and_back(lib: Library) -> None:
    response = make_client(lib).get("/desk")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fdesk"


def _form_posts(lib: Library) -> list[str]:
    routes = app_routes(make_client(lib).app)
    return sorted(path for method, path in routes if method == "POST" and not path.startswith("/api/"))


def _fill(path: str) -> str:
    return path.replace("{draft_id}", "1").replace("{doc_id}", "1")


def test_every_form_post_without_the_csrf_token_is_refused(lib: Library) -> None:
    """As an admin (who may post every form), each form without its token, or with a wrong one, is 403."""
    client = signed_client(lib, "admin")
    client.post("/desk/new", data={"csrf": csrf_of(client, "/desk"), "title": "t"})
    posts = _form_posts(lib)
    assert {"/login", "/logout", "/desk/add", "/admin/upload", "/admin/tier", "/d/{doc_id}/download",
            "/download.zip"} <= set(posts)
    for path in posts:
        for token in ("", "forged-token"):
            data = {"csrf": token, "name": "free", "password": PASSWORD, "doc_id": "1", "title": "x", "tier": "svip"}
            files = {"files": ("a.txt", b"x")} if "upload" in path else None
            response = client.post(_fill(path), data=data, files=files)
            assert response.status_code == 403, f"{path} with token {token!r}: {response.status_code}"
            assert "表单已失效" in response.text
    assert lib.user("free").tier == "free"
    assert lib.downloads_today(lib.user("admin")) == 0


def test_a_reading_guest_gets_no_cookie_and_a_member_page_one_token_for_every_form(lib: Library) -> None:
    """Guests are told apart without the store (no cookie, no token); a member's document page has a form per
    paragraph, every one carrying the session's one token, which the form posts are checked against."""
    doc_id = lib.list_documents(limit=1)[1][0].id
    guest = make_client(lib)
    for path in ("/", "/search?q=工作", f"/d/{doc_id}"):
        page = guest.get(path)
        assert page.status_code == 200 and "set-cookie" not in page.headers, path
    member = signed_client(lib, "member")
    page = member.get(f"/d/{doc_id}").text
    tokens = re.findall(r'name="csrf" value="([^"]+)"', page)
    assert page.count('action="/desk/add"') >= 2 and len(tokens) > page.count('action="/desk/add"')
    assert set(tokens) == {csrf_of(member, f"/d/{doc_id}")}
    block = re.search(r'name="block" value="(\d+)"', page)
    assert block is not None
    added = member.post("/desk/add", data={"doc_id": doc_id, "block": block.group(1), "csrf": tokens[0]})
    assert added.status_code in {200, 303}


def test_a_guest_login_form_carries_a_token_too(lib: Library) -> None:
    client = make_client(lib)
    response = client.post("/login", data={"name": "free", "password": PASSWORD})
    assert response.status_code == 403


def test_login_attempts_are_limited_per_account_and_address(lib: Library) -> None:
    client = make_client(lib, login_attempts_per_minute=3)
    token = csrf_of(client)
    for _ in range(3):
        response = client.post("/login", data={"name": "svip", "password": "not-it", "csrf": token})
        assert response.status_code == 400
    blocked = client.post("/login", data={"name": "svip", "password": PASSWORD, "csrf": token})
    assert blocked.status_code == 429
    assert "登录尝试过于频繁" in blocked.text and "秒后再试" in blocked.text
    assert int(blocked.headers["retry-after"]) > 0
    other = client.post("/login", data={"name": "free", "password": PASSWORD, "csrf": token})
    assert other.status_code == 303  # another account from the same address is not locked out


def test_the_limiter_forgets_after_a_minute(tmp_path: Path) -> None:
    now = [1000.0]
    store = open_store(tmp_path / "limits.db")  # the limiter counts in the store, shared by every process
    limiter = LoginLimiter(store, 2, clock=lambda: now[0])
    limiter.attempt("a", "1.2.3.4")
    limiter.attempt("A ", "1.2.3.4")  # the same account, however typed
    with pytest.raises(RateLimited):
        limiter.attempt("a", "1.2.3.4")
    limiter.attempt("a", "5.6.7.8")  # another address
    now[0] += 61
    limiter.attempt("a", "1.2.3.4")
    limiter.succeeded("a", "1.2.3.4")
    limiter.attempt("a", "1.2.3.4")
    limiter.attempt("a", "1.2.3.4")
    store.close()


def test_the_limiter_caps_one_address_over_many_accounts(tmp_path: Path) -> None:
    store = open_store(tmp_path / "limits.db")
    limiter = LoginLimiter(store, 2, clock=lambda: 0.0)
    for n in range(8):
        limiter.attempt(f"user{n}", "9.9.9.9")
    with pytest.raises(RateLimited):
        limiter.attempt("someone-else", "9.9.9.9")
    store.close()


@pytest.mark.parametrize("who", [None, "free", "member", "expired", "svip"])
def test_admin_routes_are_for_admins_only(lib: Library, who: str | None) -> None:
    client = signed_client(lib, who)
    for path in ["/admin", "/admin/jobs/x", "/admin/jobs/x/progress"]:
        assert client.get(path).status_code == 403, path
    response = client.post("/admin/tier", data={"csrf": csrf_of(client), "name": "free", "tier": "admin"})
    assert response.status_code == 403
    assert lib.user("free").tier == "free"


def test_admin_can_change_a_tier(lib: Library) -> None:
    lib.add_user("promoted", "free", PASSWORD)
    client = signed_client(lib, "admin")
    response = client.post(
        "/admin/tier",
        data={"csrf": csrf_of(client, "/admin"), "name": "promoted", "tier": "member", "expires": "2030-01-31"},
    )
    assert response.status_code == 303
    assert lib.user("promoted").tier == "member" and lib.user("promoted").expires == "2030-01-31"
    page = client.get("/admin")
    assert "promoted" in page.text and "2030-01-31" in page.text


def test_bearer_tokens_name_the_user_on_the_api_and_pages(lib: Library) -> None:
    token = lib.new_token("svip")
    client = make_client(lib)
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["name"] == "svip" and me["tier"] == "svip" and me["can_read_paid"] is True
    assert client.get("/account", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/api/me").json()["tier"] == "guest"


@pytest.mark.parametrize("header", ["Bearer sc_not-a-token", "Basic dXNlcjpwYXNz", "Bearer "])
def test_a_bad_authorization_header_is_401(lib: Library, header: str) -> None:
    response = make_client(lib).get("/api/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert "error" in response.json()


def test_an_expired_membership_counts_as_a_free_account(lib: Library) -> None:
    client = signed_client(lib, "expired")
    me = client.get("/api/me").json()
    assert me["tier"] == "member" and me["effective_tier"] == "free" and me["can_read_paid"] is False
    assert "已到期" in client.get("/account").text


def test_an_api_token_from_the_account_page(lib: Library) -> None:
    client = signed_client(lib, "member")
    page = client.post("/account/token", data={"csrf": csrf_of(client, "/account")})
    token = page.text.split("data-copy-self>", 1)[1].split("<", 1)[0]
    assert token.startswith("sc_")
    assert make_client(lib).get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()["name"] == "member"


def test_pages_carry_security_headers(lib: Library) -> None:
    response = make_client(lib).get("/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_login_then_member_page(lib: Library) -> None:
    client = make_client(lib)
    login(client, "member")
    assert "退出" in client.get("/").text
