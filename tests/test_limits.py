"""Rate limits kept in the store: logins (spoofed X-Forwarded-For does not reset them unless the peer is a
trusted proxy), searches per guest address and per account, originality checks per account (per minute and
one at a time), shared by two app instances over one store; 429 with Retry-After, in Chinese on pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from state_web import build_library, client, csrf_of, login, reopen
from sucai.library import Library
from sucai.settings import Rate, Settings, parse_networks

PROXY = ("10.1.2.3", 40000)
TRUSTED = parse_networks("10.0.0.0/8")


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    library = build_library(tmp_path)
    yield library
    library.close()


def _guess(c: object, name: str, forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    token = csrf_of(c)  # type: ignore[arg-type]
    response = c.post("/login", data={"name": name, "password": "wrong-guess", "csrf": token},  # type: ignore[attr-defined]
                      headers=headers)
    return int(response.status_code)


def test_spoofed_forwarded_for_does_not_reset_the_login_limit(lib: Library) -> None:
    attacker = client(lib, peer=("203.0.113.7", 5000), login_attempts_per_minute=5)
    answers = [_guess(attacker, "member", f"198.51.100.{n}") for n in range(100)]
    assert answers[:5] == [400] * 5 and set(answers[5:]) == {429}


def test_a_trusted_proxy_names_the_client(lib: Library) -> None:
    proxy = client(lib, peer=PROXY, login_attempts_per_minute=3, trusted_proxies=TRUSTED)
    # ten clients behind the proxy, one guess each: each is its own address, none is refused
    assert [_guess(proxy, "svip", f"198.51.100.{n}") for n in range(10)] == [400] * 10
    # one client writing a new address of its own left of what the proxy saw: still one address
    answers = [_guess(proxy, "free", f"192.0.2.{n}, 198.51.100.77") for n in range(10)]
    assert answers[:3] == [400] * 3 and set(answers[3:]) == {429}
    # a right login from that client is refused too while the limit holds
    token = csrf_of(proxy)
    blocked = proxy.post("/login", data={"name": "free", "password": "correct-horse-1", "csrf": token},
                         headers={"X-Forwarded-For": "198.51.100.77"})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    assert "登录尝试过于频繁" in blocked.text


def test_an_untrusted_peer_is_its_own_address_whatever_it_forwards(lib: Library) -> None:
    near = client(lib, peer=("192.0.2.50", 1), login_attempts_per_minute=3, trusted_proxies=TRUSTED)
    answers = [_guess(near, "admin", f"10.0.0.{n}") for n in range(6)]
    assert answers == [400] * 3 + [429] * 3


def test_the_login_limit_is_shared_by_two_nodes(lib: Library, tmp_path: Path) -> None:
    other = reopen(lib, tmp_path / "index2", login_attempts_per_minute=3)
    try:
        one = client(lib, peer=("203.0.113.9", 1), login_attempts_per_minute=3)
        two = client(other, peer=("203.0.113.9", 2), login_attempts_per_minute=3)
        assert [_guess(one, "member"), _guess(two, "member"), _guess(one, "member")] == [400] * 3
        assert _guess(two, "member") == 429
    finally:
        other.close()


def test_a_success_gives_back_its_attempt(lib: Library) -> None:
    office = client(lib, peer=("203.0.113.20", 1), login_attempts_per_minute=1)  # 4 a minute per address
    for _ in range(6):  # more sign-ins from one address than its limit: successes are not held against it
        login(office, "free")
    assert _guess(office, "svip") == 400


def test_guest_searches_are_limited_per_address_across_two_nodes(lib: Library, tmp_path: Path) -> None:
    other = reopen(lib, tmp_path / "index2")
    try:
        limits = {"limit_search_guest": Rate(4)}
        one, two = client(lib, **limits), client(other, **limits)
        assert [one.get("/search?q=作风").status_code, two.get("/search?q=作风").status_code] == [200, 200]
        assert one.get("/api/search?q=作风").status_code == 200
        assert two.get("/api/search?q=作风").status_code == 200
        page = one.get("/search?q=作风")
        assert page.status_code == 429 and "搜索过于频繁" in page.text and int(page.headers["retry-after"]) > 0
        api = two.get("/api/search?q=作风")
        assert api.status_code == 429 and "error" in api.json() and int(api.headers["retry-after"]) > 0
        elsewhere = client(lib, peer=("203.0.113.99", 1), **limits)  # another address has its own count
        assert elsewhere.get("/search?q=作风").status_code == 200
        member = client(lib, **limits)
        login(member, "member")  # an account is counted by account, not by the address
        assert member.get("/search?q=作风").status_code == 200
    finally:
        other.close()


def test_account_searches_are_limited_per_account(lib: Library) -> None:
    here, there = client(lib, limit_search_account=Rate(3)), client(lib, peer=("198.51.100.1", 1),
                                                                     limit_search_account=Rate(3))
    login(here, "svip")
    login(there, "svip")
    answers = [c.get("/api/search?q=作风").status_code for c in (here, there, here, there)]
    assert answers == [200, 200, 200, 429]


def test_checks_are_limited_per_minute(lib: Library) -> None:
    token = lib.new_token("free")
    c = client(lib, limit_check=Rate(2))
    auth = {"Authorization": f"Bearer {token}"}
    draft = {"text": "坚持问题导向，聚焦群众反映强烈的突出问题。"}
    assert [c.post("/api/check", json=draft, headers=auth).status_code for _ in range(3)] == [200, 200, 429]
    refused = c.post("/api/check", json=draft, headers=auth)
    assert "查重过于频繁" in refused.json()["error"] and int(refused.headers["retry-after"]) > 0


def test_one_check_at_a_time_per_account(lib: Library) -> None:
    user = lib.user("member")
    assert lib.store.acquire_lease(f"check-running:user:{user.id}", "another-node", 60)  # a check in progress
    browser = client(lib)
    login(browser, "member")
    draft_id = lib.store.save_draft(user.id, None, "稿", "坚持问题导向。")
    page = browser.post(f"/desk/{draft_id}", data={"csrf": csrf_of(browser, "/desk"), "title": "稿",
                                                   "body": "坚持问题导向。", "action": "check"})
    assert page.status_code == 429 and "上一次查重尚未完成" in page.text and page.headers["retry-after"]
    lib.store.release_lease(f"check-running:user:{user.id}", "another-node")
    page = browser.post(f"/desk/{draft_id}", data={"csrf": csrf_of(browser, "/desk"), "title": "稿",
                                                   "body": "坚持问题导向。", "action": "check"})
    assert page.status_code == 200
    # a lease left by a crashed process runs out by itself
    assert lib.store.acquire_lease(f"check-running:user:{user.id}", "crashed", 60, now=0.0)
    assert browser.post("/api/check", json={"text": "坚持问题导向。"},
                        headers={"X-CSRF-Token": csrf_of(browser, "/desk")}).status_code == 200


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUCAI_LIMIT_SEARCH_GUEST", "30/min")
    monkeypatch.setenv("SUCAI_LIMIT_SEARCH_ACCOUNT", "1000/hour")
    monkeypatch.setenv("SUCAI_LIMIT_CHECK", "none")
    monkeypatch.setenv("SUCAI_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    settings = Settings.from_env(db="x.db")
    assert settings.limit_search_guest == Rate(30, 60)
    assert settings.limit_search_account == Rate(1000, 3600)
    assert settings.limit_check is None
    assert [str(n) for n in settings.trusted_proxies] == ["127.0.0.1/32", "10.0.0.0/8"]
    assert Settings().limit_search_guest == Rate(60) and Settings().trusted_proxies == ()
