"""Operating the service: `sucai watch DIR` (the inbox: dropped files are ingested and filed under done/ or
failed/) and `sucai publish DIR --since DATE` (each day's new documents as .docx in dated folders)."""

from __future__ import annotations

import json
import signal
import sys
import threading
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from sucai.cli.common import DbOption, JsonOption, _emit, _library, app
from sucai.cli.render import out
from sucai.inbox import Inbox, InboxFate
from sucai.model import to_dict


def _print_fates(fates: list[InboxFate], as_json: bool) -> None:
    for fate in fates:
        if as_json:  # one JSON object per line while watching
            sys.stdout.write(json.dumps(to_dict(fate), ensure_ascii=False) + "\n")
        else:
            what = f"{fate.documents} 篇" if fate.outcome == "done" else "; ".join(fate.errors + fate.skipped)
            out.print(f"{'✓' if fate.outcome == 'done' else '✗'} {fate.name} -> {fate.moved_to}  {what}",
                      highlight=False)
    sys.stdout.flush()


@app.command()
def watch(
    folder: Annotated[Path, typer.Argument(help="The inbox folder (created when missing).")],
    once: Annotated[bool, typer.Option("--once", help="One pass (no waiting for files to settle), then exit.")] = False,
    settle: Annotated[float, typer.Option(help="Seconds a file must stand unchanged before it is taken.")] = 2.0,
    interval: Annotated[float, typer.Option(help="Seconds between passes.")] = 1.0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest what is dropped into FOLDER within seconds; file each under done/ or failed/ with a report."""
    with _library(db, as_json) as lib:
        if once:
            inbox = Inbox(folder, lib, settle_s=0.0)
            inbox.lock()
            try:
                inbox.settled()  # a first look: with settle 0 the next one takes every file
                fates = inbox.run_once()
            finally:
                inbox.unlock()
            _emit(as_json, {"files": to_dict(fates)}, lambda: _print_fates(fates, False))
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        if not as_json:
            out.print(f"收件箱 watching {folder.resolve()} (Ctrl-C to stop)", highlight=False)
        Inbox(folder, lib, settle_s=settle).run(stop, interval, lambda fates: _print_fates(fates, as_json))


@app.command()
def publish(
    folder: Annotated[Path, typer.Argument(help="The shared-drive folder; one folder per day is made in it.")],
    since: Annotated[str, typer.Option(help="First day to publish (YYYY-MM-DD).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write each day's new documents since a day as GB/T 9704 .docx into FOLDER/YYYY-MM-DD/ (only what is new)."""
    try:
        first = date.fromisoformat(since)
    except ValueError as exc:
        raise typer.BadParameter(f"{since!r} is not a date (YYYY-MM-DD)", param_hint="--since") from exc
    with _library(db, as_json) as lib:
        written = lib.publish(folder, first)
        _emit(as_json, {"written": [str(p) for p in written]},
              lambda: out.print(f"写入 {len(written)} 个文件 wrote {len(written)} files to {folder}", highlight=False))
