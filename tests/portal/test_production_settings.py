"""Production settings refuse to start without a cache that every server process shares."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "from django.conf import settings; "
    "print(settings.CACHES['default']['BACKEND'], settings.CACHES['counters']['BACKEND'])"
)


def _load(show: str = SHOW, **env) -> subprocess.CompletedProcess:
    base = {
        key: value
        for key, value in os.environ.items()
        if key
        not in (
            "REDIS_URL",
            "REDIS_COUNTERS_URL",
            "SINGLE_HOST",
            "DJANGO_SETTINGS_MODULE",
            "DATABASE_REPLICA_URLS",
        )
    }
    base.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY="s" * 60,
        AUDIT_HMAC_KEY="a" * 40,
        ALLOWED_HOSTS="data.example.org",
        SITE_URL="https://data.example.org",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", show], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60
    )


def test_production_without_a_shared_cache_refuses_to_start(tmp_path):
    result = _load(PORTAL_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Set REDIS_URL" in result.stderr and "SINGLE_HOST=1" in result.stderr


def test_production_on_a_single_host_uses_the_shared_file_cache(tmp_path):
    result = _load(PORTAL_VAR_DIR=str(tmp_path), SINGLE_HOST="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["portal.filecache.SharedFileCache"] * 2


def test_production_with_redis_uses_it_for_pages_and_counters(tmp_path):
    result = _load(PORTAL_VAR_DIR=str(tmp_path), REDIS_URL="redis://127.0.0.1:6379/3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.cache.backends.redis.RedisCache"] * 2


def test_single_host_off_still_refuses(tmp_path):
    result = _load(PORTAL_VAR_DIR=str(tmp_path), SINGLE_HOST="0")
    assert result.returncode != 0 and "SINGLE_HOST=1" in result.stderr


def test_production_counters_may_have_a_redis_of_their_own(tmp_path):
    show = (
        "from django.conf import settings; "
        "print(settings.CACHES['default']['LOCATION'], settings.CACHES['counters']['LOCATION'])"
    )
    result = _load(
        PORTAL_VAR_DIR=str(tmp_path),
        REDIS_URL="redis://127.0.0.1:6379/3",
        REDIS_COUNTERS_URL="redis://127.0.0.1:6379/4",
        show=show,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["redis://127.0.0.1:6379/3", "redis://127.0.0.1:6379/4"]


SESSIONS = (
    "from django.conf import settings; "
    "print(settings.SESSION_ENGINE, settings.SESSION_CACHE_ALIAS, "
    "settings.CACHES.get(settings.SESSION_CACHE_ALIAS, {}).get('LOCATION'))"
)


def test_production_with_redis_keeps_sessions_beside_the_counters(tmp_path):
    result = _load(
        PORTAL_VAR_DIR=str(tmp_path),
        REDIS_URL="redis://127.0.0.1:6379/3",
        REDIS_COUNTERS_URL="redis://127.0.0.1:6379/4",
        show=SESSIONS,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.contrib.sessions.backends.cached_db",
        "sessions",
        "redis://127.0.0.1:6379/4",
    ]


def test_production_on_a_single_host_keeps_sessions_in_the_database(tmp_path):
    result = _load(PORTAL_VAR_DIR=str(tmp_path), SINGLE_HOST="1", show=SESSIONS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "django.contrib.sessions.backends.db"


REPLICAS = (
    "from django.conf import settings; "
    "print(settings.DATABASE_REPLICAS, settings.DATABASE_ROUTERS, "
    "[settings.DATABASES[a]['HOST'] + ':' + str(settings.DATABASES[a]['PORT']) "
    "for a in settings.DATABASE_REPLICAS])"
)


def test_production_reads_replicas_from_the_environment(tmp_path):
    result = _load(
        PORTAL_VAR_DIR=str(tmp_path),
        REDIS_URL="redis://127.0.0.1:6379/3",
        DATABASE_URL="postgres://portal@primary:5432/portal",
        DATABASE_REPLICA_URLS="postgres://portal@replica-a:5432/portal, postgres://portal@replica-b:5432/portal",
        show=REPLICAS,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['replica1', 'replica2'] ['portal.db_router.PrimaryReplicaRouter'] "
        "['replica-a:5432', 'replica-b:5432']"
    )


def test_production_refuses_replicas_of_sqlite(tmp_path):
    result = _load(
        PORTAL_VAR_DIR=str(tmp_path),
        REDIS_URL="redis://127.0.0.1:6379/3",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DATABASE_REPLICA_URLS="postgres://portal@replica-a:5432/portal",
    )
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URLS needs DATABASE_URL" in result.stderr


def test_production_refuses_a_replica_that_is_not_postgresql(tmp_path):
    result = _load(
        PORTAL_VAR_DIR=str(tmp_path),
        REDIS_URL="redis://127.0.0.1:6379/3",
        DATABASE_URL="postgres://portal@primary:5432/portal",
        DATABASE_REPLICA_URLS=f"sqlite:///{tmp_path / 'copy.sqlite3'}",
    )
    assert result.returncode != 0
    assert "replica1 is not a postgres:// URL" in result.stderr


def test_files_go_to_a_private_s3_bucket_when_one_is_named(tmp_path):
    show = (
        "from django.conf import settings; from django.core.files.storage import storages; "
        "o = settings.STORAGES['default']['OPTIONS']; s = storages['default']; "
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, o['default_acl'], "
        "s.querystring_auth)"
    )
    result = _load(
        PORTAL_VAR_DIR=str(tmp_path),
        SINGLE_HOST="1",
        STORAGE_S3_BUCKET="portal-files",
        STORAGE_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        show=show,
    )
    if "No module named 'storages'" in result.stderr:
        pytest.skip("django-storages is not installed (the deploy extra)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "S3Storage",
        "portal-files",
        "http://127.0.0.1:9000",
        "None",
        "True",
    ]
