"""The search gate: never more than its slots inside, waiters admitted in the order they came, a slot never lost."""

from __future__ import annotations

import threading
import time

import pytest

from sucai.errors import InputError
from sucai.settings import Settings
from sucai.web.gate import FairGate, default_slots


def wait_for(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.001)


def test_waiters_enter_in_arrival_order() -> None:
    gate = FairGate(1)
    entered: list[int] = []
    threads = []
    with gate:
        for i in range(8):
            thread = threading.Thread(target=lambda i=i: _enter_and_note(gate, entered, i))
            thread.start()
            threads.append(thread)
            wait_for(lambda i=i: gate.waiting == i + 1)  # queued before the next one starts
    for thread in threads:
        thread.join(5)
    assert entered == list(range(8))


def _enter_and_note(gate: FairGate, entered: list[int], i: int) -> None:
    with gate:
        entered.append(i)


def test_a_newcomer_cannot_take_a_slot_handed_to_a_waiter() -> None:
    gate = FairGate(1)
    entered: list[str] = []
    with gate:
        waiter = threading.Thread(target=lambda: _enter_and_note(gate, entered, "waiter"))  # type: ignore[arg-type]
        waiter.start()
        wait_for(lambda: gate.waiting == 1)
    # The slot now belongs to the waiter, even if it has not run yet: a newcomer queues behind it.
    _enter_and_note(gate, entered, "newcomer")  # type: ignore[arg-type]
    waiter.join(5)
    assert entered == ["waiter", "newcomer"]


def test_never_more_inside_than_slots_under_racing_threads() -> None:
    gate = FairGate(3)
    inside = 0
    most = 0
    count = threading.Lock()

    def work() -> None:
        nonlocal inside, most
        for _ in range(200):
            with gate:
                with count:
                    inside += 1
                    most = max(most, inside)
                time.sleep(0.0001)
                with count:
                    inside -= 1

    threads = [threading.Thread(target=work) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert most == 3
    assert inside == 0 and gate.waiting == 0


def test_a_failing_holder_gives_its_slot_back() -> None:
    gate = FairGate(1)
    for _ in range(3):
        with pytest.raises(RuntimeError), gate:
            raise RuntimeError("the search failed")
    done = threading.Event()
    threading.Thread(target=lambda: (gate.__enter__(), done.set())).start()
    assert done.wait(5), "the slot was lost with the error"


def test_slots_setting() -> None:
    assert default_slots() >= 1
    assert Settings.from_env(search_slots=None).search_slots == 0  # 0: one per core
    with pytest.raises(ValueError):
        FairGate(0)


def test_a_negative_slot_count_is_a_clear_error(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sucai.library import open_library
    from sucai.web.app import create_app

    monkeypatch.setenv("SUCAI_SEARCH_SLOTS", "-2")
    settings = Settings.from_env(db=str(tmp_path / "lib.db"))
    lib = open_library(settings.db, settings)
    try:
        with pytest.raises(InputError, match="SUCAI_SEARCH_SLOTS"):
            create_app(settings, lib)
        assert lib.follower is None  # refused before the index follower started
    finally:
        lib.close()


@pytest.mark.parametrize(("var", "raw"), [("SUCAI_SEARCH_SLOTS", "two"), ("SUCAI_TOKEN_DAYS", "1.5"),
                                          ("SUCAI_LIMIT_CHECK", "often")])
def test_a_setting_that_does_not_parse_is_named_in_the_error(monkeypatch, var: str, raw: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(var, raw)
    with pytest.raises(InputError, match=f"{var}='{raw}'"):
        Settings.from_env()
