"""Facets and filters on a phone (390 px) and on a desktop (1366 px): on a phone the results
come first, in reading order too, and the filters wait behind a closed "筛选" summary; on a
desktop they are shown beside (or above) the results without a click (issue 17)."""

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
BEFORE = "([a, b]) => !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING)"


def test_catalogue_facets_fold_away_on_a_phone(live_server, browser_page):
    call_command("load_demo", verbosity=0)
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/resources/")
    first = page.locator("#results li.item").first
    assert first.bounding_box()["y"] < 700
    facet_link = page.locator("aside.facets .facet a").first
    assert not facet_link.is_visible(), "the facets are folded away on a phone"
    summary = page.locator("aside.facets summary")
    assert summary.is_visible() and summary.inner_text().strip() == "筛选"
    results, facets = page.locator("#results").element_handle(), page.locator("aside.facets")
    assert page.evaluate(BEFORE, [results, facets.element_handle()]), "results are read first"
    summary.click()
    assert facet_link.is_visible()

    # The numbered pages wrap instead of widening the page.
    page.goto(live_server.url + "/resources/?page_size=5")
    page.get_by_role("link", name="第 3 页").click()
    page.get_by_role("link", name="第 5 页").click()
    assert page.locator(".page-numbers [aria-current=page]").inner_text() == "5"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/resources/")
    assert page.locator("aside.facets .facet a").first.is_visible()
    assert not page.locator("aside.facets summary").is_visible()
    facets_box = page.locator("aside.facets").bounding_box()
    results_box = page.locator("#results").bounding_box()
    assert facets_box["x"] < results_box["x"], "the facets stay in the left column"


def test_product_filters_fold_away_on_a_phone(live_server, browser_page):
    call_command("load_demo", verbosity=0)
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/products/")
    assert page.locator("#results li.item").first.bounding_box()["y"] < 700
    select = page.locator("form.filter-bar select").first
    assert not select.is_visible()
    page.locator("form.filter-bar summary").click()
    assert select.is_visible()

    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/products/")
    assert page.locator("form.filter-bar select").first.is_visible()
