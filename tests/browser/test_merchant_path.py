"""The data merchant path in a real browser: an enterprise registers as a data merchant, a
platform administrator verifies it, the merchant registers and submits a product on open data,
the administrator lists it, and it appears on the merchant's public page."""

import pytest

from catalog.models import Organization, Product
from grading.models import DataMerchant, Membership, PlatformRole
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, base_url, username):
    page = browser.new_context(locale="en").new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f.PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()
    return page


def _people():
    company = f.OrganizationFactory(
        code="shuzhi", name="上海数智地理科技有限公司", kind=Organization.Kind.ENTERPRISE
    )
    f.verify(company)
    f.membership(f.UserFactory(username="shuzhi_admin"), company, Membership.Role.ADMIN)
    f.platform_role(f.UserFactory(username="platform"), PlatformRole.Role.PLATFORM_ADMIN)
    return f.ResourceFactory(code="OPEN-LAND-USE", tier="open", grade="L1")


def test_register_verify_submit_list(live_server, browser_page, tmp_path):
    source = _people()
    base = live_server.url
    browser = browser_page.context.browser
    evidence = tmp_path / "licence.pdf"
    evidence.write_bytes(f.PDF_BYTES)

    merchant = _login(browser, base, "shuzhi_admin")
    merchant.goto(f"{base}/merchants/")
    merchant.locator("a[href='/merchants/mine/']").click()
    merchant.locator("a[href='/merchants/register/']").last.click()
    merchant.check("input[name=categories][value=data_resource]")
    merchant.check("input[name=categories][value=quality]")
    merchant.fill("#id_description", "地理信息数据产品与质量评估")
    merchant.fill("#id_services", "土地利用分析报告")
    merchant.fill("#id_contact_name", "张工")
    merchant.fill("#id_contact_email", "zhang@shuzhi.example.cn")
    merchant.set_input_files("#id_evidence", str(evidence))
    merchant.locator("form.form button[type=submit]").click()
    merchant.wait_for_url("**/merchants/mine/")
    assert DataMerchant.objects.get().status == "applied"

    admin = _login(browser, base, "platform")
    admin.goto(f"{base}/merchants/queue/")
    admin.locator("a[href='/merchants/shuzhi/']").click()
    admin.locator("button[value=verify]").click()
    admin.wait_for_url("**/merchants/shuzhi/")
    assert DataMerchant.objects.get().status == "verified"

    merchant.goto(f"{base}/merchants/mine/")
    merchant.locator("a[href='/merchants/products/new/']").click()
    merchant.fill("#id_code", "land-use-report")
    merchant.fill("#id_name", "城市土地利用分析报告")
    merchant.select_option("#id_product_type", "report")
    merchant.fill("#id_sources", source.code)
    merchant.fill("#id_scenarios", "城市更新评估")
    merchant.select_option("#id_delivery", "file")
    merchant.select_option("#id_update_frequency", "quarterly")
    merchant.select_option("#id_purpose", "industry")
    merchant.select_option("#id_pricing_method", "cost")
    merchant.fill("#id_price", "8000")
    merchant.fill("#id_price_terms", "按份计价")
    merchant.locator("form.form button[type=submit]").click()
    merchant.wait_for_url("**/merchants/mine/")
    merchant.locator("button[name=submit]").click()
    merchant.wait_for_url("**/merchants/mine/")
    product = Product.objects.get(code="land-use-report")
    assert product.status == "submitted"

    admin.goto(f"{base}/merchants/products/review/")
    admin.locator(f"#product-{product.pk} button[value=start]").click()
    admin.wait_for_url("**/merchants/products/review/")
    admin.check(f"#product-{product.pk} input[name=compliance_passed]")
    admin.check(f"#product-{product.pk} input[name=quality_passed]")
    admin.locator(f"#product-{product.pk} button[value=list]").click()
    admin.wait_for_url("**/merchants/products/review/")
    product.refresh_from_db()
    assert product.status == "listed" and product.registration_code

    visitor = browser.new_context(locale="en").new_page()
    visitor.goto(f"{base}/merchants/shuzhi/")
    assert visitor.locator(f"#products a[href='/products/{product.pk}/']").count() == 1
    visitor.locator(f"#products a[href='/products/{product.pk}/']").click()
    visitor.wait_for_url(f"**/products/{product.pk}/")
    assert "8000" in visitor.locator("#price").inner_text()
