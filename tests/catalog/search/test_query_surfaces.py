"""``q`` narrows the results on every surface that accepts it, matched by the search engine:
the SQL full-text search is gone, and the catalogue filtersets only validate ``q``."""

import csv
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict
from rdflib import RDF, Graph
from rdflib.namespace import DCAT

from catalog import selectors
from catalog.filters import ProductFilter, ResourceFilter
from portal.jobs.kinds import export_search
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(world):
    """One resource and one product holding 港口 (only in the abstract or description, so the
    body is searched too), and one of each that does not."""
    provider = world.operator_org
    return {
        "port": f.ResourceFactory(
            provider=world.provider, code="PORT-1", title="集装箱吞吐量", abstract="港口月度统计"
        ),
        "air": f.ResourceFactory(provider=world.provider, code="AIR-1", title="机场旅客吞吐量"),
        "port_product": f.ProductFactory(
            provider=provider, name="航运指数服务", description="港口集装箱运价指数"
        ),
        "air_product": f.ProductFactory(provider=provider, name="航班准点率服务"),
    }


def _api_ids(client, path, q=None):
    params = {"page_size": 100} | ({"q": q} if q is not None else {})
    response = client.get(path, params)
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_resource_api(client, entries):
    assert _api_ids(client, "/api/v1/resources/") == {entries["port"].pk, entries["air"].pk}
    assert _api_ids(client, "/api/v1/resources/", "港口") == {entries["port"].pk}
    assert _api_ids(client, "/api/v1/resources/", "火星") == set()


def test_product_api(client, entries):
    both = {entries["port_product"].pk, entries["air_product"].pk}
    assert _api_ids(client, "/api/v1/products/") == both
    assert _api_ids(client, "/api/v1/products/", "港口") == {entries["port_product"].pk}


def test_resource_page(client, entries):
    def found(params):
        return {r.pk for r in client.get("/resources/", params).context["resources"]}

    assert found({}) == {entries["port"].pk, entries["air"].pk}
    assert found({"q": "港口"}) == {entries["port"].pk}
    assert client.get("/resources/", {"q": "港口"}).context["total"] == 1


def test_product_page(client, entries):
    def found(params):
        return {p.pk for p in client.get("/products/", params).context["products"]}

    assert found({}) == {entries["port_product"].pk, entries["air_product"].pk}
    assert found({"q": "港口"}) == {entries["port_product"].pk}


def test_resource_export(client, entries):
    def codes(params):
        response = client.get("/resources/export.csv", params)
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        return {row[0] for row in list(csv.reader(io.StringIO(body)))[1:]}

    assert codes({}) == {"PORT-1", "AIR-1"}
    assert codes({"q": "港口"}) == {"PORT-1"}


def test_export_job_search(entries):
    everyone = AnonymousUser()
    assert set(export_search(user=everyone, query="").ids) == {
        entries["port"].pk,
        entries["air"].pk,
    }
    assert export_search(user=everyone, query="q=%E6%B8%AF%E5%8F%A3").ids == [entries["port"].pk]


def test_dcat_catalogue(client, entries):
    def datasets(params):
        response = client.get("/catalog.ttl", params)
        assert response.status_code == 200
        graph = Graph().parse(data=response.content, format="turtle")
        return len(set(graph.subjects(RDF.type, DCAT.Dataset)))

    assert datasets({}) == 2
    assert datasets({"q": "港口"}) == 1


def test_filtersets_validate_q_but_leave_matching_to_the_engine(entries, settings):
    user = AnonymousUser()
    for filterset_class, queryset in (
        (ResourceFilter, selectors.resource_queryset(user=user)),
        (ProductFilter, selectors.product_queryset(user=user)),
    ):
        filterset = filterset_class(QueryDict("q=港口"), queryset=queryset)
        assert filterset.is_valid()
        assert filterset.form.cleaned_data["q"] == "港口"
        assert set(filterset.qs) == set(queryset)  # no SQL matching: the engine matches
        too_long = "q=" + "长" * (settings.CATALOG_MAX_QUERY_LENGTH + 1)
        assert not filterset_class(QueryDict(too_long), queryset=queryset).is_valid()
