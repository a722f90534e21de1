# ruff: noqa: F811
"""The product market (issue #14): verified data merchants list products under the same
compliance review; the rule on sources; prices, their history and the fee cap."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Product, ProductPrice
from grading.merchants.selectors import price_vs_cap_rows
from grading.models import AuditEvent
from tests import factories as f

# The fixtures below make these tests read the English texts (pytest passes them by name).
from tests.english import client, english  # noqa: F401, F811

pytestmark = pytest.mark.django_db

API = "/api/v1/products/"


def _body(sources, **extra):
    return {
        "provider": "enterprise",
        "code": "geo-report",
        "name": "城市用地分析报告",
        "product_type": "report",
        "source_resources": [s.pk for s in sources],
        "scenarios": ["城市更新评估"],
        "delivery": "file",
        "update_frequency": "quarterly",
        "purpose": "industry",
        "pricing_method": "cost",
        "price_terms": "按份计价",
        "price": "8000.00",
        **extra,
    }


def _post(client, user, url, data=None):
    client.force_login(user)
    return client.post(url, data or {}, content_type="application/json")


def _list(client, world, pk):
    admin = world.users["platform_admin"]
    assert _post(client, admin, f"{API}{pk}/review/", {"action": "start"}).status_code == 200
    return _post(
        client,
        admin,
        f"{API}{pk}/review/",
        {"action": "list", "compliance_passed": True, "quality_passed": True},
    )


@pytest.fixture
def open_source(db):
    return f.ResourceFactory(tier="open", grade="L1")


@pytest.mark.parametrize("status", [None, "applied", "returned", "suspended", "revoked"])
def test_a_merchant_without_verification_cannot_register_products(
    client, world, open_source, status
):
    if status:
        f.merchant(world.enterprise, status=status)
    response = _post(client, world.users["grantee"], API, _body([open_source]))
    assert response.status_code == 403
    assert "verified data merchant" in response.json()["detail"]
    assert not Product.objects.exists()
    assert client.get(reverse("merchants:product-new")).status_code == 403


def test_a_verified_merchant_lists_an_open_source_product_after_review(client, world, open_source):
    f.merchant(world.enterprise)
    created = _post(client, world.users["grantee"], API, _body([open_source]))
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert _post(client, world.users["grantee"], f"{API}{pk}/submit/").status_code == 200
    listed = _list(client, world, pk)
    assert listed.status_code == 200 and listed.json()["status"] == "listed"
    client.logout()
    page = client.get(reverse("merchants:detail", args=["enterprise"])).content.decode()
    assert "城市用地分析报告" in page and f"/products/{pk}/" in page


def test_listing_is_refused_once_the_merchant_is_suspended(client, world, open_source):
    merchant = f.merchant(world.enterprise)
    pk = _post(client, world.users["grantee"], API, _body([open_source])).json()["id"]
    _post(client, world.users["grantee"], f"{API}{pk}/submit/")
    merchant.status = "suspended"
    merchant.save()
    refused = _list(client, world, pk)
    assert refused.status_code == 400 and "Rule on providers" in refused.json()["provider"][0]
    assert Product.objects.get(pk=pk).status == "compliance_review"


def test_a_conditional_source_without_grant_or_agreement_is_refused(client, world, make_resource):
    f.merchant(world.enterprise)
    conditional = f.ResourceFactory(tier="conditional", grade="L2", code="COND-1")
    pk = _post(client, world.users["grantee"], API, _body([conditional])).json()["id"]
    response = _post(client, world.users["grantee"], f"{API}{pk}/submit/")
    assert response.status_code == 400
    message = response.json()["source_resources"][0]
    assert "Rule on sources" in message and "COND-1" in message
    assert Product.objects.get(pk=pk).status == "draft"


def test_a_conditional_source_under_a_grant_of_the_staff_may_be_cited(client, world):
    f.merchant(world.enterprise)
    conditional = f.ResourceFactory(tier="conditional", grade="L2")
    f.grant(world.users["grantee"], [conditional])
    pk = _post(client, world.users["grantee"], API, _body([conditional])).json()["id"]
    assert _post(client, world.users["grantee"], f"{API}{pk}/submit/").status_code == 200


def test_a_restricted_source_needs_an_agreement_not_a_grant(client, world):
    f.merchant(world.enterprise)
    restricted = f.ResourceFactory(tier="restricted", grade="L3", code="REST-1")
    f.grant(world.users["grantee"], [restricted])
    created = _post(client, world.users["platform_admin"], API, _body([restricted]))
    assert created.status_code == 403  # platform staff are not the provider's staff
    client.force_login(world.users["grantee"])
    product = Product.objects.create(
        **{k: v for k, v in _body([]).items() if k not in ("provider", "source_resources")},
        provider=world.enterprise,
    )
    product.source_resources.set([restricted])
    response = _post(client, world.users["grantee"], f"{API}{product.pk}/submit/")
    assert response.status_code == 400 and "REST-1" in response.json()["source_resources"][0]


# -- prices and the fee cap --------------------------------------------------------------------


@pytest.fixture
def operator_product(client, world, make_resource):
    """A product of the operator listed under its agreement (fee cap 100,000 CNY)."""
    source = make_resource("restricted_L2")
    body = _body([source], provider="operator", code="op-index", price="50000.00")
    pk = _post(client, world.users["operator"], API, body).json()["id"]
    _post(client, world.users["operator"], f"{API}{pk}/submit/")
    return Product.objects.get(pk=pk)


def test_a_price_over_the_cap_is_refused_at_listing_naming_the_agreement(
    client, world, operator_product
):
    agreement = world.operator_org.agreements.get()
    agreement.fee_cap = Decimal("30000.00")
    agreement.save()
    refused = _list(client, world, operator_product.pk)
    assert refused.status_code == 400
    assert refused.json()["price"] == [
        f"The price exceeds the fee cap of agreement #{agreement.pk} (30000.00 CNY)."
    ]
    assert Product.objects.get(pk=operator_product.pk).status == "compliance_review"


def _price(client, user, product, **data):
    client.force_login(user)
    body = {"pricing_method": "negotiated", "price_terms": "按年订阅", "reason": "调价", **data}
    return client.post(reverse("merchants:product-price", args=[product.pk]), body)


def test_a_price_change_over_the_cap_is_refused_and_writes_nothing(client, world, operator_product):
    _list(client, world, operator_product.pk)
    before = ProductPrice.objects.count()
    response = _price(client, world.users["operator"], operator_product, price="100000.01")
    assert response.status_code == 400
    agreement = world.operator_org.agreements.get()
    assert f"fee cap of agreement #{agreement.pk}" in response.content.decode()
    assert ProductPrice.objects.count() == before
    assert Product.objects.get(pk=operator_product.pk).price == Decimal("50000.00")


def test_a_price_change_is_recorded_audited_and_shown(client, world, operator_product):
    _list(client, world, operator_product.pk)
    response = _price(client, world.users["operator"], operator_product, price="60000.00")
    assert response.status_code == 302
    product = Product.objects.get(pk=operator_product.pk)
    assert (product.price, product.pricing_method) == (Decimal("60000.00"), "negotiated")
    history = list(product.prices.values_list("price", "reason"))
    assert history[0] == (Decimal("60000.00"), "调价") and len(history) == 2
    assert AuditEvent.objects.filter(action="product.price", object_id=str(product.pk)).count() == 2
    client.logout()
    page = client.get(f"/products/{product.pk}/").content.decode()
    assert 'id="price-history"' in page and "60000.00" in page and "调价" in page
    api = client.get(f"{API}{product.pk}/").json()
    assert api["pricing_method"] == "negotiated"
    assert [row["price"] for row in api["price_history"]] == ["60000.00", "50000.00"]
    assert "price_history" not in client.get(API).json()["results"][0]


@pytest.mark.parametrize(
    ("kind", "status"), [("citizen", 403), ("grantee", 403), ("platform_admin", 403)]
)
def test_only_the_providers_staff_change_prices(client, world, operator_product, kind, status):
    _list(client, world, operator_product.pk)
    response = _price(client, world.users[kind], operator_product, price="1.00")
    assert response.status_code == status
    assert Product.objects.get(pk=operator_product.pk).price == Decimal("50000.00")


def test_a_draft_price_is_not_changed_through_the_price_service(client, world, operator_product):
    response = _price(client, world.users["operator"], operator_product, price="1.00")
    assert response.status_code == 400
    assert Product.objects.get(pk=operator_product.pk).price == Decimal("50000.00")


@pytest.mark.parametrize(
    "change",
    [{"reason": ""}, {"pricing_method": "bogus"}, {"price": "-1"}, {"price": "abc"}],
)
def test_bad_price_input_is_400_and_writes_nothing(client, world, operator_product, change):
    _list(client, world, operator_product.pk)
    before = ProductPrice.objects.count()
    response = _price(client, world.users["operator"], operator_product, **{"price": "1", **change})
    assert response.status_code == 400
    assert ProductPrice.objects.count() == before


def test_public_interest_products_stay_free(client, world, open_source):
    f.merchant(world.enterprise)
    body = _body([open_source], purpose="public_interest", price=None, pricing_method="free")
    pk = _post(client, world.users["grantee"], API, body).json()["id"]
    _post(client, world.users["grantee"], f"{API}{pk}/submit/")
    _list(client, world, pk)
    product = Product.objects.get(pk=pk)
    response = _price(client, world.users["grantee"], product, price="10.00")
    assert response.status_code == 400 and "free" in response.content.decode()


def test_price_vs_cap_rows_for_the_supervision_view(client, world, operator_product):
    _list(client, world, operator_product.pk)
    free = f.ProductFactory(provider=world.enterprise)
    agreement = world.operator_org.agreements.get()
    Product.objects.filter(pk=operator_product.pk).update(price=Decimal("200000.00"))
    rows = {row.pk: row for row in price_vs_cap_rows(user=world.users["platform_admin"])}
    assert rows[operator_product.pk].fee_cap == agreement.fee_cap
    assert rows[operator_product.pk].cap_agreement_id == agreement.pk
    assert rows[operator_product.pk].over_cap is True
    assert rows[free.pk].fee_cap is None and rows[free.pk].over_cap is False

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            list(price_vs_cap_rows(user=world.users["platform_admin"]))
        return len(queries)

    few = count()
    for _ in range(10):
        f.ProductFactory(provider=world.enterprise)
    assert count() == few
