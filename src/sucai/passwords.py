"""Password hashing with Argon2id (memory-hard)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Argon2id with 64 MiB memory: the OWASP-recommended floor for memory-hard hashing.
_hasher = PasswordHasher(time_cost=2, memory_cost=64 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


_DUMMY_HASH: list[str] = []


def burn_verification(password: str) -> None:
    """Spend the time of one verification, so an unknown name answers as slowly as a wrong password."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(_hasher.hash("sucai-no-such-user"))
    verify_password(_DUMMY_HASH[0], password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
