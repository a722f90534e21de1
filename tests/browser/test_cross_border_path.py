"""Cross-border data in a real browser, in English: an enterprise assesses a transfer, is told
it needs filing, files it with evidence; a platform administrator acknowledges it; the
enterprise sees the receipt number and the acknowledgement."""

import pytest

from catalog.models import Organization
from grading.models import CrossBorderFiling, Membership, PlatformRole
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, base_url, username):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f.PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()
    return page


def _english(page):
    """Switch with the site's own language switcher in the header."""
    page.select_option("#lang-select", "en")
    page.locator(".lang-form button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"


def test_assess_file_acknowledge(live_server, browser_page, tmp_path):
    enterprise = f.OrganizationFactory(code="xb-trader", kind=Organization.Kind.ENTERPRISE)
    f.verify(enterprise)
    f.membership(f.UserFactory(username="trader"), enterprise, Membership.Role.ADMIN)
    f.platform_role(f.UserFactory(username="xb_admin"), PlatformRole.Role.PLATFORM_ADMIN)
    evidence = tmp_path / "contract.pdf"
    evidence.write_bytes(f.PDF_BYTES)
    browser = browser_page.context.browser
    base = live_server.url

    trader = _login(browser, base, "trader")
    trader.goto(f"{base}/cross-border/")
    _english(trader)
    assert trader.locator("h1").inner_text() == "Cross-border data: the general data list"
    trader.locator("nav.subnav a[href='/cross-border/assess/']").click()
    trader.select_option("#id_scenario", "cross_border_ecommerce")
    trader.check("input[name=categories][value=customer_orders]")
    trader.fill("#id_record_count", "250000")
    trader.fill("#id_recipient", "Example Retail GmbH")
    trader.fill("#id_recipient_country", "DE")
    trader.fill("#id_purpose", "Order fulfilment and after-sales service")
    trader.fill("#id_security_measures", "TLS 1.3, encryption at rest, access logs")
    trader.fill("#id_pi_count", "200000")
    trader.locator("form.form button[type=submit]").click()
    trader.wait_for_url("**/cross-border/assessments/*/")
    assert trader.locator("strong.result").inner_text() == "Needs filing"
    assert "pi_contract" in trader.locator("dd.rule").inner_text()

    trader.locator("a.file").click()
    trader.fill("#id_transfer_plan", "Weekly export of order records over an encrypted line")
    trader.set_input_files("#id_evidence", str(evidence))
    trader.locator("form.form button[type=submit]").click()
    trader.wait_for_url("**/cross-border/filings/*/")
    filing = CrossBorderFiling.objects.get()
    assert trader.locator("dd.receipt").inner_text() == filing.receipt_number

    admin = _login(browser, base, "xb_admin")
    admin.goto(f"{base}/cross-border/filings/")
    admin.locator(f"a[href='/cross-border/filings/{filing.pk}/']").click()
    admin.locator("button[value=acknowledge]").click()
    admin.wait_for_load_state()
    filing.refresh_from_db()
    assert filing.status == "acknowledged"

    trader.goto(f"{base}/cross-border/mine/")
    row = trader.locator("table.filings tbody tr").first
    assert filing.receipt_number in row.inner_text() and "Acknowledged" in row.inner_text()
    trader.locator(f"a[href='/cross-border/filings/{filing.pk}/']").click()
    assert "crossborder.acknowledge" in trader.locator("ol.timeline").inner_text()
