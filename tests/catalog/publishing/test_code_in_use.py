"""A code already in use is refused with the same neutral words whoever holds it: the answer
never tells an editor that another agency holds the code (perhaps a restricted entry or a
draft), on the API, the workspace form or the product API."""

import pytest
from rest_framework.test import APIClient

from catalog.models import Product, Resource
from tests import factories as f

NEUTRAL = "This code is already in use; choose another."


@pytest.fixture
def theme(db):
    return f.ThemeFactory(code="traffic")


@pytest.fixture
def taken(world, theme):
    """One code held by another agency's restricted draft, one by the editor's own agency."""
    f.ResourceFactory(
        code="OTHER-1", provider=world.other_agency, status="draft", tier="restricted"
    )
    f.ResourceFactory(code="OWN-1", provider=world.provider, status="draft")


def _api_create(world, theme, code):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(world.users["agency_staff"])
    body = {
        "provider": world.provider.code,
        "code": code,
        "title": "道路流量",
        "abstract": "主要道路的小时流量。",
        "theme": theme.code,
        "format": "CSV",
        "update_cycle": "daily",
        "tier": "open",
    }
    return client.post("/api/v1/resources/", body, format="json")


def test_api__same_neutral_answer_for_another_agencys_code_and_ones_own(world, theme, taken):
    other, own = _api_create(world, theme, "OTHER-1"), _api_create(world, theme, "OWN-1")
    assert other.status_code == own.status_code == 400
    assert other.json() == own.json()
    assert other.json()["code"] == [NEUTRAL]
    assert Resource.objects.count() == 2


def test_workspace_form__same_neutral_answer(client, world, theme, taken):
    client.force_login(world.users["agency_staff"])
    answers = []
    for code in ("OTHER-1", "OWN-1"):
        data = {
            "provider": world.provider.pk,
            "code": code,
            "title": "道路流量",
            "abstract": "主要道路的小时流量。",
            "theme": theme.pk,
            "format": "CSV",
            "update_cycle": "daily",
            "tier": "open",
        }
        response = client.post("/workspace/resources/new/", data, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        answers.append(response.context["form"].errors["code"])
    assert answers[0] == answers[1] == [NEUTRAL]
    page = response.content.decode()
    assert world.other_agency.name not in page


def test_service__refuses_a_taken_code_with_the_neutral_words(world, theme, taken):
    from django.core.exceptions import ValidationError

    from catalog.publishing.resources import resource_create

    with pytest.raises(ValidationError) as raised:
        resource_create(
            actor=world.users["agency_staff"],
            provider=world.provider,
            theme=theme,
            code="OTHER-1",
            title="x",
            abstract="y",
            tier="open",
        )
    assert raised.value.message_dict == {"code": [NEUTRAL]}


def test_product_api__neutral_answer_for_a_code_held_by_an_unlisted_product(
    client, world, make_resource
):
    source = make_resource("restricted_L2")
    f.ProductFactory(code="hidden-product", status="draft", provider=world.enterprise)
    client.force_login(world.users["operator"])
    body = {
        "provider": "operator",
        "code": "hidden-product",
        "name": "指数",
        "product_type": "index",
        "source_resources": [source.pk],
        "scenarios": ["治理"],
        "delivery": "api",
        "update_frequency": "daily",
        "purpose": "industry",
        "price_terms": "按年",
        "price": "10.00",
    }
    response = client.post(
        "/api/v1/products/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json()["code"] == [NEUTRAL]
    assert Product.objects.count() == 1
