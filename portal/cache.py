"""Cache of anonymous catalogue pages and API answers.

Anonymous visitors all see the same thing for the same URL and language, so their GET answers
are cached whole. Where the answer also depends on the Accept header (the API, and resource pages
that answer with RDF when asked), the key holds that too. Any change to the catalogue bumps a
version number that is part of every key, which drops all cached answers at once
(``catalog_changed``). Signed-in callers are never served from or written to this cache, so
nothing one person may see is ever shown to another. Only GET and HEAD requests without a
body are cached: a POST (the CKAN-compatible API answers those) never is, and neither is a GET
that carries its parameters in a body.

Expensive aggregate queries (facet counts) are cached under their SQL text and parameters
(``remember``), versioned the same way.
"""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from catalog.negotiation import NEGOTIATED_PATH, preferred_format

T = TypeVar("T")

VERSION_KEY = "catalog:version"
CACHED_PREFIXES = (
    "/",
    "/resources/",
    "/products/",
    "/organizations/",
    "/api/v1/",
    "/api/3/action/",
    "/api/action/",
    "/about/",
    "/catalog.",
    "/sitemap",
    "/feeds/",
    "/high-value/",
    "/map/",
)
SKIPPED_PREFIXES = ("/admin/", "/accounts/", "/i18n/", "/api/schema/", "/api/docs/", "/static/")


def catalog_changed() -> None:
    """Invalidate every cached anonymous answer; call after any catalogue write."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def _version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, timeout=None)


def remember(sql: str, params: tuple, compute: Callable[[], T]) -> T:
    """The result of ``compute()`` for the SQL statement ``sql`` with ``params``, cached for
    ``QUERY_CACHE_SECONDS`` until the next catalogue write.

    The key is the statement itself (including the policy's conditions and their parameters),
    so two callers share a result only when their queries are identical.
    """
    if settings.QUERY_CACHE_SECONDS <= 0:
        return compute()
    digest = hashlib.sha256(f"{sql}\x00{params!r}".encode()).hexdigest()
    key = f"sql:{_version()}:{digest}"
    result = cache.get(key)
    if result is None:
        result = compute()
        cache.set(key, result, settings.QUERY_CACHE_SECONDS)
    return result


def _cacheable(request) -> bool:
    from grading.apikeys import credentials_sent

    path = request.path
    return (
        settings.ANONYMOUS_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not _has_body(request)
        and not request.user.is_authenticated
        # API-key callers are users too: their answers are theirs, and a bad key answers 401.
        and not credentials_sent(request)
        and not path.startswith(SKIPPED_PREFIXES)
        and "/download/" not in path
        and (path == "/" or path.startswith(CACHED_PREFIXES[1:]))
    )


def _variant(request) -> str:
    """The part of the Accept header that changes the answer for this path."""
    if request.path.startswith("/api/"):
        return request.headers.get("Accept", "")[:100]
    if NEGOTIATED_PATH.match(request.path):
        # The format the view will choose, not the raw header: every browser's header gives
        # "html", and no header can be cut short into another's key.
        return preferred_format(request)
    return ""


def _has_body(request) -> bool:
    """A GET with a body (CKAN's API reads parameters from it) is not keyed by its URL alone."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    return length != "0" or "Transfer-Encoding" in request.headers


def _throttled(request):
    """A 429 for an anonymous API caller over its limit: cached answers count too."""
    if not request.path.startswith("/api/"):
        return None
    from grading.apikeys import anonymous_throttled

    return anonymous_throttled(request)


def _key(request) -> str:
    # The host is part of the key: an answer to a request with a forged Host header is only
    # ever served to requests that send the same header.
    host = request.get_host()
    path = request.get_full_path()
    return f"page:{_version()}:{host}:{get_language()}:{_variant(request)}:{path}"


class AnonymousCacheMiddleware:
    """Serve and store anonymous GET answers (status 200, no cookies set)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable(request):
            return self.get_response(request)
        key = _key(request)
        cached = cache.get(key)
        if cached is not None:
            refused = _throttled(request)
            if refused is not None:
                return refused
            cached["X-Cache"] = "hit"
            return cached
        response = self.get_response(request)
        if self._storable(response):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            if hasattr(response, "render") and callable(response.render):
                response.render()
            cache.set(key, response, settings.ANONYMOUS_CACHE_SECONDS)
        response["X-Cache"] = "miss"
        return response

    @staticmethod
    def _storable(response) -> bool:
        return response.status_code == 200 and not response.streaming and not response.cookies
