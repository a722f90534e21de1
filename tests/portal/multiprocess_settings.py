"""Settings for the server that ``test_multiprocess`` starts: the test settings with the
anonymous cache on, one cache that every worker shares (Redis when ``REDIS_URL`` is set, else
the file cache under ``CACHE_DIR``), low limits, and every answer naming the worker that gave it
(``X-Worker-Pid``), so the test can tell the workers apart."""

import os
from pathlib import Path

from portal.settings.test import *  # noqa: F403
from portal.settings.test import MIDDLEWARE, REST_FRAMEWORK

ANONYMOUS_CACHE_SECONDS = 300
QUERY_CACHE_SECONDS = 300
# The test process's files, so that every process reads the same uploads and audit key.
MEDIA_ROOT = os.environ["MULTIPROCESS_MEDIA_ROOT"]
AUDIT_KEY_FILE = Path(os.environ["MULTIPROCESS_AUDIT_KEY_FILE"])
AUDIT_HEADS_FILE = AUDIT_KEY_FILE.with_name("audit-heads.log")

if os.environ.get("REDIS_URL"):
    _redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }
    _prefix = os.environ["MULTIPROCESS_KEY_PREFIX"]
    CACHES = {
        "default": {**_redis, "KEY_PREFIX": f"{_prefix}:pages"},
        "counters": {**_redis, "KEY_PREFIX": f"{_prefix}:counters"},
    }
else:
    _cache_dir = Path(os.environ["CACHE_DIR"])
    CACHES = {
        name: {"BACKEND": "portal.filecache.SharedFileCache", "LOCATION": str(_cache_dir / name)}
        for name in ("default", "counters")
    }

LOGIN_FAILURE_LIMIT = int(os.environ["LOGIN_FAILURE_LIMIT"])
LOGIN_FAILURE_WINDOW = 600
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ["API_RATE_ANON"],
        "api_key": "1000/min",
        "user": "1000/min",
    },
}


def worker_pid(get_response):
    """Name the worker process on every answer, cached ones included."""

    def middleware(request):
        response = get_response(request)
        response["X-Worker-Pid"] = str(os.getpid())
        return response

    return middleware


MIDDLEWARE = ["tests.portal.multiprocess_settings.worker_pid", *MIDDLEWARE]
