"""Error answers of the API: the statuses and bodies the OpenAPI schema declares, and the bugs
the schema-driven fuzz test found (each pinned here as an ordinary test)."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db

ERROR_REFS = {"#/components/schemas/Error", "#/components/schemas/ValidationError"}


@pytest.fixture
def openapi(client):
    return client.get("/api/schema/", {"format": "json"}).json()


def _operations(openapi):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_api_operation_declares_its_error_statuses_with_the_error_body(openapi):
    operations = list(_operations(openapi))
    assert len(operations) >= 20
    for path, method, operation in operations:
        assert path.startswith("/api/v1/"), path
        codes = set(operation["responses"])
        writes = method in ("post", "put", "patch", "delete")
        signed_in = {} not in operation.get("security", [{}])
        assert codes & {"200", "201"} and {"406", "429"} <= codes, (method, path)
        assert ("404" in codes) is ("{" in path), (method, path)
        queries = any(p["in"] == "query" for p in operation.get("parameters", []))
        assert ("400" in codes) is (writes or queries), (method, path)
        assert ({"401", "403"} <= codes) is (writes or signed_in), (method, path)
        for code, response in operation["responses"].items():
            if code.startswith("4"):
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref in ERROR_REFS, (path, code)


def test_state_changes_declare_409(openapi):
    paths = openapi["paths"]
    for path in [
        "/api/v1/applications/{id}/transition/",
        "/api/v1/grants/{id}/revoke/",
        "/api/v1/products/{id}/submit/",
        "/api/v1/products/{id}/review/",
    ]:
        assert "409" in paths[path]["post"]["responses"], path
    assert "409" in paths["/api/v1/products/{id}/"]["put"]["responses"]


def test_error_components_are_declared(openapi):
    schemas = openapi["components"]["schemas"]
    assert schemas["Error"]["required"] == ["detail"]
    assert schemas["ValidationError"]["additionalProperties"]["type"] == "array"


def test_bad_filter_is_a_400_with_a_summary_and_the_parameter(client):
    response = client.get("/api/v1/resources/", {"tier": "secret"}, HTTP_ACCEPT_LANGUAGE="en")
    body = response.json()
    assert response.status_code == 400
    assert sorted(body) == ["detail", "tier"]
    assert body["tier"] == ["Select a valid choice. secret is not one of the available choices."]
    assert body["detail"] == "tier: " + body["tier"][0]


def test_bad_page_size_is_a_400_in_the_same_shape(client):
    body = client.get("/api/v1/organizations/", {"page_size": "0"}).json()
    assert sorted(body) == ["detail", "page_size"]
    assert body["detail"] == "page_size: " + body["page_size"][0]


def test_unacceptable_accept_header_is_a_json_406(client):
    response = client.get("/api/v1/resources/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == ["detail"]


# -- found by the fuzz test ---------------------------------------------------------------------


def test_theme_without_parent_matches_the_schema(client, openapi):
    # The schema declared ``parent`` as a plain string while top-level themes answer null.
    theme = f.ThemeFactory(code="top")
    assert client.get(f"/api/v1/themes/{theme.code}/").json()["parent"] is None
    assert openapi["components"]["schemas"]["Theme"]["properties"]["parent"]["nullable"] is True


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/themes/%14%3A.%F3%9A%B8%BC/",  # a dot: matches no route
        "/api/v1/organizations/a/b/",
        "/api/v1/no-such-collection/",
        "/api/v1/resources/1/nothing-here/",
    ],
)
def test_unrouted_api_urls_are_json_404s(client, path):
    # These used to get the HTML page of the site while the schema promises a JSON error.
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_site_pages_keep_their_html_404(client):
    response = client.get("/resources/not-a-number/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
