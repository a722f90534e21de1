"""A phone-sized screen (390 px wide): results before facets, a signed-in header whose links
keep their words whole, and no page wider than the screen (issue 17, item 9 of the list)."""

import pytest
from django.core.management import call_command

from catalog.models import Resource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Portal-Demo-2026"
WIDTH = 390


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth") - WIDTH


def test_phone_layout(live_server, browser_page):
    call_command("load_demo", verbosity=0)
    page = browser_page
    page.set_viewport_size({"width": WIDTH, "height": 844})

    page.goto(live_server.url + "/resources/")
    first = page.locator("#results li.item").first.bounding_box()
    facets = page.locator("aside.facets").bounding_box()
    assert first["y"] < facets["y"], "results come before the facets"
    assert first["y"] < 700, f"the first result is {first['y']} px down"
    assert overflow(page) <= 0

    # Every published entry page fits the screen (long API addresses, codes and hashes wrap).
    for pk in Resource.objects.filter(status="published").values_list("pk", flat=True)[:40]:
        page.goto(f"{live_server.url}/resources/{pk}/")
        assert overflow(page) <= 0, f"/resources/{pk}/ is wider than the screen"

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(live_server.url + "/")
    assert overflow(page) <= 0
    # No header link is squeezed to one character a line: each is one line high.
    heights = page.eval_on_selector_all(
        ".header-tools a, .main-nav a",
        "links => links.map(a => [a.textContent.trim(), a.getBoundingClientRect().height])",
    )
    line = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight) || 26")
    squeezed = [text for text, height in heights if height > line * 1.5]
    assert not squeezed, squeezed
