"""The SSRF guard of webhooks: a URL may only reach public addresses.

    allowed = parse_networks(settings.webhook_allowed_networks)
    address = await resolve_url(url, allowed)    # AddressNotAllowedError, InvalidFieldError

Only http and https URLs are taken.  The host is resolved and every address it resolves to
must be public: loopback, private, link-local, multicast, reserved, unspecified, shared
(100.64/10) and site-local addresses are refused, including their IPv4-mapped
(`::ffff:127.0.0.1`), 6to4 and NAT64 (`64:ff9b::/96`) IPv6 forms, unless an allow-listed
network (`COMPTOIR_WEBHOOK_ALLOWED_NETWORKS`) contains them.  The check runs when an
endpoint is created or changed and again before every delivery, which then connects to the
checked address itself (no second lookup a DNS rebinding could answer differently).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit

from comptoir.errors import InvalidFieldError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_SHARED = ipaddress.ip_network("100.64.0.0/10")


class AddressNotAllowedError(InvalidFieldError):
    """The URL's host resolves to an address webhooks may not reach."""

    def __init__(self, url: str, address: str = "") -> None:
        where = f" ({address})" if address else ""
        super().__init__("url", f"address not allowed: {url}{where}")


def parse_networks(text: str) -> tuple[Network, ...]:
    """The allow-list setting: comma-separated CIDRs."""
    try:
        return tuple(ipaddress.ip_network(part.strip(), strict=False)
                     for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise InvalidFieldError("webhook_allowed_networks", str(exc)) from None


def _embedded(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64, compatible)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # deprecated ::a.b.c.d
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _public(address: Address) -> bool:
    if (address.is_loopback or address.is_private or address.is_link_local
            or address.is_multicast or address.is_reserved or address.is_unspecified
            or not address.is_global):
        return False
    if isinstance(address, ipaddress.IPv4Address):
        return address not in _SHARED
    if address.is_site_local or address in _NAT64_LOCAL:
        return False
    inner = _embedded(address)
    return inner is None or _public(inner)


def address_allowed(address: Address, allowed: Sequence[Network] = ()) -> bool:
    """May a webhook reach this address?"""
    inner = _embedded(address)
    if any(address in net or (inner is not None and inner in net) for net in allowed):
        return True
    return _public(address)


def check_url(url: str) -> tuple[str, str, int]:
    """The scheme, host and port of a webhook URL, or InvalidFieldError naming it."""
    if not isinstance(url, str) or not url or len(url) > 2000:
        raise InvalidFieldError("url", f"not a valid http(s) URL: {str(url)[:200]}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidFieldError("url", f"not a valid http(s) URL: {url}") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidFieldError("url", f"only http and https URLs are allowed: {url}")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise InvalidFieldError("url", f"not a valid http(s) URL: {url}")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


async def resolve_url(url: str, allowed: Sequence[Network] = ()) -> Address:
    """The address to connect to for `url`: every address its host resolves to must be
    allowed (AddressNotAllowedError otherwise)."""
    scheme, host, port = check_url(url)
    try:
        literal: Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        found = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise InvalidFieldError("url", f"the host does not resolve: {url}") from None
        found = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        if not found:
            raise InvalidFieldError("url", f"the host does not resolve: {url}")
    for address in found:
        if not address_allowed(address, allowed):
            raise AddressNotAllowedError(url, str(address))
    return found[0]
