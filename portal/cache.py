"""Cache of anonymous catalogue pages and API answers.

Anonymous visitors all see the same thing for the same URL and language, so their GET answers
are cached whole. Where the answer also depends on the Accept header (the API, and resource pages
that answer with RDF when asked), the key holds that too. Any change to the catalogue bumps a
version number that is part of every key, which drops all cached answers at once
(``catalog_changed``). The number lives in the database (``portal.models.CatalogVersion``), so
a change made by one server process reaches every other one at its next request, whatever the
cache backend; it is read once per cacheable request, before the answer is computed, so an
answer is never stored under a number newer than the data it was computed from. Signed-in
callers are never served from or written to this cache, so nothing one person may see is ever
shown to another. Only GET and HEAD requests without a body are cached: a POST (the
CKAN-compatible API answers those) never is, and neither is a GET that carries its parameters
in a body.

Expensive aggregate queries (facet counts) are cached under their SQL text and parameters
(``remember``), versioned the same way.
"""

import hashlib
from collections.abc import Callable
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.cache import patch_vary_headers
from django.utils.connection import ConnectionProxy
from django.utils.translation import get_language

from catalog.interop.negotiation import NEGOTIATED_PATH, preferred_format
from portal.filecache import SharedFileCache

T = TypeVar("T")

# Failed logins, API throttles and other limits: shared by every server process, and apart from
# the page cache so that no flood of cached pages can push a count out (settings.CACHES).
counters = ConnectionProxy(caches, "counters")


@contextmanager
def counting(key: str):
    """Hold ``key``'s lock in the ``counters`` cache across processes while a count is read and
    written back (an API throttle's history is a list, not a number ``incr`` could add to). The
    file cache takes its lock file; Redis a lock of its own beside the key; local memory, which
    only one process sees, none. A Redis lock not granted within a few seconds is given up, and
    the count made without it, rather than refusing the caller."""
    backend = caches["counters"]
    if isinstance(backend, SharedFileCache):
        with backend._locked():
            yield
    elif isinstance(backend, RedisCache):
        from redis.exceptions import LockError

        client = backend._cache.get_client(key, write=True)
        lock = client.lock(f"{backend.make_and_validate_key(key)}:lock", timeout=10)
        held = lock.acquire(blocking_timeout=5)
        try:
            yield
        finally:
            if held:
                with suppress(LockError):  # it outlived its timeout; nothing to release
                    lock.release()
    else:
        yield


# The catalogue version the current request has read (0: not yet; None: outside a request,
# where a long-running command must see other processes' changes, so it reads every time).
_request_version: ContextVar[int | None] = ContextVar("catalog_version", default=None)

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
SKIPPED_PREFIXES = (
    "/admin/",
    "/accounts/",
    "/i18n/",
    "/api/schema/",
    "/api/docs/",
    "/static/",
    "/healthz",
)


def catalog_changed() -> None:
    """Invalidate every cached anonymous answer, in every process; call after any catalogue
    write. Inside a transaction the bump is part of it, so a rolled-back change never counts;
    the services call this from ``transaction.on_commit``, after their data is visible."""
    from portal.models import CatalogVersion

    if not CatalogVersion.objects.filter(pk=1).update(number=F("number") + 1):
        _first_version(number=2)
    if _request_version.get() is not None:
        _request_version.set(0)  # this request reads the new number if it asks again


def _first_version(*, number: int) -> None:
    from portal.models import CatalogVersion

    try:
        with transaction.atomic():
            CatalogVersion.objects.create(pk=1, number=number)
    except IntegrityError:  # another process made the row first
        CatalogVersion.objects.filter(pk=1).update(number=F("number") + 1)


def _version() -> int:
    """The catalogue version, read from the database once per request."""
    from portal.models import CatalogVersion

    known = _request_version.get()
    if not known:
        number = CatalogVersion.objects.filter(pk=1).values_list("number", flat=True).first()
        if known is None:
            return number or 1
        known = number or 1
        _request_version.set(known)
    return known


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
    from grading.accounts.apikeys import credentials_sent

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
        # A confirmation waiting to be shown ("your correction was sent") belongs to this
        # visitor: the page that shows it is neither served from the cache nor stored in it.
        and not _carries_messages(request)
    )


def _carries_messages(request) -> bool:
    """Whether messages wait for this request. Counting them loads them without marking them
    read, so the page rendered afterwards still shows (and consumes) them."""
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


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
    from grading.accounts.apikeys import anonymous_throttled

    return anonymous_throttled(request)


def _key(request) -> str:
    # The host is part of the key: an answer to a request with a forged Host header is only
    # ever served to requests that send the same header.
    host = request.get_host()
    path = request.get_full_path()
    # The reading modes (high contrast, large text) change the page's classes: part of the key.
    from portal.views import display_classes

    display = "+".join(display_classes(request))
    return f"page:{_version()}:{host}:{get_language()}:{display}:{_variant(request)}:{path}"


def _count_use(request, response) -> None:
    """Count the use a cached answer stands for (an entry's page view), as its view did."""
    hit = getattr(response, "usage_hit", None)
    if hit is None:
        return
    from catalog.engagement.services import usage_count

    resource_id, kind = hit
    usage_count(resource_id=resource_id, kind=kind, request=request)


class AnonymousCacheMiddleware:
    """Serve and store anonymous GET answers (status 200, no cookies set)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_version.set(0)
        try:
            return self._answer(request)
        finally:
            _request_version.reset(token)

    def _answer(self, request):
        if not _cacheable(request):
            return self.get_response(request)
        key = _key(request)
        cached = cache.get(key)
        if cached is not None:
            refused = _throttled(request)
            if refused is not None:
                return refused
            cached["X-Cache"] = "hit"
            _count_use(request, cached)
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
