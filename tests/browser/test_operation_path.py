"""Authorized operation in a real browser: an enterprise registers and is verified, applies for
a scope over entries of two agencies, the platform checks, both agencies approve, the platform
issues the agreement, the enterprise signs, queries in-scope rows and submits a product; a
platform administrator suspends the agreement and the same query answers 403."""

import json

import pytest

from catalog.models import Organization, Product
from catalog.validators import uscc_check_char
from grading.models import Agreement, Membership, OperationApplication, PlatformRole
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Qiye-Operation-2026!"


def _session(browser, base, username, password=f.PASSWORD):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    return page


def _table(agency, tier, grade, title):
    from catalog.rows.services import rows_load

    entry = f.ResourceFactory(provider=agency, tier=tier, grade=grade, title=title)
    f.FieldFactory(resource=entry, name="区", name_en="district", grade="L1", position=1)
    f.FieldFactory(
        resource=entry, name="数值", name_en="count", data_type="integer", grade=grade, position=2
    )
    rows_load(distribution=f.DistributionFactory(resource=entry))
    return entry


def _register_enterprise(page, base, code):
    page.goto(base + "/accounts/register/enterprise/")
    page.fill("#id_username", "yunying")
    page.fill("#id_email", "yunying@example.cn")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.fill("#id_organization_name", "上海授权运营科技有限公司")
    page.fill("#id_credit_code", code)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/")


def _rows(page, base, entry):
    response = page.goto(f"{base}/api/v1/resources/{entry.pk}/rows/?format=json")
    return response.status, page.locator("body").inner_text()


def test_enterprise_applies_operates_and_is_suspended(live_server, browser_page):
    base, browser = live_server.url, browser_page.context.browser
    admin = f.UserFactory(username="pingtai")
    f.platform_role(admin, PlatformRole.Role.PLATFORM_ADMIN)
    agencies = [f.OrganizationFactory(code=f"agency-{i}") for i in range(2)]
    reviewers = []
    for i, agency in enumerate(agencies):
        reviewers.append(f.UserFactory(username=f"shenhe{i}"))
        f.membership(reviewers[i], agency, Membership.Role.REVIEWER)
    traffic = _table(agencies[0], "conditional", "L2", "道路交通流量")
    people = _table(agencies[1], "restricted", "L3", "人口迁徙明细")
    body = "91310000MA7654321"

    # 1. The enterprise registers; a platform administrator verifies it on its page.
    page = browser_page
    _register_enterprise(page, base, body + uscc_check_char(body))
    org = Organization.objects.get(name="上海授权运营科技有限公司")
    platform = _session(browser, base, "pingtai")
    platform.goto(base + "/accounts/enterprises/")
    platform.locator(f"#pending tr[data-org='{org.code}'] button[name=verify]").click()
    platform.wait_for_selector(f"#verified tr[data-org='{org.code}']")

    # 2. It applies for a scope over entries of both agencies.
    page.goto(base + "/")
    page.locator("header a[href='/operation/applications/']").click()
    page.locator("a[href='/operation/apply/']").first.click()
    assert "人口迁徙明细" in page.locator("form.form").inner_text()  # restricted: by title
    page.check(f"input[name=resources][value='{traffic.pk}']")
    page.check(f"input[name=resources][value='{people.pk}']")
    page.fill("#id_purposes", "城市交通与人口流动分析")
    page.fill("#id_scenarios", "通勤热力图产品")
    page.fill("#id_security_measures", "专网隔离，最小权限，全程留痕")
    page.fill("#id_term_months", "36")
    page.fill("#id_proposed_fees", "按年计费")
    page.fill("#id_proposed_fee_cap", "80000")
    page.check("#id_undertaking_accepted")
    page.locator("button[name=submit]").click()
    page.wait_for_url("**/operation/applications/*/")
    application = OperationApplication.objects.get(applicant=org)
    assert application.status == "submitted" and application.parts.count() == 2
    detail = f"{base}/operation/applications/{application.pk}/"

    # 3. The platform checks; each agency's reviewer approves its part.
    platform.goto(base + "/operation/applications/")
    platform.locator(f"a[href='/operation/applications/{application.pk}/']").first.click()
    platform.locator("button[value=check]").click()
    platform.wait_for_load_state()
    for reviewer, agency in zip(reviewers, agencies, strict=True):
        session = _session(browser, base, reviewer.username)
        session.goto(base + "/operation/applications/")
        session.locator(f"a[href='/operation/applications/{application.pk}/']").first.click()
        part = application.parts.get(agency=agency)
        session.locator(f"#part-{part.pk} button[value=approve]").click()
        session.wait_for_load_state()
        session.context.close()
    application.refresh_from_db()
    assert application.status == "decided"

    # 4. The platform issues the agreement; the enterprise signs it.
    platform.goto(detail)
    platform.fill("#id_fee_cap", "60000")
    platform.locator("button[value=issue]").click()
    platform.wait_for_url("**/operation/agreements/*/")
    agreement = Agreement.objects.get(operator=org)
    assert agreement.status == "issued"
    assert _rows(page, base, traffic)[0] == 403  # not signed yet
    page.goto(f"{base}/operation/agreements/{agreement.pk}/")
    page.locator("button[value=sign]").click()
    page.wait_for_load_state()
    agreement.refresh_from_db()
    assert agreement.status == "active"

    # 5. In-scope rows in the browser, then a product citing an in-scope entry.
    status, text = _rows(page, base, traffic)
    assert status == 200 and json.loads(text)["results"]
    assert _rows(page, base, people)[0] == 200
    page.goto(f"{base}/operation/agreements/{agreement.pk}/")
    page.locator(f"a[href='/operation/agreements/{agreement.pk}/products/new/']").click()
    page.fill("#id_code", "tongqin-heatmap")
    page.fill("#id_name", "通勤热力图")
    page.select_option("#id_product_type", "index")
    page.check(f"input[name=sources][value='{traffic.pk}']")
    page.fill("#id_scenarios", "城市通勤规划")
    page.select_option("#id_delivery", "api")
    page.select_option("#id_update_frequency", "monthly")
    page.select_option("#id_purpose", "public_interest")
    page.fill("#id_price_terms", "免费")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/products/*/")
    product = Product.objects.get(code="tongqin-heatmap")
    assert product.status == "submitted" and list(product.source_resources.all()) == [traffic]

    # 6. The platform suspends the agreement (with a confirmation); the query answers 403.
    platform.goto(f"{base}/operation/agreements/{agreement.pk}/")
    platform.fill("#reason", "核查数据流向")
    platform.locator("button[value=suspend]").click()
    platform.locator("main form button[type=submit]").first.click()
    platform.wait_for_url(f"**/operation/agreements/{agreement.pk}/")
    agreement.refresh_from_db()
    assert agreement.status == "suspended"
    assert _rows(page, base, traffic)[0] == 403
    page.goto(detail)
    timeline = page.locator("ol.timeline").inner_text()
    assert "operation.submit" not in timeline and len(page.locator("ol.timeline li").all()) >= 7
