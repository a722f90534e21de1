"""/robots.txt lets robots read public pages, keeps them off the API, downloads, workspaces
and administration, and names the sitemap; the site has a favicon of its own."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_robots_txt(client, settings):
    settings.SITE_URL = "https://data.example.gov.cn"
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    for path in ("/api/", "/workspace/", "/admin/", "/accounts/", "/*/download/"):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /resources/" not in lines
    assert "Sitemap: https://data.example.gov.cn/sitemap.xml" in lines


def test_favicon(client):
    page = client.get("/").content.decode()
    assert 'rel="icon"' in page and "portal/favicon.svg" in page
    assert finders.find("portal/favicon.svg")
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("portal/favicon.svg")
