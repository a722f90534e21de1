"""Setting and clearing the high-value flag: editors of the providing agency from the
workspace, platform administrators from the entry page; audited; the list shows the entry."""

import json

import pytest
from django.urls import reverse

from catalog.quality.services import resource_set_high_value
from grading.models import AuditEvent
from tests.access_truth import CASES, VIEW

pytestmark = pytest.mark.django_db

# Who may change the flag of an entry they see: its agency's editors and the platform admins.
FLAG = frozenset({"agency_staff", "platform_admin"})


def _flag(client, resource, value: str):
    return client.post(reverse("quality:high-value-set", args=[resource.pk]), {"high_value": value})


def test_editor__sets_and_clears_from_the_workspace(as_user, make_resource):
    resource = make_resource("open_L1")
    client = as_user("agency_staff")
    page = client.get(reverse("workspace:resource", args=[resource.pk])).content.decode()
    assert reverse("quality:high-value-set", args=[resource.pk]) in page
    response = _flag(client, resource, "1")
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:resource", args=[resource.pk])
    resource.refresh_from_db()
    assert resource.high_value
    listed = client.get(reverse("quality:high-value"))
    assert resource.pk in [r.pk for r in listed.context["resources"]]
    _flag(client, resource, "0")
    resource.refresh_from_db()
    assert not resource.high_value
    events = AuditEvent.objects.filter(action="resource.high_value", object_id=str(resource.pk))
    assert [json.loads(e.payload)["high_value"] for e in events.order_by("seq")] == [True, False]


def test_platform_admin__from_the_entry_page(as_user, make_resource):
    resource = make_resource("conditional_L2")
    client = as_user("platform_admin")
    page = client.get(reverse("catalog:resource-detail", args=[resource.pk])).content.decode()
    assert 'id="high-value"' in page
    response = _flag(client, resource, "1")
    assert response["Location"] == reverse("catalog:resource-detail", args=[resource.pk])
    resource.refresh_from_db()
    assert resource.high_value


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_flag__by_the_access_table(as_user, make_resource, variant, kind):
    resource = make_resource(variant)
    response = _flag(as_user(kind), resource, "1")
    resource.refresh_from_db()
    if kind == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif kind not in VIEW[variant]:
        assert response.status_code == 404
    elif kind in FLAG:
        assert response.status_code == 302
    else:
        assert response.status_code == 403
    assert resource.high_value is (kind in FLAG and kind in VIEW[variant])


def test_service__the_same_value_twice_writes_one_audit_row(world, make_resource):
    resource = make_resource("open_L1")
    for _ in range(2):
        resource_set_high_value(
            actor=world.users["agency_staff"], resource=resource, high_value=True
        )
    assert AuditEvent.objects.filter(action="resource.high_value").count() == 1
