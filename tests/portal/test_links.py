"""A forged Host header reaches neither the e-mails nor an answer cached for other visitors:
absolute links are built on SITE_URL, and the page cache keys answers by host."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests import factories as f

EVIL = "evil.example"
SITE = "http://testserver"


@pytest.fixture(autouse=True)
def _hosts(settings):
    # A broad ALLOWED_HOSTS (or a forged name on the list) lets the forged host through.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, EVIL]
    settings.SITE_URL = SITE
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def public(world, make_resource):
    return make_resource("open_L1")


def _links(text: str) -> set[str]:
    return set(re.findall(r"https?://[^/\s\"'<>]+", text))


# -- e-mails ----------------------------------------------------------------------------------


def test_password_reset_mail__link_is_on_site_url_whatever_the_host(client, world):
    user = world.users["citizen"]
    response = client.post(reverse("password_reset"), {"email": user.email}, HTTP_HOST=EVIL)
    assert response.status_code == 302
    (message,) = mail.outbox
    assert EVIL not in message.body and EVIL not in message.subject
    assert re.search(rf"{SITE}/accounts/password/reset/\S+/", message.body)


def test_password_reset_mail__https_site_url_gives_https_links(client, world, settings):
    settings.SITE_URL = "https://data.example.gov.cn"
    client.post(reverse("password_reset"), {"email": world.users["citizen"].email}, HTTP_HOST=EVIL)
    (message,) = mail.outbox
    assert _links(message.body) == {"https://data.example.gov.cn"}


def test_registration_mail__confirmation_link_is_on_site_url(client, db):
    password = "Kq7-portal-Reg-2026"
    data = {"username": "li_si", "email": "li.si@example.cn"}
    data |= {"password1": password, "password2": password}
    response = client.post(reverse("account-register-individual"), data, HTTP_HOST=EVIL)
    assert response.status_code == 302
    (message,) = mail.outbox
    assert EVIL not in message.body
    assert re.search(rf"{SITE}/accounts/confirm/[^/\s]+/", message.body)


def test_confirmation_resend__link_is_on_site_url(client, world):
    client.force_login(world.users["citizen"])
    response = client.post(reverse("account-email-resend"), HTTP_HOST=EVIL)
    assert response.status_code == 302
    (message,) = mail.outbox
    assert EVIL not in message.body and f"{SITE}/accounts/confirm/" in message.body


# -- answers built for the forged host itself --------------------------------------------------

SURFACES = [
    "/sitemap.xml",
    "/sitemap-resources.xml",
    "/feeds/resources.atom",
    "/catalog.ttl",
    "/catalog.jsonld",
    "/api/v1/",
    "/api/v1/resources/?page_size=1",
    "/api/v1/organizations/",
    "/api/v1/themes/",
    "/api/3/action/package_search",
    "/api/3/action/status_show",
    "/api/3/action/help_show?name=package_show",
]


@pytest.mark.parametrize("path", SURFACES)
def test_absolute_links_ignore_the_host_header(client, public, path):
    f.ResourceFactory(provider=public.provider, code="second", tier="open")
    response = client.get(path, HTTP_HOST=EVIL)
    assert response.status_code == 200
    text = response.content.decode()
    assert EVIL not in text
    assert SITE in text


def test_resource_page_and_its_rdf_ignore_the_host_header(client, public):
    for path in (f"/resources/{public.pk}/", f"/resources/{public.pk}.ttl"):
        response = client.get(path, HTTP_HOST=EVIL)
        assert response.status_code == 200
        assert EVIL not in response.content.decode() and SITE in response.content.decode()


def test_rows_next_link_ignores_the_host_header(client, world, make_table):
    resource = make_table("open_L1", n=5)
    path = f"/api/v1/resources/{resource.pk}/rows/?page_size=2"
    answer = client.get(path, HTTP_HOST=EVIL)
    assert answer.status_code == 200 and EVIL not in answer.content.decode()
    assert answer.json()["next"].startswith(f"{SITE}/api/v1/resources/{resource.pk}/rows/")
    as_csv = client.get(path, HTTP_HOST=EVIL, HTTP_ACCEPT="text/csv")
    assert as_csv["Link"].startswith(f"<{SITE}/api/v1/resources/{resource.pk}/rows/")


def test_sitemap_index_names_its_sections_on_site_url(client, public, settings):
    settings.CATALOG_SITEMAP_LIMIT = 1
    f.ResourceFactory(provider=public.provider, code="second", tier="open")
    response = client.get("/sitemap.xml", HTTP_HOST=EVIL)
    text = response.content.decode()
    assert "<sitemapindex" in text and EVIL not in text
    assert f"<loc>{SITE}/sitemap-resources.xml</loc>" in text


# -- the anonymous page cache -------------------------------------------------------------------


@pytest.mark.parametrize("path", [*SURFACES, "/resources/"])
def test_an_answer_cached_for_a_forged_host_is_not_served_to_others(client, public, settings, path):
    settings.ANONYMOUS_CACHE_SECONDS = 300
    poisoned = client.get(path, HTTP_HOST=EVIL)
    assert poisoned.status_code == 200 and poisoned["X-Cache"] == "miss"
    again = client.get(path, HTTP_HOST=EVIL)
    assert again["X-Cache"] == "hit"
    normal = client.get(path)
    assert normal["X-Cache"] == "miss"
    assert EVIL not in normal.content.decode()


def test_settings__a_site_url_without_scheme_or_host_is_refused(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.base"}
    env |= {"PORTAL_VAR_DIR": str(tmp_path), "SITE_URL": "data.example.gov.cn"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SITE_URL must be an http" in result.stderr
