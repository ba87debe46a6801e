"""The originality check is no oracle on member-only text.

Library A is ingested from documents written here with seeded random paid paragraphs (at the end, in the
middle, the whole body); library B from the same files with the paid sections deleted. For many drafts —
planted copies of free text, of paid text, of text across a free/paid boundary, and the attack that
extends known text one character at a time
("known text + one candidate character" per line, for every candidate of a set holding the true next one) —
a free account, a guest-level viewer and a lapsed member get from A exactly the report B gives: spans with
their sources and bounds, copied characters, every ratio, the sections. A member checking A finds the paid
copies and the attack works for them, so the comparison is not vacuous. The attack recovers nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import pytest

from pg_helpers import pg_schema
from sucai import access
from sucai.errors import TooLarge
from sucai.library import Library, open_library
from sucai.model import Block, CheckReport, Document, User, to_dict
from sucai.originality import content_chars, document_fingerprints
from sucai.originality.fingerprint import content_form, free_document
from sucai.settings import Settings
from sucai.store import open_store
from sucai.store.base import SCOPE_FREE, SCOPE_WHOLE
from sucai.store.schema import MIGRATIONS, render
from sucai.store.sql import SqlStore

FREE = User(id=101, name="free", tier="free")
LAPSED = User(id=102, name="lapsed", tier="member", expires="2000-01-01")
MEMBER = User(id=103, name="member", tier="member")
NON_MEMBERS = (FREE, access.GUEST, LAPSED)
# The library's text and the drafts' fresh text come from disjoint pools: fresh text never matches.
_POOL = [chr(cp) for cp in range(0x4E00, 0x9FA6) if content_form(chr(cp)) == chr(cp)]
_NOT_IN_TEXT = set("一二三四五六七八九十百千万零两第是要某等")  # numbering and run-in sub-point words
_shuffled = random.Random(1).sample([c for c in _POOL if c not in _NOT_IN_TEXT], 6000)
ALPHABET, FILLER = _shuffled[:3000], _shuffled[3000:]
HEADS = "一二三四五六七八九"
STOCK = ["".join(random.Random(50 + i).choices(ALPHABET, k=24)) for i in range(4)]  # phrases many documents share


# -- the documents ---------------------------------------------------------------------------------------
def _sentence(rng: random.Random) -> str:
    parts = ["".join(rng.choices(ALPHABET, k=rng.randint(6, 16))) for _ in range(rng.randint(1, 3))]
    return "，".join(parts) + "。"


def _paragraph(rng: random.Random) -> str:
    sentences = [_sentence(rng) for _ in range(rng.randint(2, 4))]
    if rng.random() < 0.3:  # a stock phrase, in free and paid parts of many documents
        sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(STOCK) + "。")
    return "".join(sentences)


@dataclass
class Source:
    """One document file: its lines, and which of them are member-only."""

    title: str
    lines: list[str]
    paid: list[bool]

    def text(self, with_paid: bool) -> str:
        out, inside = [self.title], False
        for line, paid in zip(self.lines, self.paid, strict=True):
            if paid and not with_paid:
                continue
            if with_paid and paid != inside:
                out.append("##paidbegin##" if paid else "##paidend##")
                inside = paid
            out.append(line)
        if inside:
            out.append("##paidend##")
        return "\n".join(out) + "\n"


def _body(rng: random.Random, blocks: int) -> list[str]:
    lines, head = [], 0
    for i in range(blocks):
        if i % 3 == 0 and head < len(HEADS):
            lines.append(f"{HEADS[head]}、" + "".join(rng.choices(ALPHABET, k=rng.randint(8, 14))))
            head += 1
        else:
            lines.append(_paragraph(rng))
    return lines


def _sources(seed: int = 7) -> list[Source]:
    """Documents whose paid part is the end, a middle stretch, the whole body or nothing; one paid part
    repeats another document's free paragraph, one free paragraph repeats another's paid one."""
    rng = random.Random(seed)
    kinds = ["suffix", "middle", "none", "suffix", "all", "middle", "suffix", "none", "middle", "suffix",
             "suffix", "middle"]
    sources = []
    for n, kind in enumerate(kinds):
        body = _body(rng, rng.randint(7, 10))
        paid = [False] * len(body)
        if kind == "suffix":
            cut = rng.randint(2, len(body) - 2)
            paid[cut:] = [True] * (len(body) - cut)
        elif kind == "middle":
            lo = rng.randint(2, len(body) - 4)
            hi = rng.randint(lo + 1, len(body) - 2)
            paid[lo:hi] = [True] * (hi - lo)
        elif kind == "all":
            paid = [True] * len(body)
        lines = ["同志们：", *body]
        sources.append(Source(f"测试文档第{n + 1}篇关于{''.join(rng.choices(ALPHABET, k=6))}的讲话", lines,
                              [False, *paid]))
    # a paid copy of another document's free paragraph, and a free copy of another's paid paragraph
    sources[3].lines[-1] = sources[2].lines[3]
    free_at = next(i for i, p in enumerate(sources[6].paid) if not p and i > 1)
    sources[6].lines[free_at] = sources[0].lines[-1]
    return sources


def _ingest(directory: Path, sources: list[Source], with_paid: bool, url: str | None = None) -> Library:
    directory.mkdir(parents=True, exist_ok=True)
    lib = open_library(settings=Settings(db=url or str(directory / "lib.db"), index_dir=directory / "index"))
    for n, source in enumerate(sources):
        path = directory / f"{n:02d}.txt"
        path.write_text(source.text(with_paid), encoding="utf-8")
        report = lib.ingest([path])
        assert len(report.documents) == 1 and not report.failed, report
    return lib


@dataclass
class Libraries:
    a: Library  # with the paid parts
    b: Library  # the same sources, paid parts deleted
    sources: list[Source]
    docs: dict[int, Document] = field(default_factory=dict)  # A's documents, whole

    def free_text(self, doc_id: int) -> str:
        return free_document(self.docs[doc_id]).text


def _libraries(tmp: Path, url: str | None = None) -> Libraries:
    sources = _sources()
    a = _ingest(tmp / "a", sources, with_paid=True, url=url)
    b = _ingest(tmp / "b", sources, with_paid=False)
    docs = {d.id: d for d in a.store.iter_documents() if d.id is not None}
    # B must be A as a viewer without member access reads it, document for document (same ids, same text)
    b_docs = {d.id: d for d in b.store.iter_documents()}
    assert sorted(docs) == sorted(b_docs) and len(docs) == len(sources)
    for doc_id, doc in docs.items():
        assert b_docs[doc_id].title == doc.title
        assert b_docs[doc_id].text == access.visible_document(doc, FREE).text == free_document(doc).text
    assert sum(d.has_paid for d in docs.values()) == 10 and not any(d.has_paid for d in b_docs.values())
    return Libraries(a, b, sources, docs)


@pytest.fixture(scope="module")
def libs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Libraries]:
    found = _libraries(tmp_path_factory.mktemp("oracle"))
    yield found
    found.a.close()
    found.b.close()


# -- drafts ------------------------------------------------------------------------------------------------
def _blocks(doc: Document, paid: bool) -> list[str]:
    return [b.text for b in doc.blocks if b.kind != "title" and b.paid == paid and len(content_chars(b.text)[0]) > 20]


def _cut(text: str, rng: random.Random, least: int, most: int) -> str:
    size = min(len(text), rng.randint(least, most))
    start = rng.randrange(len(text) - size + 1)
    return text[start : start + size]


def _boundaries(doc: Document) -> list[tuple[str, str, bool]]:
    """(text before, text after, whether the free one is before) each place where free and paid blocks
    meet, in the whole text."""
    body = [b for b in doc.blocks if b.kind != "title"]
    return [(body[i].text, body[i + 1].text, not body[i].paid)
            for i in range(len(body) - 1) if body[i].paid != body[i + 1].paid]


def _fresh(rng: random.Random, size: int) -> str:
    return "".join(rng.choices(FILLER, k=size)) + "。"


def _reshape(text: str, rng: random.Random) -> str:
    return "".join(ch if content_form(ch) else rng.choice(["", "、", " ", "；"]) for ch in text)


def _piece(libs: Libraries, rng: random.Random) -> str:
    doc = libs.docs[rng.choice(sorted(libs.docs))]
    kind = rng.choice(["free", "paid", "paid", "boundary", "stock"])
    if kind == "boundary" and _boundaries(doc):
        before, after, _free_first = rng.choice(_boundaries(doc))
        text = before[-rng.randint(3, 40) :] + rng.choice(["", "\n", "，"]) + after[: rng.randint(3, 40)]
    elif kind == "stock":
        text = rng.choice(STOCK)
    else:
        blocks = _blocks(doc, kind == "paid") or _blocks(doc, kind != "paid")
        text = _cut(rng.choice(blocks), rng, 10, 120)
    text = _reshape(text, rng) if rng.random() < 0.3 else text
    return f"他指出：“{text}”" if rng.random() < 0.2 else text


def _draft(libs: Libraries, seed: int) -> str:
    rng = random.Random(seed)
    parts = [_fresh(rng, 20)]
    for n in range(rng.randint(2, 6)):
        if rng.random() < 0.3:
            parts.append(f"\n{HEADS[n]}、{_fresh(rng, 6)}\n")
        parts += [_piece(libs, rng), _fresh(rng, rng.randint(0, 30))]
    return "".join(parts)


def _extension_drafts(libs: Libraries, rng: random.Random, known_chars: int = 16) -> list[tuple[str, str]]:
    """Issue 9's attack, one request per boundary: lines of `known + candidate` (free text, then the next
    character, which is member-only) and of `candidate + known` (free text after a paid block, the
    character before it). Returns (draft, the true character)."""
    drafts = []
    for doc in libs.docs.values():
        for before, after, free_first in _boundaries(doc):
            if content_chars(before)[0] and content_chars(after)[0]:
                known_side = before if free_first else after
                known = content_chars(known_side)[0]
                known = known[-known_chars:] if free_first else known[:known_chars]
                truth = content_chars(after)[0][0] if free_first else content_chars(before)[0][-1]
                candidates = [*rng.sample(ALPHABET, 29), truth]
                rng.shuffle(candidates)
                lines = [known + c if free_first else c + known for c in dict.fromkeys(candidates)]
                drafts.append(("\n".join(lines), truth))
    return drafts


# -- comparing reports ----------------------------------------------------------------------------------------
def _as_b_sees(lib: Library, draft: str, viewer: User | None) -> dict[str, object]:
    """The whole report, every figure and span, with each source also named by its title."""
    report = lib.check(draft, viewer)
    titles = {s.id: s.title for s in report.sources}
    data = to_dict(report)
    data["span_sources"] = [titles[s.source_id] for s in report.spans]
    return data  # type: ignore[no-any-return]


def _assert_same_as_b(libs: Libraries, draft: str) -> dict[str, object]:
    expected = _as_b_sees(libs.b, draft, None)  # B has no member-only text: every viewer sees all of it
    for viewer in NON_MEMBERS:
        assert _as_b_sees(libs.a, draft, viewer) == expected, f"{viewer.name} on {draft!r}"
    return expected


def test_non_members_get_the_report_of_the_library_without_paid_blocks(libs: Libraries) -> None:
    paid_seen = 0
    for seed in range(60):
        draft = _draft(libs, seed)
        free_report = _assert_same_as_b(libs, draft)
        member = libs.a.check(draft, MEMBER)
        paid_seen += member.copied_chars > free_report["copied_chars"]  # type: ignore[operator]
    assert paid_seen >= 20, "the drafts copy member-only text a member's check finds"


def test_the_extension_attack_gives_non_members_nothing(libs: Libraries) -> None:
    drafts = _extension_drafts(libs, random.Random(3))
    assert len(drafts) >= 12
    for draft, _truth in drafts:
        report = _assert_same_as_b(libs, draft)
        lengths = {s["end"] - s["start"] for s in report["spans"]}  # type: ignore[attr-defined]
        assert len(lengths) <= 1, "every candidate line ends its run at the same place"


def _line_runs(report: CheckReport, draft: str) -> list[int]:
    """Per line of the draft, how many of its content characters the report marks as copied."""
    runs, start = [], 0
    for line in draft.split("\n"):
        end = start + len(line)
        runs.append(sum(len(content_chars(draft[max(s.start, start) : min(s.end, end)])[0])
                        for s in report.spans if s.start < end and s.end > start))
        start = end + 1
    return runs


def _attack(check: Callable[[str], CheckReport], known: str, truth: str, rng: random.Random) -> int:
    """Issue 9's attack: extend `known` one character a request while one candidate line runs longest;
    returns how many characters of `truth` it recovered."""
    recovered = 0
    for expected in truth:
        candidates = list(dict.fromkeys([*rng.sample(ALPHABET, 29), expected]))
        rng.shuffle(candidates)
        lines = [known[-16:] + c for c in candidates]
        runs = _line_runs(check("\n".join(lines)), "\n".join(lines))
        best = [c for c, run in zip(candidates, runs, strict=True) if run == max(runs)]
        if len(best) != 1 or best[0] != expected:
            break
        known += expected
        recovered += 1
    return recovered


def test_the_attack_recovers_nothing_for_non_members_and_everything_for_members(libs: Libraries) -> None:
    targets = []
    for doc in libs.docs.values():
        for before, after, free_first in _boundaries(doc):
            if free_first and len(content_chars(before)[0]) >= 16 and len(content_chars(after)[0]) >= 20:
                targets.append((content_chars(before)[0], content_chars(after)[0][:20]))
    assert len(targets) >= 5
    by_member = []
    for known, truth in targets:
        for viewer in NON_MEMBERS:
            assert _attack(partial(libs.a.check, viewer=viewer), known, truth, random.Random(4)) == 0
        by_member.append(_attack(partial(libs.a.check, viewer=MEMBER), known, truth, random.Random(4)))
    # against the whole text the attack works (it stops only where a phrase other documents share makes two
    # candidates tie), so the zeros above are the check's doing, not the attack's weakness
    assert min(by_member) > 0 and sum(by_member) >= 0.8 * 20 * len(targets), by_member


def test_members_find_paid_copies_with_sources_and_bounds(libs: Libraries) -> None:
    rng = random.Random(9)
    for doc in (d for d in libs.docs.values() if d.has_paid):
        piece = _cut(rng.choice(_blocks(doc, True)), rng, 30, 30)
        draft = _fresh(rng, 20) + piece + _fresh(rng, 20)
        start = draft.index(piece)
        member = libs.a.check(draft, MEMBER)
        covering = [s for s in member.spans if s.start <= start and s.end >= start + len(piece)]
        assert covering and libs.docs[covering[0].source_id].text[covering[0].source_start :].startswith(
            draft[covering[0].start : covering[0].end])
        free = libs.a.check(draft, FREE)
        assert all(not (s.start < start + len(piece) and s.end > start) or
                   libs.free_text(s.source_id)[s.source_start :].startswith(draft[s.start : s.end])
                   for s in free.spans), "what a free account is shown is text it may read"


# -- the fingerprints ------------------------------------------------------------------------------------------
def _rows(store: SqlStore) -> dict[tuple[int, int, int], int]:
    with store.transaction() as cur:
        cur.execute("SELECT hash, doc_id, pos, scope FROM fingerprints")
        rows = cur.fetchall()
        cur.execute("SELECT hash, doc_id, pos, scope FROM fingerprint_log")
        rows += cur.fetchall()
    found: dict[tuple[int, int, int], int] = {}
    for h, d, p, s in rows:
        found[(int(h), int(d), int(p))] = found.get((int(h), int(d), int(p)), 0) | int(s)
    return found


def _expected_rows(docs: dict[int, Document]) -> dict[tuple[int, int, int], int]:
    """Each document's whole-text fingerprints (bit 1) and free-text fingerprints (bit 2), from scratch."""
    found: dict[tuple[int, int, int], int] = {}
    for doc_id, doc in docs.items():
        whole = Document(doc_id, doc.title, [Block(b.kind, b.text, b.level) for b in doc.blocks])
        for text, bit in ((whole, SCOPE_WHOLE), (free_document(doc), SCOPE_FREE)):
            for fp in document_fingerprints(text):
                key = (fp.hash, doc_id, fp.pos)
                found[key] = found.get(key, 0) | bit
    return found


def test_stored_scopes_are_the_whole_and_the_free_texts_fingerprints(libs: Libraries) -> None:
    rows = _rows(libs.a.store)  # type: ignore[arg-type]
    assert rows == _expected_rows(libs.docs)
    scopes = list(rows.values())
    assert scopes.count(3) > 0 and scopes.count(1) > 0 and scopes.count(2) > 0
    b_rows = _rows(libs.b.store)  # type: ignore[arg-type]
    assert {k for k, s in rows.items() if s & SCOPE_FREE} == set(b_rows)


def test_scopes_survive_reindex_delete_and_the_duplicate_hand_over(tmp_path: Path) -> None:
    sources = _sources()[:6]
    lib = _ingest(tmp_path / "a", sources, with_paid=True)
    twin = tmp_path / "a" / "twin.txt"  # the same document in other bytes: a duplicate of document 2
    twin.write_text(sources[1].text(True).replace("\n", "\r\n"), encoding="utf-8")
    [dup] = lib.ingest([twin]).documents
    try:
        assert dup.duplicate_of == 2
        docs = {d.id: d for d in lib.store.iter_documents() if d.id is not None}
        before = _rows(lib.store)  # type: ignore[arg-type]
        assert before == _expected_rows(docs)
        lib.reindex()
        assert _rows(lib.store) == before  # type: ignore[arg-type]
        draft = _fresh(random.Random(1), 9) + free_document(docs[2]).text + _fresh(random.Random(2), 9)
        as_free = lib.check(draft, FREE)
        lib.delete(2)  # the duplicate takes the original's place, and its fingerprints of both scopes
        moved = {(h, dup.id if d == 2 else d, p): s for (h, d, p), s in before.items()}
        assert _rows(lib.store) == moved  # type: ignore[arg-type]
        heir = lib.check(draft, FREE)
        assert [s.source_id for s in heir.spans] == [dup.id if s.source_id == 2 else s.source_id
                                                    for s in as_free.spans]
        assert [(s.start, s.end, s.source_start) for s in heir.spans] == [
            (s.start, s.end, s.source_start) for s in as_free.spans]
        lib.delete(dup.id)
        assert {d for _h, d, _p in _rows(lib.store)} == set(docs) - {2}  # type: ignore[arg-type]
    finally:
        lib.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def library_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    """None for a SQLite file under tmp_path, else the URL of a fresh PostgreSQL schema (dropped after)."""
    if request.param == "sqlite":
        yield None
        return
    with pg_schema("oracle") as url:
        yield url


def test_a_library_from_before_scopes_is_upgraded(tmp_path: Path, library_url: str | None) -> None:
    lib = _ingest(tmp_path / "a", _sources()[:6], with_paid=True, url=library_url)
    docs = {d.id: d for d in lib.store.iter_documents() if d.id is not None}
    lib.store.merge_fingerprints()
    lib.close()
    store = open_store(library_url or tmp_path / "a" / "lib.db")
    assert isinstance(store, SqlStore)
    try:
        with store.transaction() as cur:  # as version 5 left it: whole-text rows only, some still in the log
            cur.execute("DELETE FROM fingerprints WHERE scope = 2")
            cur.execute("INSERT INTO fingerprint_log SELECT * FROM fingerprints WHERE doc_id = 2")
            cur.execute("DELETE FROM fingerprints WHERE doc_id = 2")
            for table in ("fingerprints", "fingerprint_log"):
                cur.execute(f"ALTER TABLE {table} DROP COLUMN scope")
        with store.transaction() as cur:  # migration 6, as SqlStore.migrate runs it
            for step in MIGRATIONS[5]:
                cur.execute(render(step, store.dialect)) if isinstance(step, str) else step(cur)
        assert _rows(store) == _expected_rows(docs)
        assert store.lookup_fingerprints([h for h, _d, _p in _rows(store)], SCOPE_FREE)
    finally:
        store.close()


# -- PostgreSQL ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("library_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_postgresql_library_gives_non_members_the_same_reports(tmp_path: Path, library_url: str) -> None:
    libs = _libraries(tmp_path, url=library_url)  # A in PostgreSQL, B in SQLite
    try:
        assert _rows(libs.a.store) == _expected_rows(libs.docs)  # type: ignore[arg-type]
        for seed in range(15):
            _assert_same_as_b(libs, _draft(libs, seed))
        for draft, _truth in _extension_drafts(libs, random.Random(3)):
            _assert_same_as_b(libs, draft)
    finally:
        libs.a.close()
        libs.b.close()


# -- the cost of a check ---------------------------------------------------------------------------------------
def test_drafts_over_the_size_cap_are_refused_with_the_limit_named(libs: Libraries, tmp_path: Path) -> None:
    assert Settings().check_max_chars == 50_000
    capped = Library(libs.b.store, Settings(db=libs.b.settings.db, check_max_chars=120))
    draft = _fresh(random.Random(5), 119)
    assert len(draft) == 120 and capped.check(draft, FREE).chars == 119
    with pytest.raises(TooLarge) as refused:
        capped.check(draft + "。", FREE)
    assert "120" in str(refused.value) and "121" in str(refused.value)
    assert "查重" in str(refused.value) and "limit" in str(refused.value)


def test_the_cap_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUCAI_CHECK_MAX_CHARS", "2000")
    assert Settings.from_env().check_max_chars == 2000


def test_the_api_refuses_a_draft_over_the_cap_with_413(libs: Libraries) -> None:
    from web_helpers import PASSWORD, make_client

    libs.b.add_user("capped", "free", PASSWORD)
    headers = {"Authorization": f"Bearer {libs.b.new_token('capped')}"}
    capped = Library(libs.b.store, replace(libs.b.settings, check_max_chars=100))  # the library's setting counts
    client = make_client(capped, follow=False)  # B's store is closed by the fixture, not by `capped`
    refused = client.post("/api/check", json={"text": "字" * 101}, headers=headers)
    assert refused.status_code == 413 and "100" in refused.json()["error"]
    assert client.post("/api/check", json={"text": "字" * 100}, headers=headers).json()["chars"] == 100
