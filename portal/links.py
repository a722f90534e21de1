"""Absolute links to the portal, always on the configured ``SITE_URL``.

The Host header is the caller's to write. A link built from it and sent by e-mail, or stored in
an answer the cache hands to other visitors (sitemaps, feeds, DCAT, the APIs), would point
wherever the caller wanted, so every absolute link is built here instead: the scheme and host
of ``SITE_URL`` and the path Django reversed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def site_origin() -> str:
    """``scheme://host[:port]`` of ``SITE_URL``, without a trailing slash."""
    parts = urlsplit(settings.SITE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def site_host() -> str:
    """The host (and port, if any) of ``SITE_URL``."""
    return urlsplit(settings.SITE_URL).netloc


def site_is_https() -> bool:
    """Does ``SITE_URL`` use https?"""
    return urlsplit(settings.SITE_URL).scheme == "https"


def absolute(path: str = "/") -> str:
    """``path`` (as reversed, with any query string) as an absolute link on ``SITE_URL``."""
    if not path.startswith("/"):
        path = "/" + path
    return site_origin() + path


def absolute_current(request) -> str:
    """The absolute link of the page ``request`` asked for (path and query string)."""
    return absolute(request.get_full_path())


def rebased(url: str) -> str:
    """``url`` (absolute or not) moved onto ``SITE_URL``: its path and query string kept, its
    scheme and host replaced."""
    parts = urlsplit(url)
    return absolute(parts.path + (f"?{parts.query}" if parts.query else ""))
