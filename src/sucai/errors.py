"""The one exception tree. The CLI maps it to messages and exit codes, the web to HTTP statuses.

    SucaiError
    ├── InputError          a file or field the user gave cannot be used (per-file in ingest)
    │   ├── TooLarge        over the configured size limit (or a zip that would expand past it)
    │   ├── UnsafeArchive   zip bomb, traversal or absolute paths
    │   └── DecodeError     bytes that no supported encoding reads strictly
    ├── QueryError          a malformed search query, with a message fit for the user
    ├── NotFound            no such document, user or draft
    ├── AccessDenied        the viewer may not do this (see access.py)
    │   ├── AccountDisabled the password was right, but an admin disabled the account
    │   └── QuotaExceeded   the daily download quota is used up
    ├── EditConflict        a save names a version of a draft that has changed since (HTTP 409)
    ├── TraceError          a file carries no valid download trace, or a forged one
    └── StoreError          the library file or database cannot be used
"""

from __future__ import annotations


class SucaiError(Exception):
    """Base of every error sucai raises on purpose."""


class InputError(SucaiError):
    pass


class TooLarge(InputError):
    pass


class UnsafeArchive(InputError):
    pass


class DecodeError(InputError):
    pass


class QueryError(SucaiError):
    pass


class NotFound(SucaiError):
    pass


class AccessDenied(SucaiError):
    pass


class AccountDisabled(AccessDenied):
    """The password was right but an admin disabled the account."""


class QuotaExceeded(AccessDenied):
    pass


class EditConflict(SucaiError):
    def __init__(self, message: str, current: int = 0) -> None:
        super().__init__(message)
        self.current = current  # the version now stored


class TraceError(SucaiError):
    pass


class StoreError(SucaiError):
    pass
