"""The audit log narrowed to one object or one action, so every supervised item links to its
audit rows; payloads are shown as named values."""

import pytest
from django.urls import reverse

from grading import audit
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/audit/"


@pytest.fixture
def events(world):
    first = f.agreement(world.operator_org, [])
    second = f.agreement(world.operator_org, [])
    admin = world.users["platform_admin"]
    audit.record(actor=admin, action="agreement.create", obj=first, payload={"fee_cap": "100"})
    audit.record(actor=admin, action="agreement.suspend", obj=first, payload={"reason": "违约"})
    audit.record(actor=admin, action="agreement.create", obj=second, payload={"fee_cap": "200"})
    return first, second


def shown(response):
    return [(e.action, e.object_id) for e in response.context["events"]]


def test_filter__one_objects_rows(as_user, events):
    first, _second = events
    response = as_user("auditor").get(
        URL, {"object_type": "grading.agreement", "object_id": first.pk}
    )
    assert response.status_code == 200
    assert shown(response) == [
        ("agreement.suspend", str(first.pk)),
        ("agreement.create", str(first.pk)),
    ]


def test_filter__one_action(as_user, events):
    response = as_user("platform_admin").get(URL, {"action": "agreement.create"})
    assert {action for action, _id in shown(response)} == {"agreement.create"}
    assert len(shown(response)) == 2


def test_filter__object_type_alone(as_user, events, world):
    audit.record(actor=None, action="grant.expire", obj=f.grant(world.users["grantee"], []))
    response = as_user("auditor").get(URL, {"object_type": "grading.agreement"})
    assert len(shown(response)) == 3


def test_filter__payload_is_shown_as_named_values(as_user, events):
    text = as_user("auditor").get(URL, {"action": "agreement.suspend"}).content.decode()
    assert "<dt>reason</dt><dd>违约</dd>" in text
    assert "{&quot;reason&quot;" not in text


def test_filter__rows_link_to_their_objects_rows(as_user, events):
    first, _second = events
    text = as_user("auditor").get(URL).content.decode()
    assert f"?object_type=grading.agreement&amp;object_id={first.pk}" in text
    assert "?action=agreement.suspend" in text


def test_filter__older_events_keep_the_filter(as_user, events, monkeypatch):
    monkeypatch.setattr("grading.views.PAGE", 1)
    first, _second = events
    response = as_user("auditor").get(
        URL, {"object_type": "grading.agreement", "object_id": first.pk}
    )
    older = response.context["older"]
    assert f"object_id={first.pk}&amp;before={older}" in response.content.decode()
    following = as_user("auditor").get(
        URL, {"object_type": "grading.agreement", "object_id": first.pk, "before": older}
    )
    assert shown(following) == [("agreement.create", str(first.pk))]


def test_filter__no_match_is_an_empty_page(as_user, events):
    response = as_user("auditor").get(
        URL, {"object_type": "grading.agreement", "object_id": "999999"}
    )
    assert response.status_code == 200 and shown(response) == []


@pytest.mark.parametrize(
    "params",
    [
        {"object_type": "Agreement; DROP"},
        {"object_type": "x" * 61 + ".y"},
        {"object_id": "1 OR 1=1"},
        {"object_id": "9" * 65},
        {"action": "<script>"},
        {"before": "abc"},
        {"before": "-1"},
    ],
)
def test_filter__bad_values_are_400(as_user, events, params):
    assert as_user("auditor").get(URL, params).status_code == 400


@pytest.mark.parametrize("kind", ["operator", "citizen", "agency_staff"])
def test_filter__others_still_get_404(as_user, events, kind):
    first, _second = events
    params = {"object_type": "grading.agreement", "object_id": first.pk}
    assert as_user(kind).get(URL, params).status_code == 404


def test_filter__url_name_is_unchanged():
    assert reverse("grading:audit-log") == URL
