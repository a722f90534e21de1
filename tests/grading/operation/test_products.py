"""Registering a product under an agreement through its page: in-scope sources only, the
operator's staff only, while the agreement is active."""

import pytest
from django.urls import reverse

from catalog.models import Product

pytestmark = pytest.mark.django_db


def url(agreement):
    return reverse("operation:product-new", args=[agreement.pk])


def data(entry, **extra):
    return {
        "code": "heatmap",
        "name": "通勤热力图",
        "product_type": "index",
        "sources": [entry.pk],
        "scenarios": "城市通勤规划\n交通治理",
        "delivery": "api",
        "update_frequency": "monthly",
        "purpose": "public_interest",
        "price_terms": "免费",
        **extra,
    }


def test_product__submitted_for_listing_citing_an_in_scope_entry(client, scene, active):
    client.force_login(scene.applicant)
    assert (
        url(active)
        in client.get(reverse("operation:agreement-detail", args=[active.pk])).content.decode()
    )
    response = client.post(url(active), data(scene.conditional))
    product = Product.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("catalog:product-detail", args=[product.pk])
    assert product.status == "submitted" and product.scenarios == ["城市通勤规划", "交通治理"]


def test_product__an_entry_outside_the_agreement_is_not_offered(client, scene, active):
    client.force_login(scene.applicant)
    response = client.post(url(active), data(scene.restricted))
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Product.objects.exists()


def test_product__a_price_above_the_fee_cap_is_refused(client, scene, active):
    client.force_login(scene.applicant)
    extra = {"purpose": "industry", "price": "9999999"}
    response = client.post(url(active), data(scene.conditional, **extra))
    assert response.status_code == 200 and "fee cap" in response.content.decode()
    assert not Product.objects.exists()


def test_product__403_while_the_agreement_is_only_issued(client, scene, issued):
    client.force_login(scene.applicant)
    assert client.get(url(issued)).status_code == 403


def test_product__404_for_another_organization(client, active, world):
    client.force_login(world.users["operator"])
    assert client.get(url(active)).status_code == 404
