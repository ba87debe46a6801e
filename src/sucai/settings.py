"""Settings, read once (from arguments and the environment) and passed in; never read deep inside a stage."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DB = "library.db"
DEFAULT_QUOTAS: dict[str, int | None] = {"guest": 0, "free": 3, "member": 30, "svip": 200, "admin": None}


@dataclass(frozen=True)
class Settings:
    db: str = DEFAULT_DB
    index_dir: Path | None = None  # default: beside the SQLite file, or under ~/.cache for PostgreSQL
    max_file_bytes: int = 50 * 1024 * 1024
    rules_dirs: tuple[Path, ...] = ()
    quotas: dict[str, int | None] = field(default_factory=lambda: dict(DEFAULT_QUOTAS))
    secret_key: str | None = None  # default: generated once and kept in the library's meta table
    login_attempts_per_minute: int = 5
    secure_cookies: bool = False  # the session cookie only over HTTPS; off so http://localhost keeps working

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
        if env.get("SUCAI_SECURE_COOKIES"):
            values["secure_cookies"] = env["SUCAI_SECURE_COOKIES"].strip().lower() in {"1", "true", "yes", "on"}
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
