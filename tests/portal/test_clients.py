"""The caller's address for every per-address limit: X-Forwarded-For is believed only when the
connecting peer is one of TRUSTED_PROXIES, and NUM_PROXIES no longer turns trust on."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.urls import reverse

from grading.models import Feedback
from tests import factories as f

PROXY = "10.0.0.2"
CLIENT = "203.0.113.40"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "192.0.2.1"]


@pytest.fixture
def anon_rate(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "api_key": "1000/min", "user": "1000/min"},
    }


def _themes(client, remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.get("/api/v1/themes/", **extra).status_code


# -- API throttles -----------------------------------------------------------------------------


def test_throttle__spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(client, db, anon_rate):
    statuses = [_themes(client, CLIENT, forwarded=f"198.51.100.{n}") for n in range(4)]
    assert statuses == [200, 200, 429, 429]


def test_throttle__forwarded_for_without_trusted_proxies_is_ignored_even_from_private_peers(
    client, db, anon_rate
):
    statuses = [_themes(client, PROXY, forwarded=f"198.51.100.{n}") for n in range(3)]
    assert statuses == [200, 200, 429]


def test_throttle__behind_a_trusted_proxy_each_forwarded_client_counts_apart(
    client, db, anon_rate, behind_proxy
):
    assert [_themes(client, PROXY, forwarded=CLIENT) for _ in range(3)] == [200, 200, 429]
    # Another client behind the same proxy has its own allowance.
    assert _themes(client, PROXY, forwarded="203.0.113.41") == 200


def test_throttle__entries_left_of_the_proxy_s_own_are_the_caller_s_and_ignored(
    client, db, anon_rate, behind_proxy
):
    # The proxy appended CLIENT; whatever the client wrote before it changes nothing, and
    # trusted hops (the second proxy) are skipped from the right.
    forged = [f"198.51.100.{n}, {CLIENT}, 192.0.2.1" for n in range(3)]
    assert [_themes(client, PROXY, forwarded=value) for value in forged] == [200, 200, 429]


def test_throttle__a_garbled_forwarded_entry_counts_as_the_proxy(
    client, db, anon_rate, behind_proxy
):
    assert [_themes(client, PROXY, forwarded=f"junk-{n}") for n in range(3)] == [200, 200, 429]
    assert _themes(client, PROXY) == 429  # the same bucket: the proxy's own address


# -- the anonymous feedback limit --------------------------------------------------------------


def _feedback(client, resource, remote, forwarded):
    return client.post(
        reverse("grading:feedback-new", args=[resource.pk, "correction"]),
        {"title": "t", "text": "x"},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    ).status_code


def _feedback_api(client, resource, remote, forwarded):
    return client.post(
        "/api/v1/feedback/",
        {"kind": "correction", "resource": resource.pk, "title": "t", "text": "x"},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    ).status_code


@pytest.mark.parametrize("send", [_feedback, _feedback_api])
def test_feedback_limit__spoofed_forwarded_for_does_not_escape_it(
    client, make_resource, settings, send
):
    settings.FEEDBACK_ANON_LIMIT = 2
    resource = make_resource("open_L1")
    statuses = [send(client, resource, CLIENT, f"198.51.100.{n}") for n in range(3)]
    assert statuses[-1] == 429 and all(s in (201, 302) for s in statuses[:2])
    assert Feedback.objects.count() == 2


def test_feedback_limit__behind_a_trusted_proxy_counts_the_forwarded_client(
    client, make_resource, settings, behind_proxy
):
    settings.FEEDBACK_ANON_LIMIT = 1
    resource = make_resource("open_L1")
    assert _feedback(client, resource, PROXY, CLIENT) == 302
    assert _feedback(client, resource, PROXY, CLIENT) == 429
    assert _feedback(client, resource, PROXY, "203.0.113.41") == 302
    assert Feedback.objects.count() == 2


# -- the login lock-out ------------------------------------------------------------------------


def _login(client, password, remote, forwarded):
    return client.post(
        reverse("login"),
        {"username": "citizen", "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    ).status_code


def test_lockout__spoofed_forwarded_for_does_not_escape_it(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    assert [_login(client, "wrong", CLIENT, f"198.51.100.{n}") for n in range(2)] == [400, 429]
    assert _login(client, f.PASSWORD, CLIENT, "198.51.100.9") == 429


def test_lockout__behind_a_trusted_proxy_locks_the_forwarded_client_only(
    client, world, settings, behind_proxy
):
    settings.LOGIN_FAILURE_LIMIT = 2
    assert [_login(client, "wrong", PROXY, CLIENT) for _ in range(2)] == [400, 429]
    assert _login(client, f.PASSWORD, PROXY, CLIENT) == 429
    # Everyone else behind the proxy can still sign in.
    assert _login(client, f.PASSWORD, PROXY, "203.0.113.41") == 302


# -- configuration -----------------------------------------------------------------------------


def _check(**env):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.base", **env}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"NUM_PROXIES": "1"}, "NUM_PROXIES is no longer read"),
        ({"TRUSTED_PROXIES": "10.0.0.0/8,proxy.internal"}, "'proxy.internal' is not an IP"),
    ],
)
def test_settings__num_proxies_and_bad_trusted_proxies_are_refused(env, message, tmp_path):
    result = _check(PORTAL_VAR_DIR=str(tmp_path), SECRET_KEY="k" * 60, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr
    assert "TRUSTED_PROXIES" in result.stderr


# -- the scheme a proxy forwards -----------------------------------------------------------------


@pytest.fixture
def tls_behind_proxy(settings, behind_proxy):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True


def test_forwarded_proto__believed_only_from_a_trusted_proxy(client, db, tls_behind_proxy):
    direct = client.get("/about/", REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_PROTO="https")
    assert direct.status_code == 301 and direct["Location"].startswith("https://")
    proxied = client.get("/about/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
