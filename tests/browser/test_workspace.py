"""The agency workspace in a real browser, on the demo data: an editor drafts an entry, describes
its data dictionary, uploads a CSV file and submits it; the agency's reviewer publishes it; the
public page shows it with its file."""

import hashlib

import pytest
from django.core.management import call_command

from catalog.models import Resource, Theme
from grading.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Portal-Demo-2026"
CSV = "监测点,PM25\n浦东,35\n徐汇,41\n".encode()


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


def _save(page):
    page.locator("main form.stacked button[type=submit]").click()
    page.wait_for_load_state()


def test_editor_drafts_uploads_submits_reviewer_publishes(live_server, browser_page, tmp_path):
    call_command("load_demo", verbosity=0)
    agency = Membership.objects.get(user__username="ghzy_editor", role="editor").organization
    assert Membership.objects.filter(
        user__username="ghzy_reviewer", organization=agency, role="reviewer"
    ).exists()
    theme = Theme.objects.order_by("position", "code").first()
    browser = browser_page.context.browser
    base = live_server.url

    editor = _login(browser, base, "ghzy_editor")
    editor.locator("header a[href='/workspace/']").click()
    editor.locator("a[href='/workspace/resources/new/']").click()
    editor.select_option("#id_provider", str(agency.pk))
    editor.fill("#id_code", "WS-BROWSER-1")
    editor.fill("#id_title", "浏览器测试空气监测")
    editor.fill("#id_abstract", "各监测点的细颗粒物浓度。")
    editor.select_option("#id_theme", str(theme.pk))
    editor.fill("#id_format", "CSV")
    editor.select_option("#id_update_cycle", "daily")
    editor.select_option("#id_tier", "open")
    _save(editor)
    resource = Resource.objects.get(code="WS-BROWSER-1")
    editor.wait_for_url(f"**/workspace/resources/{resource.pk}/")

    for name, name_en, data_type in [("监测点", "station", "string"), ("PM25", "pm25", "integer")]:
        editor.locator(f"a[href='/workspace/resources/{resource.pk}/fields/new/']").click()
        editor.fill("#id_name", name)
        editor.fill("#id_name_en", name_en)
        editor.select_option("#id_data_type", data_type)
        editor.select_option("#id_grade", "L1")
        _save(editor)
    assert resource.fields.count() == 2

    path = tmp_path / "air.csv"
    path.write_bytes(CSV)
    editor.locator(f"a[href='/workspace/resources/{resource.pk}/files/new/']").click()
    editor.fill("#id_title", "监测数据")
    editor.set_input_files("#id_file", str(path))
    _save(editor)
    editor.wait_for_url(f"**/workspace/resources/{resource.pk}/")
    assert resource.distributions.get().sha256 == hashlib.sha256(CSV).hexdigest()
    editor.locator("form.action-submit button").click()
    editor.wait_for_load_state()
    resource.refresh_from_db()
    assert resource.status == "submitted"

    reviewer = _login(browser, base, "ghzy_reviewer")
    reviewer.goto(f"{base}/workspace/?state=submitted")
    reviewer.locator(f"a[href='/workspace/resources/{resource.pk}/']").click()
    reviewer.locator("form.action-publish button").click()
    reviewer.wait_for_load_state()
    resource.refresh_from_db()
    assert resource.status == "published"

    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(f"{base}/resources/{resource.pk}/")
    assert "浏览器测试空气监测" in public.content()
    with public.expect_download() as download_info:
        public.locator("a.download").first.click()
    assert download_info.value.path().read_bytes() == CSV
