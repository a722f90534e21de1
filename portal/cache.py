"""Cache of anonymous catalogue pages and API answers.

Anonymous visitors all see the same thing for the same URL and language, so their GET answers
are cached whole. Any change to the catalogue bumps a version number that is part of every key,
which drops all cached answers at once (``catalog_changed``). Signed-in callers are never served
from or written to this cache, so nothing one person may see is ever shown to another. Only
GET and HEAD requests without a body are cached: a POST (the CKAN-compatible API answers those)
never is, and neither is a GET that carries its parameters in a body.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

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


def _cacheable(request) -> bool:
    path = request.path
    return (
        settings.ANONYMOUS_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not _has_body(request)
        and not request.user.is_authenticated
        and not path.startswith(SKIPPED_PREFIXES)
        and "/download/" not in path
        and (path == "/" or path.startswith(CACHED_PREFIXES[1:]))
    )


def _has_body(request) -> bool:
    """A GET with a body (CKAN's API reads parameters from it) is not keyed by its URL alone."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    return length != "0" or "Transfer-Encoding" in request.headers


def _key(request) -> str:
    accept = request.headers.get("Accept", "")[:100] if request.path.startswith("/api/") else ""
    return f"page:{_version()}:{get_language()}:{accept}:{request.get_full_path()}"


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
