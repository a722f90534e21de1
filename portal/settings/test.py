"""Test settings: only overrides."""

import os
import tempfile
from pathlib import Path

import dj_database_url

from .base import *  # noqa: F403
from .base import DATABASES, REST_FRAMEWORK, STORAGES

# Fast hashing for users made in tests; PBKDF2 still verifies the demo users' stored hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
MEDIA_ROOT = tempfile.mkdtemp(prefix="portal-test-media-")
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = tempfile.mkdtemp(prefix="portal-test-static-")
# The audit key file and the published heads stay out of the working tree; tests that publish
# heads or make key files use their own paths.
AUDIT_KEY_FILE = Path(tempfile.mkdtemp(prefix="portal-test-audit-")) / "audit-hmac.key"
AUDIT_HEADS_FILE = AUDIT_KEY_FILE.with_name("audit-heads.log")
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Tests read fresh answers unless a test turns the anonymous cache on itself.
ANONYMOUS_CACHE_SECONDS = 0
QUERY_CACHE_SECONDS = 0
# Local memory whatever REDIS_URL says; the Redis test sets the Redis cache up itself.
# Both aliases share one store, so clearing the cache between tests also clears the counters.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
    "counters": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
}
# Generous limits, so the suite is never throttled by accident; the tests of the limits lower
# them themselves.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "api_key": "100000/min", "user": "100000/min"},
}
LOGIN_FAILURE_LIMIT = 1000
PASSWORD_RESET_LIMIT = 1000
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Absolute links point at the test client's own host.
SITE_URL = "http://testserver"
FEEDBACK_ANON_LIMIT = 1000
# The search engine keeps its index in memory; tests/conftest.py starts each test with an
# empty one, as the test database starts empty.
SEARCH_INDEX_DIR = None
CACHES["jobs"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "jobs"}
# Jobs are enqueued but not run; tests run them (portal.jobs.services.job_run) themselves.
TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}

# Every query goes to the primary: replica routing is off (DATABASE_REPLICAS empty) whatever
# DATABASE_REPLICA_URLS says. The replica tests (tests/portal/test_replicas.py) turn it on
# against the streaming replica named by REPLICA_DATABASE_URL (.ci/run starts one with
# devtools/replica.sh), which shows them the primary's test database.
DATABASES = {"default": DATABASES["default"]}
DATABASE_REPLICAS = []
if os.environ.get("REPLICA_DATABASE_URL") and "postgresql" in DATABASES["default"]["ENGINE"]:
    DATABASES["replica"] = {
        **dj_database_url.parse(os.environ["REPLICA_DATABASE_URL"]),
        "TEST": {"MIRROR": "default"},
    }
