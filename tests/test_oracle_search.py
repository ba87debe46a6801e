"""Search is no oracle on member-only text: a viewer without member access gets from a library
exactly the answers a copy of it without the member-only text would give.

Library A holds documents written here from a seeded random generator, with random member-only paragraphs
(headings, topic keywords, a year, an obfuscated term, a genre cue, parallel runs in them); library B holds
the same files with the member-only text deleted from the source (a document that is member-only but for
its title is stored as its title alone, so ids and counts match). A guest, a free account and an expired
member then ask both libraries many questions through the web API: searches (substrings of member-only
text, of free text, across the boundary, exclusions, AND, OR, title:/year:/genre:/tag: filters, one
character), suggestions, the phrase bank, documents, lists, /new, the feed and the home page. The answers
must be identical, bit for bit. A member gets the member-only matches from A (so none of it is vacuous),
and the attack of the issue (extend a known prefix one character at a time) recovers nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sucai.ingest.classify import classify
from sucai.ingest.clean import load_rules
from sucai.library import Library, open_library
from sucai.model import Block, Document
from sucai.settings import Settings
from sucai.store.base import StoredFile
from web_helpers import ACCOUNTS, PASSWORD, QUOTAS, TestClient, make_client, signed_client

SEED = 20240913
# Characters of the random text: no numerals, brackets or salutation words, so that no random line is
# taken for a heading, a salutation or a paywall marker; few enough that substrings recur across documents.
ALPHABET = "学习工作发展建设推进落实加强完善提升创新服务群众基层治理组织制度责任经济社会文化生态质量效能"
PARALLEL = "以学铸魂、以学增智、以学正风、以学促干"
KNOWN = "凝心聚力真抓实干"  # ends a free paragraph; a member-only paragraph goes on from it (the attack's start)
SECRET_CHARS = 24


@dataclass
class Source:
    """One file of the library: its lines, each free or member-only."""

    name: str
    title: str
    lines: list[tuple[str, bool]] = field(default_factory=list)  # (text, member-only)

    @property
    def all_paid(self) -> bool:
        return all(paid for _text, paid in self.lines)

    def text(self, with_paid: bool) -> str:
        """The file as library A (with_paid) or B stores it: markers around each member-only run."""
        out = [self.title]
        paid_open = False
        for text, paid in self.lines:
            if paid and not with_paid:
                continue
            if paid != paid_open and with_paid:
                out.append("##paidbegin##" if paid else "##paidend##")
                paid_open = paid
            out.append(text)
        if paid_open:
            out.append("##paidend##")
        return "\n".join(out) + "\n"


def _sentence(rng: random.Random, low: int = 16, high: int = 48) -> str:
    chars = [rng.choice(ALPHABET) for _ in range(rng.randint(low, high))]
    for i in range(6, len(chars) - 4, rng.randint(7, 12)):
        chars[i] = "，"
    return "".join(chars) + "。"


def _paid_extras(rng: random.Random, k: int) -> list[str]:
    """Member-only lines that would change the document's facts if they leaked into them."""
    extras = [
        f"在乡村振兴上，{_sentence(rng, 8, 12)[:-1]}，乡村振兴要久久为功，乡村振兴见实效。",
        f"2019年以来，{_sentence(rng)}",
        f"深入开展主T教育，{_sentence(rng)}",
        f"二、{_sentence(rng, 6, 10)[:-1]}",
        f"坚持{PARALLEL}，{_sentence(rng)}",
        f"{_sentence(rng)[:-1]}。发言完毕，不妥之处请批评指正。",
    ]
    return [extras[(k + i) % len(extras)] for i in range(rng.randint(1, 3))]


def make_sources(count: int = 30) -> list[Source]:
    rng = random.Random(SEED)
    sources: list[Source] = []
    for k in range(count):
        title = f"关于{_sentence(rng, 4, 8)[:-1].replace('，', '')}的材料{k}"
        if k % 5 == 1:
            title = f"2024年{title}"
        src = Source(f"{k:02d}.txt", title)
        kind = k % 6  # 0: all free; 1-3: member-only part in the middle or at the end; 4: all member-only
        if kind == 4:
            src.lines = [(line, True) for line in ["同志们：", _sentence(rng), *_paid_extras(rng, k), _sentence(rng)]]
        else:
            src.lines = [("同志们：", False), ("一、" + _sentence(rng, 6, 10)[:-1], False),
                         (_sentence(rng), False)]
            if kind == 2:
                src.lines.append((f"我们要{PARALLEL}。", False))
            if kind:
                src.lines += [(_sentence(rng), True) for _ in range(rng.randint(1, 3))]
                src.lines += [(line, True) for line in _paid_extras(rng, k)]
            if kind in (1, 3, 5):
                src.lines.append((_sentence(rng), False))
        sources.append(src)
    # The attack's start: KNOWN ends a free paragraph of one document and opens a member-only one of another.
    sources[1].lines.insert(2, (f"{_sentence(rng)[:-1]}，{KNOWN}。", False))
    # A phrase-bank entry met first in member-only text, then in free text of the same document.
    first_paid = next(i for i, (_t, paid) in enumerate(sources[5].lines) if paid)
    sources[5].lines.insert(first_paid, (f"坚持{PARALLEL}。", True))
    sources[5].lines.append((f"始终{PARALLEL}。", False))
    secret = "".join(rng.choice(ALPHABET) for _ in range(SECRET_CHARS))
    sources[3].lines.insert(-1, (f"{KNOWN}{secret}。", True))
    return sources


def secret_of(sources: list[Source]) -> str:
    line = next(text for text, paid in sources[3].lines if paid and text.startswith(KNOWN))
    return line[len(KNOWN) : -1]


# -- the two libraries ----------------------------------------------------------------------------------
def _settings(db: Path) -> Settings:
    options: dict[str, Any] = {"quotas": dict(QUOTAS), "secret_key": "test-secret"}
    names = {f.name for f in dataclasses.fields(Settings)}
    options.update({name: None for name in ("limit_search_guest", "limit_search_account") if name in names})
    return Settings(db=str(db), **options)


def _title_alone(src: Source, name: str) -> tuple[StoredFile, Document]:
    """Library B's copy of a document that is member-only but for its title: the title block alone."""
    data = src.title.encode()
    facts = classify(src.title, "", topics=load_rules().topics)
    doc = Document(
        None, src.title, [Block("title", src.title)], source=name, year=facts.year, genre=facts.genre,
        tags=facts.tags, body_sha256=hashlib.sha256(data).hexdigest(),
    )
    return StoredFile(name, hashlib.sha256(data).hexdigest(), data, "txt"), doc


def build(directory: Path, sources: list[Source], with_paid: bool) -> Library:
    """One file at a time (each its own index commit), so both libraries grow through the same steps."""
    directory.mkdir()
    lib = open_library(settings=_settings(directory / "lib.db"))
    for src in sources:
        path = directory / src.name
        if src.all_paid and not with_paid:
            stored, doc = _title_alone(src, str(path))
            lib.store.add_file(stored, [doc], [[]])
            lib.engine.sync()
            continue
        path.write_text(src.text(with_paid), encoding="utf-8")
        report = lib.ingest([path])
        assert len(report.documents) == 1 and not report.failed, report
    for name, (tier, expires) in ACCOUNTS.items():
        lib.add_user(name, tier, PASSWORD, expires)
    return lib


@dataclass
class Pair:
    sources: list[Source]
    a: Library
    b: Library
    clients: dict[str, tuple[TestClient, TestClient]]  # viewer -> (client of A, client of B)


VIEWERS = (None, "free", "expired")


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    root = tmp_path_factory.mktemp("oracle")
    sources = make_sources()
    a, b = build(root / "a", sources, True), build(root / "b", sources, False)
    clients = {str(v): (signed_client(a, v), signed_client(b, v)) for v in (*VIEWERS, "member")}
    yield Pair(sources, a, b, clients)
    for ca, cb in clients.values():
        ca.close()
        cb.close()
    a.close()
    b.close()


# -- the questions --------------------------------------------------------------------------------------
def _pieces(rng: random.Random, text: str, sizes: tuple[int, ...], n: int) -> list[str]:
    out = []
    for _ in range(n):
        size = min(rng.choice(sizes), len(text))
        start = rng.randrange(0, len(text) - size + 1)
        out.append(text[start : start + size])
    return out


def queries(sources: list[Source]) -> list[str]:
    rng = random.Random(SEED + 1)
    paid = [t for s in sources for t, p in s.lines if p]
    free = [t for s in sources for t, p in s.lines if not p]
    sizes = (1, 2, 3, 4, 6, 9, 14)
    paid_bits = [q for t in paid for q in _pieces(rng, t, sizes, 2)]
    free_bits = [q for t in free for q in _pieces(rng, t, sizes, 1)]
    boundary = [
        s.lines[i][0][-3:] + s.lines[i + 1][0][:3]
        for s in sources for i in range(len(s.lines) - 1) if s.lines[i][1] != s.lines[i + 1][1]
    ]
    common = _pieces(rng, "".join(free), (2,), 8)
    mixed = [
        *[f"{rng.choice(common)} -{q}" for q in rng.sample(paid_bits, 25)],
        *[f"{rng.choice(free_bits)} {q}" for q in rng.sample(paid_bits, 15)],
        *[f"{q} OR {rng.choice(free_bits)}" for q in rng.sample(paid_bits, 10)],
        *[f"title:{_pieces(rng, s.title, (2, 3), 1)[0]} {rng.choice(paid_bits)}" for s in sources[:10]],
        *[f"title:{_pieces(rng, s.title, (2, 4), 1)[0]}" for s in sources[::3]],
        "year:2019", "year:2018-2020", "year:2024", "tag:乡村振兴", "tag:主题教育", "genre:发言材料",
        f"{rng.choice(common)} tag:乡村振兴", f"{rng.choice(common)} -tag:乡村振兴", f"{rng.choice(common)} year:2019",
        "genre:发言材料 OR genre:工作报告", "乡村振兴", "主题教育", "主T教育", "发言完毕", PARALLEL, "以学正风",
        f'"{KNOWN[:3]} {KNOWN[3:]}"',
    ]
    singles = list(dict.fromkeys(ALPHABET + "，。以二"))
    found = [*paid_bits, *rng.sample(free_bits, 30), *boundary, *mixed, *singles]
    return list(dict.fromkeys(q for q in found if q.strip("，。 ") and not q.startswith("-")))


def _hits(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The hits as compared: the lock flag aside (A's hit of a document with a member-only part is locked:
    its lock notice invites to join), ties in score ordered by id (the order within a tie is layout)."""
    hits = [(h["score"], h["id"], h["title"], tuple(h["snippets"])) for h in body["hits"]]
    scores = [h[0] for h in hits]
    assert scores == sorted(scores, reverse=True)
    return sorted(hits, key=lambda h: (-h[0], h[1]))


def search_answer(client: TestClient, q: str) -> tuple[Any, ...]:
    response = client.get("/api/search", params={"q": q, "limit": 100})
    assert response.status_code in (200, 400), response.text
    body = response.json()
    if response.status_code == 400:
        return ("error", body)
    return body["total"], _hits(body), body["facets"]


def test_the_libraries_differ_only_in_member_only_text(pair: Pair) -> None:
    total_a, docs_a = pair.a.list_documents(limit=1000)
    total_b, docs_b = pair.b.list_documents(limit=1000)
    assert total_a == total_b == len(pair.sources)
    assert [d.title for d in docs_a] == [d.title for d in docs_b]
    assert [d.id for d in docs_a] == [d.id for d in docs_b]
    paid_docs = [d for d in docs_a if pair.a.store.document(d.id).has_paid]
    assert len(paid_docs) >= 20 and not any(pair.b.store.document(d.id).has_paid for d in docs_b)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_search_answers_a_viewer_without_access_as_if_member_text_did_not_exist(pair: Pair, viewer: str) -> None:
    ca, cb = pair.clients[str(viewer)]
    asked = queries(pair.sources)
    assert len(asked) >= 150
    differ = [q for q in asked if search_answer(ca, q) != search_answer(cb, q)]
    assert not differ, f"{len(differ)} of {len(asked)} queries answer differently, e.g. {differ[:5]}"


def test_a_member_gets_the_member_only_matches(pair: Pair) -> None:
    """Not vacuous: the same questions tell a member of A what B does not hold."""
    ma, _mb = pair.clients["member"]
    ga, _gb = pair.clients["None"]
    asked = queries(pair.sources)
    more = [q for q in asked if search_answer(ma, q)[0] > search_answer(ga, q)[0]]
    assert len(more) >= 40
    secret = secret_of(pair.sources)
    assert search_answer(ma, secret[:6])[0] == 1 and search_answer(ga, secret[:6])[0] == 0


def _guest_signals(client: TestClient, text: str) -> tuple[Any, ...]:
    """What the attack of the issue reads for a candidate: the total for it, and what excluding it does."""
    return (search_answer(client, text)[0], search_answer(client, f"{KNOWN} -{text}")[0],
            search_answer(client, f"{KNOWN[:4]} {text}")[0])


def recover(client: TestClient, start: str, steps: int) -> str:
    """Extend `start` one character at a time while some candidate gives a signal that it continues."""
    baseline = _guest_signals(client, start + "\u3007")  # a character in no document
    found = ""
    for _ in range(steps):
        follow = [c for c in ALPHABET if _guest_signals(client, start + found + c) != baseline]
        if len(follow) != 1:
            break
        found += follow[0]
    return found


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_prefix_extension_attack_recovers_nothing(pair: Pair, viewer: str) -> None:
    ca, _cb = pair.clients[str(viewer)]
    assert search_answer(ca, KNOWN)[0] >= 1  # the start is free text the attacker may know
    assert recover(ca, KNOWN, 6) == ""


def test_the_prefix_extension_attack_works_for_a_member(pair: Pair) -> None:
    ma, _mb = pair.clients["member"]
    assert recover(ma, KNOWN, 8) == secret_of(pair.sources)[:8]


def _prefixes(sources: list[Source]) -> list[str]:
    rng = random.Random(SEED + 2)
    heads = [t for s in sources for t, _p in s.lines if t.startswith(("一、", "二、"))] + [s.title for s in sources]
    found = [p for h in heads for p in _pieces(rng, h, (1, 2, 3, 4), 2)]
    return list(dict.fromkeys([*found, "二、", "一、", "关于", "gy", "guanyu", "xx", "yx", "er"]))


@pytest.mark.parametrize("viewer", VIEWERS)
def test_suggestions_come_from_titles_and_free_headings_only(pair: Pair, viewer: str) -> None:
    ca, cb = pair.clients[str(viewer)]
    differ = []
    for prefix in _prefixes(pair.sources):
        params = {"q": prefix, "limit": 20}
        if ca.get("/api/suggest", params=params).json() != cb.get("/api/suggest", params=params).json():
            differ.append(prefix)
    assert not differ, differ[:5]
    member = pair.clients["member"][0].get("/api/suggest", params={"q": "二、", "limit": 20}).json()
    assert member["suggestions"], "members are suggested member-only headings"


def _phrases(client: TestClient, q: str) -> tuple[int, list[tuple[Any, ...]]]:
    body = client.get("/api/phrases", params={"q": q, "limit": 500}).json()
    items = body.get("phrases") or body.get("hits") or []
    return body["total"], [(p["doc_id"], p["title"], p["kind"], p["text"]) for p in items]


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_phrase_bank_holds_free_phrases_only(pair: Pair, viewer: str) -> None:
    ca, cb = pair.clients[str(viewer)]
    for q in ("", "以学", PARALLEL, "以学正风"):
        assert _phrases(ca, q) == _phrases(cb, q), q
    member_total, _ = _phrases(pair.clients["member"][0], PARALLEL)
    assert member_total > _phrases(ca, PARALLEL)[0] > 0


_VOLATILE = [
    re.compile(r'name="csrf"[^>]*'), re.compile(r'content="[^"]*"'),
    re.compile(r"<updated>[^<]*</updated>"), re.compile(r"（\d+ 毫秒）"),
]


def _page(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    text = response.text
    for pattern in _VOLATILE:
        text = pattern.sub("", text)
    return text


@pytest.mark.parametrize("viewer", VIEWERS)
def test_lists_new_feed_and_home_give_facts_of_the_free_text(pair: Pair, viewer: str) -> None:
    ca, cb = pair.clients[str(viewer)]
    listing = {"limit": 500}
    assert ca.get("/api/documents", params=listing).json() == cb.get("/api/documents", params=listing).json()
    for path in ("/new", "/feed.atom", "/"):
        assert _page(ca, path) == _page(cb, path), path


@pytest.mark.parametrize("viewer", VIEWERS)
def test_documents_show_facts_of_the_free_text(pair: Pair, viewer: str) -> None:
    """Tags, year, genre, repairs, placeholders, outline and blocks: as the copy without member text has them."""
    ca, cb = pair.clients[str(viewer)]
    _total, docs = pair.a.list_documents(limit=1000)
    for doc in docs:
        shown_a = ca.get(f"/api/documents/{doc.id}").json()
        shown_b = cb.get(f"/api/documents/{doc.id}").json()
        assert shown_a.pop("locked") >= 0 and shown_b.pop("locked") == 0
        assert shown_a == shown_b, doc.title


def test_a_member_sees_the_facts_of_the_whole_text(pair: Pair) -> None:
    ma, _mb = pair.clients["member"]
    tagged = [d for d in pair.a.list_documents(limit=1000)[1] if "乡村振兴" in d.tags]
    assert tagged and all(ma.get(f"/api/documents/{d.id}").json()["tags"] == d.tags for d in tagged)
    guest = pair.clients["None"][0]
    assert all("乡村振兴" not in guest.get(f"/api/documents/{d.id}").json()["tags"] for d in tagged)
    repaired = [d for d in tagged if pair.a.document(d.id).repairs]
    assert all(not guest.get(f"/api/documents/{d.id}").json()["repairs"] for d in repaired)


def test_sources_are_file_names_never_server_paths(pair: Pair) -> None:
    names = {f"{k:02d}.txt" for k in range(len(pair.sources))}
    stored = {d.source for d in pair.a.store.list_documents(limit=1000)[1]}
    assert all("/" in s for s in stored)  # ingested by path: the store keeps where each came from
    admin = signed_client(pair.a, "admin")
    for client in (pair.clients["None"][0], pair.clients["free"][0], pair.clients["member"][0], admin):
        listing = client.get("/api/documents", params={"limit": 500}).json()["documents"]
        assert {d["source"] for d in listing} == names
        assert client.get(f"/api/documents/{listing[0]['id']}").json()["source"] == listing[0]["source"]
    admin.close()


def test_the_operator_sees_the_stored_path(pair: Pair) -> None:
    doc = pair.a.list_documents(limit=1)[1][0]
    assert "/" in doc.source and pair.a.document(doc.id).source == doc.source


def test_a_new_client_of_the_same_library_answers_the_same(pair: Pair) -> None:
    """The clients above are not special: a fresh one (another app over library A) agrees with them."""
    fresh = make_client(pair.a)
    q = KNOWN[:2]
    assert search_answer(fresh, q) == search_answer(pair.clients["None"][0], q)
    fresh.close()
