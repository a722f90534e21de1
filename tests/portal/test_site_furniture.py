"""Site furniture (issue 17): a footer naming the operator, contact and registration numbers
from settings; a help page; high-contrast and large-text modes kept in a cookie (and apart in
the page cache); a print stylesheet."""

from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from portal.views import DISPLAY_COOKIE

pytestmark = pytest.mark.django_db


def test_footer_comes_from_settings(client, settings):
    settings.SITE_OPERATOR = "某市大数据中心"
    settings.SITE_ICP_NUMBER = "沪ICP备12345678号"
    settings.SITE_PSB_NUMBER = "沪公网安备 31010102000001号"
    settings.SITE_IDENTIFIER = "3100000001"
    settings.SITE_CONTACT_EMAIL = "help@example.gov.cn"
    footer = client.get("/").content.decode().split('<footer class="site-footer">')[1]
    for text in (
        "某市大数据中心",
        "沪ICP备12345678号",
        "31010102000001",
        "3100000001",
        "help@example.gov.cn",
    ):
        assert text in footer
    assert 'href="/help/"' in footer


def test_help_page_answers_the_first_questions(client):
    page = client.get("/help/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for anchor in ("find", "download", "apply", "api", "feedback", "contact"):
        assert f'id="{anchor}"' in page
    assert "Apply for access" in page and "/api/v1/" in page
    chinese = client.get("/help/").content.decode()
    assert "帮助" in chinese


def test_display_modes_toggle_and_are_cached_apart(settings):
    settings.ANONYMOUS_CACHE_SECONDS = 300
    cache.clear()
    visitor = Client()
    assert "mode-contrast" not in visitor.get("/about/").content.decode()
    response = visitor.post("/display/", {"mode": "contrast", "next": "/about/"})
    assert response.status_code == 302 and response["Location"] == "/about/"
    assert visitor.cookies[DISPLAY_COOKIE].value == "contrast"
    page = visitor.get("/about/").content.decode()
    assert '<body class="mode-contrast ' in page and 'aria-pressed="true"' in page
    visitor.post("/display/", {"mode": "large", "next": "/about/"})
    assert "mode-contrast mode-large" in visitor.get("/about/").content.decode()
    # Another visitor, without the cookie, still gets the plain page from the cache.
    assert "mode-contrast" not in Client().get("/about/").content.decode()
    # Toggling again turns it off; a foreign "next" goes home; an unknown mode is refused.
    visitor.post("/display/", {"mode": "contrast", "next": "/about/"})
    assert visitor.cookies[DISPLAY_COOKIE].value == "large"
    assert (
        visitor.post("/display/", {"mode": "large", "next": "https://evil.example/"})["Location"]
        == "/"
    )
    assert visitor.post("/display/", {"mode": "neon"}).status_code == 400
    cache.clear()


def test_print_and_mode_styles_are_served(client):
    from django.contrib.staticfiles import finders

    css = Path(finders.find("portal/ux.css")).read_text(encoding="utf-8")
    assert "@media print" in css and "body.mode-contrast" in css and "body.mode-large" in css
    assert "portal/ux.css" in client.get("/").content.decode()
