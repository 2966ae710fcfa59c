"""The SSRF guard, for URLs that come from configuration (news feeds, their articles).

A guarded client checks every URL before each redirect hop (`check_url`), then again at connect time: its
connections go through `_GuardedBackend`, which resolves the host once, refuses non-public addresses and connects
to the very address it checked, so DNS rebinding between the check and the connect cannot slip through. Hosts in
`allow_hosts` skip the address check (and are connected by name).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable

import httpcore
import httpx

from extractors.http.errors import BlockedUrl, Transient
from extractors.http.redaction import safe_url

Resolver = Callable[[str, int], list[str]]


class _Unresolvable(OSError):
    """The host could not be resolved: a failure worth retrying, unlike a refusal."""


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not _is_public(str(embedded)):
            return False
        if ip.ipv4_mapped is not None:
            return True
    return ip.is_global and not (
        ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved
        or ip.is_unspecified
    )


class UrlGuard:
    """Refuses URLs whose host resolves to a non-public address. Hosts in `allow_hosts` skip the address check."""

    def __init__(self, allow_hosts: Iterable[str] = (), resolver: Resolver = system_resolver) -> None:
        self.allow_hosts = frozenset(h.lower() for h in allow_hosts)
        self.resolver = resolver

    def public_addresses(self, host: str, port: int) -> list[str] | None:
        """The addresses to connect to, or None for an allowlisted host (connect by name). Raises ValueError."""
        host = host.lower().strip("[]")
        if host in self.allow_hosts:
            return None
        try:
            addresses = self.resolver(host, port)
        except OSError as exc:
            raise _Unresolvable(f"cannot resolve host {host!r}: {exc}") from None
        if not addresses:
            raise _Unresolvable(f"cannot resolve host {host!r}")
        bad = [a for a in addresses if not _is_public(a)]
        if bad:
            raise ValueError(f"host {host!r} resolves to a non-public address ({bad[0]})")
        return addresses


def check_scheme(u: httpx.URL, source: str) -> None:
    """Every client, guarded or not, refuses anything but http(s) URLs with a host (file:, bare paths...)."""
    if u.scheme not in ("http", "https") or not u.host:
        raise BlockedUrl(
            f"{source}: refused URL {safe_url(u)!r}: only http(s) URLs with a host are allowed",
            source=source, url=safe_url(u), cause="scheme")


def check_url(u: httpx.URL, source: str, guard: UrlGuard | None) -> None:
    """Before each hop: the scheme, then for a guarded client the addresses the host resolves to."""
    check_scheme(u, source)
    if guard is None:
        return
    try:
        guard.public_addresses(u.host, u.port or (443 if u.scheme == "https" else 80))
    except _Unresolvable as exc:
        raise Transient(str(exc)) from None
    except ValueError as exc:
        raise BlockedUrl(f"{source}: refused URL {safe_url(u)}: {exc}", source=source, url=safe_url(u),
                         cause=str(exc)) from None


def pin_connections(transport: httpx.HTTPTransport, guard: UrlGuard) -> None:
    """Make every connection of `transport` go through `guard` at connect time, to the address it checked."""
    pool = getattr(transport, "_pool", None)
    if not isinstance(pool, httpcore.ConnectionPool) or not hasattr(pool, "_network_backend"):
        raise RuntimeError("httpx/httpcore internals changed: cannot pin guarded connections")
    pool._network_backend = _GuardedBackend(pool._network_backend, guard)


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves, checks and pins the address at connect time: the last line against DNS rebinding."""

    def __init__(self, inner: httpcore.NetworkBackend, guard: UrlGuard) -> None:
        self._inner = inner
        self._guard = guard

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            addresses = self._guard.public_addresses(host, port)
        except _Unresolvable as exc:
            raise httpcore.ConnectError(str(exc)) from None
        except ValueError as exc:
            raise BlockedUrl(f"refused to connect: {exc}", cause=str(exc)) from None
        if addresses is None:
            return self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        last: Exception | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise BlockedUrl("refused to connect: unix sockets are not allowed")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)
