"""Rate limits of the web, kept in the store so every process and node shares them: searches per guest
address and per account, originality checks per account (per minute, and one at a time), logins per
account and address. A refusal is RateLimited: 429 with Retry-After, a Chinese page or a JSON error."""

from __future__ import annotations

import ipaddress
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from fastapi import Request

from sucai.model import User
from sucai.settings import Network, Rate, Settings
from sucai.store import Store
from sucai.web.problems import RateLimited

CHECK_BUSY_RETRY = 5  # seconds a client is told to wait while its previous check runs


# -- who is asking ------------------------------------------------------------------------------------
def client_address(request: Request) -> str:
    """The client's address: the peer's, or from X-Forwarded-For when the peer is a trusted proxy
    (SUCAI_TRUSTED_PROXIES). The header is read from the right, past the trusted proxies: what a client
    writes into it itself stands left of the address the first proxy saw, so it is never reached."""
    peer = request.client.host if request.client else "unknown"
    trusted: tuple[Network, ...] = request.app.state.settings.trusted_proxies
    if not trusted or not _within(peer, trusted):
        return peer
    hops = [h.strip() for line in request.headers.getlist("x-forwarded-for") for h in line.split(",")]
    found = peer
    for hop in reversed([h for h in hops if h]):
        if _ip(hop) is None:
            break  # not an address: nothing left of it can be trusted either
        found = hop
        if not _within(hop, trusted):
            break
    return found


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _within(address: str, networks: tuple[Network, ...]) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in net for net in networks)


def address_key(address: str) -> str:
    """An address as limits count it: IPv6 by its /64 (one host is given a whole /64 to rotate through)."""
    ip = _ip(address)
    if not isinstance(ip, ipaddress.IPv6Address):
        return address
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((ip, 64), strict=False))


def _store(request: Request) -> Store:
    return request.app.state.library.store  # type: ignore[no-any-return]


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def hit(store: Store, limits: list[tuple[str, Rate | None]], message: Callable[[Rate, int], str]) -> None:
    """Count one event on every key with a rate (all or none); RateLimited when one has no room."""
    counted = [(key, rate) for key, rate in limits if rate is not None]
    if not counted:
        return
    wait = store.hit_limits([(key, rate.window, rate.count) for key, rate in counted])
    if wait is not None:
        raise RateLimited(message(counted[0][1], wait), retry_after=wait)


def _per(rate: Rate) -> str:
    return {60: "每分钟", 3600: "每小时", 86400: "每天"}.get(rate.window, f"每 {rate.window} 秒")


# -- search -------------------------------------------------------------------------------------------
def limit_search(request: Request, viewer: User) -> None:
    """Count one search: per account for a signed-in viewer, per address for a guest."""
    settings = _settings(request)
    if viewer.id > 0:
        key, rate = f"search:user:{viewer.id}", settings.limit_search_account
    else:
        key, rate = f"search:addr:{address_key(client_address(request))}", settings.limit_search_guest

    def message(rate: Rate, wait: int) -> str:
        return (f"搜索过于频繁：{_per(rate)}最多 {rate.count} 次，请 {wait} 秒后再试。"
                f" Too many searches ({rate.count} per {rate.window} s); try again in {wait} s.")

    hit(_store(request), [(key, rate)], message)


# -- originality check ------------------------------------------------------------------------------
@contextmanager
def check_slot(request: Request, viewer: User) -> Iterator[None]:
    """Run one originality check for the viewer: counted per minute, and one at a time per account (a
    lease in the store, so a check on another node counts too; a crashed process's lease runs out)."""
    settings, store = _settings(request), _store(request)

    def message(rate: Rate, wait: int) -> str:
        return (f"查重过于频繁：{_per(rate)}最多 {rate.count} 次，请 {wait} 秒后再试。"
                f" Too many originality checks ({rate.count} per {rate.window} s); try again in {wait} s.")

    owner = f"user:{viewer.id}" if viewer.id > 0 else f"addr:{address_key(client_address(request))}"
    key, lease, holder = f"check:{owner}", f"check-running:{owner}", secrets.token_hex(8)
    if not store.acquire_lease(lease, holder, settings.check_lease_seconds):
        raise RateLimited(
            "上一次查重尚未完成，请稍候再试。 Your previous originality check is still running; try again shortly.",
            retry_after=CHECK_BUSY_RETRY,
        )
    try:
        hit(store, [(key, settings.limit_check)], message)
        yield
    finally:
        store.release_lease(lease, holder)


# -- login --------------------------------------------------------------------------------------------
class LoginLimiter:
    """Login attempts, counted in the store: N a minute per account and address, 4N per address over all
    accounts, and settings.limit_login_account per account over all addresses. A success gives its attempt
    back and forgets the account's failures from that address."""

    WINDOW = 60

    def __init__(
        self, store: Store, per_minute: int, per_account: Rate | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.per_minute = max(1, per_minute)
        self.per_account = per_account
        self._clock = clock

    def _keys(self, name: str, address: str) -> list[tuple[str, Rate | None]]:
        account, where = name.strip().casefold(), address_key(address)
        return [
            (f"login:pair:{account}|{where}", Rate(self.per_minute, self.WINDOW)),
            (f"login:addr:{where}", Rate(4 * self.per_minute, self.WINDOW)),
            (f"login:user:{account}", self.per_account),
        ]

    def attempt(self, name: str, address: str) -> float:
        """Count one attempt, or raise RateLimited; returns the moment counted (for succeeded)."""
        now = self._clock()
        keys = [(k, r) for k, r in self._keys(name, address) if r is not None]
        wait = self.store.hit_limits([(k, r.window, r.count) for k, r in keys], now=now)
        if wait is not None:
            raise RateLimited(
                f"登录尝试过于频繁：同一账户每分钟最多尝试 {self.per_minute} 次，请 {wait} 秒后再试。"
                f" Too many login attempts; try again in {wait} s.",
                retry_after=wait,
            )
        return now

    def succeeded(self, name: str, address: str, at: float | None = None) -> None:
        pair, *others = [(k, r) for k, r in self._keys(name, address) if r is not None]
        self.store.clear_limit(pair[0])
        self.store.unhit_limits([(k, r.window) for k, r in others], now=at if at is not None else self._clock())
