"""Membership codes (卡密): unguessable, typed back loosely, each redeemed once even when two processes race,
extending a running membership from its end."""

from __future__ import annotations

import multiprocessing
from datetime import date

import pytest

from backends import backend_url  # noqa: F401 - fixture
from sucai.errors import EditConflict, InputError, NotFound
from sucai.library import open_library
from sucai.memberships import Membership, canonical, code_hash, extended, new_code
from sucai.settings import Settings

TODAY = date(2026, 3, 1)


def test_codes_are_unguessable_and_read_back_as_typed() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    code = next(iter(codes))
    assert len(code) == 23 and code.count("-") == 3
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert canonical(typed) == code and code_hash(typed) == code_hash(code)
    for bad in ("", "ABCDE-ABCDE", code + "X", code[:-1] + "!"):
        with pytest.raises(InputError):
            canonical(bad)


@pytest.mark.parametrize(
    ("current", "tier", "days", "expected"),
    [
        (Membership("free", None), "svip", 30, Membership("svip", "2026-03-31")),
        (Membership("member", "2026-03-10"), "member", 30, Membership("member", "2026-04-09")),  # from its end
        (Membership("member", "2026-02-01"), "member", 30, Membership("member", "2026-03-31")),  # lapsed: today
        (Membership("svip", "2026-03-10"), "member", 10, Membership("svip", "2026-03-20")),  # higher tier kept
        (Membership("member", "2026-03-10"), "svip", 10, Membership("svip", "2026-03-20")),  # upgraded
        (Membership("svip", None), "member", 10, Membership("svip", None)),  # no end stays no end
    ],
)
def test_redeeming_extends_a_membership(current: Membership, tier: str, days: int, expected: Membership) -> None:
    assert extended(current, tier, days, TODAY) == expected


def test_each_code_works_once_and_unknown_codes_are_refused(backend_url: str) -> None:  # noqa: F811
    with open_library(settings=Settings(db=backend_url, secret_key="k")) as lib:
        alice = lib.add_user("alice", "free", "a-long-password")
        bob = lib.add_user("bob", "member", "a-long-password", "2099-01-01")
        first, second = lib.make_codes("svip", 365, 2)
        done = lib.redeem(alice, first.lower())
        assert done.tier == "svip" and lib.user("alice").tier == "svip"
        with pytest.raises(EditConflict):
            lib.redeem(bob, first)
        with pytest.raises(NotFound):
            lib.redeem(bob, new_code())
        lib.redeem(bob, second)
        assert lib.user("bob").expires == "2100-01-01"
        [batch] = lib.code_batches()
        assert (batch.made, batch.redeemed, batch.tier, batch.days) == (2, 2, "svip", 365)


def _redeem(url: str, name: str, code: str, barrier: multiprocessing.synchronize.Barrier, out: multiprocessing.Queue
            ) -> None:
    with open_library(settings=Settings(db=url, secret_key="k")) as lib:
        user = lib.user(name)
        barrier.wait()
        try:
            lib.redeem(user, code)
            out.put((name, "ok"))
        except EditConflict:
            out.put((name, "conflict"))


def test_two_processes_redeeming_one_code_at_once_give_one_success(backend_url: str) -> None:  # noqa: F811
    names = [f"user{i}" for i in range(3)]
    with open_library(settings=Settings(db=backend_url, secret_key="k")) as lib:
        for name in names:
            lib.add_user(name, "free", "a-long-password")
        codes = lib.make_codes("member", 30, 2)
    ctx = multiprocessing.get_context("spawn")
    for code in codes:
        barrier, out = ctx.Barrier(len(names)), ctx.Queue()
        procs = [ctx.Process(target=_redeem, args=(backend_url, n, code, barrier, out)) for n in names]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        results = sorted(out.get(timeout=5)[1] for _ in names)
        assert results == ["conflict"] * (len(names) - 1) + ["ok"]
    with open_library(settings=Settings(db=backend_url, secret_key="k")) as lib:
        assert lib.code_batches()[0].redeemed == len(codes)
        assert 1 <= sum(lib.user(n).tier == "member" for n in names) <= len(codes)
