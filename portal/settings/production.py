"""Production settings: only overrides. Secrets and hosts must come from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    CACHES,
    CONTENT_SECURITY_POLICY,
    DATABASE_REPLICAS,
    DATABASES,
    INSTALLED_APPS,
    env_bool,
)

DEBUG = False
# The catalogue generator and the benchmarks are for development only.
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "devtools"]
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set SECRET_KEY to a random string of at least 50 characters.")
# The audit chain's key comes from the environment, never from a file beside the database.
AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", "")
if len(AUDIT_HMAC_KEY) < 32 or AUDIT_HMAC_KEY == SECRET_KEY:
    raise ImproperlyConfigured(
        "Set AUDIT_HMAC_KEY to a random string of at least 32 characters, different from "
        "SECRET_KEY and kept outside the database: it keys the audit chain's hashes."
    )
if not os.environ.get("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the host names the portal answers to.")
# Every absolute link (password-reset and confirmation mails, sitemaps, feeds, DCAT, the API)
# is built on SITE_URL, never on the request's Host header, so it must be the public address.
if not os.environ.get("SITE_URL", "").startswith("https://"):
    raise ImproperlyConfigured(
        "Set SITE_URL to the portal's public https:// address (e.g. https://data.example.gov.cn): "
        "links in e-mails, sitemaps, feeds and the API are built on it, never on the Host header."
    )
# Lock-outs, API limits and the invalidation of cached pages must hold in every server process.
# Redis does that across hosts; the file cache (var/cache) only across the processes of one
# host, so it must be chosen knowingly.
if not os.environ.get("REDIS_URL") and not env_bool("SINGLE_HOST", False):
    raise ImproperlyConfigured(
        "Set REDIS_URL to a Redis server that every server process shares, or set "
        "SINGLE_HOST=1 if every server process runs on this one host: they then share the "
        "file cache under CACHE_DIR. Failed-login lock-outs and API limits are counted there."
    )

# Sessions: in the database (every process shares it), and with Redis also in a cache of their
# own beside the counters (REDIS_COUNTERS_URL, which should never evict keys), so a signed-in
# request reads its session from Redis rather than from a replica that may lag behind a login.
if os.environ.get("REDIS_URL"):
    CACHES = {**CACHES, "sessions": {**CACHES["counters"], "KEY_PREFIX": "sessions"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "sessions"
# Read replicas are PostgreSQL streaming replicas of a PostgreSQL primary.
if DATABASE_REPLICAS and "postgresql" not in DATABASES["default"]["ENGINE"]:
    raise ImproperlyConfigured(
        "DATABASE_REPLICA_URLS needs DATABASE_URL to name the PostgreSQL primary they replicate."
    )
for _alias in DATABASE_REPLICAS:
    if "postgresql" not in DATABASES[_alias]["ENGINE"]:
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URLS: {_alias} is not a postgres:// URL; replicas are PostgreSQL "
            "streaming replicas of DATABASE_URL's primary."
        )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browsers fetch anything still addressed over http:// through https://.
CONTENT_SECURITY_POLICY = {
    **CONTENT_SECURITY_POLICY,
    "DIRECTIVES": {**CONTENT_SECURITY_POLICY["DIRECTIVES"], "upgrade-insecure-requests": True},
}
