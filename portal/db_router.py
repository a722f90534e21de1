"""Reads from PostgreSQL read replicas, writes to the primary, and every caller reads its own
writes.

``settings.DATABASE_REPLICAS`` names the replica aliases (``DATABASE_REPLICA_URLS`` in the
environment); empty, every query goes to ``default`` (the primary) and this router does nothing.
Otherwise a read goes to a replica, chosen at random once per request (or per command or job), so
that the page cache's catalogue version and the data of one answer come from the same server
and never from two replicas at different points of the primary's history; unless the current
context is *pinned* to the primary:

- inside a transaction on the primary (``transaction.atomic``, and so ``select_for_update``,
  which needs one): a transaction reads what it is about to write;
- for the rest of a request, or of a management command or job, once it has written anything
  (the router is asked where to write before every save, update, delete and ``get_or_create``);
- for a whole request whose method is not GET, HEAD or OPTIONS: a form or an API call reads
  what it changes from the primary before writing;
- for ``REPLICA_PIN_SECONDS`` after a request that wrote: ``PrimaryPinMiddleware`` sets a
  signed cookie, and requests that carry it read from the primary, so whoever just saved
  something sees it on the next page even while the replicas lag behind. (A caller that
  keeps no cookies, such as a script using an API key, reads from a replica then.)

Migrations run on the primary only; replicas get the schema by replication.
"""

import random
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

# Whether reads in this context must go to the primary, and whether it has written.
_pinned: ContextVar[bool] = ContextVar("db_pinned", default=False)
_wrote: ContextVar[bool] = ContextVar("db_wrote", default=False)
# The replica this context reads from, once chosen.
_replica: ContextVar[str | None] = ContextVar("db_replica", default=None)

COOKIE_SALT = "portal.db_router.pin"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def pin_to_primary() -> None:
    """Send this context's reads to the primary from now on."""
    _pinned.set(True)


def pinned() -> bool:
    return _pinned.get() or _wrote.get()


def unpin() -> None:
    """Forget this context's pin and writes: a long-running process (a job worker between two
    jobs, a test) goes back to reading from the replicas."""
    _pinned.set(False)
    _wrote.set(False)
    _replica.set(None)


class PrimaryReplicaRouter:
    """Writes and migrations on the primary; reads on a replica unless pinned (module doc)."""

    def db_for_read(self, model, **hints):
        replicas = settings.DATABASE_REPLICAS
        if not replicas or pinned() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        chosen = _replica.get()
        if chosen not in replicas:
            chosen = random.choice(replicas)
            _replica.set(chosen)
        return chosen

    def db_for_write(self, model, **hints):
        _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Every alias holds the same data: objects read from a replica relate to the primary's.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db not in settings.DATABASE_REPLICAS and db == DEFAULT_DB_ALIAS


class PrimaryPinMiddleware:
    """Pin requests to the primary (module doc) and mark callers that just wrote.

    Outermost of the middleware that may read the database, so the session, the user, the page
    cache's catalogue version and the view all read from the same place; its answer's cookie
    is set after the session middleware has saved the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.DATABASE_REPLICAS:
            return self.get_response(request)
        pinned_token = _pinned.set(request.method not in SAFE_METHODS or self._marked(request))
        wrote_token = _wrote.set(False)
        replica_token = _replica.set(None)
        try:
            response = self.get_response(request)
            if _wrote.get() or request.method not in SAFE_METHODS:
                self._mark(response)
            return response
        finally:
            _pinned.reset(pinned_token)
            _wrote.reset(wrote_token)
            _replica.reset(replica_token)

    @staticmethod
    def _marked(request) -> bool:
        value = request.get_signed_cookie(
            settings.REPLICA_PIN_COOKIE,
            default=None,
            salt=COOKIE_SALT,
            max_age=settings.REPLICA_PIN_SECONDS,
        )
        return value is not None

    @staticmethod
    def _mark(response) -> None:
        if settings.REPLICA_PIN_SECONDS <= 0:
            return
        response.set_signed_cookie(
            settings.REPLICA_PIN_COOKIE,
            str(int(time.time())),
            salt=COOKIE_SALT,
            max_age=settings.REPLICA_PIN_SECONDS,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
