"""Settings shared by every environment. Everything that differs between machines comes from
environment variables with safe defaults: SQLite, DEBUG off, local private file storage."""

import ipaddress
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.keyfile import local_secret

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The signing key (sessions, password-reset and confirmation links). Unset: a random key is made
# on first run and kept in SECRET_KEY_FILE (mode 0600), so no two installations share one and
# none uses a key printed in the source. production.py insists on the variable.
SECRET_KEY_FILE = VAR_DIR / "secret-key"
SECRET_KEY = os.environ.get("SECRET_KEY") or local_secret(SECRET_KEY_FILE)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "portal",
    "catalog",
    "grading",
    # Development tooling (catalogue generator, benchmarks); production leaves it out.
    "devtools",
]

MIDDLEWARE = [
    # First: forwarded headers from peers that are not TRUSTED_PROXIES are dropped before
    # anything reads the scheme or host from them.
    "portal.clients.ForwardedHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the database: whether this request reads from a replica.
    "portal.db_router.PrimaryPinMiddleware",
    # Outside the page cache, so answers served from it get their header too.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After static files, outside the page cache: cached answers get their Vary too, and
    # answers to requests with credentials are marked private, no-store.
    "portal.credentials.CredentialHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.cache.AnonymousCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers run beside a writer; a 64 MiB page cache and memory-mapped reads (up
    # to 1 GiB) keep searches and facet counts off the read() system call at a million rows.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824;"
    )
    # Writers take the write lock when their transaction begins, so a read-then-write
    # transaction (a state change, an audit append) never works from a stale snapshot.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

# Read replicas (PostgreSQL streaming replicas of DATABASE_URL's primary), comma-separated
# URLs: reads go to them, writes and migrations to the primary, and a caller reads its own
# writes (portal.db_router). A request that wrote marks its caller with a signed cookie, and
# that caller's reads go to the primary for REPLICA_PIN_SECONDS (above the replicas' lag).
DATABASE_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    DATABASES[f"replica{_number}"] = {
        **dj_database_url.parse(_url, conn_max_age=60),
        # Tests read the primary's test database through it; no database of its own.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_REPLICAS.append(f"replica{_number}")
DATABASE_ROUTERS = ["portal.db_router.PrimaryReplicaRouter"]
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "15"))
REPLICA_PIN_COOKIE = "portal_primary"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Two caches: "default" holds anonymous pages, API answers and facet counts; "counters" holds
# failed-login counts, API throttle histories and other limits, apart, so that filling the page
# cache with many URLs cannot push a lock-out out of it. Both are shared by every server
# process: Redis when REDIS_URL is set (e.g. redis://127.0.0.1:6379/0; several hosts need it;
# REDIS_COUNTERS_URL may put the counters in a database or server of their own, one that never
# evicts keys), otherwise files under CACHE_DIR (var/cache), which every process on this one
# host shares, with atomic counting (portal.filecache). Never a per-process memory cache: a
# lock-out or a throttle counted by one worker must hold in all of them.
CACHE_DIR = Path(os.environ.get("CACHE_DIR", VAR_DIR / "cache"))


def _caches() -> dict:
    if os.environ.get("REDIS_URL"):
        redis = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
        counters = os.environ.get("REDIS_COUNTERS_URL") or os.environ["REDIS_URL"]
        return {
            "default": redis,
            "counters": {**redis, "LOCATION": counters, "KEY_PREFIX": "counters"},
        }
    files = {"BACKEND": "portal.filecache.SharedFileCache"}
    return {
        "default": {
            **files,
            "LOCATION": str(CACHE_DIR / "pages"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
        "counters": {
            **files,
            "LOCATION": str(CACHE_DIR / "counters"),
            "OPTIONS": {"MAX_ENTRIES": 50000},
        },
    }


CACHES = _caches()
# How long an anonymous page or API answer is served from the cache (0 turns caching off).
# Any catalogue change drops the whole cache at once (portal.cache.catalog_changed).
ANONYMOUS_CACHE_SECONDS = int(os.environ.get("ANONYMOUS_CACHE_SECONDS", "300"))
# Facet counts, keyed by their SQL statement and the catalogue version (0 turns it off).
QUERY_CACHE_SECONDS = int(os.environ.get("QUERY_CACHE_SECONDS", "300"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"
# User name and password, refused while a (user name, address) pair is locked out after
# LOGIN_FAILURE_LIMIT failures within LOGIN_FAILURE_WINDOW seconds.
AUTHENTICATION_BACKENDS = ["grading.accounts.ThrottledModelBackend"]
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW = int(os.environ.get("LOGIN_FAILURE_WINDOW", "900"))
# Password-reset mails: at most this many requests per address and per e-mail address within
# the window (seconds); past that the same neutral page is shown but no mail goes out.
PASSWORD_RESET_LIMIT = int(os.environ.get("PASSWORD_RESET_LIMIT", "5"))
PASSWORD_RESET_WINDOW = int(os.environ.get("PASSWORD_RESET_WINDOW", "3600"))
# Links that confirm an e-mail address stay valid this long (seconds).
EMAIL_CONFIRMATION_MAX_AGE = int(os.environ.get("EMAIL_CONFIRMATION_MAX_AGE", str(3 * 86400)))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# E-mail (confirmation links, password reset): printed to the console unless configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@localhost")

# Content-Security-Policy (django-csp 4): only this site's own scripts and styles, plus inline
# blocks that carry the request's nonce (``{{ request.csp_nonce }}``; the API docs use it). A
# page that uses a nonce must not be stored in the anonymous page cache. JSON-LD data blocks
# (<script type="application/ld+json">) are data, not scripts, and need no nonce. Style
# attributes are allowed (the admin and DRF's browsable API use them for layout; they cannot
# run code); <style> elements are not, unless they carry the nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Every form renders through one template (label, required mark, help, errors): portal/forms.py.
FORM_RENDERER = "portal.forms.PortalFormRenderer"

LANGUAGE_CODE = "zh-hans"
# Chinese figures grouped by thousands (portal/formats/zh_Hans); templates group with intcomma.
FORMAT_MODULE_PATH = ["portal.formats"]
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
LANGUAGE_COOKIE_NAME = "portal_language"
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))

# Private files (distributions) live outside the static tree and have no public URL: the
# policy-checked download view streams them.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# No URL route serves this prefix; it exists only because Django's test server expects one.
MEDIA_URL = "/private-files-are-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Or an S3-compatible object store (AWS S3, MinIO, Ceph, OSS...) shared by every host, when
# STORAGE_S3_BUCKET is set (needs the "deploy" extra: django-storages[s3]). Objects stay
# private (no ACL, no public URL): the download view still asks the policy and streams them.
if os.environ.get("STORAGE_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["STORAGE_S3_BUCKET"],
            "endpoint_url": os.environ.get("STORAGE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("STORAGE_S3_REGION") or None,
            "access_key": os.environ.get("STORAGE_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("STORAGE_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("STORAGE_S3_PREFIX", ""),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# Reverse proxies in front of the server (addresses or CIDR networks, comma-separated). Only
# when the connecting peer is one of them is X-Forwarded-For read, from the right, skipping
# the listed proxies (portal.clients.client_ip); empty: the peer's own address is the caller's.
# When set, the X-Forwarded-* headers of requests from any other peer are dropped, so
# production's SECURE_PROXY_SSL_HEADER is believed only from the proxies.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network."
        ) from _exc
if os.environ.get("NUM_PROXIES"):
    # A count of proxies trusts whatever a client writes into X-Forwarded-For when the count
    # is wrong or a request bypasses the proxies; the proxies' addresses cannot be spoofed.
    raise ImproperlyConfigured(
        "NUM_PROXIES is no longer read: list the proxies' addresses or networks in "
        "TRUSTED_PROXIES instead (e.g. TRUSTED_PROXIES=10.0.0.0/8,127.0.0.1)."
    )

REST_FRAMEWORK = {
    # The key first: its 401 names the scheme, and a bad key is never taken as anonymous.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "grading.accounts.apikeys.APIKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "grading.accounts.apikeys.AnonymousRateThrottle",
        "grading.accounts.apikeys.APIKeyRateThrottle",
        "grading.accounts.apikeys.SignedInRateThrottle",
    ],
    # Requests per second, minute, hour or day: anonymous callers per address, key holders
    # per key, signed-in browser sessions per user.
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_RATE_ANON", "60/min"),
        "api_key": os.environ.get("API_RATE_KEY", "600/min"),
        "user": os.environ.get("API_RATE_USER", "300/min"),
    },
    # Never read: every throttle asks portal.clients.client_ip, which follows TRUSTED_PROXIES.
    "NUM_PROXIES": None,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
    ],
    "DEFAULT_PAGINATION_CLASS": "portal.pagination.CatalogCursorPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "catalog.api.errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Open Data Portal API",
    "DESCRIPTION": (
        "REST API of the public data resource catalogue and the data product catalogue. "
        "Anyone reads what they may see (GET); agency staff, applicants, operators and "
        "platform staff also write through it (POST, PUT, PATCH, DELETE: publishing entries, "
        "applications, feedback, products, API keys). Access follows the portal's "
        "tiered-openness rules."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    # Without deep links an operation's summary holds no link inside its button (nested
    # interactive controls confuse screen readers; axe reports them).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "persistAuthorization": False},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "catalog.api.schema.add_error_components",
        "catalog.api.schema.declare_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ResourceStatusEnum": "catalog.models.Resource.Status",
        "ProductStatusEnum": "catalog.models.Product.Status",
        "UpdateCycleEnum": "catalog.models.UpdateCycle",
        "TierEnum": "grading.grades.Tier",
        "GradeEnum": "grading.grades.Grade",
        "FeedbackKindEnum": "grading.models.Feedback.Kind",
        "FeedbackStatusEnum": "grading.models.Feedback.Status",
        "MerchantStatusEnum": "grading.models.DataMerchant.Status",
        "PricingMethodEnum": "catalog.models.Product.PricingMethod",
    },
}

# Bulk import (manage.py import_catalog, /workspace/import/): the largest file accepted, in
# bytes, and the most entries in one file.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(20 * 2**20)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "50000"))

# Search engine (docs/SCALING.md): embedded Tantivy by default, one index directory per database.
SEARCH_ENGINE = os.environ.get("SEARCH_ENGINE", "catalog.search.tantivy_engine.TantivyEngine")
_db = DATABASES["default"]
_db_slug = f"{_db['ENGINE'].rsplit('.', 1)[-1]}-{_db.get('HOST') or ''}-{_db.get('PORT') or ''}"
SEARCH_INDEX_DIR = Path(
    os.environ.get("SEARCH_INDEX_DIR")
    or VAR_DIR / "search" / re.sub(r"[^\w.-]+", "-", f"{_db_slug}-{Path(str(_db['NAME'])).name}")
)
SEARCH_SUGGESTIONS = 8  # typeahead: at most this many titles

CATALOG_PAGE_SIZE = 20
CATALOG_MAX_PAGE_SIZE = 100
CATALOG_MAX_QUERY_LENGTH = 200
# Entries per page of the DCAT-AP catalogue (/catalog.ttl), and URLs per sitemap page; past that
# many URLs /sitemap.xml becomes an index of per-section pages.
CATALOG_RDF_PAGE_SIZE = 100
CATALOG_SITEMAP_LIMIT = 50_000

# Row API: at most this many rows of a CSV file are loaded (the answer says when a file had more).
ROWS_MAX_LOADED = int(os.environ.get("ROWS_MAX_LOADED", "100000"))
ROWS_PAGE_SIZE = 50
ROWS_MAX_PAGE_SIZE = 1000
ROWS_PREVIEW_SIZE = 10
ROWS_EXPLORER_PAGE_SIZE = 20  # rows per page of the entry page's data explorer
RELATED_SHOWN = 5  # related entries on the entry page

# Catalogue exports (/resources/export.csv, .xlsx): at most this many entries (the answer says
# when a search matched more), read this many at a time.
EXPORT_MAX_ROWS = int(os.environ.get("EXPORT_MAX_ROWS", "100000"))
EXPORT_CHUNK_SIZE = 1000
# Uploads of distribution files (workspace and API): the largest accepted file, the formats an
# agency may upload (by extension; the content must match). Uploads go to a temporary file on
# disk, never into memory, and stop being written once past the limit; they are checked there
# and then moved to storage.
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(200 * 1024 * 1024)))
UPLOAD_ALLOWED_FORMATS = tuple(
    os.environ.get("UPLOAD_ALLOWED_FORMATS", "csv,xlsx,json,pdf,zip,txt,xml").lower().split(",")
)
FILE_UPLOAD_HANDLERS = ["catalog.publishing.uploads.LimitedUploadHandler"]
# At most this many errors reported for a table failing its dictionary (the rest counted).
UPLOAD_MAX_ERRORS = 100
# What reading a file may cost (catalog.publishing.filelimits), on every path that reads
# one: uploads of distribution files, the bulk import and the loading of rows. Columns of a
# table; cells of a spreadsheet (a CSV's are bounded by its size); the bytes a ZIP archive
# or XLSX workbook unpacks to, the compression ratio of any member over 1 MiB and the number
# of members, all checked from the archive's directory before anything is inflated; and the
# seconds the checks of one file may take (keep it below the server's worker timeout).
UPLOAD_MAX_COLUMNS = int(os.environ.get("UPLOAD_MAX_COLUMNS", "1000"))
UPLOAD_MAX_CELLS = int(os.environ.get("UPLOAD_MAX_CELLS", "5000000"))
UPLOAD_MAX_UNZIPPED_BYTES = int(os.environ.get("UPLOAD_MAX_UNZIPPED_BYTES", str(512 * 2**20)))
UPLOAD_MAX_ZIP_RATIO = int(os.environ.get("UPLOAD_MAX_ZIP_RATIO", "100"))
UPLOAD_MAX_ZIP_MEMBERS = int(os.environ.get("UPLOAD_MAX_ZIP_MEMBERS", "10000"))
UPLOAD_CHECK_SECONDS = int(os.environ.get("UPLOAD_CHECK_SECONDS", "180"))
WORKSPACE_PAGE_SIZE = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

PORTAL_NAME = _("Public Data Open Portal")

# Working-day calendar for review deadlines. The statutory holidays with fixed dates (New
# Year's Day, Labour Day, National Day) apply every year; list the year's other holidays and the
# weekend days worked in their place (调休) from the State Council's yearly notice as
# comma-separated ISO dates.
FIXED_HOLIDAYS = ("01-01", "05-01", "05-02", "10-01", "10-02", "10-03")
PUBLIC_HOLIDAYS = [d for d in os.environ.get("PUBLIC_HOLIDAYS", "").split(",") if d.strip()]
WORKING_WEEKEND_DAYS = [
    d for d in os.environ.get("WORKING_WEEKEND_DAYS", "").split(",") if d.strip()
]
# Review clocks, in working days (DESIGN §3), and the longest grant term, in days.
FORMAL_CHECK_DAYS = int(os.environ.get("FORMAL_CHECK_DAYS", "5"))
AGENCY_REVIEW_DAYS = int(os.environ.get("AGENCY_REVIEW_DAYS", "10"))
GRANT_MAX_DAYS = int(os.environ.get("GRANT_MAX_DAYS", "365"))
# A data product's provider answers a request for it (quote, accept, refuse) within this many
# working days; later answers are flagged overdue.
PRODUCT_REQUEST_DAYS = int(os.environ.get("PRODUCT_REQUEST_DAYS", "5"))
# Downloads and queries a new grant allows (0: no limit); the site's address for emails.
GRANT_DEFAULT_QUOTA = int(os.environ.get("GRANT_DEFAULT_QUOTA", "1000"))
# The portal's public address: every absolute link (e-mails, sitemaps, feeds, DCAT, the APIs)
# is built on it (portal.links), never on the Host header a caller sent.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
if urlsplit(SITE_URL).scheme not in ("http", "https") or not urlsplit(SITE_URL).netloc:
    raise ImproperlyConfigured("SITE_URL must be an http:// or https:// address with a host.")

# Feedback (corrections, data requests, rights complaints): the agency answers within this many
# working days (later ones are flagged overdue); anonymous submissions are limited per address
# (count per window in seconds); complaint evidence is at most this many bytes, PDF/PNG/JPEG.
FEEDBACK_SHOWN = 10  # newest answers on a resource page; the agency's feedback page has all
FEEDBACK_ANSWER_DAYS = int(os.environ.get("FEEDBACK_ANSWER_DAYS", "15"))
FEEDBACK_ANON_LIMIT = int(os.environ.get("FEEDBACK_ANON_LIMIT", "5"))
FEEDBACK_ANON_WINDOW = int(os.environ.get("FEEDBACK_ANON_WINDOW", "3600"))
FEEDBACK_EVIDENCE_MAX_BYTES = int(os.environ.get("FEEDBACK_EVIDENCE_MAX_BYTES", str(5 * 2**20)))

# The audit chain (grading.audit): each new row's hash is an HMAC-SHA256 under this key, which
# is never stored in the database, so whoever can write the database but does not hold the key
# cannot re-hash a changed chain. Unset (development): a random key is made on first use and
# kept in AUDIT_KEY_FILE (mode 0600); production.py insists on the variable. Keep the key: rows
# hashed under a lost key can no longer be verified.
AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", "")
AUDIT_KEY_FILE = VAR_DIR / "audit-hmac.key"
# Heads of the chain published by ``manage.py audit_head --publish`` (one "<time> <row>:<hash>"
# a line); audit_verify checks that the chain still holds every one of them.
AUDIT_HEADS_FILE = VAR_DIR / "audit-heads.log"

# The site's furniture (footer): who runs it, how to reach them, its registration numbers
# (ICP 备案号, 公安机关备案号, 政府网站标识码). Demo defaults; set them in production.
SITE_OPERATOR = os.environ.get("SITE_OPERATOR", "示范市大数据中心（演示）")
SITE_OPERATOR_EN = os.environ.get("SITE_OPERATOR_EN", "Demo City Big Data Centre (demo)")
SITE_CONTACT_EMAIL = os.environ.get("SITE_CONTACT_EMAIL", "opendata@example.gov.cn")
SITE_CONTACT_PHONE = os.environ.get("SITE_CONTACT_PHONE", "021-12345678")
SITE_ICP_NUMBER = os.environ.get("SITE_ICP_NUMBER", "沪ICP备00000000号-1（演示）")
SITE_PSB_NUMBER = os.environ.get("SITE_PSB_NUMBER", "沪公网安备 31000000000000号（演示）")
SITE_IDENTIFIER = os.environ.get("SITE_IDENTIFIER", "0000000000")

from portal.settings import jobs as _jobs  # noqa: E402 - background jobs, scheduled work

_jobs.configure(globals())
