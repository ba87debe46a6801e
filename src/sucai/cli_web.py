"""`sucai serve` and `sucai demo`."""

from __future__ import annotations

from typing import Annotated

import typer

from sucai.cli import DbOption, app

HostOption = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOption = Annotated[int, typer.Option("--port", help="Port to listen on.")]


@app.command()
def serve(db: DbOption = None, host: HostOption = "127.0.0.1", port: PortOption = 8000) -> None:
    """Serve the web library."""
    import uvicorn

    from sucai.library import open_library
    from sucai.settings import Settings
    from sucai.web.app import create_app

    settings = Settings.from_env(db=db)
    lib = open_library(settings=settings)
    try:
        uvicorn.run(create_app(settings, lib), host=host, port=port, log_level="info")
    finally:
        lib.close()


@app.command()
def demo(
    db: Annotated[str, typer.Option("--db", help="Where to build the demo library.")] = "demo-library.db",
    host: HostOption = "127.0.0.1", port: PortOption = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Build the library and users, then exit.")] = False,
) -> None:
    """Build a demo library from the bundled documents, one user per tier, and serve it."""
    from sucai.demo_setup import build_demo

    accounts = build_demo(db)
    typer.echo(f"demo library: {db}")
    for name, tier, password in accounts:
        typer.echo(f"  {tier:7} {name:10} password: {password}")
    if not no_serve:
        typer.echo(f"serving at http://{host}:{port}")
        serve(db=db, host=host, port=port)
