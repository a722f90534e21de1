"""Answers that may depend on credentials name them in Vary; answers to requests that carry
credentials (API key, Authorization, session) are ``Cache-Control: private, no-store``."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from grading.accounts import apikeys

PRIVATE = "private, no-store"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _vary(response) -> set[str]:
    return {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}


def _names_credentials(response) -> bool:
    return {"authorization", "cookie", "x-api-key"} <= _vary(response)


@pytest.fixture
def staff_key(world):
    return apikeys.api_key_create(user=world.users["agency_staff"], name="script")[1]


@pytest.fixture
def restricted_table(make_table):
    return make_table("restricted_L2", n=3)


def _rows(resource):
    return f"/api/v1/resources/{resource.pk}/rows/"


@pytest.mark.parametrize("header", ["HTTP_X_API_KEY", "HTTP_AUTHORIZATION"])
def test_restricted_rows_with_an_api_key_are_private_and_vary(
    client, restricted_table, staff_key, header
):
    value = staff_key if header == "HTTP_X_API_KEY" else f"Token {staff_key}"
    response = client.get(_rows(restricted_table), **{header: value})
    assert response.status_code == 200 and response.json()["results"]
    assert response["Cache-Control"] == PRIVATE
    assert _names_credentials(response)


def test_rows_as_csv_with_an_api_key_are_private(client, restricted_table, staff_key):
    response = client.get(_rows(restricted_table), HTTP_ACCEPT="text/csv", HTTP_X_API_KEY=staff_key)
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE and _names_credentials(response)


def test_a_refused_api_key_answer_is_private_too(client, restricted_table):
    response = client.get(_rows(restricted_table), HTTP_X_API_KEY="pdp_nope_nope")
    assert response.status_code == 401
    assert response["Cache-Control"] == PRIVATE and _names_credentials(response)


def test_api_detail_with_a_session_is_private_and_varies(client, world, make_resource):
    resource = make_resource("restricted_L2")
    client.force_login(world.users["agency_staff"])
    response = client.get(f"/api/v1/resources/{resource.pk}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE
    assert _names_credentials(response)


def test_download_with_a_session_is_private(client, world, make_resource):
    resource = make_resource("restricted_L2")
    distribution = resource.distributions.get()
    client.force_login(world.users["agency_staff"])
    url = reverse("catalog:distribution-download", args=[resource.pk, distribution.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE and _names_credentials(response)


@pytest.mark.parametrize("path", ["/resources/", "/api/v1/resources/"])
def test_anonymous_answers_vary_on_credentials_but_stay_cacheable(
    client, make_resource, settings, path
):
    settings.ANONYMOUS_CACHE_SECONDS = 300
    make_resource("open_L1")
    first = client.get(path)
    second = client.get(path)
    assert second["X-Cache"] == "hit"
    for response in (first, second):
        assert response.status_code == 200
        assert "no-store" not in response.get("Cache-Control", "")
        assert "private" not in response.get("Cache-Control", "")
        assert _names_credentials(response)


def test_static_files_are_not_marked_private_for_signed_in_visitors(client, world):
    client.force_login(world.users["citizen"])
    response = client.get("/static/portal/site.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
