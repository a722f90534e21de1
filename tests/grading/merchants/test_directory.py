"""The public directory of data merchants (/merchants/, /api/v1/merchants/): verified ones only,
filters, pages, one merchant's page with its listed products, and a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Organization
from tests import factories as f

pytestmark = pytest.mark.django_db

API = "/api/v1/merchants/"


def _enterprise(code, *, region="浦东新区", name=None):
    org = f.OrganizationFactory(
        code=code, name=name or f"{code}数据公司", kind=Organization.Kind.ENTERPRISE, region=region
    )
    f.verify(org)
    return org


@pytest.fixture
def market(db):
    """Three verified merchants in two regions, one pending and one suspended."""
    f.merchant(_enterprise("geo", name="地理数据公司"), categories=["data_resource"])
    f.merchant(_enterprise("audit", region="徐汇区"), categories=["quality", "compliance"])
    f.merchant(_enterprise("tech"), categories=["technology"])
    f.merchant(_enterprise("waiting"), status="applied")
    f.merchant(_enterprise("paused"), status="suspended")


def _codes(response) -> set[str]:
    return {m.organization.code for m in response.context["page"]}


def test_directory__lists_verified_merchants_only(client, market):
    response = client.get(reverse("merchants:list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert _codes(response) == {"geo", "audit", "tech"}
    assert "地理数据公司" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"category": "quality"}, {"audit"}),
        ({"category": "technology"}, {"tech"}),
        ({"region": "徐汇区"}, {"audit"}),
        ({"q": "地理"}, {"geo"}),
        ({"q": "地理", "region": "徐汇区"}, set()),
    ],
)
def test_directory__filters(client, market, query, expected):
    assert _codes(client.get(reverse("merchants:list"), query)) == expected


def test_directory__bad_filter_is_400(client, market):
    assert client.get(reverse("merchants:list"), {"category": "bogus"}).status_code == 400
    assert client.get(API, {"category": "bogus"}).status_code == 400


def test_directory__pages_of_twenty(client, db):
    for n in range(23):
        f.merchant(_enterprise(f"m{n:02d}"))
    first = client.get(reverse("merchants:list"))
    assert len(first.context["page"]) == 20 and 'rel="next"' in first.content.decode()
    second = client.get(reverse("merchants:list"), {"page": 2})
    assert len(second.context["page"]) == 3


def test_directory__queries_do_not_grow_with_the_page(client, db):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("merchants:list")).status_code == 200
        return len(queries)

    for n in range(2):
        f.merchant(_enterprise(f"a{n}"), categories=["quality", "technology"])
    few = count()
    for n in range(18):
        f.merchant(_enterprise(f"b{n}"), categories=["quality", "technology"])
    assert count() == few


def test_api_list__queries_do_not_grow_with_the_page(client, db):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(API).status_code == 200
        return len(queries)

    f.merchant(_enterprise("a0"))
    few = count()
    for n in range(15):
        f.merchant(_enterprise(f"b{n}"), categories=["quality", "delivery"])
    assert count() == few


def test_detail__lists_the_merchants_listed_products(client, market, world):
    geo = Organization.objects.get(code="geo")
    listed = f.ProductFactory(provider=geo, name="遥感影像服务")
    draft = f.ProductFactory(provider=geo, name="草稿产品", status="draft")
    page = client.get(reverse("merchants:detail", args=["geo"]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "遥感影像服务" in text and f"/products/{listed.pk}/" in text
    assert draft.name not in text
    evidence = reverse("merchants:evidence", args=["geo"])
    assert evidence not in text  # the evidence link is not offered to the public
    client.force_login(world.users["platform_admin"])
    assert evidence in client.get(reverse("merchants:detail", args=["geo"])).content.decode()


@pytest.mark.parametrize("code", ["waiting", "paused", "nobody"])
def test_detail__unverified_merchants_are_404_for_the_public(client, market, code):
    assert client.get(reverse("merchants:detail", args=[code])).status_code == 404
    assert client.get(f"{API}{code}/").status_code == 404


def test_detail__own_staff_see_their_pending_registration(client, market):
    user = f.UserFactory()
    f.membership(user, Organization.objects.get(code="waiting"), "admin")
    client.force_login(user)
    assert client.get(reverse("merchants:detail", args=["waiting"])).status_code == 200
    assert client.get(f"{API}waiting/").status_code == 200


def test_api__list_and_retrieve(client, market):
    body = client.get(API, {"category": "compliance"}).json()
    assert [m["code"] for m in body["results"]] == ["audit"]
    assert body["results"][0]["categories"] == ["compliance", "quality"]
    geo = Organization.objects.get(code="geo")
    product = f.ProductFactory(provider=geo)
    detail = client.get(f"{API}geo/").json()
    assert detail["status"] == "verified" and [p["id"] for p in detail["products"]] == [product.pk]
    assert detail["page"].endswith("/merchants/geo/")


def test_navigation_links_to_the_directory(client, db):
    assert reverse("merchants:list") in client.get("/").content.decode()
