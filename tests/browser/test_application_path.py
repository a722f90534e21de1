"""The path to conditional data in a real browser, on the demo data: a citizen applies, the
platform checks, the agency's reviewer approves, the citizen accepts and downloads."""

import hashlib

import pytest
from django.core.management import call_command

from catalog.models import Resource
from grading import policy
from grading.models import Application, AuditEvent, Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Portal-Demo-2026"


def _login(browser, base_url, username):
    context = browser.new_context(accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()
    return page


def _conditional_for(username):
    from django.contrib.auth import get_user_model

    citizen = get_user_model().objects.get(username=username)
    candidates = Resource.objects.filter(
        tier="conditional", grade__in=["L1", "L2"], provider__memberships__role="reviewer"
    ).distinct()
    for resource in candidates:
        if (
            policy.can_apply(citizen, resource)
            and resource.distributions.filter(kind="file").exclude(file="").exists()
        ):
            return resource
    raise AssertionError("the demo data has no conditional file the citizen may apply for")


def test_apply_check_approve_accept_download(live_server, browser_page, tmp_path):
    call_command("load_demo", verbosity=0)
    resource = _conditional_for("citizen")
    browser = browser_page.context.browser
    base = live_server.url

    citizen = _login(browser, base, "citizen")
    citizen.goto(f"{base}/resources/{resource.pk}/")
    assert citizen.locator("a.download").count() == 0
    citizen.locator("a[href*='/applications/new/']").click()
    citizen.fill("#id_purpose", "研究城市规划数据的公开利用")
    citizen.fill("#id_scenario", "城市更新方案评估")
    citizen.check("#id_want_download")
    citizen.fill("#id_term_days", "90")
    citizen.check("#id_undertaking_accepted")
    citizen.locator("button[name=submit]").click()
    citizen.wait_for_url("**/applications/*/")
    application = Application.objects.filter(applicant__username="citizen").latest("pk")
    assert application.status == "submitted"

    admin = _login(browser, base, "admin")
    admin.goto(f"{base}/applications/queue/")
    admin.locator(f"a[href='/applications/{application.pk}/']").click()
    admin.locator("button[value=check]").click()
    admin.wait_for_load_state()

    reviewer_name = (
        Membership.objects.filter(organization=resource.provider, role="reviewer")
        .values_list("user__username", flat=True)
        .first()
    )
    reviewer = _login(browser, base, reviewer_name)
    reviewer.goto(f"{base}/applications/queue/")
    reviewer.locator(f"a[href='/applications/{application.pk}/']").click()
    reviewer.locator("button[value=approve]").click()
    reviewer.wait_for_load_state()

    citizen.goto(f"{base}/applications/{application.pk}/")
    citizen.locator("button[value=accept]").click()
    citizen.wait_for_load_state()
    application.refresh_from_db()
    assert application.status == "granted" and application.grant is not None
    # The timeline in plain words (issue 17): no event codes for the applicant.
    timeline = citizen.locator("ol.timeline").inner_text()
    assert "已签发数据使用许可" in timeline and "grant.issue" not in timeline

    citizen.goto(f"{base}/resources/{resource.pk}/")
    with citizen.expect_download() as info:
        citizen.locator("a.download").first.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    distribution = resource.distributions.exclude(file="").first()
    assert hashlib.sha256(target.read_bytes()).hexdigest() == distribution.sha256
    assert AuditEvent.objects.filter(action="resource.download", actor__username="citizen").exists()
