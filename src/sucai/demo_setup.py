"""The demo: a library built from the bundled documents (written for the project) and one account per tier."""

from __future__ import annotations

import secrets
from datetime import timedelta
from importlib.resources import files
from pathlib import Path

from sucai import access
from sucai.library import Library, open_library
from sucai.passwords import hash_password

# The bundled folder ships as package data (pyproject: sucai = ["demo/*", ...]); the package is installed
# as files, so its resource path is a real folder that ingest can walk.
DEMO_DIR: Path = Path(str(files("sucai").joinpath("demo")))

# One account per tier that logs in; the account is named after its tier so the demo explains itself.
DEMO_TIERS = ("free", "member", "svip", "admin")
_EXPIRING_TIERS = frozenset({"member", "svip"})
GUEST_ACCOUNT = ("(未登录)", "guest", "-")


def passwords_file(db: str) -> Path:
    """Where the demo keeps its accounts' passwords: beside the library, so every run shows the same ones."""
    return Path(f"{db}.passwords.txt")


def _kept_passwords(path: Path) -> dict[str, str]:
    """name -> password from the file (lines "name<TAB>tier<TAB>password"; others are ignored)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    kept = {}
    for line in lines:
        parts = line.split("\t")
        if len(parts) == 3 and len(parts[2]) >= 8 and not line.startswith("#"):
            kept[parts[0]] = parts[2]
    return kept


def _keep_passwords(path: Path, accounts: list[tuple[str, str, str]]) -> None:
    lines = ["# sucai demo accounts: name<TAB>tier<TAB>password (reused by every `sucai demo` run)"]
    lines += ["\t".join(account) for account in accounts if account[2] != "-"]
    path.touch(mode=0o600, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build_demo(db: str) -> list[tuple[str, str, str]]:
    """Ingest the bundled documents into the library at `db` and (re)create one account per tier.

    Safe to run again: documents already stored are skipped by their bytes, and existing accounts keep
    their name, tier and password: the passwords are kept in a file beside the library
    (``passwords_file(db)``) and reused; delete it for fresh ones. Returns (name, tier, password) per
    account, the guest first (the guest is simply not logged in, so it has no password).
    """
    kept = _kept_passwords(passwords_file(db))
    lib = open_library(db)
    try:
        lib.ingest([DEMO_DIR])
        accounts = [GUEST_ACCOUNT]
        for tier in DEMO_TIERS:
            accounts.append((tier, tier, _ensure_account(lib, tier, tier, kept.get(tier))))
    finally:
        lib.close()
    _keep_passwords(passwords_file(db), accounts[1:])
    return accounts


def _ensure_account(lib: Library, name: str, tier: str, password: str | None = None) -> str:
    """Create the account, or set its password and tier when it exists; return the password (the one
    given, else a new one)."""
    password = password or secrets.token_urlsafe(9)
    expires = (access.today() + timedelta(days=365)).isoformat() if tier in _EXPIRING_TIERS else None
    if lib.store.password_hash(name) is None:
        lib.add_user(name, tier, password, expires)
    else:
        lib.store.set_password_hash(name, hash_password(password))
        lib.set_tier(name, tier, expires)
    return password
