"""The CKAN-compatible API agrees with the access truth table for every tier × kind of user:
restricted entries never appear for callers who may not see them (lists, searches, counts,
facets, tags, organization and group counts), and stored files get a download link only for
callers who may download them."""

import json

import pytest

from tests.access_truth import CASES, DOWNLOAD, VIEW
from tests.catalog.interop.ckan.conftest import result
from tests.conftest import USER_KINDS

pytestmark = pytest.mark.django_db

PUBLIC = frozenset(USER_KINDS)  # an entry everyone may see is "public" in CKAN's terms


def _post(client, name, data):
    return client.post(f"/api/3/action/{name}", json.dumps(data), content_type="application/json")


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_package_list_and_search(as_user, make_resource, variant, kind):
    resource = make_resource(variant, keywords=f"{variant}-tag")
    client = as_user(kind)
    visible, public = kind in VIEW[variant], VIEW[variant] == PUBLIC
    listed = result(_post(client, "package_list", {}))
    listed_private = result(_post(client, "package_list", {"include_private": True}))
    assert listed == ([resource.code] if public else [])
    assert listed_private == ([resource.code] if visible else [])
    facets = '["tier", "organization", "groups", "tags", "res_format", "license_id"]'
    for include_private, expected in ((False, public), (True, visible)):
        found = result(
            _post(
                client,
                "package_search",
                {"q": resource.title, "facet.field": facets, "include_private": include_private},
            )
        )
        assert found["count"] == int(expected)
        assert [r["name"] for r in found["results"]] == ([resource.code] if expected else [])
        assert found["facets"]["tier"] == ({resource.tier: 1} if expected else {})
        assert found["facets"]["organization"] == ({"provider": 1} if expected else {})
        assert found["facets"]["tags"] == ({f"{variant}-tag": 1} if expected else {})
        assert all(sum(counts.values()) == int(expected) for counts in found["facets"].values())


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_search_by_tier_name_and_id(as_user, make_resource, variant, kind):
    resource = make_resource(variant)
    client = as_user(kind)
    expected = [resource.code] if kind in VIEW[variant] else []
    for fq in (f"tier:{resource.tier}", f"name:{resource.code}", f"id:{resource.pk}", "*:*"):
        data = {"fq": fq, "include_private": True, "include_drafts": True}
        found = result(_post(client, "package_search", data))
        assert [r["name"] for r in found["results"]] == expected


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_package_and_resource_show(as_user, make_resource, variant, kind):
    resource = make_resource(variant)
    distribution = resource.distributions.get()
    client = as_user(kind)
    for reference in (resource.code, str(resource.pk)):
        response = _post(client, "package_show", {"id": reference})
        if kind not in VIEW[variant]:
            assert response.status_code == 404
            assert response.json()["error"]["__type"] == "Not Found Error"
            assert resource.title not in response.content.decode()
            continue
        package = result(response)
        assert package["name"] == resource.code
        assert package["private"] is (VIEW[variant] != PUBLIC)
        (file,) = package["resources"]
        assert bool(file["url"]) is (kind in DOWNLOAD[variant])
        assert ("access_note" in file) is (kind not in DOWNLOAD[variant])
    shown = _post(client, "resource_show", {"id": str(distribution.pk)})
    if kind not in VIEW[variant]:
        assert shown.status_code == 404
        assert distribution.title not in shown.content.decode()
        return
    file = result(shown)
    assert file["package_id"] == str(resource.pk)
    if kind in DOWNLOAD[variant]:
        assert file["url"].endswith(
            f"/resources/{resource.pk}/distributions/{distribution.pk}/download/"
        )
        assert client.get(file["url"]).status_code == 200
    else:
        assert file["url"] == ""
        assert file["access_note"]


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_tags_and_organization_and_group_counts(as_user, make_resource, variant, kind):
    resource = make_resource(variant, keywords=f"{variant}-tag,另一标签")
    client = as_user(kind)
    visible = kind in VIEW[variant]
    tags = result(_post(client, "tag_list", {}))
    assert tags == (sorted([f"{variant}-tag", "另一标签"]) if visible else [])
    assert result(_post(client, "tag_list", {"query": "tag"})) == (
        [f"{variant}-tag"] if visible else []
    )
    organization = result(_post(client, "organization_show", {"id": "provider"}))
    assert organization["package_count"] == int(visible)
    organizations = result(_post(client, "organization_list", {"all_fields": True}))
    counts = {row["name"]: row["package_count"] for row in organizations}
    assert counts["provider"] == int(visible)
    assert sum(counts.values()) == int(visible)
    group = result(
        _post(client, "group_show", {"id": resource.theme.code, "include_datasets": True})
    )
    assert group["package_count"] == int(visible)
    assert [p["name"] for p in group["packages"]] == ([resource.code] if visible else [])
    groups = result(_post(client, "group_list", {"all_fields": True}))
    assert sum(row["package_count"] for row in groups) == int(visible)


@pytest.mark.parametrize("kind", USER_KINDS)
def test_security_grade_only_for_callers_who_may_see_grades(as_user, make_resource, kind):
    resource = make_resource("conditional_L2")
    client = as_user(kind)
    staff = kind in ("agency_staff", "other_agency_staff", "platform_admin", "auditor")
    package = result(_post(client, "package_show", {"id": resource.code}))
    extras = {extra["key"]: extra["value"] for extra in package["extras"]}
    assert ("security_grade" in extras) is staff
    for data in ({"fq": "security_grade:L2"}, {"facet.field": '["security_grade"]'}):
        response = _post(client, "package_search", data)
        if staff:
            assert result(response)["count"] == 1
        else:
            assert response.status_code == 403
            error = response.json()["error"]
            assert error["__type"] == "Authorization Error"
            assert error["message"].startswith("Access denied: Only agency and platform staff")
