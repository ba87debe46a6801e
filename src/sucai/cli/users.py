"""`sucai user ...`: accounts, tiers, passwords, sessions and API tokens."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from sucai.cli.common import DbOption, JsonOption, _emit, _library, err, user_app
from sucai.cli.render import out
from sucai.errors import InputError
from sucai.model import to_dict
from sucai.settings import parse_lifetime

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


@user_app.command("disable")
def disable(
    name: Annotated[str, typer.Argument(help="Account name.")],
    enable: Annotated[bool, typer.Option("--enable", help="Enable a disabled account again.")] = False,
    db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Disable an account (no sign-in; its sessions end and its tokens stop working), or --enable it again."""
    with _library(db, as_json) as lib:
        user = lib.set_disabled(name, not enable)
        state = "enabled" if user.disabled_at is None else "disabled"
        _emit(as_json, to_dict(user), lambda: err.print(f"{user.name} is {state}"))


@user_app.command("password")
def password(
    name: Annotated[str, typer.Argument(help="Account name.")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Set an account's password; every session of the account ends."""
    with _library(db) as lib:
        if not password_stdin:
            raise InputError("give the password on standard input with --password-stdin")
        lib.change_password(name, _read_password())
        _emit(as_json, {"name": name}, lambda: err.print(f"password of {name} changed; its sessions ended"))


@user_app.command("sessions")
def sessions(
    name: Annotated[str, typer.Argument(help="Account name.")],
    all_: Annotated[bool, typer.Option("--all", help="Ended and expired sessions too.")] = False,
    db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """List an account's signed-in sessions (live ones unless --all)."""
    with _library(db) as lib:
        found = [s for s in lib.sessions(name) if all_ or s.live]

        def human() -> None:
            table = Table("id", "created", "expires", "ended")
            for s in found:
                table.add_row(str(s.id), s.created_at, s.expires_at, s.ended_at or "")
            out.print(table)

        _emit(as_json, {"name": name, "sessions": to_dict(found)}, human)


@user_app.command("logout")
def logout(
    name: Annotated[str, typer.Argument(help="Account name.")], db: DbOption = None, as_json: JsonOption = False
) -> None:
    """End every session of an account (signed out on every device; API tokens are not touched)."""
    with _library(db) as lib:
        ended = lib.end_sessions(name)
        _emit(as_json, {"name": name, "ended": ended}, lambda: err.print(f"{ended} session(s) of {name} ended"))


@user_app.command("token")
def token(
    name: Annotated[str, typer.Argument(help="Account name.")],
    expires: Annotated[str | None, typer.Option(
        "--expires", help="Lifetime: 90d, 12h, 4w, 1y or never (default: $SUCAI_TOKEN_DAYS or 365d).",
    )] = None,
    db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Issue an API token (Authorization: Bearer TOKEN); it is shown this once."""
    with _library(db) as lib:
        lifetime = parse_lifetime(expires) if expires else timedelta(days=lib.settings.token_days)
        value, info = lib.issue_token(name, lifetime)
        _emit(as_json, {"token": value, "id": info.id, "expires_at": info.expires_at}, lambda: out.print(value))


@user_app.command("tokens")
def tokens(
    name: Annotated[str, typer.Argument(help="Account name.")], db: DbOption = None, as_json: JsonOption = False
) -> None:
    """List an account's API tokens (never their values)."""
    with _library(db) as lib:
        found = lib.tokens(name)

        def human() -> None:
            table = Table("id", "created", "expires", "last used", "revoked")
            for t in found:
                table.add_row(str(t.id), t.created_at, t.expires_at or "never", t.last_used or "", t.revoked_at or "")
            out.print(table)

        _emit(as_json, {"name": name, "tokens": to_dict(found)}, human)


@user_app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(help="Token id (from `sucai user tokens NAME`).")],
    db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Revoke an API token: requests with it are refused (401) from now on."""
    with _library(db) as lib:
        info = lib.revoke_token(token_id)
        _emit(as_json, to_dict(info), lambda: err.print(f"token {info.id} revoked"))
