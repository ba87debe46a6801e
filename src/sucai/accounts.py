"""Sessions, API tokens and passwords of accounts: part of the public Library (mixed into it).

A session or token is a random secret given to its holder once; the store keeps only its SHA-256, with its
user, creation, expiry and end. Ending one is a row update, so it holds on every process and node at once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sucai.errors import InputError, NotFound
from sucai.model import User
from sucai.store.base import SessionInfo, TokenInfo

if TYPE_CHECKING:
    from sucai.settings import Settings
    from sucai.store import Store

SESSION_DAYS = 14
MIN_PASSWORD = 8


def secret_hash(secret: str) -> str:
    """What the store keeps of a session's or token's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


class Accounts:
    """Library methods for sessions, tokens and passwords (needs `store` and `settings`)."""

    store: Store
    settings: Settings

    # -- passwords ------------------------------------------------------------------------------
    def change_password(self, name: str, password: str, keep_session: str | None = None) -> None:
        """Set a new password and end every session of the account but `keep_session` (a session secret)."""
        from sucai.passwords import hash_password

        if len(password) < MIN_PASSWORD:
            raise InputError(f"密码至少 {MIN_PASSWORD} 位。A password needs at least {MIN_PASSWORD} characters.")
        keep = secret_hash(keep_session) if keep_session else None
        self.store.set_password_hash(name, hash_password(password), keep_session=keep)

    # -- sessions -------------------------------------------------------------------------------
    def start_session(self, user: User, days: int = SESSION_DAYS) -> str:
        """A new session for the user; returns its secret (for the cookie), of which only a hash is kept."""
        secret = secrets.token_urlsafe(32)
        expires = _iso(datetime.now(UTC) + timedelta(days=days))
        self.store.add_session(user.id, secret_hash(secret), expires)
        return secret

    def session_user(self, secret: str) -> User | None:
        """The user of a live session, else None (ended by logout or a password change, or expired)."""
        return self.store.session_user(secret_hash(secret))

    def end_session(self, secret: str) -> None:
        self.store.end_session(secret_hash(secret))

    def end_sessions(self, name: str, keep_session: str | None = None) -> int:
        """Sign the account out everywhere (but `keep_session`); returns how many sessions ended."""
        user = self.store.user(name)
        return self.store.end_sessions(user.id, secret_hash(keep_session) if keep_session else None)

    def sessions(self, name: str) -> list[SessionInfo]:
        return self.store.sessions(self.store.user(name).id)

    # -- API tokens -----------------------------------------------------------------------------
    def new_token(self, name: str) -> str:
        """A new API token for the user, valid for the configured days (settings.token_days)."""
        return self.issue_token(name, timedelta(days=self.settings.token_days))[0]

    def issue_token(self, name: str, lifetime: timedelta | None) -> tuple[str, TokenInfo]:
        """A new API token and its listing; lifetime None = until revoked. Only the token's hash is kept."""
        user = self.store.user(name)
        token = "sc_" + secrets.token_urlsafe(32)
        expires = _iso(datetime.now(UTC) + lifetime) if lifetime is not None else None
        token_id = self.store.add_token(user.id, secret_hash(token), expires)
        return token, self.store.token(token_id)

    def tokens(self, name: str) -> list[TokenInfo]:
        return self.store.tokens(self.store.user(name).id)

    def revoke_token(self, token_id: int, name: str | None = None) -> TokenInfo:
        """Revoke a token (only one of `name`'s when given); NotFound when there is no such token."""
        owner = self.store.user(name).id if name is not None else None
        self.store.revoke_token(token_id, owner)
        return self.store.token(token_id)

    def user_for_token(self, token: str) -> User:
        user = self.store.user_by_token(secret_hash(token))
        if user is None:
            raise NotFound("unknown, expired or revoked API token")
        return user
