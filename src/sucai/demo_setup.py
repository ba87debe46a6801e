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


def build_demo(db: str) -> list[tuple[str, str, str]]:
    """Ingest the bundled documents into the library at `db` and (re)create one account per tier.

    Safe to run again: documents already stored are skipped by their bytes, and existing accounts keep
    their name and get a fresh password. Returns (name, tier, password) per account, the guest first
    (the guest is simply not logged in, so it has no password).
    """
    lib = open_library(db)
    try:
        lib.ingest([DEMO_DIR])
        accounts = [GUEST_ACCOUNT]
        for tier in DEMO_TIERS:
            accounts.append((tier, tier, _ensure_account(lib, tier, tier)))
    finally:
        lib.close()
    return accounts


def _ensure_account(lib: Library, name: str, tier: str) -> str:
    """Create the account, or reset its password and tier when it exists; return the new password."""
    password = secrets.token_urlsafe(9)
    expires = (access.today() + timedelta(days=365)).isoformat() if tier in _EXPIRING_TIERS else None
    if lib.store.password_hash(name) is None:
        lib.add_user(name, tier, password, expires)
    else:
        lib.store.set_password_hash(name, hash_password(password))
        lib.set_tier(name, tier, expires)
    return password
