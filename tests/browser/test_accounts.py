"""In a real browser: an enterprise registers, a platform administrator verifies it, and no page
on the way (nor the API docs' Swagger UI) trips the Content-Security-Policy."""

import contextlib

import pytest
from django.core import mail

from catalog.models import Organization
from catalog.validators import uscc_check_char
from grading import policy
from grading.models import PlatformRole
from tests import factories as f

# The Chromium fixture, until it is shared from tests/browser/conftest.py.
with contextlib.suppress(ImportError):
    from tests.browser.test_browse import browser_page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Qiye-Portal-2026!"
# Records Content-Security-Policy violations; injected by the browser, so the policy allows it.
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


def _violations(page) -> list[str]:
    return page.evaluate("window.__csp || []")


def _log_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD if username == "qiye" else f.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_enterprise_registers_and_platform_admin_verifies(live_server, browser_page):  # noqa: F811
    page = browser_page
    page.add_init_script(WATCH_CSP)
    admin = f.UserFactory(username="platform")
    f.platform_role(admin, PlatformRole.Role.PLATFORM_ADMIN)
    body = "91310000MA1234567"
    code = body + uscc_check_char(body)

    page.goto(live_server.url + "/")
    page.locator("header a[href='/accounts/register/']").click()
    page.locator("a[href='/accounts/register/enterprise/']").click()
    page.fill("#id_username", "qiye")
    page.fill("#id_email", "qiye@example.cn")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.fill("#id_organization_name", "上海浏览器测试科技有限公司")
    # A typo in the check character is caught and shown on the form.
    page.fill("#id_credit_code", code[:17] + ("0" if code[17] != "0" else "1"))
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#id_credit_code_error")  # tied to the field by aria-describedby
    assert not Organization.objects.filter(name="上海浏览器测试科技有限公司").exists()
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.fill("#id_credit_code", code.lower())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/")
    assert page.locator("[data-state=applicant-unverified]").count() == 1
    org = Organization.objects.get(credit_code=code)
    assert org.verified_at is None
    assert mail.outbox and mail.outbox[-1].to == ["qiye@example.cn"]
    assert _violations(page) == []

    # The public does not see the enterprise yet.
    page.locator("header form[action='/accounts/logout/'] button").click()
    page.wait_for_load_state()
    response = page.goto(f"{live_server.url}/organizations/{org.code}/")
    assert response.status == 404

    _log_in(page, live_server.url, "platform")
    page.goto(live_server.url + "/accounts/")
    page.locator("a[href='/accounts/enterprises/']").click()
    row = page.locator(f"#pending tr[data-org='{org.code}']")
    assert "上海浏览器测试科技有限公司" in row.inner_text()
    row.locator("button[name=verify]").click()
    page.wait_for_selector(f"#verified tr[data-org='{org.code}']")
    assert page.locator(f"#pending tr[data-org='{org.code}']").count() == 0
    org.refresh_from_db()
    assert org.verified_at is not None and org.verified_by_id == admin.pk
    assert _violations(page) == []

    page.locator("header form[action='/accounts/logout/'] button").click()
    page.wait_for_load_state()
    _log_in(page, live_server.url, "qiye")
    page.goto(live_server.url + "/accounts/")
    assert page.locator("[data-state=applicant-verified]").count() == 1
    assert policy.applicant_verified(org.memberships.get().user)
    assert page.goto(f"{live_server.url}/organizations/{org.code}/").status == 200
    assert _violations(page) == []


def test_pages_and_swagger_ui_run_under_the_csp(live_server, browser_page):  # noqa: F811
    page = browser_page
    page.add_init_script(WATCH_CSP)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/api/docs/")
    page.wait_for_selector("#swagger-ui .information-container .title")
    page.wait_for_selector("#swagger-ui .opblock-tag-section")
    assert "Open Data Portal API" in page.locator("#swagger-ui .title").inner_text()
    assert page.locator("#swagger-ui .opblock").count() > 5
    assert _violations(page) == [] and errors == []

    for path in ("/", "/resources/", "/api/v1/", "/admin/login/", "/accounts/register/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        assert _violations(page) == [], path
    assert errors == []
