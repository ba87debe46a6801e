"""Signed download marks: who downloaded which documents when, as a compact token, and its verification.

A token is ``sc1.<payload>.<mac>``: the payload (JSON, base64url) names the account, time, documents and
download, and the id of the library's key; the mac is HMAC-SHA256 (truncated to 128 bits, as RFC 4868 does)
under the library's secret, so it cannot be forged or edited without it. The key id (itself an HMAC of a
constant) tells a file signed by another library from one of ours whose mark was changed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass

from sucai.errors import TraceError

TOKEN_PREFIX = "sc1"
MAC_BYTES = 16
KEY_ID_BYTES = 6
_MAC_CONTEXT = b"sucai-download-trace-v1\x00"  # domain separation: the secret also signs sessions
_KEY_ID_CONTEXT = b"sucai-key-id-v1"
NOT_OURS = "未由本库签发"


@dataclass(frozen=True)
class TraceMark:
    """Who downloaded which documents when; ``time`` is ISO-8601 UTC to the second."""

    user: str
    user_id: int
    time: str
    document_ids: tuple[int, ...]
    download_id: int


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    """Strict base64url: only the canonical spelling decodes (a flipped padding bit is a change too)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64(data) != text:
        raise ValueError("not canonical base64url")
    return data


def _mac(payload: bytes, secret: bytes) -> bytes:
    if not secret:
        raise ValueError("the trace secret must not be empty")
    return hmac.new(secret, _MAC_CONTEXT + payload, hashlib.sha256).digest()[:MAC_BYTES]


def key_id(secret: bytes) -> str:
    """A short public name of the library's key: equal for files this library signed."""
    return b64(hmac.new(secret, _KEY_ID_CONTEXT, hashlib.sha256).digest()[:KEY_ID_BYTES])


def _fields(mark: TraceMark) -> list[object]:
    return [mark.user, mark.user_id, mark.time, list(mark.document_ids), mark.download_id]


def payload_bytes(mark: TraceMark) -> bytes:
    """The mark's fields as compact JSON (what the visible footer's codes cover)."""
    return json.dumps(_fields(mark), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign_mark(mark: TraceMark, secret: bytes) -> str:
    """The mark as a compact signed token: ``sc1.<payload>.<mac>`` (base64url, HMAC-SHA256/128)."""
    payload = json.dumps([*_fields(mark), key_id(secret)], ensure_ascii=False, separators=(",", ":")).encode()
    return f"{TOKEN_PREFIX}.{b64(payload)}.{b64(_mac(payload, secret))}"


def _parsed(payload: bytes) -> tuple[TraceMark, str | None]:
    """The mark and the signer's key id (None in tokens from before key ids) a payload states."""
    fields = json.loads(payload.decode("utf-8"))
    if not isinstance(fields, list) or len(fields) not in (5, 6):
        raise ValueError("unexpected payload shape")
    user, user_id, time, ids, download_id = fields[:5]
    signer = fields[5] if len(fields) == 6 else None
    if not (isinstance(user, str) and isinstance(time, str) and isinstance(ids, list)):
        raise ValueError("unexpected payload shape")
    if not all(isinstance(x, int) for x in [user_id, download_id, *ids]) or not isinstance(signer, str | None):
        raise ValueError("unexpected payload shape")
    return TraceMark(user, user_id, time, tuple(ids), download_id), signer


def _mismatch(payload: bytes, secret: bytes) -> TraceError:
    """Why a well-formed token's signature does not verify: another library's, or ours changed."""
    try:
        _, signer = _parsed(payload)
    except (ValueError, TypeError, UnicodeDecodeError):
        signer = None
    if signer is not None and signer != key_id(secret):
        return TraceError(f"{NOT_OURS}：not signed by this library (signed with another library's key)")
    if signer == key_id(secret):
        return TraceError("签名不符，标记在下载后被改动：signed by this library, but tampered with since "
                          "(signature mismatch)")
    return TraceError(f"{NOT_OURS}或已被改动：not signed by this library, or tampered with (signature mismatch)")


def verify_token(token: str, secret: bytes) -> TraceMark:
    """The mark a token carries; TraceError when it is not this library's, was changed, or is no token."""
    parts = token.strip().split(".")
    try:
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            raise ValueError("not a sucai trace token")
        payload, mac = unb64(parts[1]), unb64(parts[2])
    except (ValueError, binascii.Error) as exc:
        raise TraceError(f"标记已损坏：the download mark is damaged, tampered with ({exc})") from None
    if not hmac.compare_digest(mac, _mac(payload, secret)):
        raise _mismatch(payload, secret)
    try:
        return _parsed(payload)[0]
    except (ValueError, TypeError, UnicodeDecodeError) as exc:  # signed by us, so only a bug gets here
        raise TraceError(f"the download mark is signed but unreadable ({exc})") from None


def token_bytes(token: str) -> bytes:
    """The binary form of a well-formed token (payload length, payload, mac) for compact carriers."""
    _, payload, mac = token.split(".")
    raw = unb64(payload)
    return len(raw).to_bytes(2, "big") + raw + unb64(mac)


def token_from_bytes(data: bytes) -> str:
    size = int.from_bytes(data[:2], "big")
    payload, mac = data[2 : 2 + size], data[2 + size : 2 + size + MAC_BYTES]
    if len(payload) != size or len(mac) != MAC_BYTES:
        raise ValueError("truncated mark")
    return f"{TOKEN_PREFIX}.{b64(payload)}.{b64(mac)}"
