"""axe-core on every page a visitor, an applicant, an editor and an administrator reach
(the API documentation and the resource map included), at desktop and phone widths: no serious
or critical violation (issue 17)."""

import pytest
from django.core.management import call_command

from catalog.models import Organization, Product, Resource
from grading.models import Application
from tests.browser.axe import AXE_JS, new_page, violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pages() -> dict[str | None, list[str]]:
    published = Resource.objects.filter(status="published")
    open_one = published.filter(tier="open").order_by("pk").first()
    conditional = published.filter(tier="conditional").order_by("pk").first()
    product = Product.objects.filter(status="listed").order_by("pk").first()
    agency = Organization.objects.filter(kind="agency").order_by("code").first()
    applications = Application.objects.filter(applicant__username="citizen").order_by("pk")
    own = published.filter(provider__memberships__user__username="stj_editor").first()
    return {
        None: [
            "/",
            "/resources/",
            f"/resources/{open_one.pk}/",
            f"/resources/{conditional.pk}/",
            "/products/",
            f"/products/{product.pk}/",
            "/organizations/",
            f"/organizations/{agency.code}/",
            "/map/",
            "/high-value/",
            "/about/",
            "/help/",
            "/api/docs/",
            "/accounts/login/",
            "/accounts/register/",
            "/accounts/register/individual/",
            "/accounts/register/enterprise/",
            "/accounts/password/reset/",
            f"/feedback/resources/{open_one.pk}/correction/",
            "/feedback/request/",
            "/showcase/",
            "/merchants/",
            "/cross-border/",
        ],
        "citizen": [
            "/accounts/",
            "/applications/",
            f"/applications/new/?resource={conditional.pk}",
            *[f"/applications/{a.pk}/" for a in applications[:3]],
            "/grants/",
            "/notices/",
            "/accounts/api-keys/",
            "/requests/",
            "/accounts/password/change/",
        ],
        "stj_editor": [
            "/workspace/",
            "/workspace/resources/new/",
            f"/workspace/resources/{own.pk}/",
            f"/workspace/resources/{own.pk}/fields/",
            "/workspace/import/",
            "/workspace/feedback/",
            "/workspace/quality/",
        ],
        "admin": [
            "/applications/queue/",
            "/audit/",
            "/accounts/enterprises/",
            "/supervision/",
            "/admin/",
            "/operation/",
            "/operation/applications/",
            "/showcase/queue/",
        ],
    }


def test_no_serious_or_critical_violation(live_server, browser_page):
    assert AXE_JS.exists(), "axe-core is missing: `make axe` (or `make test`) installs it"
    call_command("load_demo", verbosity=0)
    browser = browser_page.context.browser
    found = []
    checked = 0
    for username, paths in _pages().items():
        page = new_page(browser, live_server.url, username)
        for path in paths:
            found += violations(page, live_server.url + path)
            checked += 1
        page.context.close()
    # The phone layout of the busiest pages too (reading order, target sizes, contrast).
    page = new_page(browser, live_server.url, "admin", width=390)
    for path in ("/", "/resources/", "/help/", "/audit/"):
        found += violations(page, live_server.url + path)
    page.context.close()
    assert checked >= 45
    assert not found, "\n".join(found)


def test_reading_modes_pass_too(live_server, browser_page):
    call_command("load_demo", verbosity=0)
    browser = browser_page.context.browser
    page = new_page(browser, live_server.url)
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="高对比度").click()
    page.get_by_role("button", name="大字号").click()
    assert "mode-contrast" in page.locator("body").get_attribute("class")
    found = []
    for path in ("/", "/resources/", "/help/"):
        found += violations(page, live_server.url + path)
    assert page.get_by_role("button", name="高对比度").get_attribute("aria-pressed") == "true"
    page.context.close()
    assert not found, "\n".join(found)
