"""Filtering by security grade is for those the rule-book lets see grades, on every surface."""

import pytest
from django.urls import reverse

from tests.conftest import USER_KINDS

pytestmark = pytest.mark.django_db

SEE_GRADES = {"agency_staff", "other_agency_staff", "platform_admin", "auditor"}
SURFACES = {
    "page": reverse("catalog:resource-list"),
    "api": "/api/v1/resources/",
    "export": reverse("catalog:resource-export", args=["csv"]),
}


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("kind", USER_KINDS)
def test_grade_filter__only_for_callers_who_may_see_grades(
    client, world, make_resource, surface, kind
):
    make_resource("conditional_L2", code="l2-entry")
    make_resource("open_L1", code="l1-entry")
    if kind != "anonymous":
        client.force_login(world.users[kind])
    response = client.get(SURFACES[surface], {"grade": "L2"}, HTTP_ACCEPT_LANGUAGE="en")
    if kind not in SEE_GRADES:
        assert response.status_code == 403
        assert b"filter by security grade" in response.content
        assert b"l2-entry" not in response.content
        return
    assert response.status_code == 200
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    if kind == "other_agency_staff":
        assert "l1-entry" not in body  # the filter narrows what they may see
    else:
        assert "l2-entry" in body or "独特标题conditional_L2" in body
        assert "l1-entry" not in body
