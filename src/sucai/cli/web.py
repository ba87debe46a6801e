"""`sucai serve` and `sucai demo`."""

from __future__ import annotations

import errno
import socket
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from sucai.cli.common import DbOption, app, err

HostOption = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOption = Annotated[int, typer.Option("--port", help="Port to listen on.")]
EXIT_PORT_BUSY = 1


def port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port (busy, not allowed, no such address), or None."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: TIME_WAIT is no obstacle
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is busy (another program is using it)"
            return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def _check_port(host: str, port: int, command: str) -> None:
    """Stop with a plain message (no traceback) when the server could not start on this port."""
    problem = port_problem(host, port)
    if problem is not None:
        err.print(f"[red]error:[/red] {problem}. 端口被占用或不可用：换一个端口，例如 "
                  f"`sucai {command} --port {port + 1}`", highlight=False, markup=True)
        raise typer.Exit(EXIT_PORT_BUSY)


WorkersOption = Annotated[int, typer.Option(
    "--workers", min=1, help="Worker processes, each with its own connections and index follower.")]


WatchOption = Annotated[Path | None, typer.Option(
    "--watch", help="Also ingest what is dropped into this inbox folder (as `sucai watch`).")]


IndexFromOption = Annotated[str | None, typer.Option(
    "--index-from", metavar="URL",
    help="A new node (empty index folder) copies this peer's index at start, e.g. http://10.0.0.5:8000, "
         "then follows the change log from there; both need the same SUCAI_NODE_SECRET. If the copy fails "
         "the index is built from the store as usual. Default: $SUCAI_INDEX_FROM.")]


@app.command()
def serve(
    db: DbOption = None, host: HostOption = "127.0.0.1", port: PortOption = 8000, workers: WorkersOption = 1,
    watch: WatchOption = None, index_from: IndexFromOption = None,
) -> None:
    """Serve the web library (and with --watch, its inbox; with --index-from, a new node's index from a peer)."""
    _check_port(host, port, "serve")
    _index_from_peer(db, index_from)
    with _watching(db, watch):
        if workers > 1:
            _serve_workers(db, host, port, workers)
        else:
            _serve(db, host, port)


def _index_from_peer(db: str | None, index_from: str | None) -> None:
    """A new node's index copied from its peer once, before the inbox, the server or its workers open the
    folder (search/snapshot.py). The folder is made here whatever came of it: then no worker tries again, and
    when the copy failed the follower builds the index from the store."""
    from rich.markup import escape

    from sucai.search.index import SearchIndex
    from sucai.search.snapshot import fetch_snapshot
    from sucai.settings import Settings
    from sucai.store import open_store

    settings = Settings.from_env(db=db, index_from=index_from)
    if settings.index_from:
        store = open_store(settings.db)
        try:
            if fetch_snapshot(settings, store):  # a failure was logged as a warning
                err.print(f"索引已复制 copied the index from {escape(settings.index_from)}", highlight=False)
        finally:
            store.close()
        SearchIndex(settings.resolved_index_dir())


@contextmanager
def _watching(db: str | None, folder: Path | None) -> Iterator[None]:
    """The inbox watched from a thread of this process, with a library of its own, while the server runs."""
    if folder is None:
        yield
        return
    from sucai.cli.common import open_announced
    from sucai.inbox import Inbox
    from sucai.settings import Settings

    lib = open_announced(Settings.from_env(db=db))
    inbox, stop = Inbox(folder, lib), threading.Event()
    inbox.lock()  # refused now, before serving, when another watcher holds the folder
    inbox.unlock()
    thread = threading.Thread(target=inbox.run, args=(stop,), name="sucai-inbox", daemon=True)
    thread.start()
    err.print(f"收件箱 watching {folder.resolve()}", highlight=False)
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=60)
        lib.close()


def _serve_workers(db: str | None, host: str, port: int, workers: int) -> None:
    """N uvicorn processes (web/worker.py), each opening the library from the environment."""
    import os

    import uvicorn

    from sucai.cli.common import open_announced
    from sucai.search.index import SearchIndex
    from sucai.settings import Settings
    from sucai.web.shared_pages import FILE_NAME, SharedPages
    from sucai.web.worker import SHARED_PAGES_ENV
    from sucai.web.workers import Supervisor, reuse_port_supported

    settings = Settings.from_env(db=db)
    lib = open_announced(settings)  # create and migrate the library once, before the workers race to
    lib.secret()  # and its signing key: two workers making one each would sign sessions differently
    lib.close()
    SearchIndex(settings.resolved_index_dir())  # the index folder too: the workers share it
    os.environ["SUCAI_DB"] = settings.db
    os.environ["SUCAI_INDEX"] = str(settings.resolved_index_dir())
    with tempfile.TemporaryDirectory(prefix="sucai-shared-") as shared:  # private (0700), gone after the run
        path = Path(shared) / FILE_NAME
        SharedPages.create(path)
        os.environ[SHARED_PAGES_ENV] = str(path)
        if reuse_port_supported():
            Supervisor(host, port, workers).run()
        else:
            uvicorn.run("sucai.web.worker:create", factory=True, host=host, port=port, workers=workers,
                        log_level="info")


def _serve(db: str | None, host: str, port: int) -> None:
    import uvicorn

    from sucai.cli.common import open_announced
    from sucai.settings import Settings
    from sucai.web.app import create_app
    from sucai.web.heap import settle_for_serving

    settings = Settings.from_env(db=db)
    lib = open_announced(settings)
    try:
        app = create_app(settings, lib)
        settle_for_serving(app)
        uvicorn.run(app, host=host, port=port, log_level="info")
    finally:
        lib.close()


@app.command()
def demo(
    db: Annotated[str, typer.Option("--db", help="Where to build the demo library.")] = "demo-library.db",
    host: HostOption = "127.0.0.1", port: PortOption = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Build the library and users, then exit.")] = False,
) -> None:
    """Build a demo library from the bundled documents, one user per tier, and serve it."""
    from sucai.demo_setup import build_demo, passwords_file

    if not no_serve:
        _check_port(host, port, "demo")  # before the build: a busy port should not cost the wait
    accounts = build_demo(db)
    typer.echo(f"demo library: {db}")
    typer.echo(f"demo accounts (passwords kept in {passwords_file(db)}, the same on every run):")
    typer.echo(f"  {'tier':7} {'account':10} password")
    for name, tier, password in accounts:
        typer.echo(f"  {tier:7} {name:10} {password}")
    if not no_serve:
        typer.echo(f"serving at http://{host}:{port}")
        _serve(db, host, port)
