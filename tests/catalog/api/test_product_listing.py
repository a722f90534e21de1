"""Product listing (挂牌): operators register products on in-scope data; platform staff list
them only with a scenario, passed reviews, covered sources and lawful prices."""

import pytest

from catalog.models import Product
from grading.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

API = "/api/v1/products/"


@pytest.fixture
def in_scope(make_resource):
    return make_resource("restricted_L2")  # make_resource puts it in the operator's agreement


def _product(resource, **extra):
    return {
        "provider": "operator",
        "code": "traffic-index",
        "name": "交通拥堵指数服务",
        "product_type": "index",
        "source_resources": [resource.pk],
        "scenarios": ["城市交通治理"],
        "delivery": "api",
        "update_frequency": "daily",
        "purpose": "industry",
        "price_terms": "按年订阅",
        "price": "50000.00",
        **extra,
    }


def _post(client, user, url, data=None):
    client.force_login(user)
    return client.post(url, data or {}, content_type="application/json")


def _review(client, world, pk, **data):
    return _post(client, world.users["platform_admin"], f"{API}{pk}/review/", data)


def test_operator_lists_a_product_that_passes_review(client, world, in_scope):
    created = _post(client, world.users["operator"], API, _product(in_scope))
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert client.get(f"{API}{pk}/").status_code == 200  # the operator sees its draft
    client.logout()
    assert client.get(f"{API}{pk}/").status_code == 404  # the public does not

    assert _post(client, world.users["operator"], f"{API}{pk}/submit/").status_code == 200
    assert _review(client, world, pk, action="start").json()["status"] == "compliance_review"
    refused = _review(client, world, pk, action="list")
    assert refused.status_code == 400 and "compliance_passed" in refused.json()
    listed = _review(client, world, pk, action="list", compliance_passed=True, quality_passed=True)
    body = listed.json()
    assert listed.status_code == 200 and body["status"] == "listed"
    assert body["registration_code"].startswith("DP-")
    event = AuditEvent.objects.get(action="product.list", object_id=str(pk))
    assert body["evidence_hash"] == event.hash

    client.logout()
    page = client.get(f"/products/{pk}/").content.decode()
    assert body["registration_code"] in page and event.hash in page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scenarios": []}, "scenarios"),
        ({"scenarios": ["  "]}, "scenarios"),
        ({"price": "100000.01"}, "price"),  # over the agreement's fee cap
        ({"price": None}, "price"),  # industry products state a price
        ({"purpose": "public_interest"}, "price"),  # public-interest products are free
        ({"price_terms": ""}, "price_terms"),
    ],
)
def test_submission_is_refused_naming_what_is_missing(client, world, in_scope, change, field):
    pk = _post(client, world.users["operator"], API, _product(in_scope, **change)).json()["id"]
    response = _post(client, world.users["operator"], f"{API}{pk}/submit/")
    assert response.status_code == 400 and field in response.json()
    assert Product.objects.get(pk=pk).status == "draft"


def test_public_interest_products_are_free(client, world, in_scope):
    data = _product(in_scope, purpose="public_interest", price=None)
    pk = _post(client, world.users["operator"], API, data).json()["id"]
    assert _post(client, world.users["operator"], f"{API}{pk}/submit/").status_code == 200


def test_non_open_sources_outside_the_agreement_are_refused(client, world, in_scope):
    outside = f.ResourceFactory(provider=world.provider, tier="conditional", grade="L1")
    data = _product(in_scope, source_resources=[in_scope.pk, outside.pk])
    pk = _post(client, world.users["operator"], API, data).json()["id"]
    response = _post(client, world.users["operator"], f"{API}{pk}/submit/")
    assert response.status_code == 400
    assert "来源规则" in response.json()["source_resources"][0]  # the rule, named (Chinese API)
    assert outside.code in response.json()["source_resources"][0]


def test_open_sources_outside_the_agreement_may_be_cited(client, world, in_scope):
    """Open data is open to every provider allowed to register products (issue #14)."""
    outside = f.ResourceFactory(provider=world.provider, tier="open", grade="L1")
    data = _product(in_scope, source_resources=[in_scope.pk, outside.pk])
    pk = _post(client, world.users["operator"], API, data).json()["id"]
    assert _post(client, world.users["operator"], f"{API}{pk}/submit/").status_code == 200


@pytest.mark.parametrize("kind", ["citizen", "grantee", "agency_staff"])
def test_only_staff_of_an_operator_under_agreement_may_register(client, world, in_scope, kind):
    response = _post(client, world.users[kind], API, _product(in_scope))
    assert response.status_code in (400, 403)
    assert not Product.objects.exists()


def test_anonymous_writes_are_refused(client, in_scope):
    response = client.post(API, _product(in_scope), content_type="application/json")
    assert response.status_code in (401, 403)


def test_review_is_for_platform_admins_and_follows_the_states(client, world, in_scope):
    pk = _post(client, world.users["operator"], API, _product(in_scope)).json()["id"]
    early = _review(client, world, pk, action="start")
    assert early.status_code == 409 and early.json()["current_state"] == "draft"
    _post(client, world.users["operator"], f"{API}{pk}/submit/")
    own = _post(client, world.users["operator"], f"{API}{pk}/review/", {"action": "start"})
    assert own.status_code == 403
    no_reason = _review(client, world, pk, action="reject")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    rejected = _review(client, world, pk, action="reject", reason="场景描述不充分")
    assert rejected.json()["status"] == "rejected"
    # a rejected product can be edited and submitted again
    client.force_login(world.users["operator"])
    edited = client.put(
        f"{API}{pk}/",
        _product(in_scope, scenarios=["城市交通治理", "物流调度"]),
        content_type="application/json",
    )
    assert edited.status_code == 200, edited.content
    assert _post(client, world.users["operator"], f"{API}{pk}/submit/").status_code == 200


def test_a_listed_product_cannot_be_edited(client, world, in_scope):
    pk = _post(client, world.users["operator"], API, _product(in_scope)).json()["id"]
    _post(client, world.users["operator"], f"{API}{pk}/submit/")
    _review(client, world, pk, action="start")
    _review(client, world, pk, action="list", compliance_passed=True, quality_passed=True)
    client.force_login(world.users["operator"])
    response = client.put(f"{API}{pk}/", _product(in_scope), content_type="application/json")
    assert response.status_code == 409
    delisted = _review(client, world, pk, action="delist", reason="协议到期")
    assert delisted.json()["status"] == "delisted"


def _second_operator(world, in_scope, *, agreement=True):
    """An enterprise ``second`` whose staff member also works for ``operator``."""
    from catalog.models import Organization
    from grading.models import Membership

    second = f.OrganizationFactory(code="second", kind=Organization.Kind.ENTERPRISE)
    f.verify(second)
    if agreement:
        f.agreement(second, [in_scope])
    user = f.UserFactory(username="two-hats")
    f.membership(user, second, Membership.Role.ADMIN)
    f.membership(user, world.operator_org, Membership.Role.ADMIN)
    return second, user


def test_update__authorized_against_the_products_own_provider(client, world, in_scope):
    """Naming another provider in the body does not lend its agreement to this product."""
    created = _post(client, world.users["operator"], API, _product(in_scope))
    pk = created.json()["id"]
    _second, user = _second_operator(world, in_scope)
    world.operator_org.agreements.update(status="revoked")
    client.force_login(user)
    body = _product(in_scope, provider="second", name="改名")
    response = client.put(f"{API}{pk}/", body, content_type="application/json")
    assert response.status_code == 403
    product = Product.objects.get(pk=pk)
    assert (product.name, product.provider) == ("交通拥堵指数服务", world.operator_org)


def test_update__the_provider_cannot_be_changed(client, world, in_scope):
    created = _post(client, world.users["operator"], API, _product(in_scope))
    pk = created.json()["id"]
    _second, user = _second_operator(world, in_scope)
    client.force_login(user)
    body = _product(in_scope, provider="second", name="改名")
    response = client.put(f"{API}{pk}/", body, content_type="application/json")
    assert response.status_code == 400
    assert "provider" in response.json()
    assert Product.objects.get(pk=pk).name == "交通拥堵指数服务"
