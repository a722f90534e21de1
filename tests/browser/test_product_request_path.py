"""Obtaining a data product in a real browser: a second enterprise's staff member requests a
listed product of a data operator (申请使用/咨询), the operator's staff quote in their
workspace, the requester accepts the quote, and both see the final state."""

import datetime as dt

import pytest
from django.utils import timezone

from catalog.models import Organization, Product
from grading import policy
from grading.models import AuditEvent, Membership, ProductRequest
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = f.PASSWORD


def _login(browser, base_url, username):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()
    return page


def _market():
    """A data operator with a listed industry product and a staff member, and a second
    enterprise with a staff member of its own."""
    operator = f.OrganizationFactory(
        code="shuju-yunying", name="上海数据运营有限公司", kind=Organization.Kind.ENTERPRISE
    )
    buyer_org = f.OrganizationFactory(
        code="chengshi-keji", name="城市科技有限公司", kind=Organization.Kind.ENTERPRISE
    )
    f.verify(operator, buyer_org)
    seller = f.UserFactory(username="seller")
    buyer = f.UserFactory(username="buyer")
    f.membership(seller, operator, Membership.Role.ADMIN)
    f.membership(buyer, buyer_org, Membership.Role.ADMIN)
    f.ProductFactory(provider=operator, name="通勤客流指数", status=Product.Status.DRAFT)
    product = f.ProductFactory(
        provider=operator,
        name="城市人口热力指数",
        purpose=Product.Purpose.INDUSTRY,
        price_terms="按月订阅",
    )
    assert policy.can_request_product(buyer, product)
    assert not policy.can_request_product(seller, product)
    return product


def test_request_quote_accept(live_server, browser_page):
    product = _market()
    browser = browser_page.context.browser
    base = live_server.url

    buyer = _login(browser, base, "buyer")
    buyer.goto(f"{base}/products/{product.pk}/")
    buyer.locator("a.request-product").click()
    buyer.wait_for_url(f"**/products/{product.pk}/request/")
    buyer.fill("#id_purpose", "为城市更新项目做人口分布分析")
    buyer.fill("#id_scenario", "商业选址评估")
    buyer.fill("#id_quantity", "12")
    buyer.fill("#id_unit", "月")
    buyer.fill("#id_contact_name", "王芳")
    buyer.fill("#id_contact_phone", "021-55556666")
    buyer.locator("button[name=send]").click()
    buyer.wait_for_url("**/requests/*/")
    request = ProductRequest.objects.get(requester__username="buyer")
    assert request.status == "submitted" and request.product == product

    seller = _login(browser, base, "seller")
    seller.goto(f"{base}/requests/?tab=incoming")
    seller.locator(f"a[href='/requests/{request.pk}/']").click()
    seller.fill("#id_amount", "36000")
    seller.fill("#id_terms", "按月交付，12个月")
    valid_until = timezone.localdate() + dt.timedelta(days=30)
    seller.fill("#id_valid_until", valid_until.isoformat())
    seller.locator("button[value=quote]").click()
    seller.wait_for_load_state()
    request.refresh_from_db()
    assert request.status == "quoted" and str(request.quote_amount) == "36000.00"

    buyer.goto(f"{base}/requests/{request.pk}/")
    assert "36000.00" in buyer.locator("dd.quote").inner_text()
    buyer.locator("button[value=accept_quote]").click()
    buyer.wait_for_load_state()
    request.refresh_from_db()
    assert request.status == "accepted_by_requester"

    final = "tr.request-row[data-status='accepted_by_requester']"
    buyer.goto(f"{base}/requests/")
    assert buyer.locator(final).count() == 1
    seller.goto(f"{base}/requests/?tab=incoming")
    assert seller.locator(final).count() == 1
    seller.goto(f"{base}/requests/{request.pk}/")
    assert seller.locator("#request-status").get_attribute("data-status") == (
        "accepted_by_requester"
    )
    actions = AuditEvent.objects.filter(object_type="grading.productrequest").values_list(
        "action", flat=True
    )
    assert list(actions.order_by("seq")) == [
        "product_request.create",
        "product_request.quote",
        "product_request.accept_quote",
    ]
