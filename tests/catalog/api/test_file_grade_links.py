"""A file graded above its entry's current grade is kept for the providing agency: the REST API
and the CKAN-compatible API must not advertise its download address (it would answer 403),
while the entry's ordinary file keeps its link."""

import json

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


def _download(resource, distribution) -> str:
    return f"http://testserver/resources/{resource.pk}/distributions/{distribution.pk}/download/"


@pytest.fixture
def entry_with_higher_file(make_resource):
    resource = make_resource("open_L1")
    kept = resource.distributions.get()
    higher = f.DistributionFactory(resource=resource, title="较早的文件", content_grade="L3")
    return resource, kept, higher


def test_rest_api__file_graded_above_its_entry_has_no_download_url(client, entry_with_higher_file):
    resource, kept, higher = entry_with_higher_file
    response = client.get(f"/api/v1/resources/{resource.pk}/")
    assert response.status_code == 200
    urls = {d["id"]: d["download_url"] for d in response.json()["distributions"]}
    assert urls == {kept.pk: _download(resource, kept), higher.pk: None}
    listed = client.get("/api/v1/resources/").json()["results"]
    (row,) = [r for r in listed if r["id"] == resource.pk]
    assert {d["id"]: d["download_url"] for d in row["distributions"]} == urls
    # The link left out is indeed one the caller could not follow.
    assert (
        client.get(f"/resources/{resource.pk}/distributions/{higher.pk}/download/").status_code
        == 403
    )


def test_ckan_package_show__file_graded_above_its_entry_has_no_url(client, entry_with_higher_file):
    resource, kept, higher = entry_with_higher_file
    response = client.post(
        "/api/3/action/package_show",
        json.dumps({"id": resource.code}),
        content_type="application/json",
    )
    assert response.status_code == 200
    package = response.json()["result"]
    urls = {int(r["id"]): r["url"] for r in package["resources"]}
    assert urls == {kept.pk: _download(resource, kept), higher.pk: ""}
    notes = {int(r["id"]): r.get("access_note") for r in package["resources"]}
    assert notes[kept.pk] is None
    assert notes[higher.pk]
