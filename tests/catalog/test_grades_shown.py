"""Security grades are shown where the rule-book shows them (``policy.can_see_grades``: agency
and platform staff) and nowhere else: the API's entries, dictionaries and row fields, the
resource page and the texts that refuse access."""

import json
import re

import pytest
from rest_framework.test import APIClient

from grading import policy

HIDDEN_FROM = ["anonymous", "citizen", "grantee", "operator"]
SHOWN_TO = ["agency_staff", "other_agency_staff", "platform_admin", "auditor"]


def api(world, kind) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if kind != "anonymous":
        client.force_authenticate(world.users[kind])
    return client


def page(client, world, kind, path):
    if kind != "anonymous":
        client.force_login(world.users[kind])
    return client.get(path, HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def entry(make_table):
    return make_table("conditional_L3", n=3)


def test_the_rule__staff_only(world):
    assert [k for k in HIDDEN_FROM if policy.can_see_grades(world.users[k])] == []
    assert [k for k in SHOWN_TO if not policy.can_see_grades(world.users[k])] == []


@pytest.mark.parametrize("kind", HIDDEN_FROM)
def test_api__grades_are_null_for_the_public(world, entry, kind):
    client = api(world, kind)
    detail = client.get(f"/api/v1/resources/{entry.pk}/").json()
    assert detail["grade"] is None
    assert detail["data_dictionary"] and {f["grade"] for f in detail["data_dictionary"]} == {None}
    listed = client.get("/api/v1/resources/").json()["results"]
    assert listed and {r["grade"] for r in listed} == {None}
    rows = client.get(f"/api/v1/resources/{entry.pk}/rows/")
    if rows.status_code == 200:
        assert {f["grade"] for f in rows.json()["fields"]} == {None}
    assert not re.search(r'"L[1-4]"', json.dumps(detail))


@pytest.mark.parametrize("kind", SHOWN_TO)
def test_api__grades_are_shown_to_staff(world, entry, kind):
    client = api(world, kind)
    detail = client.get(f"/api/v1/resources/{entry.pk}/").json()
    assert detail["grade"] == "L3"
    assert "L3" in {f["grade"] for f in detail["data_dictionary"]}


def test_rows__staff_see_field_grades(world, entry):
    rows = api(world, "agency_staff").get(f"/api/v1/resources/{entry.pk}/rows/").json()
    assert {f["name_en"]: f["grade"] for f in rows["fields"]}["id_number"] == "L3"


def test_rows__a_grantee_sees_rows_but_no_grades(world, entry):
    response = api(world, "grantee").get(f"/api/v1/resources/{entry.pk}/rows/")
    assert response.status_code == 200
    assert {f["grade"] for f in response.json()["fields"]} == {None}


@pytest.mark.parametrize("kind", HIDDEN_FROM)
def test_page__no_grade_for_the_public(client, world, entry, kind):
    response = page(client, world, kind, f"/resources/{entry.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Security grade L" not in html
    assert not re.search(r"<td>L[1-4]</td>", html)


def test_page__staff_see_the_grades(client, world, entry):
    html = page(client, world, "agency_staff", f"/resources/{entry.pk}/").content.decode()
    assert "Security grade L3" in html and "<td>L3</td>" in html


def test_denial__query_only_data_names_no_grade(client, world, entry):
    from tests import factories as f

    citizen = f.UserFactory(username="verified-citizen")
    f.confirm_email(citizen)
    message = policy.denial_message(citizen, entry)
    assert "approved queries only" in message and "L3" not in message
    html = page(client, world, "citizen", f"/resources/{entry.pk}/").content.decode()
    assert "approved queries only" in html and "grade L3" not in html
