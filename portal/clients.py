"""Who is calling: the one place that decides a caller's address for every per-address limit
(API throttles, the anonymous feedback limit, the login lock-out, the password-reset limit).

``X-Forwarded-For`` is a request header, so any client can write anything into it. It is read
only when the peer that connected (``REMOTE_ADDR``) is one of ``TRUSTED_PROXIES``; then the
header is walked from the right, skipping further trusted proxies, and the first address that
is not one of them is the caller. Everything to the left of that address was written by the
caller and is ignored.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_networks() -> tuple[Network, ...]:
    """The configured proxies (addresses or CIDR networks) whose forwarded headers we read."""
    return _networks(tuple(settings.TRUSTED_PROXIES))


def _parse(text: str) -> Address | None:
    """An address from a header or ``REMOTE_ADDR`` entry, without brackets or a port."""
    text = text.strip()
    if text.startswith("["):  # "[2001:db8::1]:443"
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # "192.0.2.1:8080"
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request) -> str:
    """The caller's address: ``REMOTE_ADDR``, unless that peer is a trusted proxy, in which
    case the nearest untrusted address in ``X-Forwarded-For`` (read from the right).

    An entry that is not an address stops the walk at the last trusted hop, so a garbled
    header can only lump callers together, never split one caller into many.
    """
    if request is None:
        return ""
    meta = request.META
    remote = meta.get("REMOTE_ADDR") or ""
    peer = _parse(remote)
    if peer is None:
        return remote
    networks = trusted_networks()
    hops = [hop for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    while networks and _trusted(peer, networks) and hops:
        forwarded = _parse(hops.pop())
        if forwarded is None:
            break
        peer = forwarded
    return str(peer)


FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
)


class ForwardedHeadersMiddleware:
    """Drop the forwarded headers of a request whose peer is not one of ``TRUSTED_PROXIES``
    (when any are configured), so a client that reaches the server directly cannot claim
    https (``SECURE_PROXY_SSL_HEADER``) or another host. With no proxies configured the
    headers are left alone, and only ``client_ip`` ignores them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        networks = trusted_networks()
        if networks:
            peer = _parse(request.META.get("REMOTE_ADDR") or "")
            if peer is None or not _trusted(peer, networks):
                for name in FORWARDED_HEADERS:
                    request.META.pop(name, None)
        return self.get_response(request)
