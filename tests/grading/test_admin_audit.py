"""Changes made through the admin to memberships, platform roles, organizations and user
accounts are appended to the audit chain: who, what, which fields before and after."""

import json

import pytest
from django.core.management import call_command
from django.forms import MultiWidget
from django.urls import reverse

from grading import audit
from grading.models import AuditEvent, Membership, PlatformRole
from tests import factories as f

pytestmark = pytest.mark.django_db


def _events(action=None):
    rows = AuditEvent.objects.order_by("seq")
    if action:
        rows = rows.filter(action=action)
    return list(rows)


def _fields(event):
    return json.loads(event.payload)["fields"]


def _form_data(client, url, **overrides):
    """What the admin's change form would post back unchanged, with ``overrides`` applied."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name, bound in form.fields.items():
        value = form[name].value()
        widget = bound.widget
        if isinstance(widget, MultiWidget):
            parts = widget.decompress(value)
            data.update({f"{name}_{i}": part for i, part in enumerate(parts) if part is not None})
        elif value is not None and value is not False:
            data[name] = value
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def superuser(db):
    return f.UserFactory(username="root", is_staff=True, is_superuser=True)


def test_adding_a_membership_in_the_admin_is_audited(client, world):
    admin = world.users["platform_admin"]
    client.force_login(admin)
    citizen = world.users["citizen"]
    response = client.post(
        reverse("admin:grading_membership_add"),
        {"user": citizen.pk, "organization": world.provider.pk, "role": "reviewer"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=citizen)
    (event,) = _events("admin.add")
    assert (event.actor_id, event.object_type, event.object_id) == (
        admin.pk,
        "grading.membership",
        str(membership.pk),
    )
    assert _fields(event) == {
        "id": {"before": None, "after": membership.pk},
        "organization": {"before": None, "after": world.provider.pk},
        "role": {"before": None, "after": "reviewer"},
        "user": {"before": None, "after": citizen.pk},
    }
    call_command("audit_verify")


def test_changing_a_role_in_the_admin_records_it_before_and_after(client, world):
    admin = world.users["platform_admin"]
    membership = Membership.objects.get(user=world.users["agency_staff"])
    client.force_login(admin)
    url = reverse("admin:grading_membership_change", args=[membership.pk])
    response = client.post(url, _form_data(client, url, role="admin"))
    assert response.status_code == 302
    (event,) = _events("admin.change")
    assert event.actor_id == admin.pk
    assert _fields(event) == {"role": {"before": "editor", "after": "admin"}}
    # Memberships are changed, never deleted, in the admin (as before).
    delete = reverse("admin:grading_membership_delete", args=[membership.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()
    call_command("audit_verify")


def test_platform_roles_given_and_changed_in_the_admin_are_audited(client, world):
    client.force_login(world.users["platform_admin"])
    citizen = world.users["citizen"]
    client.post(reverse("admin:grading_platformrole_add"), {"user": citizen.pk, "role": "auditor"})
    role = PlatformRole.objects.get(user=citizen)
    url = reverse("admin:grading_platformrole_change", args=[role.pk])
    client.post(url, _form_data(client, url, role="platform_admin"))
    added, changed = _events("admin.add")[0], _events("admin.change")[0]
    assert added.object_id == changed.object_id == str(role.pk)
    assert _fields(added)["role"] == {"before": None, "after": "auditor"}
    assert _fields(changed) == {"role": {"before": "auditor", "after": "platform_admin"}}
    call_command("audit_verify")


def test_organization_changes_in_the_admin_are_audited(client, world):
    client.force_login(world.users["platform_admin"])
    org = world.other_agency
    url = reverse("admin:catalog_organization_change", args=[org.pk])
    response = client.post(url, _form_data(client, url, name="改名机构", kind="enterprise"))
    assert response.status_code == 302
    (event,) = _events("admin.change")
    assert (event.object_type, event.object_id) == ("catalog.organization", str(org.pk))
    assert _fields(event) == {
        "kind": {"before": "agency", "after": "enterprise"},
        "name": {"before": "其他机构", "after": "改名机构"},
    }
    assert json.loads(event.payload)["object"] == "改名机构"
    # Saving the form again unchanged changes nothing, so appends nothing.
    assert client.post(url, _form_data(client, url)).status_code == 302
    assert len(_events()) == 1
    call_command("audit_verify")


def test_the_change_and_its_audit_row_commit_together(client, world, monkeypatch):
    membership = Membership.objects.get(user=world.users["agency_staff"])
    client.force_login(world.users["platform_admin"])
    url = reverse("admin:grading_membership_change", args=[membership.pk])
    data = _form_data(client, url, role="admin")

    def refuse(**kwargs):
        raise RuntimeError("chain unavailable")

    monkeypatch.setattr(audit, "record", refuse)
    with pytest.raises(RuntimeError):
        client.post(url, data)
    membership.refresh_from_db()
    assert membership.role == "editor"


def test_user_flags_changed_in_the_admin_are_audited(client, world, superuser):
    citizen = world.users["citizen"]
    client.force_login(superuser)
    url = reverse("admin:auth_user_change", args=[citizen.pk])
    response = client.post(url, _form_data(client, url, is_staff="on", is_superuser="on"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    (event,) = _events("admin.change")
    assert (event.actor_id, event.object_type) == (superuser.pk, "auth.user")
    fields = _fields(event)
    assert fields["is_staff"] == {"before": False, "after": True}
    assert fields["is_superuser"] == {"before": False, "after": True}
    assert "password" not in fields
    call_command("audit_verify")


def test_a_password_set_in_the_admin_is_audited_without_its_hash(client, world, superuser):
    citizen = world.users["citizen"]
    client.force_login(superuser)
    url = reverse("admin:auth_user_password_change", args=[citizen.pk])
    password = "Another-Pass-2026!"
    response = client.post(
        url, {"password1": password, "password2": password, "usable_password": "true"}
    )
    assert response.status_code == 302
    (event,) = _events("admin.change")
    assert _fields(event) == {"password": {"before": "<hidden>", "after": "<hidden>"}}
    citizen.refresh_from_db()
    assert citizen.password not in event.payload
    call_command("audit_verify")


def test_deleting_a_user_in_the_admin_is_audited(client, world, superuser):
    leaving = f.UserFactory(username="leaving", email="leaving@example.cn")
    client.force_login(superuser)
    # A user who still holds a membership cannot be deleted (the membership admin refuses
    # deletes), so memberships never disappear unaudited along with their user.
    member = world.users["agency_staff"]
    member_url = reverse("admin:auth_user_delete", args=[member.pk])
    assert client.post(member_url, {"post": "yes"}).status_code == 403
    assert Membership.objects.filter(user=member).exists()
    url = reverse("admin:auth_user_delete", args=[leaving.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    (event,) = _events("admin.delete")
    assert (event.object_type, event.object_id) == ("auth.user", str(leaving.pk))
    fields = _fields(event)
    assert fields["email"] == {"before": "leaving@example.cn", "after": None}
    assert fields["password"] == {"before": "<hidden>", "after": None}
    call_command("audit_verify")


def test_a_bulk_delete_in_the_admin_is_audited_per_row(client, world, superuser):
    doomed = [f.UserFactory(username=f"bulk{i}") for i in range(2)]
    client.force_login(superuser)
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [u.pk for u in doomed], "post": "yes"},
    )
    assert response.status_code == 302
    ids = {e.object_id for e in _events("admin.delete")}
    assert ids == {str(u.pk) for u in doomed}
    call_command("audit_verify")
