"""`sucai codes make|list|redeem`: membership codes (卡密) for the shop, and redeeming one for a user."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sucai.cli.common import DbOption, JsonOption, _emit, _library, app
from sucai.cli.render import out
from sucai.errors import InputError
from sucai.memberships import CODE_TIERS, codes_csv
from sucai.model import to_dict

codes_app = typer.Typer(help="Membership codes (卡密): make them for the shop, list batches, redeem one.",
                        no_args_is_help=True)
app.add_typer(codes_app, name="codes")


@codes_app.command("make")
def make(
    tier: Annotated[str, typer.Option(help=f"The tier a code grants: {', '.join(CODE_TIERS)}.")],
    days: Annotated[int, typer.Option(help="Days of membership a code adds.")],
    count: Annotated[int, typer.Option(help="How many codes.")] = 1,
    batch: Annotated[str, typer.Option(help="A label for this batch (default: date, tier, days).")] = "",
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Also write the codes to a CSV for the shop.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --csv file.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Make codes; they are shown (and written) this once: the library keeps only their hashes."""
    with _library(db, as_json) as lib:
        if csv_path is not None and csv_path.exists() and not force:
            raise InputError(f"{csv_path} exists; use --force to overwrite it")
        codes = lib.make_codes(tier, days, count, batch)
        if csv_path is not None:
            csv_path.write_text(codes_csv(codes, tier, days), encoding="utf-8-sig")  # BOM: Excel reads UTF-8
        _emit(as_json, {"codes": codes, "tier": tier, "days": days}, lambda: out.print("\n".join(codes)))


@codes_app.command("list")
def list_batches(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Batches of codes: how many were made and how many redeemed."""
    with _library(db, as_json) as lib:
        batches = lib.code_batches()

        def human() -> None:
            for b in batches:
                out.print(f"{b.batch}  {b.tier} {b.days} 天  已兑换 {b.redeemed}/{b.made}  {b.created_at}",
                          highlight=False)

        _emit(as_json, {"batches": to_dict(batches)}, human)


@codes_app.command("redeem")
def redeem(
    code: Annotated[str, typer.Argument(help="The code, as the user received it.")],
    user: Annotated[str, typer.Option("--user", help="The account that redeems it.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Redeem a code for an account (as the user would on the account page)."""
    with _library(db, as_json) as lib:
        done = lib.redeem(lib.user(user), code)
        _emit(as_json, {"tier": done.tier, "expires": done.expires},
              lambda: out.print(f"{user}: {done.tier}，有效期至 {done.expires or '长期'}", highlight=False))
