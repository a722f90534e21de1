"""The product-request and showcase API: the whole path, 400/403/404/409 per the rules, and
nothing written on a refusal."""

import datetime as dt

import pytest
from django.utils import timezone

from grading.models import AuditEvent, ProductRequest, Showcase
from tests import factories as f

pytestmark = pytest.mark.django_db

API = "/api/v1/product-requests/"
SHOWCASES = "/api/v1/showcases/"
TOMORROW = (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def _post(client, user, url, body):
    client.force_login(user)
    return client.post(url, body, content_type="application/json")


def _create(client, market, product=None, **extra):
    body = {"product": (product or market.industry).pk, **f.request_data(**extra)}
    return _post(client, market.requester, API, body)


def test_whole_path__request_quote_accept_quote(client, market, world):
    response = _create(client, market, organization=world.enterprise.pk)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["due_on"] and body["overdue"] is False
    assert body["requester_organization"] == "enterprise"
    pk = body["id"]
    quote = {"amount": "8800.00", "terms": "一年期", "valid_until": TOMORROW}
    response = _post(client, market.provider_staff, f"{API}{pk}/quote/", quote)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "quoted" and response.json()["quote_amount"] == "8800.00"
    response = _post(client, market.requester, f"{API}{pk}/accept-quote/", {})
    assert response.json()["status"] == "accepted_by_requester"
    client.force_login(market.provider_staff)
    assert [r["id"] for r in client.get(API).json()["results"]] == [pk]


def test_list__only_the_callers_visible_requests(client, market):
    mine = f.product_request(market.requester, market.industry)
    f.product_request(market.citizen, market.public)
    client.force_login(market.requester)
    assert [r["id"] for r in client.get(API).json()["results"]] == [mine.pk]
    client.force_login(market.provider_staff)
    assert len(client.get(API).json()["results"]) == 2


def test_anonymous_callers_are_refused(client, market):
    assert client.get(API).status_code in (401, 403)
    response = client.post(API, {"product": market.industry.pk}, content_type="application/json")
    assert response.status_code in (401, 403)
    assert ProductRequest.objects.count() == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"purpose": None}, "purpose"),
        ({"quantity": "many"}, "quantity"),
        ({"quantity": 0}, "quantity"),
        ({"contact_email": "nope"}, "contact_email"),
        ({"contact_phone": "", "contact_email": ""}, "contact_phone"),
        ({"product": "abc"}, "product"),
        ({"organization": 99999}, "organization"),
    ],
)
def test_create__bad_input_is_400_and_writes_nothing(client, market, body, field):
    data = {"product": market.industry.pk, **f.request_data()}
    data.update(body)
    data = {k: v for k, v in data.items() if v is not None}
    response = _post(client, market.requester, API, data)
    assert response.status_code == 400
    assert field in response.json()
    assert ProductRequest.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_create__missing_fields_are_400(client, market):
    response = _post(client, market.requester, API, {})
    assert response.status_code == 400
    assert {"product", "purpose", "scenario", "contact_name", "quantity"} <= set(response.json())


def test_create__an_invisible_product_is_400_as_no_such_product(client, market):
    response = _create(client, market, product=market.draft)
    assert response.status_code == 400 and "product" in response.json()


def test_create__the_providers_staff_get_403(client, market):
    body = {"product": market.industry.pk, **f.request_data()}
    response = _post(client, market.provider_staff, API, body)
    assert response.status_code == 403
    assert ProductRequest.objects.count() == 0


def test_create__double_submission_is_409_and_writes_nothing(client, market):
    first = _create(client, market).json()["id"]
    response = _create(client, market)
    assert response.status_code == 409
    assert response.json()["existing"] == first
    assert ProductRequest.objects.count() == 1
    assert AuditEvent.objects.filter(action="product_request.create").count() == 1


def test_wrong_state_is_409_with_the_current_state(client, market):
    pk = f.product_request(market.requester, market.industry).pk
    response = _post(client, market.requester, f"{API}{pk}/accept-quote/", {})
    assert response.status_code == 409
    assert response.json()["current_state"] == "submitted" and response.json()["detail"]
    assert AuditEvent.objects.count() == 1


def test_wrong_role_is_403_and_invisible_is_404(client, market, world):
    pk = f.product_request(market.requester, market.industry).pk
    response = _post(client, market.requester, f"{API}{pk}/refuse/", {"reason": "x"})
    assert response.status_code == 403
    response = _post(client, world.users["expired_grantee"], f"{API}{pk}/withdraw/", {})
    assert response.status_code == 404
    assert ProductRequest.objects.get().status == "submitted"


def test_refuse_without_reason_is_400(client, market):
    pk = f.product_request(market.requester, market.industry).pk
    response = _post(client, market.provider_staff, f"{API}{pk}/refuse/", {})
    assert response.status_code == 400 and "reason" in response.json()


def test_quote__public_interest_product_must_be_free(client, market):
    pk = f.product_request(market.requester, market.public).pk
    quote = {"amount": "10.00", "valid_until": TOMORROW}
    response = _post(client, market.provider_staff, f"{API}{pk}/quote/", quote)
    assert response.status_code == 400 and "amount" in response.json()
    assert ProductRequest.objects.get().status == "submitted"
    response = _post(client, market.provider_staff, f"{API}{pk}/quote/", {**quote, "amount": 0})
    assert response.status_code == 200 and response.json()["quote_amount"] == "0.00"


@pytest.mark.parametrize(
    "quote",
    [{"amount": "-1", "valid_until": TOMORROW}, {"amount": "1"}, {"amount": "x", "valid_until": 1}],
)
def test_quote__bad_quote_is_400(client, market, quote):
    pk = f.product_request(market.requester, market.industry).pk
    response = _post(client, market.provider_staff, f"{API}{pk}/quote/", quote)
    assert response.status_code == 400
    assert ProductRequest.objects.get().status == "submitted"


# The showcase


def test_showcase__submit_review_list(client, market, make_resource):
    source = make_resource("open_L1")
    body = {
        "title": "通勤地图",
        "description": "公开交通数据做的通勤地图",
        "url": "https://example.cn/map",
        "sources": [source.pk],
    }
    response = _post(client, market.citizen, SHOWCASES, body)
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["status"] == "submitted"
    assert (
        _post(client, market.citizen, f"{SHOWCASES}{pk}/review/", {"action": "list"}).status_code
        == 403
    )
    response = _post(client, market.admin, f"{SHOWCASES}{pk}/review/", {"action": "list"})
    assert response.json()["status"] == "listed"
    client.logout()
    assert [s["id"] for s in client.get(SHOWCASES).json()["results"]] == [pk]
    assert client.get(f"{SHOWCASES}{pk}/").json()["sources"][0]["id"] == source.pk


def test_showcase__anonymous_list_shows_listed_only(client, market, make_resource):
    source = make_resource("open_L1")
    listed = f.showcase(market.citizen, [source], status="listed")
    pending = f.showcase(market.citizen, [source], title="待审")
    assert [s["id"] for s in client.get(SHOWCASES).json()["results"]] == [listed.pk]
    assert client.get(f"{SHOWCASES}{pending.pk}/").status_code == 404


@pytest.mark.parametrize("variant", ["conditional_L1", "restricted_L2"])
def test_showcase__only_open_sources_may_be_linked(client, market, make_resource, variant):
    body = {
        "title": "应用",
        "description": "说明",
        "url": "https://example.cn/",
        "sources": [make_resource(variant).pk],
    }
    response = _post(client, market.citizen, SHOWCASES, body)
    assert response.status_code == 400 and "sources" in response.json()
    assert Showcase.objects.count() == 0


@pytest.mark.parametrize(
    "change, field",
    [
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "https://exa mple.cn"}, "url"),
        ({"title": ""}, "title"),
        ({"sources": []}, "sources"),
        ({"sources": "1"}, "sources"),
    ],
)
def test_showcase__bad_input_is_400(client, market, make_resource, change, field):
    body = {
        "title": "应用",
        "description": "说明",
        "url": "https://example.cn/",
        "sources": [make_resource("open_L1").pk],
        **change,
    }
    response = _post(client, market.citizen, SHOWCASES, body)
    assert response.status_code == 400 and field in response.json()
    assert Showcase.objects.count() == 0


def test_showcase__double_submission_is_409(client, market, make_resource):
    body = {
        "title": "应用",
        "description": "说明",
        "url": "https://example.cn/",
        "sources": [make_resource("open_L1").pk],
    }
    assert _post(client, market.citizen, SHOWCASES, body).status_code == 201
    assert _post(client, market.citizen, SHOWCASES, body).status_code == 409
    assert Showcase.objects.count() == 1


def test_showcase__review_from_the_wrong_state_is_409(client, market, make_resource):
    pk = f.showcase(market.citizen, [make_resource("open_L1")], status="rejected").pk
    response = _post(client, market.admin, f"{SHOWCASES}{pk}/review/", {"action": "list"})
    assert response.status_code == 409 and response.json()["current_state"] == "rejected"


def test_showcase__anonymous_submission_is_refused(client, make_resource):
    body = {"title": "x", "description": "y", "url": "https://e.cn/", "sources": [1]}
    assert client.post(SHOWCASES, body, content_type="application/json").status_code in (401, 403)


def test_schema_lists_every_new_endpoint(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for action in ("quote", "accept", "refuse", "accept-quote", "decline", "withdraw"):
        assert f"/api/v1/product-requests/{{id}}/{action}/" in paths
        assert "409" in paths[f"/api/v1/product-requests/{{id}}/{action}/"]["post"]["responses"]
    assert {"get", "post"} <= set(paths["/api/v1/product-requests/"])
    assert {"get", "post"} <= set(paths["/api/v1/showcases/"])
    assert "/api/v1/showcases/{id}/review/" in paths


def test_timeline__the_audit_events_of_one_request(client, market, world):
    pk = f.product_request(market.requester, market.industry).pk
    client.force_login(market.provider_staff)
    events = client.get(f"{API}{pk}/timeline/").json()
    assert [e["action"] for e in events] == ["product_request.create"]
    assert events[0]["actor"] == market.requester.username
    client.force_login(world.users["citizen"])
    assert client.get(f"{API}{pk}/timeline/").status_code == 404
