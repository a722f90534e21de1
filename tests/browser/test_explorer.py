"""The data explorer of an entry page in a real browser (Debian's Chromium through
Playwright), on the demo data: keyset pages of the table, a filter, the chart and the map."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from catalog.models import Resource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = "#explorer .explorer-table tbody tr"


def test_explorer__table_pages_filter_chart_and_map(live_server, browser_page):
    call_command("load_demo", verbosity=0)
    # Bus stops: open data with longitude and latitude in its dictionary.
    resource = Resource.objects.get(code="310000-JTW-0001")
    total = resource.row_table.row_count
    assert total > 20
    stops = [row.data["stop_seq"] for row in resource.row_table.rows.all()]
    from_20 = len([n for n in stops if n >= 20])
    assert 0 < from_20 < 20
    page = browser_page
    page.goto(f"{live_server.url}/resources/{resource.pk}/")

    # The table: the first keyset page, the next, and back.
    page.wait_for_selector(f"{ROWS} >> nth=19")
    assert page.locator(ROWS).count() == 20
    page.click("#explorer [data-page=next]")
    expect(page.locator(ROWS)).to_have_count(total - 20)
    assert page.locator("#explorer [data-page=next]").is_disabled()
    page.click("#explorer [data-page=previous]")
    expect(page.locator(ROWS)).to_have_count(20)

    # A filter: stops from number 20 on.
    page.fill("#explorer [data-filter=stop_seq__gte]", "20")
    expect(page.locator(ROWS)).to_have_count(from_20)
    numbers = page.locator(f"{ROWS} td:nth-child(3)").all_inner_texts()
    assert numbers and all(int(n) >= 20 for n in numbers)
    page.fill("#explorer [data-filter=stop_seq__gte]", "")
    expect(page.locator(ROWS)).to_have_count(20)

    # Sorting by a column header.
    page.click("#explorer button.sort[data-field=stop_seq]")
    page.click("#explorer button.sort[data-field=stop_seq]")  # descending
    expect(page.locator(f"{ROWS} td:nth-child(3)").first).to_have_text(str(max(stops)))

    # The chart: bars of a numeric column by a category.
    page.click("#explorer [data-view=chart]")
    page.wait_for_selector("#explorer .explorer-chart svg rect.bar")
    assert page.locator("#explorer .explorer-chart rect.bar").count() >= 1
    page.select_option("#explorer [data-chart=kind]", "line")
    page.wait_for_selector("#explorer .explorer-chart svg polyline.line")

    # The map: one point per row with coordinates, over the local outline (no tiles).
    page.click("#explorer [data-view=map]")
    page.wait_for_selector("#explorer .explorer-map svg circle.point")
    assert page.locator("#explorer .explorer-map circle.point").count() == total
    assert page.locator("#explorer .explorer-map polygon.outline").count() == 1

    # The API snippets name this entry's row API.
    page.click("#explorer [data-view=api]")
    assert f"/api/v1/resources/{resource.pk}/rows/" in page.locator(".snippet-curl").inner_text()


def test_explorer__absent_where_rows_are_not_readable(live_server, browser_page):
    call_command("load_demo", verbosity=0)
    resource = Resource.objects.filter(tier="conditional", status="published").first()
    page = browser_page
    page.goto(f"{live_server.url}/resources/{resource.pk}/")
    page.wait_for_selector("#preview")
    assert page.locator("#explorer").count() == 0
