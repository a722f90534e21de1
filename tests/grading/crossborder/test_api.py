"""Cross-border API: the public list, assessments, filings with evidence and transitions; every
bad input a 4xx with nothing written, a wrong state 409 with ``current_state``."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grading.models import CrossBorderAssessment, CrossBorderClearance, CrossBorderFiling
from tests import factories as f

CLEAR = "/api/v1/cross-border/clearances/"
ASSESS = "/api/v1/cross-border/assessments/"
FILE = "/api/v1/cross-border/filings/"


def login(client, user):
    client.force_login(user)
    return client


def payload(xb, **extra):
    return {"enterprise": xb.enterprise.code, **f.assessment_data(**extra)}


def test_clearances__public_list_without_restricted_entries(client, xb):
    shown = f.crossborder_clearance(xb.admin, resource=xb.open)
    f.crossborder_clearance(xb.admin, resource=xb.restricted)
    f.crossborder_clearance(xb.admin, category="logistics_tracking", status="withdrawn")
    body = client.get(CLEAR).json()
    assert [row["id"] for row in body["results"]] == [shown.pk]
    row = body["results"][0]
    assert row["category"] == {
        "code": "trade_documents",
        "zh": "贸易单证信息(仓单、提单、船运)",
        "en": "Trade documents (warehouse receipts, bills of lading, shipping)",
    }
    assert client.get(f"{CLEAR}?scenario=moon").status_code == 400
    assert client.get(f"{CLEAR}?scenario=cross_border_finance").json()["results"] == []


def test_clearances__negative_list_is_400_naming_the_rule(client, xb):
    login(client, xb.admin)
    data = {
        "scenario": "cross_border_finance",
        "category": "personal_credit_reports",
        "conditions": "x",
    }
    response = client.post(CLEAR, data, content_type="application/json")
    assert response.status_code == 400
    assert "Negative list" in " ".join(response.json()["category"])
    assert not CrossBorderClearance.objects.exists()


def test_clearances__create_by_administrators_only(client, xb):
    data = {"scenario": "international_trade", "category": "trade_documents", "conditions": "合同"}
    assert client.post(CLEAR, data, content_type="application/json").status_code in (401, 403)
    login(client, xb.filer)
    assert client.post(CLEAR, data, content_type="application/json").status_code == 403
    login(client, xb.admin)
    restricted = dict(data, resource=xb.restricted.pk)
    assert client.post(CLEAR, restricted, content_type="application/json").status_code == 400
    assert (
        client.post(CLEAR, dict(data, resource=10**9), content_type="application/json").status_code
        == 400
    )
    assert client.post(CLEAR, {}, content_type="application/json").status_code == 400
    assert not CrossBorderClearance.objects.exists()
    response = client.post(CLEAR, dict(data, resource=xb.open.pk), content_type="application/json")
    assert response.status_code == 201 and response.json()["resource"] == xb.open.pk


def test_assessments__create_returns_the_result_and_rule(client, xb):
    login(client, xb.filer)
    data = payload(xb, categories=["customer_orders"], sensitive_pi_count=9_999)
    response = client.post(ASSESS, data, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["result"], body["rule"]) == ("filing", "sensitive_pi_contract")
    assert body["enterprise"] == xb.enterprise.code and "Art. 8" in body["rule_text"]
    assert client.get(f"{ASSESS}{body['id']}/").status_code == 200


@pytest.mark.parametrize(
    "extra",
    [
        {"scenario": "moon"},
        {"categories": []},
        {"categories": ["nope"]},
        {"record_count": -1},
        {"pi_count": "many"},
        {"recipient_country": "CN"},
        {"recipient_country": "sg1"},
        {"recipient": ""},
        {"cii_operator": "perhaps"},
    ],
)
def test_assessments__bad_input_is_400(client, xb, extra):
    login(client, xb.filer)
    response = client.post(ASSESS, payload(xb, **extra), content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"]
    assert not CrossBorderAssessment.objects.exists()


def test_assessments__not_for_others(client, xb):
    assert client.post(ASSESS, payload(xb), content_type="application/json").status_code in (
        401,
        403,
    )
    login(client, xb.outsider)
    assert client.post(ASSESS, payload(xb), content_type="application/json").status_code == 403
    data = dict(payload(xb), enterprise="no-such")
    assert client.post(ASSESS, data, content_type="application/json").status_code == 403
    assert not CrossBorderAssessment.objects.exists()


def test_filings__multipart_with_evidence_gives_a_receipt(client, xb, assess):
    row = assess()
    login(client, xb.filer)
    data = {"assessment": row.pk, "transfer_plan": "monthly", "evidence": f.evidence_file()}
    response = client.post(FILE, data)
    assert response.status_code == 201
    body = response.json()
    assert body["receipt_number"].startswith("XB") and body["status"] == "submitted"
    assert body["overdue"] is False


@pytest.mark.parametrize(
    "make",
    [
        lambda row: {"assessment": row.pk, "transfer_plan": "x"},
        lambda row: {
            "assessment": row.pk,
            "transfer_plan": "x",
            "evidence": f.evidence_file("a.png", b"nope"),
        },
        lambda row: {"assessment": 10**9, "transfer_plan": "x", "evidence": f.evidence_file()},
        lambda row: {"assessment": row.pk, "transfer_plan": "", "evidence": f.evidence_file()},
    ],
)
def test_filings__bad_input_is_400(client, xb, assess, make):
    row = assess()
    login(client, xb.filer)
    assert client.post(FILE, make(row)).status_code == 400
    assert not CrossBorderFiling.objects.exists()


def test_filings__another_enterprise_cannot_file_or_see(client, xb, filed, assess):
    filing = filed()
    login(client, xb.outsider)
    data = {"assessment": assess().pk, "transfer_plan": "x", "evidence": f.evidence_file()}
    assert client.post(FILE, data).status_code == 400  # an assessment it cannot see
    assert client.get(f"{FILE}{filing.pk}/").status_code == 404
    assert client.get(FILE).json()["results"] == []


def test_transition__acknowledge_then_409(client, xb, filed):
    filing = filed()
    url = f"{FILE}{filing.pk}/transition/"
    login(client, xb.filer)
    assert (
        client.post(url, {"action": "acknowledge"}, content_type="application/json").status_code
        == 403
    )
    login(client, xb.admin)
    assert client.post(url, {"action": "fly"}, content_type="application/json").status_code == 400
    assert (
        client.post(url, {"action": "return"}, content_type="application/json").status_code == 400
    )
    ok = client.post(url, {"action": "acknowledge"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "acknowledged"
    again = client.post(url, {"action": "reject", "reason": "x"}, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["current_state"] == "acknowledged" and again.json()["detail"]
    assert (
        client.post(
            f"{FILE}999999/transition/", {"action": "acknowledge"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_filings__list_queries_do_not_grow(client, xb, filed):
    login(client, xb.admin)
    filed()
    client.get(FILE)
    with CaptureQueriesContext(connection) as few:
        client.get(FILE)
    for _ in range(4):
        filed()
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(FILE).json()["results"]) == 5
    assert len(many) == len(few)


def test_schema_lists_the_cross_border_operations(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for path in (CLEAR, ASSESS, FILE, FILE + "{id}/transition/"):
        assert path in paths
    assert "409" in paths[FILE + "{id}/transition/"]["post"]["responses"]


def test_clearances__list_queries_do_not_grow(client, xb, make_resource):
    f.crossborder_clearance(xb.admin, resource=xb.open)
    client.get(CLEAR)
    with CaptureQueriesContext(connection) as few:
        client.get(CLEAR)
    for n in range(4):
        f.crossborder_clearance(xb.admin, resource=make_resource("open_L1", title=f"再{n}"))
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(CLEAR).json()["results"]) == 5
    assert len(many) == len(few)
