"""Running the service: the daily digest, saved searches with what is new, the search log and its retention,
the admin figures, publishing dated folders of .docx, and the webhook for group bots."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import docx
import pytest

from sucai import access
from sucai.library import Library, open_library
from sucai.settings import Settings

DEMO = Path(__file__).resolve().parents[1] / "src" / "sucai" / "demo"


def note(title: str, body: str) -> str:
    return f"{title}\n同志们：\n{body}\n"


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    library = open_library(settings=Settings(db=str(tmp_path / "lib.db"), secret_key="k"))
    library.ingest(sorted(DEMO.iterdir()))
    yield library
    library.close()


def test_the_digest_lists_todays_originals_by_genre_with_topic_counts(lib: Library) -> None:
    digest = lib.digest(access.today(), viewer=access.GUEST)
    originals = [d for d in lib.documents_since(access.today().isoformat(), limit=100) if d.duplicate_of is None]
    assert digest.total == len(originals) > 0
    assert sum(len(docs) for docs in digest.by_genre.values()) == digest.total
    assert "发言材料" in digest.by_genre
    assert lib.digest(access.today() - timedelta(days=1)).total == 0


def test_the_search_log_keeps_queries_and_tiers_but_never_who(lib: Library, tmp_path: Path) -> None:
    alice = lib.add_user("alice", "member", "a-long-password", "2099-01-01")
    for query, viewer in [("调查研究", access.GUEST), ("调查研究", alice), ("无此内容的查询词", access.GUEST)]:
        lib.log_search(query, lib.search(query, viewer=viewer), viewer)
    assert [q.query for q in lib.admin_stats().top_searches][:1] == ["调查研究"]  # pending ones count too
    since = access.today().isoformat()
    assert [(q.query, q.count) for q in lib.store.top_searches(since)][:1] == [("调查研究", 2)]
    assert [q.query for q in lib.store.top_searches(since, no_results=True)] == ["无此内容的查询词"]
    with lib.store.transaction(write=False) as cur:
        cur.execute("SELECT * FROM search_log")
        rows = cur.fetchall()
    assert rows and not any("alice" in str(row) for row in rows)
    assert {row[-1] for row in rows} == {"guest", "member"}


def test_searches_reach_the_log_without_a_write_per_search(lib: Library) -> None:
    for n in range(30):
        lib.log_search(f"查询{n}", lib.search("调查研究"), access.GUEST)
    deadline = time.monotonic() + 10
    while dict(lib.store.per_day("searches", access.today().isoformat())).get(access.today().isoformat(), 0) < 30:
        assert time.monotonic() < deadline, "the log was not written within 10 s"
        time.sleep(0.1)
    path = lib.settings.db
    lib.log_search("最后一条", lib.search("调查研究"), access.GUEST)
    lib.close()  # what is pending is written on close
    with open_library(settings=Settings(db=path)) as again:
        assert "最后一条" in [q.query for q in again.store.top_searches("2000-01-01", limit=100)]


def test_the_search_log_keeps_no_more_days_than_configured(tmp_path: Path) -> None:
    with open_library(settings=Settings(db=str(tmp_path / "a.db"), search_log_days=0)) as lib:
        lib.log_search("调查研究", lib.search("调查研究"), access.GUEST)
        assert lib.store.top_searches("2000-01-01") == []
    with open_library(settings=Settings(db=str(tmp_path / "b.db"), search_log_days=30)) as lib:
        with lib.store.transaction() as cur:
            cur.execute("INSERT INTO search_log (at, day, query, total, tier) VALUES ('2001-01-01T00:00:00+00:00',"
                        " '2001-01-01', '旧查询', 0, 'guest')")
        lib.log_search("新查询", lib.search("新查询"), access.GUEST)
        lib.search_log.flush()
        lib.store.prune_search_log(30)
        assert [q.query for q in lib.store.top_searches("2000-01-01")] == ["新查询"]


def test_saved_searches_show_what_is_new_since_the_last_visit(lib: Library, tmp_path: Path) -> None:
    alice = lib.add_user("alice", "member", "a-long-password", "2099-01-01")
    saved = lib.save_search(alice, "河长制")
    assert [n.new for n in lib.saved_search_news(alice)] == [[]]
    new_file = tmp_path / "河长制.txt"
    body = "全面推行河长制，是落实绿色发展理念的重要举措。"
    new_file.write_text(note("关于全面推行河长制的讲话", body), encoding="utf-8")
    other = tmp_path / "other.txt"
    other.write_text(note("关于秋冬季防火的讲话", "秋冬季节天干物燥，防火形势严峻。"), encoding="utf-8")
    with lib.store.transaction() as cur:  # the visit happened a moment before these documents arrived
        cur.execute("UPDATE saved_searches SET seen_at = '2000-01-01T00:00:00+00:00' WHERE id = ?", (saved.id,))
    lib.ingest([new_file, other])
    [news] = lib.saved_search_news(alice)
    assert [d.title for d in news.new] == ["关于全面推行河长制的讲话"]
    lib.store.mark_search_seen(alice.id, saved.id)
    assert [n.new for n in lib.saved_search_news(alice)] == [[]]


def test_publish_writes_dated_folders_once(lib: Library, tmp_path: Path) -> None:
    out = tmp_path / "共享盘"
    written = lib.publish(out, access.today())
    day = access.today().isoformat()
    assert written and all(p.parent == out / day and p.suffix == ".docx" for p in written)
    titles = {docx.Document(str(p)).core_properties.title for p in written}
    assert "xx县农业农村局2025年乡村振兴工作总结暨2026年工作打算" in titles
    assert lib.publish(out, access.today()) == []  # nothing new: nothing written again


def test_admin_stats_count_documents_searches_and_members(lib: Library) -> None:
    lib.add_user("m", "member", "a-long-password", "2099-01-01")
    lib.add_user("old", "member", "a-long-password", "2001-01-01")
    lib.log_search("调查研究", lib.search("调查研究"), access.GUEST)
    lib.make_codes("svip", 30, 3)
    stats = lib.admin_stats(days=7)
    today = access.today().isoformat()
    assert len(stats.days) == 7 and stats.days[-1] == today
    assert dict(stats.documents_per_day)[today] > 0 and dict(stats.searches_per_day)[today] == 1
    assert stats.active_members == 1 and (stats.codes_made, stats.codes_redeemed) == (3, 0)


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_the_webhook_announces_new_titles_and_links_only(tmp_path: Path) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        settings = Settings(db=str(tmp_path / "lib.db"), webhook_url=url, public_url="https://lib.example/")
        with open_library(settings=settings) as lib:
            lib.ingest([DEMO / "03_在xx县2025年安全生产工作会议上的讲话.txt"])
            for _ in range(100):
                if _Hook.received:
                    break
                threading.Event().wait(0.05)
    finally:
        server.shutdown()
    [message] = _Hook.received
    assert message["event"] == "new_documents" and message["count"] == 1
    [doc] = message["documents"]
    assert doc["url"] == f"https://lib.example/d/{doc['id']}" and "安全生产" in doc["title"]
    assert set(doc) == {"id", "title", "url"}  # no text
