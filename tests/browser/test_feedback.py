"""A citizen reports an error in a real browser and reads the agency's public answer."""

import pytest
from django.core.management import call_command

from catalog.models import Resource
from grading.models import Feedback, Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Portal-Demo-2026"


def _open_resource_with_staff():
    staffed = Membership.objects.values("organization_id")
    resource = (
        Resource.objects.filter(tier="open", status="published", provider_id__in=staffed)
        .order_by("pk")
        .first()
    )
    assert resource is not None, "the demo data has no open resource of a staffed agency"
    username = (
        Membership.objects.filter(organization=resource.provider)
        .values_list("user__username", flat=True)
        .first()
    )
    return resource, username


def test_citizen_reports_an_error_and_sees_the_public_answer(live_server, browser_page):
    call_command("load_demo", verbosity=0)
    resource, staff_name = _open_resource_with_staff()
    base = live_server.url
    citizen = browser_page
    violations = []
    citizen.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )

    citizen.goto(f"{base}/resources/{resource.pk}/")
    citizen.locator("#feedback a[href$='/correction/']").click()
    citizen.wait_for_url("**/correction/")
    assert not citizen.locator("#id_website").is_visible()  # the honeypot stays out of sight
    citizen.fill("#id_title", "第二行数值有误")
    citizen.fill("#id_text", "浦东新区的数值应为43，而不是42。")
    citizen.locator("form.form button[type=submit]").click()
    citizen.wait_for_url(f"**/resources/{resource.pk}/")
    assert citizen.locator(".messages").count() == 1
    item = Feedback.objects.get(title="第二行数值有误")  # the demo holds product complaints too
    assert (item.kind, item.status, item.submitter) == ("correction", "open", None)

    staff = citizen.context.browser.new_context(locale="zh-CN").new_page()
    staff.goto(f"{base}/accounts/login/")
    staff.fill("#id_username", staff_name)
    staff.fill("#id_password", PASSWORD)
    staff.locator("form button[type=submit], form input[type=submit]").last.click()
    staff.wait_for_load_state()
    staff.goto(f"{base}/workspace/feedback/")
    staff.locator(f"td a[href='/feedback/{item.pk}/']").first.click()
    staff.fill("#id_text", "已核实并更正，感谢指出。")
    staff.locator("button[value=answer]").click()
    staff.wait_for_load_state()

    citizen.goto(f"{base}/resources/{resource.pk}/")
    answers = citizen.locator("#feedback")
    assert "第二行数值有误" in answers.inner_text()
    assert "已核实并更正，感谢指出。" in answers.inner_text()
    assert violations == []
