"""`sucai user ...`: accounts, tiers and API tokens."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from sucai.cli import DbOption, JsonOption, _emit, _library, err, user_app
from sucai.cli_render import out
from sucai.errors import InputError
from sucai.model import to_dict

TierOption = Annotated[str, typer.Option("--tier", help="guest, free, member, svip or admin.")]
ExpiresOption = Annotated[str | None, typer.Option("--expires", help="Membership end date, YYYY-MM-DD.")]


def _read_password() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise InputError("no password on standard input")
    return password


@user_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Account name.")],
    tier: TierOption = "free",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    expires: ExpiresOption = None,
    db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Create an account."""
    with _library(db) as lib:
        if not password_stdin:
            raise InputError("give the password on standard input with --password-stdin")
        user = lib.add_user(name, tier, _read_password(), expires)
        _emit(as_json, to_dict(user), lambda: err.print(f"added {user.name} ({user.tier})"))


@user_app.command("list")
def list_users(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List accounts."""
    with _library(db) as lib:
        users = lib.users()

        def human() -> None:
            table = Table("id", "name", "tier", "expires", "created")
            for u in users:
                table.add_row(str(u.id), u.name, u.tier, u.expires or "", u.created_at)
            out.print(table)

        _emit(as_json, {"users": to_dict(users)}, human)


@user_app.command("set-tier")
def set_tier(
    name: Annotated[str, typer.Argument(help="Account name.")],
    tier: Annotated[str, typer.Argument(help="guest, free, member, svip or admin.")],
    expires: ExpiresOption = None,
    db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Change an account's tier (and membership expiry)."""
    with _library(db) as lib:
        user = lib.set_tier(name, tier, expires)
        _emit(as_json, to_dict(user), lambda: err.print(f"{user.name} is now {user.tier}"))


@user_app.command("token")
def token(
    name: Annotated[str, typer.Argument(help="Account name.")], db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Issue an API token (Authorization: Bearer TOKEN)."""
    with _library(db) as lib:
        value = lib.new_token(name)
        _emit(as_json, {"token": value}, lambda: out.print(value))
