"""The running service on the web: redeeming codes (page and API), the admin's codes and charts, saved
searches, and today's digest on /new."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from sucai import access
from sucai.library import Library
from web_helpers import build_library, csrf_of, make_client, signed_client


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    library = build_library(tmp_path)
    yield library
    library.close()


def bearer(lib: Library, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {lib.new_token(name)}"}


def test_a_code_is_redeemed_once_through_the_api(lib: Library) -> None:
    first, second = lib.make_codes("svip", 30, 2)
    client = make_client(lib)
    answer = client.post("/api/redeem", json={"code": first}, headers=bearer(lib, "free"))
    assert answer.status_code == 200 and answer.json()["tier"] == "svip"
    assert answer.json()["expires"] == (access.today() + timedelta(days=30)).isoformat()
    again = client.post("/api/redeem", json={"code": first}, headers=bearer(lib, "member"))
    assert again.status_code == 409 and "已被使用" in again.json()["error"]
    assert client.post("/api/redeem", json={"code": "AAAAA-BBBBB-CCCCC-DDDDD"},
                       headers=bearer(lib, "member")).status_code == 404
    assert client.post("/api/redeem", json={"code": second}).status_code in {401, 403}  # a guest
    assert lib.user("free").tier == "svip"


def test_redeeming_is_rate_limited_per_account(lib: Library) -> None:
    client, headers = make_client(lib), bearer(lib, "free")
    answers = [client.post("/api/redeem", json={"code": f"AAAAA-BBBBB-CCCCC-{i:05d}"}, headers=headers)
               for i in range(12)]
    assert [a.status_code for a in answers[:10]] == [404] * 10
    assert answers[10].status_code == 429 and int(answers[10].headers["Retry-After"]) > 0


def test_the_account_page_redeems_and_reminds_of_an_ending_membership(lib: Library) -> None:
    soon = (access.today() + timedelta(days=5)).isoformat()
    lib.set_tier("member", "member", soon)
    client = signed_client(lib, "member")
    assert "还剩 5 天" in client.get("/account").text
    [code] = lib.make_codes("member", 30, 1)
    page = client.post("/account/redeem", data={"code": code.lower(), "csrf": csrf_of(client, "/account")})
    assert page.status_code == 200 and "兑换成功" in page.text
    assert lib.user("member").expires == (access.today() + timedelta(days=35)).isoformat()
    assert "还剩" not in client.get("/account").text


def test_admins_make_codes_as_a_csv_and_see_the_batches(lib: Library) -> None:
    admin = signed_client(lib, "admin")
    response = admin.post("/admin/codes", data={"tier": "svip", "days": 365, "count": 3,
                                                "csrf": csrf_of(admin, "/admin/codes")})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = response.content.decode("utf-8-sig").strip().splitlines()
    assert rows[0] == "code,tier,days" and len(rows) == 4
    assert all(re.fullmatch(r"[0-9A-Z]{5}(-[0-9A-Z]{5}){3},svip,365", r) for r in rows[1:])
    assert "0 / 3" in admin.get("/admin/codes").text
    assert signed_client(lib, "member").get("/admin/codes").status_code == 403


def test_the_admin_sees_charts_and_the_searches_that_found_nothing(lib: Library) -> None:
    guest = make_client(lib)
    for q in ("调查研究", "无此内容甲乙丙", "无此内容甲乙丙"):
        guest.get("/search", params={"q": q})
    page = signed_client(lib, "admin").get("/admin/stats")
    assert page.status_code == 200 and page.text.count("<svg") == 4
    no_results = page.text.split("搜不到的热门搜索")[1].split("热门搜索")[0]
    assert "无此内容甲乙丙" in no_results and "2 次" in no_results and "调查研究" not in no_results
    assert signed_client(lib, "free").get("/admin/stats").status_code == 403


def test_a_saved_search_lists_new_matches_until_marked_seen(lib: Library, tmp_path: Path) -> None:
    client = signed_client(lib, "member")
    assert client.post("/saved", data={"q": "河长制", "csrf": csrf_of(client, "/saved")}).status_code == 303
    with lib.store.transaction() as cur:
        cur.execute("UPDATE saved_searches SET seen_at = '2000-01-01T00:00:00+00:00'")
    new = tmp_path / "河长制.txt"
    new.write_text("关于全面推行河长制的讲话\n同志们：\n全面推行河长制，是重要举措。\n", encoding="utf-8")
    lib.ingest([new])
    page = client.get("/saved").text
    assert "新增 1 篇" in page and "关于全面推行河长制的讲话" in page
    saved_id = re.search(r'action="/saved/(\d+)/seen"', page).group(1)
    client.post(f"/saved/{saved_id}/seen", data={"csrf": csrf_of(client, "/saved")})
    assert "暂无新材料" in client.get("/saved").text


def test_new_is_todays_digest_by_genre(lib: Library) -> None:
    page = make_client(lib).get("/new").text
    digest = lib.digest(access.today(), access.GUEST)
    assert f"{digest.total} 篇" in page and "今日更新" in page
    for genre in digest.by_genre:
        assert f"{genre} <small>" in page


def test_a_disabled_account_cannot_sign_in_and_its_session_and_token_stop(lib: Library) -> None:
    member = signed_client(lib, "member")
    headers = bearer(lib, "member")
    client = make_client(lib)
    assert client.get("/api/me", headers=headers).status_code == 200
    admin = signed_client(lib, "admin")
    done = admin.post("/admin/disable", data={"name": "member", "disabled": "true", "csrf": csrf_of(admin, "/admin")})
    assert done.status_code == 303 and "已停用" in admin.get("/admin").text
    assert client.get("/api/me", headers=headers).status_code == 401
    assert member.get("/account").status_code in {302, 303}  # the session ended: back to the login page
    login = client.post("/login", data={"name": "member", "password": "correct-horse-1",
                                        "csrf": csrf_of(client, "/login")})
    assert login.status_code == 403 and "停用" in login.text
    admin.post("/admin/disable", data={"name": "member", "disabled": "false", "csrf": csrf_of(admin, "/admin")})
    assert signed_client(lib, "member").get("/account").status_code == 200
    assert admin.post("/admin/disable", data={"name": "admin", "csrf": csrf_of(admin, "/admin")}).status_code == 400
