"""Edge cases found by probing the running portal: crafted cursors, odd digits, hostile
headers, methods, nullable orderings, and counts that must agree with the lists they link to."""

import base64
import json

import pytest
from django.urls import reverse

from catalog.models import Resource
from tests import factories as f

pytestmark = pytest.mark.django_db


def _cursor(*values, reverse=False) -> str:
    payload = json.dumps({"v": list(values), "r": int(reverse)}).encode()
    return base64.urlsafe_b64encode(payload).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor("abc", 1),  # not a date for the default ordering (-modified, -id)
        _cursor(None, 1),
        _cursor("2026-01-01"),  # too few values
        _cursor("2026-01-01", 1, 2),  # too many
        _cursor("2026-01-01", "x"),  # id not a number
        "cD0yMDI0",  # another paginator's cursor format
        "%%%",
        "",
    ],
)
@pytest.mark.parametrize("path", ["/resources/", "/api/v1/resources/"])
def test_crafted_cursor_is_400(client, make_resource, path, cursor):
    make_resource("open_L1")
    response = client.get(path, {"cursor": cursor})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("ordering", "position"),
    [
        ("record_count", {"k": (12 << 32) | 1}),  # a sort key: the value, then the id
        ("modified", {"k": 0}),
        ("title", {"o": 40}),  # text orderings page by offset
    ],
)
def test_cursor_positions_the_search_engine_makes_are_accepted(
    client, make_resource, ordering, position
):
    import base64
    import json

    make_resource("open_L1")
    token = base64.urlsafe_b64encode(json.dumps(position).encode()).decode()
    response = client.get("/api/v1/resources/", {"ordering": ordering, "cursor": token})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("ordering", "values", "status"),
    [
        ("record_count", ["abc", 1], 400),
        ("-record_count", [1e308, 1], 400),  # beyond any stored count: a forged cursor
        ("modified", ["abc", 1], 400),
        ("-modified", ["2024-13-45", 1], 400),
    ],
)
def test_cursor_value_of_the_wrong_type_is_a_json_400(
    client, make_resource, ordering, values, status
):
    make_resource("open_L1")
    response = client.get("/api/v1/resources/", {"ordering": ordering, "cursor": _cursor(*values)})
    assert response.status_code == status
    if status == 400:
        body = response.json()
        assert sorted(body) == ["cursor", "detail"]
        assert body["cursor"] == [body["detail"].removeprefix("cursor: ")]


@pytest.mark.parametrize("size", ["²", "⁵", "①", "٣"])
@pytest.mark.parametrize("path", ["/api/v1/resources/", "/api/v1/organizations/", "/resources/"])
def test_non_ascii_digits_as_page_size_are_400(client, path, size):
    assert client.get(path, {"page_size": size}).status_code == 400


def test_hostile_host_header_is_a_generic_400(client):
    response = client.get("/resources/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert b"evil.example" not in response.content


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_pages_and_downloads_accept_only_safe_methods(client, make_resource, method):
    resource = make_resource("open_L1")
    distribution = resource.distributions.get()
    for url in [
        reverse("catalog:resource-detail", args=[resource.pk]),
        reverse("catalog:distribution-download", args=[resource.pk, distribution.pk]),
        "/",
        "/resources/",
    ]:
        assert getattr(client, method)(url).status_code == 405


def test_head_on_a_download_is_allowed(client, make_resource):
    resource = make_resource("open_L1")
    distribution = resource.distributions.get()
    url = reverse("catalog:distribution-download", args=[resource.pk, distribution.pk])
    assert client.head(url).status_code == 200


def test_unlisted_products_are_reachable_by_their_staff_across_pages(client, world):
    for _ in range(5):
        f.ProductFactory(provider=world.operator_org)
    for _ in range(3):
        f.ProductFactory(provider=world.operator_org, status="draft", listed_at=None)
    client.force_login(world.users["operator"])
    seen, url = [], "/api/v1/products/?page_size=3"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 8


@pytest.mark.parametrize(
    ("kind", "sees_grades"),
    [
        ("anonymous", False),
        ("citizen", False),
        ("grantee", False),  # enterprise staff
        ("operator", False),
        ("agency_staff", True),
        ("auditor", True),
    ],
)
def test_grade_facet_is_for_agency_and_platform_staff(
    client, world, make_resource, kind, sees_grades
):
    make_resource("open_L1")
    if kind != "anonymous":
        client.force_login(world.users[kind])
    facets = client.get("/resources/").context["facets"]
    assert ("grade" in facets) is sees_grades


def test_theme_counts_include_sub_themes_like_the_filter(client, world):
    parent = f.ThemeFactory(code="transport")
    child = f.ThemeFactory(code="roads", parent=parent)
    f.ResourceFactory(provider=world.provider, theme=parent)
    f.ResourceFactory(provider=world.provider, theme=child)
    f.ResourceFactory(provider=world.provider, theme=child, tier="restricted", grade="L4")
    listed = client.get("/api/v1/resources/", {"theme": "transport"}).json()["results"]
    counted = client.get("/api/v1/themes/transport/").json()["resource_count"]
    assert len(listed) == counted == 2
    home = {t.code: t.resource_count for t in client.get("/").context["themes"]}
    assert home["transport"] == 2


def test_platform_staff_see_rows_that_break_the_ceiling_so_they_can_fix_them(
    client, world, make_resource
):
    resource = make_resource("open_L1")
    Resource.objects.filter(pk=resource.pk).update(grade="L4")
    client.force_login(world.users["platform_admin"])
    assert client.get(f"/resources/{resource.pk}/").status_code == 200
    client.force_login(world.users["citizen"])
    assert client.get(f"/resources/{resource.pk}/").status_code == 404


# Agreements are written in the admin, through their service (tests/grading/test_agreements.py).
@pytest.mark.parametrize("model", ["product", "grant", "application", "auditevent"])
def test_workflow_rows_are_read_only_in_the_admin(client, world, make_resource, model):
    app = "catalog" if model == "product" else "grading"
    client.force_login(world.users["platform_admin"])
    assert client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{app}_{model}_add")).status_code == 403


def test_csrf_failure_is_a_translated_page(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/accounts/login/", {"username": "x", "password": "y"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    assert b"The form expired" in response.content
