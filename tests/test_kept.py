"""Values kept within a budget: least recently used out first, weights counted exactly through replacing,
forgetting and clearing."""

from __future__ import annotations

import threading

from sucai.kept import Kept


def test_the_least_recently_used_go_first() -> None:
    kept: Kept[str] = Kept(3)
    for key in "abc":
        kept.put(key, key.upper())
    assert kept.get("a") == "A"  # a is now the most recent
    kept.put("d", "D")
    assert kept.get("b") is None and [kept.get(k) for k in "acd"] == ["A", "C", "D"]


def test_weights_are_counted_through_replacing_and_forgetting() -> None:
    kept: Kept[str] = Kept(10, weigh=len)
    kept.put("x", "aaaa")
    kept.put("x", "aaaaaa")  # replaced: 6 counted, not 10
    kept.put("y", "bbbb")
    assert len(kept) == 2
    kept.forget("x")
    kept.put("z", "cccccc")
    assert [kept.get(k) for k in "yz"] == ["bbbb", "cccccc"]
    kept.put("big", "d" * 11)  # heavier than the budget: not kept, nothing else dropped for it
    assert kept.get("big") is None and len(kept) == 2
    kept.clear()
    kept.put("w", "e" * 10)
    assert kept.get("w") == "e" * 10


def test_a_budget_of_nothing_keeps_nothing() -> None:
    kept: Kept[int] = Kept(0)
    kept.put("a", 1)
    assert kept.get("a") is None and len(kept) == 0


def test_racing_threads_keep_within_the_budget() -> None:
    kept: Kept[str] = Kept(50, weigh=len)

    def work(n: int) -> None:
        for i in range(2000):
            kept.put((n, i % 37), "x" * (i % 7 + 1))
            kept.get((n, (i * 5) % 37))
            if i % 11 == 0:
                kept.forget((n, i % 37))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    held = [kept.get((n, i)) for n in range(6) for i in range(37)]
    assert sum(len(v) for v in held if v is not None) <= 50
