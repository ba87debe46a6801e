"""Documents written for these tests (no third-party text): numbered notices in folders, and waiting and
stopping helpers."""

from __future__ import annotations

import random
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

TOPICS = ("乡村振兴", "安全生产", "基层治理", "营商环境", "生态保护", "科技创新", "文化建设", "民生保障")
SENTENCES = (
    "要坚持问题导向，聚焦群众急难愁盼，逐项明确责任单位和完成时限。",
    "各级各部门要强化统筹协调，形成上下联动、齐抓共管的工作格局。",
    "对工作中发现的薄弱环节，要建立台账，实行清单化管理、闭环式推进。",
    "要加强督促检查，对推进不力的单位进行通报，确保各项任务落地见效。",
    "坚持把调查研究作为基本功，深入一线摸清情况，提出务实管用的举措。",
    "注重总结提炼基层的好经验好做法，及时复制推广，以点带面推动整体提升。",
)


def notice(n: int, rng: random.Random | None = None) -> str:
    """One notice: a title naming its number and topic, a salutation, paragraphs, and a number of its own."""
    rng = rng or random.Random(n)
    topic = TOPICS[n % len(TOPICS)]
    paragraphs = [rng.choice(SENTENCES) + rng.choice(SENTENCES) for _ in range(3)]
    return (
        f"关于做好第{n}批{topic}工作的通知\n\n各乡镇、各部门：\n\n"
        + "\n\n".join(f"    {p}" for p in paragraphs)
        + f"\n\n    本通知编号为甲{n:05d}号，请认真贯彻执行。\n"
    )


def write_notices(folder: Path, numbers: range) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in numbers:
        path = folder / f"notice_{n:05d}.txt"
        path.write_text(notice(n), encoding="utf-8")
        paths.append(path)
    return paths


def wait_for(check: Callable[[], bool], timeout: float = 30.0, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.05)


def stop(proc: subprocess.Popen[bytes], wait: float = 30.0) -> None:
    """Ask a server process to stop (SIGTERM: it finishes what is under way); kill it if it does not in time."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(wait)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
