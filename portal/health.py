"""``/healthz``: whether this server process can reach its databases and caches, for load
balancers and monitoring. JSON, never cached, no detail an outsider could use (the failing
check's name and the exception's class only)."""

import logging
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database(alias: str) -> dict:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
        if alias in settings.DATABASE_REPLICAS:
            # Seconds since the last replayed transaction: lag, or a quiet primary.
            cursor.execute("SELECT EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())")
            lag = cursor.fetchone()[0]
            return {"status": "ok", "replay_age_seconds": None if lag is None else float(lag)}
    return {"status": "ok"}


def _cache(alias: str) -> dict:
    key = f"healthz:{uuid.uuid4().hex}"
    backend = caches[alias]
    backend.set(key, "1", timeout=10)
    found = backend.get(key)
    backend.delete(key)
    return {"status": "ok" if found == "1" else "fail"}


def _run(check, alias: str) -> dict:
    try:
        return check(alias)
    except Exception as exc:  # a health check reports failures, it does not raise them
        logger.warning("health check %s(%s) failed", check.__name__, alias, exc_info=True)
        return {"status": "fail", "error": type(exc).__name__}


@never_cache
@require_safe
def healthz(request):
    """200 with ``{"status": "ok", ...}`` when every database alias (primary and replicas) and
    every cache answers; 503 otherwise."""
    aliases = ["default", *settings.DATABASE_REPLICAS]
    checks = {f"database:{alias}": _run(_database, alias) for alias in aliases}
    checks.update({f"cache:{alias}": _run(_cache, alias) for alias in settings.CACHES})
    ok = all(check["status"] == "ok" for check in checks.values())
    body = {"status": "ok" if ok else "fail", "checks": checks}
    return JsonResponse(body, status=200 if ok else 503)
