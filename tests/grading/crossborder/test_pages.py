"""Cross-border pages: the public list, the self-assessment, filing, evidence, the platform's
decisions, supervision with CSV export, and clearing; English throughout."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grading.models import (
    AuditEvent,
    CrossBorderAssessment,
    CrossBorderClearance,
    CrossBorderFiling,
)
from tests import factories as f


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def form_data(**extra):
    data = f.assessment_data(**extra)
    data["enterprise"] = extra.pop("enterprise", None)
    return data


def login(client, user):
    client.force_login(user)
    return client


# The public list -------------------------------------------------------------------------------


def test_list__anonymous_sees_categories_and_public_entries_only(client, xb):
    f.crossborder_clearance(xb.admin)
    f.crossborder_clearance(xb.admin, resource=xb.open, category="logistics_tracking")
    f.crossborder_clearance(xb.admin, resource=xb.restricted, category="logistics_tracking")
    page = client.get("/cross-border/", HTTP_ACCEPT_LANGUAGE="zh-hans")  # the Chinese names
    assert page.status_code == 200
    text = page.content.decode()
    assert "跨境开放条目" in text and "跨境受限条目" not in text
    assert "贸易单证信息" in text and "仅限贸易合同履行所需" in text
    assert "个人金融账户及交易明细" in text  # the negative list is shown
    english = client.get("/cross-border/").content.decode()
    assert "Only as the trade contract requires" in english


def test_list__restricted_entry_is_not_listed_even_for_its_agency(as_user, xb):
    f.crossborder_clearance(xb.admin, resource=xb.restricted)
    page = as_user("agency_staff").get("/cross-border/")
    assert "跨境受限条目" not in page.content.decode()


def test_list__in_english(en, xb):
    f.crossborder_clearance(xb.admin)
    text = en.get("/cross-border/").content.decode()
    assert "Trade documents" in text and "Only as the trade contract requires" in text
    assert "Negative list" in text


def test_list__unknown_scenario_is_400(client, xb):
    assert client.get("/cross-border/?scenario=moon").status_code == 400
    assert client.get("/cross-border/?scenario=international_trade").status_code == 200


# Assessing and filing --------------------------------------------------------------------------


def test_assess__anonymous_is_sent_to_log_in(client, xb):
    response = client.get("/cross-border/assess/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("kind", ["citizen", "unverified"])
def test_assess__not_an_enterprise_is_403_saying_how(client, world, xb, kind):
    user = world.users.get(kind) or getattr(xb, kind)
    page = login(client, user).get("/cross-border/assess/")
    assert page.status_code == 403
    assert "verified" in page.content.decode()


def test_assess__result_names_the_rule_and_offers_filing(en, xb):
    login(en, xb.filer)
    data = form_data(enterprise=xb.enterprise.pk, categories=["customer_orders"], pi_count=150000)
    response = en.post("/cross-border/assess/", data)
    row = CrossBorderAssessment.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/cross-border/assessments/{row.pk}/"
    )
    page = en.get(response["Location"]).content.decode()
    assert "Needs filing" in page and "pi_contract" in page and "Arts. 5 and 8" in page
    assert f"/cross-border/assessments/{row.pk}/file/" in page


def test_assess__bad_input_is_400_and_writes_nothing(en, xb):
    login(en, xb.filer)
    data = form_data(enterprise=xb.enterprise.pk, recipient_country="CN")
    page = en.post("/cross-border/assess/", data)
    assert page.status_code == 400 and "mainland" in page.content.decode()
    assert en.post("/cross-border/assess/", {}).status_code == 400
    other = f.OrganizationFactory(kind="enterprise")
    assert en.post("/cross-border/assess/", form_data(enterprise=other.pk)).status_code == 400
    assert not CrossBorderAssessment.objects.exists()


def test_security_assessment_result_offers_no_filing(client, xb, assess):
    row = assess(important_data=True)
    page = login(client, xb.filer).get(f"/cross-border/assessments/{row.pk}/").content.decode()
    assert "/file/" not in page


def test_file__with_evidence_shows_the_receipt(en, xb, assess):
    row = assess()
    login(en, xb.filer)
    response = en.post(
        f"/cross-border/assessments/{row.pk}/file/",
        {"transfer_plan": "monthly over TLS", "evidence": f.evidence_file()},
    )
    filing = CrossBorderFiling.objects.get()
    assert response.status_code == 302
    page = en.get(response["Location"]).content.decode()
    assert filing.receipt_number in page and "Filed, awaiting the platform" in page
    assert filing.receipt_number in en.get("/cross-border/mine/").content.decode()


def test_file__bad_evidence_is_400_and_stores_nothing(en, xb, assess):
    row = assess()
    login(en, xb.filer)
    bad = f.evidence_file("e.pdf", b"GIF89a...")
    page = en.post(
        f"/cross-border/assessments/{row.pk}/file/", {"transfer_plan": "x", "evidence": bad}
    )
    assert page.status_code == 400 and "PDF, PNG or JPEG" in page.content.decode()
    missing = en.post(f"/cross-border/assessments/{row.pk}/file/", {"transfer_plan": "x"})
    assert missing.status_code == 400
    assert not CrossBorderFiling.objects.exists()


def test_others_assessments_and_filings_are_404(client, xb, filed):
    filing = filed()
    login(client, xb.outsider)
    assert client.get(f"/cross-border/assessments/{filing.assessment_id}/").status_code == 404
    assert client.get(f"/cross-border/assessments/{filing.assessment_id}/file/").status_code == 404
    assert client.get(f"/cross-border/filings/{filing.pk}/").status_code == 404
    assert client.get(f"/cross-border/filings/{filing.pk}/evidence/").status_code == 404


@pytest.mark.parametrize(
    "kind, status", [("filer", 200), ("admin", 200), ("auditor", 200), ("outsider", 404)]
)
def test_evidence__only_the_filer_and_platform_staff(client, xb, filed, kind, status):
    filing = filed()
    response = login(client, getattr(xb, kind)).get(f"/cross-border/filings/{filing.pk}/evidence/")
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == f.PDF_BYTES
        assert AuditEvent.objects.filter(action="crossborder.evidence").exists()


# Decisions and supervision ---------------------------------------------------------------------


def test_admin_acknowledges_on_the_page_and_a_second_click_is_409(client, xb, filed):
    filing = filed()
    login(client, xb.admin)
    page = client.get(f"/cross-border/filings/{filing.pk}/").content.decode()
    assert 'value="acknowledge"' in page
    response = client.post(f"/cross-border/filings/{filing.pk}/", {"action": "acknowledge"})
    assert response.status_code == 302
    again = client.post(f"/cross-border/filings/{filing.pk}/", {"action": "acknowledge"})
    assert again.status_code == 409


def test_filer_cannot_acknowledge_on_the_page(client, xb, filed):
    filing = filed()
    login(client, xb.filer)
    assert (
        'value="acknowledge"'
        not in client.get(f"/cross-border/filings/{filing.pk}/").content.decode()
    )
    response = client.post(f"/cross-border/filings/{filing.pk}/", {"action": "acknowledge"})
    assert response.status_code == 403
    assert client.post(f"/cross-border/filings/{filing.pk}/", {}).status_code == 400
    filing.refresh_from_db()
    assert filing.status == "submitted"


@pytest.mark.parametrize("kind, status", [("admin", 200), ("auditor", 200), ("filer", 403)])
def test_supervision__platform_staff_only(client, xb, filed, kind, status):
    filed()
    page = login(client, getattr(xb, kind)).get("/cross-border/filings/")
    assert page.status_code == status
    if status == 403:
        assert "platform staff" in page.content.decode()


def test_supervision__filters_overdue_flags_and_csv(client, xb, filed):
    late, fresh = filed(), filed()
    CrossBorderFiling.objects.filter(pk=late.pk).update(due_on=dt.date(2020, 1, 6))
    login(client, xb.admin)
    page = client.get("/cross-border/filings/?overdue=1").content.decode()
    assert late.receipt_number in page and fresh.receipt_number not in page
    assert "overdue" in page
    assert client.get("/cross-border/filings/?status=nope").status_code == 400
    export = client.get("/cross-border/filings/export.csv?status=submitted")
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert export["Content-Type"].startswith("text/csv")
    lines = body.strip().splitlines()
    assert lines[0].startswith("receipt,enterprise,status") and len(lines) == 3
    assert any(late.receipt_number in line and line.endswith("True") for line in lines)


def test_supervision__queries_do_not_grow_with_the_page(client, xb, filed):
    login(client, xb.admin)
    filed()
    client.get("/cross-border/filings/")
    with CaptureQueriesContext(connection) as few:
        client.get("/cross-border/filings/")
    for _ in range(4):
        filed()
    with CaptureQueriesContext(connection) as many:
        client.get("/cross-border/filings/")
    assert len(many) == len(few)


def test_mine__queries_do_not_grow(client, xb, filed):
    login(client, xb.filer)
    filed()
    client.get("/cross-border/mine/")
    with CaptureQueriesContext(connection) as few:
        client.get("/cross-border/mine/")
    for _ in range(4):
        filed()
    with CaptureQueriesContext(connection) as many:
        client.get("/cross-border/mine/")
    assert len(many) == len(few)


def test_public_list__queries_do_not_grow(client, xb, make_resource):
    f.crossborder_clearance(xb.admin, resource=xb.open)
    client.get("/cross-border/")
    with CaptureQueriesContext(connection) as few:
        client.get("/cross-border/")
    for n in range(4):
        entry = make_resource("open_L1", title=f"更多{n}")
        f.crossborder_clearance(xb.admin, resource=entry)
    with CaptureQueriesContext(connection) as many:
        client.get("/cross-border/")
    assert len(many) == len(few)


# Clearing --------------------------------------------------------------------------------------


def test_clear__negative_list_is_refused_on_the_page(en, xb):
    login(en, xb.admin)
    data = {
        "scenario": "cross_border_finance",
        "category": "personal_financial_accounts",
        "conditions": "x",
    }
    page = en.post("/cross-border/clear/", data)
    assert page.status_code == 400 and "Negative list" in page.content.decode()
    assert not CrossBorderClearance.objects.exists()


def test_clear__and_withdraw_on_the_page(client, xb):
    login(client, xb.admin)
    data = {
        "scenario": "international_trade",
        "category": "trade_documents",
        "conditions": "合同所需",
    }
    assert client.post("/cross-border/clear/", data).status_code == 302
    row = CrossBorderClearance.objects.get()
    bad = dict(data, resource="999999")
    assert client.post("/cross-border/clear/", bad).status_code == 400
    assert client.post(f"/cross-border/clear/{row.pk}/withdraw/").status_code == 302
    assert client.post(f"/cross-border/clear/{row.pk}/withdraw/").status_code == 409
    assert client.post("/cross-border/clear/999999/withdraw/").status_code == 404


@pytest.mark.parametrize("kind", ["filer", "auditor"])
def test_clear__page_is_for_administrators(client, xb, kind):
    user = getattr(xb, kind)
    assert login(client, user).get("/cross-border/clear/").status_code == 403
    assert (
        client.post("/cross-border/clear/", {"scenario": "international_trade"}).status_code == 403
    )


def test_mine__is_for_enterprise_members(client, world, xb):
    assert login(client, world.users["citizen"]).get("/cross-border/mine/").status_code == 403
    assert login(client, xb.admin).get("/cross-border/mine/").status_code == 403


def test_list__links_follow_the_caller(client, xb):
    anonymous = client.get("/cross-border/").content.decode()
    assert "/cross-border/assess/" not in anonymous and "/cross-border/clear/" not in anonymous
    filer = login(client, xb.filer).get("/cross-border/").content.decode()
    assert "/cross-border/assess/" in filer and "/cross-border/filings/" not in filer
    admin = login(client, xb.admin).get("/cross-border/").content.decode()
    assert "/cross-border/clear/" in admin and "/cross-border/filings/" in admin
