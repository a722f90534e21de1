"""Two gunicorn workers behave as one site: a change made in another process drops the cached
answers of every worker, and failed logins and API calls spread over both workers are counted
together. Run once with the file cache every process on one host shares, and once with Redis
(when ``REDIS_URL`` is set and answers).

The database must be one the server processes can open too: on PostgreSQL that is the test
database itself; on SQLite the test's in-memory database is copied to a file once the data is
made, and both the server and the process that makes the change use that file."""

import http.client
import itertools
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
LOGIN_FAILURE_LIMIT = 12
ANON_LIMIT = 5
# How long to keep asking before giving up on hearing from both workers (one may still be
# loading the site on a busy machine).
PATIENCE = 30

MAKE_RESTRICTED = """
import sys
import django

django.setup()
from django.db import transaction

from catalog.publishing.resources import resource_update
from catalog.models import Resource
from portal.actors import SYSTEM

with transaction.atomic():
    resource = Resource.objects.get(pk=int(sys.argv[1]))
    resource_update(actor=SYSTEM, resource=resource, data={"tier": "restricted"})
"""


@dataclass(frozen=True)
class Answer:
    status: int
    pid: str
    cache: str


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set (e.g. redis://127.0.0.1:6379/3): no Redis to share")
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or 6379), timeout=2).close()
    except OSError as exc:
        pytest.skip(f"Redis at {parts.hostname}:{parts.port or 6379} does not answer: {exc}")
    return url


def _database_url(tmp_path) -> str:
    """A database URL the server processes can open, holding the data made so far."""
    if connection.vendor == "sqlite":
        target = tmp_path / "portal.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        return f"sqlite:///{target}"
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{connection.settings_dict['NAME']}"))


def _environment(tmp_path, cache: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.portal.multiprocess_settings",
        DATABASE_URL=_database_url(tmp_path),
        CACHE_DIR=str(tmp_path / "cache"),
        MULTIPROCESS_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        MULTIPROCESS_AUDIT_KEY_FILE=str(settings.AUDIT_KEY_FILE),
        MULTIPROCESS_KEY_PREFIX=f"portal-mp-{uuid.uuid4().hex}",
        LOGIN_FAILURE_LIMIT=str(LOGIN_FAILURE_LIMIT),
        API_RATE_ANON=f"{ANON_LIMIT}/min",
        PYTHONPATH=str(ROOT),
    )
    if cache == "redis":
        env["REDIS_URL"] = _redis_url()
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _gunicorn(env: dict):
    """Two sync workers on a free port; the whole process group is killed on the way out."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--workers", "2"]
        + ["--bind", f"127.0.0.1:{port}", "--graceful-timeout", "2", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_until_up(server, port)
        yield port
    finally:
        _kill(server)


def _wait_until_up(server: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn stopped: {server.stderr.read().decode()[-3000:]}")
        try:
            if _send(port, "GET", "/robots.txt").status:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer within 30 s")


def _kill(server: subprocess.Popen) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    with suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=10)


def _send(port, method, path, *, source="127.0.0.1", body=None, headers=None) -> Answer:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return Answer(
            response.status,
            response.getheader("X-Worker-Pid", ""),
            response.getheader("X-Cache", ""),
        )
    finally:
        conn.close()


def _addresses():
    """Ever new caller addresses, so that reading pages is not throttled as one caller."""
    n = 0
    while True:
        n += 1
        yield f"127.0.{1 + n // 250}.{1 + n % 250}"


def _until_every_worker(port, paths, *, expect, want_hits=False, addresses=None) -> dict:
    """Ask for ``paths`` in parallel batches until each was answered by both workers (with a
    cached answer, if ``want_hits``); every answer must have the status ``expect``."""
    seen = {path: set() for path in paths}
    addresses = addresses or _addresses()
    with ThreadPoolExecutor(max_workers=4) as pool:
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            batch = [(path, next(addresses)) for path in paths for _ in range(2)]
            answers = pool.map(
                lambda job: (job[0], _send(port, "GET", job[0], source=job[1])), batch
            )
            for path, answer in answers:
                assert answer.status == expect, (path, answer)
                if answer.cache == "hit" or not want_hits:
                    seen[path].add(answer.pid)
            if all(len(pids) == 2 for pids in seen.values()):
                return seen
    raise AssertionError(f"not every worker answered: {seen}")


def _login(port, username, password) -> Answer:
    token = secrets.token_hex(16)  # an unmasked token, the same in the cookie and the form
    body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={token}",
    }
    return _send(port, "POST", reverse("login"), source="127.0.0.3", body=body, headers=headers)


def _make_restricted(env: dict, resource_pk: int) -> None:
    subprocess.run(
        [sys.executable, "-c", MAKE_RESTRICTED, str(resource_pk)],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
    )


def _catalogue_change_reaches_every_worker(port, env, resource) -> None:
    paths = [
        f"/resources/{resource.pk}/",
        f"/api/v1/resources/{resource.pk}/",
        f"/api/v1/resources/{resource.pk}/rows/",
    ]
    _until_every_worker(port, paths, expect=200, want_hits=True)
    _make_restricted(env, resource.pk)
    _until_every_worker(port, paths, expect=404)


def _login_failures_are_counted_across_workers(port) -> None:
    failures = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        # Parallel pairs until both workers have counted failures, then the rest one by one.
        while len({a.pid for a in failures}) < 2 and len(failures) < LOGIN_FAILURE_LIMIT - 2:
            failures += pool.map(lambda _: _login(port, "citizen", "wrong"), range(2))
    while len(failures) < LOGIN_FAILURE_LIMIT:
        failures.append(_login(port, "citizen", "wrong"))
    assert len({a.pid for a in failures}) == 2, failures
    assert {a.status for a in failures[:-1]} == {400}, failures
    assert failures[-1].status == 429
    # No worker saw the limit alone, yet every worker refuses even the right password.
    seen = set()
    deadline = time.monotonic() + PATIENCE
    with ThreadPoolExecutor(max_workers=2) as pool:
        while time.monotonic() < deadline:
            for answer in pool.map(lambda _: _login(port, "citizen", f.PASSWORD), range(2)):
                assert answer.status == 429, answer
                seen.add(answer.pid)
            if len(seen) == 2:
                return
    raise AssertionError(f"only {seen} answered")


def _api_throttle_is_counted_across_workers(port) -> None:
    # A burst at once, over both workers: exactly the limit is let through, none counted twice
    # or lost; then every worker refuses.
    with ThreadPoolExecutor(max_workers=4) as pool:
        burst = list(
            pool.map(
                lambda _: _send(port, "GET", "/api/v1/themes/", source="127.0.0.4"),
                range(4 * ANON_LIMIT),
            )
        )
    statuses = [answer.status for answer in burst]
    assert statuses.count(200) == ANON_LIMIT, burst
    assert statuses.count(429) == 3 * ANON_LIMIT, burst
    caller = itertools.repeat("127.0.0.4")
    _until_every_worker(port, ["/api/v1/themes/"], expect=429, addresses=caller)


@pytest.mark.parametrize("cache", ["files", "redis"])
def test_two_workers_share_invalidation_lockout_and_throttles(tmp_path, world, make_table, cache):
    if cache == "redis":
        _redis_url()
    resource = make_table("open_L1", n=3)
    env = _environment(tmp_path, cache)
    try:
        with _gunicorn(env) as port:
            _catalogue_change_reaches_every_worker(port, env, resource)
            _login_failures_are_counted_across_workers(port)
            _api_throttle_is_counted_across_workers(port)
    finally:
        if cache == "redis":
            _forget_redis_keys(env)


def _forget_redis_keys(env: dict) -> None:
    import redis

    client = redis.Redis.from_url(env["REDIS_URL"])
    for key in client.scan_iter(f"*{env['MULTIPROCESS_KEY_PREFIX']}*"):
        client.delete(key)
