"""The CKAN-compatible API over plain HTTP: routes, envelopes, GET and POST, CKAN's error shapes
and status codes, bad input, CSRF and the anonymous cache."""

import json

import pytest
from django.core.cache import cache
from django.test import Client

from catalog.interop.ckan import actions
from tests.catalog.interop.ckan.conftest import result

pytestmark = pytest.mark.django_db


def test_success_envelope(ckan, catalogue):
    response = ckan("package_show", {"id": "ckan-open_L1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json;charset=utf-8"
    body = response.json()
    assert list(body) == ["help", "success", "result"]
    assert body["help"] == "http://testserver/api/3/action/help_show?name=package_show"
    assert body["success"] is True
    assert body["result"]["name"] == "ckan-open_L1"


@pytest.mark.parametrize("prefix", ["/api/3/action/", "/api/action/"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_both_routes_answer_get_and_post(ckan, catalogue, prefix, method):
    names = result(ckan("package_list", {"limit": 2}, method=method, prefix=prefix))
    assert names == ["ckan-conditional_L1", "ckan-conditional_L2"]


@pytest.mark.parametrize("path", ["/api/3/action/package_list/", "/api/action/package_list/"])
def test_trailing_slash_is_not_found(client, path):
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404


def test_no_redirect_without_trailing_slash(client, catalogue):
    response = client.get("/api/3/action/package_list")
    assert response.status_code == 200


def test_head_answers_like_get_without_a_body(client, catalogue):
    response = client.head("/api/3/action/package_list")
    assert response.status_code == 200
    assert response.content == b""


def test_form_encoded_post_is_read_like_ckan(client, catalogue):
    form = client.post("/api/3/action/package_search", {"q": "独特标题open_L1", "rows": "5"})
    assert [r["name"] for r in result(form)["results"]] == ["ckan-open_L1"]
    # Old clients post the JSON object as the only field name, with an empty value.
    body = json.dumps({"id": "ckan-open_L1"}) + "="
    packed = client.post(
        "/api/3/action/package_show", body, content_type="application/x-www-form-urlencoded"
    )
    assert result(packed)["name"] == "ckan-open_L1"


def test_repeated_query_parameters_become_a_list(ckan, catalogue):
    answer = result(
        ckan("organization_list", {"organizations": ["provider", "other-agency"]}, method="get")
    )
    assert sorted(answer) == ["other-agency", "provider"]


def test_post_with_an_empty_body_runs_without_parameters(client, catalogue):
    response = client.post("/api/3/action/package_list", b"", content_type="application/json")
    assert len(result(response)) == 5


def test_unknown_action_is_400_like_ckan(ckan):
    response = ckan("package_create", {"name": "x"})
    assert response.status_code == 400
    assert response.json() == "Bad request - Action name not known: package_create"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"{not json", "Error decoding JSON data"),
        (b"[1, 2]", "Request data JSON decoded to [1, 2] but it needs to be a dictionary."),
        (b'"text"', "it needs to be a dictionary"),
        (b"\xff\xfe\x00", "Error decoding JSON data"),
        (b"[" * 100_000, "Error decoding JSON data"),
    ],
)
def test_malformed_json_is_400(client, body, detail):
    response = client.post("/api/3/action/package_list", body, content_type="application/json")
    assert response.status_code == 400
    message = response.json()
    assert message.startswith("Bad request - JSON Error: ")
    assert detail in message


def test_malformed_json_in_a_form_key_is_400(client):
    response = client.post(
        "/api/3/action/package_list", "{oops=", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response.json().startswith("Bad request - JSON Error: Error decoding JSON data")


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_not_allowed(client, method):
    response = getattr(client, method)("/api/3/action/package_list")
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "HEAD", "POST"}


def test_post_needs_no_csrf_token(world, catalogue):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["agency_staff"])
    response = browser.post(
        "/api/3/action/package_search",
        json.dumps({"include_private": True, "rows": 20}),
        content_type="application/json",
    )
    assert result(response)["count"] == 7


def test_not_found_envelope(ckan):
    response = ckan("package_show", {"id": "no-such-entry"})
    assert response.status_code == 404
    body = response.json()
    assert list(body) == ["help", "error", "success"]
    assert body["success"] is False
    assert body["error"] == {"__type": "Not Found Error", "message": "Not found"}


def test_validation_error_names_every_bad_parameter(ckan):
    response = ckan("package_search", {"rows": "ten", "start": -1, "include_private": "maybe"})
    assert response.status_code == 409
    assert response.json()["error"] == {
        "__type": "Validation Error",
        "rows": ["Invalid integer"],
        "start": ["Must be a natural number"],
        "include_private": ["Invalid boolean"],
    }


@pytest.mark.parametrize(
    ("action", "data", "errors"),
    [
        ("package_show", {}, {"name_or_id": ["Missing value"]}),
        ("resource_show", {"id": ""}, {"id": ["Missing value"]}),
        ("organization_show", {}, {"id": ["Missing value"]}),
        ("group_show", {"id": None}, {"id": ["Missing value"]}),
        ("help_show", {}, {"name": ["Missing value"]}),
        ("package_show", {"id": ["a", "b"]}, {"id": ["Not a string"]}),
        ("package_list", {"limit": 1.5}, {"limit": ["Invalid integer"]}),
        ("package_list", {"offset": "-3"}, {"offset": ["Must be a natural number"]}),
        ("package_search", {"start": 2**40}, {"start": ["Must be at most 2147483647"]}),
        ("package_search", {"rows": True}, {"rows": ["Invalid integer"]}),
        ("package_search", {"facet.field": "organization"}, {"facet.field": [
            "Could not parse as valid JSON"
        ]}),
        ("package_search", {"facet.field": '"organization"'}, {"facet.field": ["Not a list"]}),
        ("package_search", {"facet.field": [1]}, {"facet.field": ["Not a string: 1"]}),
        ("package_search", {"facet.limit": "many"}, {"facet.limit": ["Invalid integer"]}),
        ("organization_list", {"sort": "founded asc"}, {"message": [
            "Cannot sort by field `founded`"
        ]}),
        ("group_list", {"sort": "name sideways"}, {"message": [
            "Invalid sort direction `sideways`"
        ]}),
        ("organization_list", {"all_fields": "perhaps"}, {"all_fields": ["Invalid boolean"]}),
        ("group_list", {"sort": "name asc, title asc"}, {"message": [
            "Too many sort criteria provided only 1 allowed"
        ]}),
        ("group_list", {"sort": "asc"}, {"message": ["Cannot sort by field `asc`"]}),
    ],
)  # fmt: skip
def test_bad_values_are_validation_errors(ckan, action, data, errors):
    response = ckan(action, data)
    assert response.status_code == 409
    assert response.json()["error"] == {**errors, "__type": "Validation Error"}


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        ({"fq": "organization"}, "Cannot parse filter query at 'organization'"),
        ({"fq": "owner:provider"}, "Unknown filter field 'owner'"),
        ({"fq": "tags:(a AND b)"}, "Only OR is supported inside parentheses"),
        ({"fq": "tags:eco*"}, "Wildcards are not supported"),
        ({"fq": 'tags:"open'}, "Cannot parse filter query"),
        ({"fq": "tags:()"}, "Empty parentheses"),
        ({"fq": "metadata_modified:[yesterday TO *]"}, "Not a date and time"),
        ({"fq": "metadata_modified:2026-01-01"}, "is filtered with a range"),
        ({"fq": "metadata_created:[2026-13-45T00:00:00Z TO *]"}, "Not a date and time"),
        ({"fq": "tags:[a TO b]"}, "Ranges are supported only for"),
        ({"fq": "-text:air"}, "text: takes words"),
        ({"q": "air OR water"}, "OR is not supported in q"),
        ({"q": '"unbalanced'}, "Unbalanced quotes"),
        ({"q": "空" * 201}, "q is longer than 200 characters"),
        ({"sort": "title_string"}, 'Invalid "sort" parameter'),
        ({"sort": "popularity desc"}, 'Invalid "sort" parameter'),
        ({"facet.field": '["maintainer"]'}, "Unknown facet fields ['maintainer']"),
        ({"callback": "f", "sortby": "x"}, "Invalid search parameters: ['callback', 'sortby']"),
    ],
)
def test_bad_searches_are_search_query_errors(ckan, data, detail):
    response = ckan("package_search", data)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["__type"] == "Search Query Error"
    assert error["message"].startswith("Search Query is invalid: (")
    assert detail in error["message"]


@pytest.mark.parametrize("action", ["package_show", "resource_show", "organization_show"])
def test_ids_too_large_for_the_database_are_not_found(ckan, catalogue, action):
    response = ckan(action, {"id": "9" * 30})
    assert response.status_code == 404
    assert response.json()["error"]["__type"] == "Not Found Error"


def test_filter_by_an_id_too_large_matches_nothing(ckan, catalogue):
    assert result(ckan("package_search", {"fq": "id:" + "9" * 30}))["count"] == 0


def test_bad_input_changes_nothing(client, ckan, catalogue):
    before = result(ckan("package_search", {"rows": 1000}))
    assert ckan("package_search", {"fq": "tags:eco*"}).status_code == 400
    bad = client.post("/api/3/action/package_show", b"[", content_type="application/json")
    assert bad.status_code == 400
    assert result(ckan("package_search", {"rows": 1000})) == before


def test_help_show_answers_the_action_docstring(ckan):
    text = result(ckan("help_show", {"name": "package_search"}))
    assert text == actions.package_search.__doc__
    assert ":param fq:" in text
    response = ckan("help_show", {"name": "package_create"})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Not found: Action function not found"


def test_status_show(ckan):
    status = result(ckan("status_show", method="get", HTTP_ACCEPT_LANGUAGE="en"))
    assert status["site_url"] == "http://testserver"
    assert status["site_title"] == "Public Data Open Portal"
    assert status["ckan_version"] == actions.CKAN_API_LEVEL
    assert result(ckan("site_read")) is True


def test_rows_above_the_maximum_are_clamped(ckan, catalogue, monkeypatch):
    monkeypatch.setattr(actions, "ROWS_MAX", 3)
    answer = result(ckan("package_search", {"rows": 5000}))
    assert answer["count"] == 5
    assert len(answer["results"]) == 3


# -- the anonymous page cache -------------------------------------------------------------------


@pytest.fixture
def cache_on(settings):
    settings.ANONYMOUS_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def test_anonymous_gets_are_cached_per_query_string(client, catalogue, cache_on):
    url = "/api/3/action/package_show"
    first = client.get(url, {"id": "ckan-open_L1"})
    again = client.get(url, {"id": "ckan-open_L1"})
    other = client.get(url, {"id": "ckan-other"})
    assert (first["X-Cache"], again["X-Cache"], other["X-Cache"]) == ("miss", "hit", "miss")
    assert result(again)["name"] == "ckan-open_L1"
    assert result(other)["name"] == "ckan-other"


def test_posts_are_never_cached(client, catalogue, cache_on):
    url = "/api/3/action/package_show"
    client.get(url)  # a cached 409 would be wrong too: errors are never stored
    for code in ("ckan-open_L1", "ckan-other", "ckan-open_L1"):
        response = client.post(url, json.dumps({"id": code}), content_type="application/json")
        assert "X-Cache" not in response
        assert result(response)["name"] == code
    assert client.get(url)["X-Cache"] == "miss"


def test_a_get_with_a_body_is_not_cached(client, catalogue, cache_on):
    url = "/api/3/action/package_show"
    for code in ("ckan-open_L1", "ckan-other"):
        response = client.generic("GET", url, json.dumps({"id": code}), "application/json")
        assert "X-Cache" not in response
        assert result(response)["name"] == code


def test_signed_in_callers_bypass_the_cache(client, world, catalogue, cache_on):
    url = "/api/3/action/package_list?include_private=true"
    assert "ckan-restricted_L4" not in result(client.get(url))
    client.force_login(world.users["agency_staff"])
    staff = client.get(url)
    assert "X-Cache" not in staff
    assert "ckan-restricted_L4" in result(staff)
    client.logout()
    assert "ckan-restricted_L4" not in result(client.get(url))
