"""Catalogue pages: what a visitor sees, bad input as a clear 400 page, and query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from tests.search_index import indexed

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(world):
    for i in range(45):
        resource = f.ResourceFactory(provider=world.provider, title=f"公交线路站点{i}")
        f.DistributionFactory(resource=resource)
    for _ in range(30):
        f.ProductFactory(provider=world.operator_org)


def _queries(client, url):
    indexed()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["/resources/", "/products/"])
def test_list_pages_issue_a_fixed_number_of_queries(client, catalogue, path):
    assert 0 < _queries(client, f"{path}?page_size=5") == _queries(client, f"{path}?page_size=40")


def test_home_and_organization_pages_issue_a_fixed_number_of_queries(client, world, catalogue):
    home = _queries(client, "/")
    orgs = _queries(client, "/organizations/")
    for i in range(20):
        f.ResourceFactory(provider=f.OrganizationFactory(), title=f"新增{i}")
    assert _queries(client, "/") == home
    assert _queries(client, "/organizations/") == orgs


def test_pages_walk_with_next_links(client, catalogue):
    response = client.get("/resources/")
    assert response.status_code == 200
    next_link = response.context["next_link"]
    assert next_link and "cursor=" in next_link
    second = client.get(next_link)
    first_ids = {r.pk for r in response.context["resources"]}
    second_ids = {r.pk for r in second.context["resources"]}
    assert first_ids and second_ids and not first_ids & second_ids


@pytest.mark.parametrize(
    "query",
    [
        "tier=secret",
        "theme=nope",
        "provider=nobody",
        "update_cycle=hourly",
        "cursor=%%%bad",
        "q=" + "长" * 300,
        "page_size=-3",
    ],
)
def test_bad_input_on_pages_is_a_400_page(client, catalogue, query):
    response = client.get(f"/resources/?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert b"The request could not be understood" in response.content


def test_bad_product_filter_is_a_400_page(client, catalogue):
    assert client.get("/products/?product_type=spaceship").status_code == 400


@pytest.mark.parametrize(
    "path", ["/resources/abc/", "/resources/999999/", "/products/0/", "/organizations/no-such/"]
)
def test_unknown_pages_are_404_pages(client, catalogue, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]


def test_resource_page_shows_dictionary_distributions_and_access(client, world, make_resource):
    resource = make_resource("conditional_L2")
    page = client.get(f"/resources/{resource.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert resource.fields.get().name_en in page
    assert "Download requires permission" in page
    assert "Log in, then apply for access" in page
    open_resource = make_resource("open_L1", code="OPEN-2")
    page = client.get(f"/resources/{open_resource.pk}/").content.decode()
    distribution = open_resource.distributions.get()
    assert f"/resources/{open_resource.pk}/distributions/{distribution.pk}/download/" in page


def test_product_list_and_detail(client, world):
    product = f.ProductFactory(provider=world.operator_org, name="全国人口密度数据服务")
    f.ProductFactory(provider=world.operator_org, name="未上架产品", status="draft", listed_at=None)
    listing = client.get("/products/").content.decode()
    assert "全国人口密度数据服务" in listing and "未上架产品" not in listing
    detail = client.get(f"/products/{product.pk}/").content.decode()
    assert "国土空间规划" in detail
