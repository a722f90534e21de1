"""A product's English description: kept by the services, shown on the English page and in the
API, and found by an English search."""

import pytest
from django.utils import translation

from catalog.publishing.products import product_save
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(world):
    product = f.ProductFactory(
        provider=world.operator_org,
        status="listed",
        description="港口吞吐量月度指数",
        description_en="A monthly index of port throughput",
    )
    return product


def test_the_page_shows_the_description_in_the_visitors_language(client, listed):
    english = client.get(f"/products/{listed.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(f"/products/{listed.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content
    assert "A monthly index of port throughput" in english
    assert "港口吞吐量月度指数" in chinese.decode()


def test_the_api_gives_both_descriptions(client, listed):
    body = client.get(f"/api/v1/products/{listed.pk}/").json()
    assert body["description"] == "港口吞吐量月度指数"
    assert body["description_en"] == "A monthly index of port throughput"


def test_product_save_keeps_the_english_description(world):
    f.agreement(world.operator_org, [])
    user = world.users["operator"]
    data = {
        "code": "P-EN-1",
        "name": "港航指数",
        "description_en": "Port and shipping index",
        "product_type": "index",
        "delivery": "api",
        "update_frequency": "monthly",
        "purpose": "public_interest",
        "price_terms": "免费",
        "scenarios": ["港航监测"],
    }
    with translation.override("en"):
        product = product_save(actor=user, organization=world.operator_org, data=data, sources=[])
    product.refresh_from_db()
    assert product.description_en == "Port and shipping index"
    assert "port" in product.search_body.lower()
