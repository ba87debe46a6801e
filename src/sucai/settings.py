"""Settings, read once (from arguments and the environment) and passed in; never read deep inside a stage."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sucai.errors import InputError

DEFAULT_DB = "library.db"
DEFAULT_QUOTAS: dict[str, int | None] = {"guest": 0, "free": 3, "member": 30, "svip": 200, "admin": None}
_UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
          "d": 86400, "day": 86400}
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Rate:
    """At most `count` events per `window` seconds (a rate limit kept in the store)."""

    count: int
    window: int = 60

    @classmethod
    def parse(cls, text: str) -> Rate | None:
        """'60', '60/min', '1000/hour', '5/30s'; 'none' or 'off' for no limit."""
        raw = text.strip().lower()
        if raw in {"none", "off", "unlimited"}:
            return None
        found = re.fullmatch(r"(\d+)\s*(?:/\s*(\d*)\s*([a-z]+))?", raw)
        if not found or (found.group(3) and found.group(3) not in _UNITS):
            raise InputError(f"a rate is N, N/min, N/hour, N/30s or none: {text!r}")
        window = _UNITS[found.group(3)] * int(found.group(2) or 1) if found.group(3) else 60
        return cls(int(found.group(1)), window)


def parse_lifetime(text: str) -> timedelta | None:
    """'90d', '12h', '4w', '1y' (365 days), '30' (days); 'never' or 'none' for no expiry."""
    raw = text.strip().lower()
    if raw in {"never", "none"}:
        return None
    found = re.fullmatch(r"(\d+)\s*([hdwy]?)", raw)
    if not found or int(found.group(1)) <= 0:
        raise InputError(f"a lifetime is like 90d, 12h, 4w, 1y or never: {text!r}")
    hours = {"h": 1, "": 24, "d": 24, "w": 24 * 7, "y": 24 * 365}[found.group(2)] * int(found.group(1))
    if hours > 24 * 365 * 100:
        raise InputError(f"a lifetime of at most 100 years: {text!r}")
    return timedelta(hours=hours)


def parse_networks(text: str) -> tuple[Network, ...]:
    """Comma-separated addresses and CIDR blocks (SUCAI_TRUSTED_PROXIES)."""
    try:
        return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in text.split(",") if p.strip())
    except ValueError as exc:
        raise InputError(f"SUCAI_TRUSTED_PROXIES: {exc}") from exc


_INT_VARS = {
    "login_attempts_per_minute": "SUCAI_LIMIT_LOGIN", "check_max_chars": "SUCAI_CHECK_MAX_CHARS",
    "token_days": "SUCAI_TOKEN_DAYS", "search_log_days": "SUCAI_SEARCH_LOG_DAYS",
    "search_slots": "SUCAI_SEARCH_SLOTS",
}
_TEXT_VARS = {
    "webhook_url": "SUCAI_WEBHOOK_URL", "public_url": "SUCAI_PUBLIC_URL",
    "node_secret": "SUCAI_NODE_SECRET", "index_from": "SUCAI_INDEX_FROM",
}
_BOOL_VARS = {"secure_cookies": "SUCAI_SECURE_COOKIES", "trace_invisible": "SUCAI_TRACE_INVISIBLE"}


def _typed_values(env: Mapping[str, str]) -> dict[str, object]:
    """The settings given by variables of a simple type (yes/no, numbers, rates, text), by field name."""
    parsers: list[tuple[dict[str, str], Callable[[str], object]]] = [
        (_BOOL_VARS, lambda raw: raw.strip().lower() in {"1", "true", "yes", "on"}),
        (_RATE_VARS, Rate.parse),
        (_INT_VARS, int),
        (_TEXT_VARS, str.strip),
    ]
    values: dict[str, object] = {}
    for names, parse in parsers:
        for name, var in names.items():
            if env.get(var):
                try:
                    values[name] = parse(env[var])
                except (ValueError, InputError) as exc:  # int("abc") names neither the variable nor its value
                    raise InputError(f"{var}={env[var]!r}: {exc}") from exc
    return values
_RATE_VARS = {
    "limit_search_guest": "SUCAI_LIMIT_SEARCH_GUEST", "limit_search_account": "SUCAI_LIMIT_SEARCH_ACCOUNT",
    "limit_check": "SUCAI_LIMIT_CHECK", "limit_login_account": "SUCAI_LIMIT_LOGIN_ACCOUNT",
}


@dataclass(frozen=True)
class Settings:
    db: str = DEFAULT_DB
    index_dir: Path | None = None  # default: beside the SQLite file, or under ~/.cache for PostgreSQL
    max_file_bytes: int = 50 * 1024 * 1024
    rules_dirs: tuple[Path, ...] = ()
    quotas: dict[str, int | None] = field(default_factory=lambda: dict(DEFAULT_QUOTAS))
    secret_key: str | None = None  # default: generated once and kept in the library's meta table
    login_attempts_per_minute: int = 5  # per account and address; 4x per address over all accounts
    secure_cookies: bool = False  # the session cookie only over HTTPS; off so http://localhost keeps working
    # Rate limits kept in the store (shared by every process and node); None = no limit.
    limit_search_guest: Rate | None = Rate(60)  # per address
    limit_search_account: Rate | None = Rate(120)  # per account
    limit_check: Rate | None = Rate(6)  # originality checks per account
    limit_login_account: Rate | None = Rate(30)  # per account over all addresses
    check_lease_seconds: int = 120  # one check at a time per account; a crashed process frees it after this
    check_max_chars: int = 50_000  # characters of a draft the originality check takes (SUCAI_CHECK_MAX_CHARS)
    trusted_proxies: tuple[Network, ...] = ()  # peers whose X-Forwarded-For names the client
    token_days: int = 365  # default lifetime of a new API token
    trace_invisible: bool = False  # zero-width marks in downloaded text too (SUCAI_TRACE_INVISIBLE=1)
    search_log_days: int = 30  # days of searches kept for the admin page; 0 keeps none
    webhook_url: str | None = None  # POSTed a JSON list of new documents after each ingest (group bots)
    public_url: str = ""  # the library's address as users reach it, for links in webhooks and published files
    # Shared by the nodes of one library: it opens GET /api/index/snapshot (member-only text) to the others.
    node_secret: str | None = None
    index_from: str | None = None  # a peer's base URL: a node without an index copies the peer's at start
    search_slots: int = 0  # searches one process computes at once, the rest queued in order; 0 = one per core

    @classmethod
    def from_env(cls, db: str | None = None, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {"db": db or env.get("SUCAI_DB", DEFAULT_DB)}
        if env.get("SUCAI_INDEX"):
            values["index_dir"] = Path(env["SUCAI_INDEX"])
        if env.get("SUCAI_MAX_FILE_MB"):
            values["max_file_bytes"] = int(float(env["SUCAI_MAX_FILE_MB"]) * 1024 * 1024)
        if env.get("SUCAI_RULES"):
            values["rules_dirs"] = tuple(Path(p) for p in env["SUCAI_RULES"].split(os.pathsep) if p)
        if env.get("SUCAI_SECRET"):
            values["secret_key"] = env["SUCAI_SECRET"]
        values.update(_typed_values(env))
        if env.get("SUCAI_TRUSTED_PROXIES"):
            values["trusted_proxies"] = parse_networks(env["SUCAI_TRUSTED_PROXIES"])
        quotas = dict(DEFAULT_QUOTAS)
        for tier in quotas:
            raw = env.get(f"SUCAI_QUOTA_{tier.upper()}")
            if raw:
                quotas[tier] = None if raw.lower() in {"none", "unlimited"} else int(raw)
        values["quotas"] = quotas
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def resolved_index_dir(self) -> Path:
        if self.index_dir is not None:
            return self.index_dir
        if self.db.startswith(("postgresql://", "postgres://")):
            import hashlib

            digest = hashlib.sha256(self.db.encode()).hexdigest()[:16]
            return Path.home() / ".cache" / "sucai" / f"index-{digest}"
        return Path(self.db.removeprefix("sqlite:///") + ".sucai-index")
