"""Security basics: login lock-out, password change and reset, CSRF on every form, the
Content-Security-Policy header, and ``check --deploy`` with the production settings."""

import os
import re
import secrets
import subprocess
import sys
import time
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests import factories as f

User = get_user_model()
NEW_PASSWORD = "Fresh-portal-Pass-77"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


# ---------------------------------------------------------------------------------------------
# Login lock-out
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def limit(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_WINDOW = 600
    return 3


def _login(client, username, password, address="203.0.113.5"):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_login__good_password_signs_in(client, world):
    response = _login(client, "citizen", f.PASSWORD)
    assert response.status_code == 302 and _signed_in(client)


def test_login__wrong_password_is_400(client, world):
    response = _login(client, "citizen", "wrong")
    assert response.status_code == 400
    assert b"not correct" in response.content and not _signed_in(client)


def test_login__locks_after_the_limit_with_a_clear_429(client, world, limit):
    for _ in range(limit - 1):
        assert _login(client, "citizen", "wrong").status_code == 400
    locked = _login(client, "citizen", "wrong")
    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= 600
    assert b"Too many failed logins" in locked.content
    # Even the right password is refused while locked.
    right = _login(client, "citizen", f.PASSWORD)
    assert right.status_code == 429 and not _signed_in(client)


def test_login__lock_is_per_user_name_and_address(client, world, limit):
    for _ in range(limit):
        _login(client, "citizen", "wrong")
    assert _login(client, "citizen", f.PASSWORD).status_code == 429
    assert _login(client, "citizen", f.PASSWORD, address="198.51.100.7").status_code == 302
    other = Client()
    assert _login(other, "grantee", f.PASSWORD).status_code == 302


def test_login__lock_opens_after_the_window(client, world, limit, monkeypatch):
    for _ in range(limit):
        _login(client, "citizen", "wrong")
    assert _login(client, "citizen", f.PASSWORD).status_code == 429
    later = time.time() + 601
    monkeypatch.setattr(time, "time", lambda: later)
    assert _login(client, "citizen", f.PASSWORD).status_code == 302


def test_login__success_clears_earlier_failures(client, world, limit):
    for _ in range(limit - 1):
        _login(client, "citizen", "wrong")
    assert _login(client, "citizen", f.PASSWORD).status_code == 302
    client.logout()
    for _ in range(limit - 1):
        assert _login(client, "citizen", "wrong").status_code == 400


def test_login__the_admin_login_is_locked_too(client, world, limit):
    for _ in range(limit):
        _login(client, "platform_admin", "wrong")
    response = client.post(
        reverse("admin:login"),
        {"username": "platform_admin", "password": f.PASSWORD},
        REMOTE_ADDR="203.0.113.5",
    )
    assert response.status_code == 200 and not _signed_in(client)


# ---------------------------------------------------------------------------------------------
# Password change and reset
# ---------------------------------------------------------------------------------------------


def test_password_change(client, world):
    user = world.users["citizen"]
    client.force_login(user)
    assert client.get(reverse("password_change")).status_code == 200
    data = {
        "old_password": f.PASSWORD,
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    }
    response = client.post(reverse("password_change"), data)
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    "data",
    [
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        {"old_password": f.PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
        {
            "old_password": f.PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": "other-Pass-9",
        },
    ],
)
def test_password_change__bad_input_is_400_and_keeps_the_password(client, world, data):
    user = world.users["citizen"]
    client.force_login(user)
    assert client.post(reverse("password_change"), data).status_code == 400
    user.refresh_from_db()
    assert user.check_password(f.PASSWORD)


def test_password_change_needs_a_login(client, db):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_password_reset__mail_link_sets_a_usable_password(client, world):
    user = world.users["citizen"]
    response = client.post(reverse("password_reset"), {"email": user.email})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [user.email]
    path = re.search(r"https?://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    done = client.post(set_url, data)
    assert done.status_code == 302
    assert client.get(done["Location"]).status_code == 200
    assert _login(Client(), "citizen", NEW_PASSWORD).status_code == 302
    # The link works once.
    again = client.get(path, follow=True)
    assert not again.context["validlink"]


def test_password_reset__unknown_address_sends_nothing_and_says_the_same(client, world):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.cn"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset__bad_address_is_400(client, world):
    assert client.post(reverse("password_reset"), {"email": "not an address"}).status_code == 400
    assert mail.outbox == []


def test_password_reset__weak_new_password_is_400(client, world):
    user = world.users["citizen"]
    client.post(reverse("password_reset"), {"email": user.email})
    path = re.search(r"https?://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    set_url = client.get(path.group(1), follow=True).redirect_chain[-1][0]
    data = {"new_password1": "12345678", "new_password2": "12345678"}
    assert client.post(set_url, data).status_code == 400
    user.refresh_from_db()
    assert user.check_password(f.PASSWORD)


# ---------------------------------------------------------------------------------------------
# CSRF on every form
# ---------------------------------------------------------------------------------------------


class _Forms(HTMLParser):
    """Collects each POST form's action and whether it carries the CSRF token."""

    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = {"action": attrs.get("action"), "csrf": False}
            self.forms.append(self._current)
        elif (
            tag == "input"
            and self._current is not None
            and attrs.get("name") == "csrfmiddlewaretoken"
            and attrs.get("value")
        ):
            self._current["csrf"] = True

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


# The language switch is the one exempt form: it changes only the visitor's own cookie.
CSRF_EXEMPT_ACTIONS = {"/i18n/setlang/", "/display/"}  # cookies of the visitor's own


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/accounts/login/", None),
        ("/accounts/register/individual/", None),
        ("/accounts/register/enterprise/", None),
        ("/accounts/password/reset/", None),
        ("/accounts/", "citizen"),
        ("/accounts/password/change/", "citizen"),
        ("/accounts/api-keys/", "citizen"),
        ("/accounts/enterprises/", "platform_admin"),
    ],
)
def test_every_post_form_carries_the_csrf_token(client, world, path, kind):
    from grading.accounts import apikeys

    if kind:
        client.force_login(world.users[kind])
        apikeys.api_key_create(user=world.users[kind], name="k")
    f.OrganizationFactory(kind="enterprise", credit_code=None, code="ent-x")
    response = client.get(path)
    assert response.status_code == 200
    parser = _Forms()
    parser.feed(response.content.decode())
    own = [form for form in parser.forms if form["action"] not in CSRF_EXEMPT_ACTIONS]
    assert own, "the page has a form of its own"
    assert all(form["csrf"] for form in own), own


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/accounts/register/individual/", None),
        ("/accounts/register/enterprise/", None),
        ("/accounts/password/reset/", None),
        ("/accounts/password/change/", "citizen"),
        ("/accounts/api-keys/", "citizen"),
        ("/accounts/confirm/resend/", "citizen"),
    ],
)
def test_posts_without_the_csrf_token_are_refused(world, path, kind):
    strict = Client(enforce_csrf_checks=True)
    if kind:
        strict.force_login(world.users[kind])
    users = User.objects.count()
    response = strict.post(path, {"username": "x", "email": "x@example.cn", "name": "k"})
    assert response.status_code == 403
    assert User.objects.count() == users and mail.outbox == []


def test_enterprise_verify_without_the_csrf_token_is_refused(world):
    org = f.OrganizationFactory(kind="enterprise", code="ent-y")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.users["platform_admin"])
    assert strict.post(reverse("account-enterprise-verify", args=[org.pk])).status_code == 403
    org.refresh_from_db()
    assert org.verified_at is None


# ---------------------------------------------------------------------------------------------
# Content-Security-Policy
# ---------------------------------------------------------------------------------------------


def _directives(header: str) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inline, self.styles = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs:
            self.inline.append(attrs)
        if tag == "style":
            self.styles.append(attrs)


PAGES = [
    "/",
    "/about/",
    "/resources/",
    "/products/",
    "/organizations/",
    "/accounts/login/",
    "/accounts/register/",
    "/accounts/register/enterprise/",
    "/accounts/password/reset/",
    "/api/docs/",
    "/api/v1/",
    "/api/v1/resources/?format=api",
    "/api/schema/",
    "/admin/login/",
    "/no-such-page/",
]


@pytest.mark.parametrize("path", PAGES)
def test_csp_header_on_every_page_and_inline_code_carries_its_nonce(client, world, path):
    f.ResourceFactory(provider=world.provider)
    response = client.get(path)
    assert response.status_code in (200, 404)
    header = response["Content-Security-Policy"]
    rules = _directives(header)
    assert rules["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in rules["script-src"]
    assert "'unsafe-eval'" not in rules["script-src"]
    assert rules["object-src"] == ["'none'"] and rules["frame-ancestors"] == ["'none'"]
    if not response["Content-Type"].startswith("text/html"):
        return
    parser = _Scripts()
    parser.feed(response.content.decode())
    nonces = {v[len("'nonce-") : -1] for v in rules["script-src"] if v.startswith("'nonce-")}
    for attrs in parser.inline:
        if attrs.get("type") in ("application/ld+json", "application/json"):
            continue  # data blocks, never run
        assert attrs.get("nonce") in nonces, attrs
    style_nonces = {v[len("'nonce-") : -1] for v in rules["style-src"] if v.startswith("'nonce-")}
    for attrs in parser.styles:
        assert attrs.get("nonce") in style_nonces, attrs


def test_api_docs_inline_script_uses_a_fresh_nonce(client, db):
    first = client.get("/api/docs/")
    second = client.get("/api/docs/")
    nonce = re.search(r"'nonce-([^']+)'", first["Content-Security-Policy"]).group(1)
    assert f'<script nonce="{nonce}">'.encode() in first.content
    assert nonce not in second["Content-Security-Policy"]


def test_csp_header_on_answers_served_from_the_anonymous_cache(client, world, settings):
    settings.ANONYMOUS_CACHE_SECONDS = 300
    first = client.get("/resources/")
    second = client.get("/resources/")
    assert second["X-Cache"] == "hit"
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


# ---------------------------------------------------------------------------------------------
# Production settings
# ---------------------------------------------------------------------------------------------


def _manage(*args, **env):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "data.example.gov.cn",
        "SINGLE_HOST": "1",
        "SITE_URL": "https://data.example.gov.cn",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={k: v for k, v in environment.items() if v is not None},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_settings_reports_nothing():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"AUDIT_HMAC_KEY": None}, "AUDIT_HMAC_KEY"),
        ({"AUDIT_HMAC_KEY": "short"}, "AUDIT_HMAC_KEY"),
        ({"SECRET_KEY": "s" * 60, "AUDIT_HMAC_KEY": "s" * 60}, "AUDIT_HMAC_KEY"),
        ({"SITE_URL": None}, "SITE_URL"),
        ({"SITE_URL": "http://data.example.gov.cn"}, "SITE_URL"),
    ],
)
def test_production_settings_refuse_to_start_without_secrets_and_hosts(env, message):
    result = _manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_turn_on_secure_cookies_and_hsts():
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, "
        "'upgrade-insecure-requests' in s.CONTENT_SECURITY_POLICY['DIRECTIVES'])"
    )
    result = _manage("shell", "--verbosity", "0", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "31536000", "True", "True", "True"]
