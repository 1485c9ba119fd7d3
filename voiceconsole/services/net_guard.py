"""Outbound targets we may be asked to call: refuse private, loopback and link-local hosts.

An integration's custom base URL (and, later, notification webhook targets) comes from users, so
without this check a user could make our workers call the cloud metadata service or anything on
the internal network. Private targets are allowed only with `VOICECONSOLE_ALLOW_PRIVATE_TARGETS=1`
(tests, local development, the demo against the local simulator).

The host is resolved and every address it resolves to is checked, so a public name pointing at a
private address is refused too. (A name can change its answer between this check and the
request; callers re-check right before use to narrow that window.)
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from voiceconsole.settings import get_settings


class UnsafeTarget(ValueError):
    """The URL is malformed, or points at an address we refuse to call."""


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeTarget(f"Cannot resolve host {host!r}") from exc
    # An IPv4 or IPv6 socket address starts with the host as text (str(): typeshed allows other families).
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_unspecified)


def check_url(url: str, *, allow_private: bool | None = None, require_https_public: bool = False) -> str:
    """Return the URL (without a trailing slash) if it is safe to call, else raise UnsafeTarget."""
    if allow_private is None:
        allow_private = get_settings().allow_private_targets
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeTarget("Must be an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise UnsafeTarget("Must not contain a user name or password")
    if parts.query or parts.fragment:
        raise UnsafeTarget("Must not contain a query string or fragment")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeTarget("Has an invalid port") from exc
    addresses = _addresses(parts.hostname, port)
    private = [a for a in addresses if not is_public_address(a)]
    if private and not allow_private:
        raise UnsafeTarget(
            f"Points at a private, loopback or link-local address ({private[0]}); such targets are allowed "
            "only when VOICECONSOLE_ALLOW_PRIVATE_TARGETS=1"
        )
    if require_https_public and not private and parts.scheme != "https":
        raise UnsafeTarget("Must use https:// for a public host")
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")


def is_private_url(url: str) -> bool:
    """True when the URL's host is (or resolves to) a private, loopback or link-local address."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return any(not is_public_address(a) for a in _addresses(parts.hostname or "", port))
    except (UnsafeTarget, ValueError):
        return False


def check_base_url(url: str) -> str:
    """An integration's custom platform base URL: it receives the API key, so public hosts need https."""
    return check_url(url, require_https_public=True)
