"""A visitor in a real browser (Debian's Chromium through Playwright): browse, search, open a
resource and download an open file, on the demo data."""

import hashlib

import pytest
from django.core.management import call_command

from catalog.models import Distribution

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_browse_search_open_and_download(live_server, browser_page, tmp_path):
    call_command("load_demo", verbosity=0)
    page = browser_page

    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    figure = int(page.locator("[data-figure=resources]").inner_text().replace(",", ""))
    assert figure >= 40

    page.fill("#site-q", "空气")
    page.press("#site-q", "Enter")
    page.wait_for_url("**/resources/?q=*")
    results = page.locator("#results li.item")
    assert results.count() >= 1
    assert "空气" in results.first.inner_text()

    # Narrow to open data with the tier facet, then open the first entry.
    page.locator("[data-facet=tier] a", has_text="无条件开放").click()
    page.wait_for_url("**tier=open*")
    page.locator("#results li.item h3 a").first.click()
    page.wait_for_selector("a.download")
    assert page.locator("table.dictionary tbody tr").count() >= 1

    with page.expect_download() as info:
        page.locator("a.download").first.click()
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    data = target.read_bytes()
    distribution = Distribution.objects.get(file__endswith=download.suggested_filename)
    assert hashlib.sha256(data).hexdigest() == distribution.sha256
    assert len(data) == distribution.byte_size


def test_language_switch_to_english(live_server, browser_page):
    page = browser_page
    page.goto(live_server.url + "/resources/")
    page.select_option("#lang-select", "en")
    page.locator(".lang-form button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Data resource catalogue"
