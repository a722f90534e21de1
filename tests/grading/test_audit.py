"""The audit chain: appended on every step, verified by audit_verify, tamper named."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from grading import audit
from grading.models import AuditEvent
from portal.actors import SYSTEM

pytestmark = pytest.mark.django_db


def _chain(n=5):
    return [
        audit.record(actor=None, action="test.step", obj=("test.thing", str(i)), payload={"i": i})
        for i in range(n)
    ]


def test_rows_link_to_their_predecessor_and_verify(capsys):
    events = _chain()
    assert events[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    call_command("audit_verify")
    assert "5 rows verified" in capsys.readouterr().out


def test_payload_is_canonical_json():
    event = audit.record(actor=None, action="x", obj=("t", "1"), payload={"b": 1, "a": "中文"})
    assert event.payload == '{"a":"中文","b":1}'


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("UPDATE grading_auditevent SET payload = '{\"i\":99}' WHERE seq = 3", "content"),
        ("UPDATE grading_auditevent SET prev_hash = hash WHERE seq = 3", "previous-hash"),
        ("DELETE FROM grading_auditevent WHERE seq = 3", "sequence gap"),
    ],
)
def test_a_tampered_row_is_named(sql, reason):
    _chain()
    with connection.cursor() as cursor:
        cursor.execute(sql)
    with pytest.raises(CommandError) as error:
        call_command("audit_verify")
    message = str(error.value)
    assert "row 3" in message or "row 4" in message
    assert reason in message


def test_rows_cannot_be_changed_or_deleted_through_the_application():
    event = _chain(1)[0]
    event.payload = "{}"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(payload="{}")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).payload == '{"i":0}'


def test_tier_and_grade_changes_are_audited(world, make_resource):
    from catalog.publishing.dictionary import field_set_grade
    from catalog.publishing.resources import resource_update

    resource = make_resource("conditional_L2")
    field = resource.fields.get()
    field_set_grade(actor=SYSTEM, field=field, grade="L1")
    resource.refresh_from_db()
    resource_update(actor=SYSTEM, resource=resource, data={"tier": "open"})
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", "payload"))
    assert ("field.grade", f'{{"after":"L1","before":"L2","resource":{resource.pk}}}') in actions
    grading = [p for a, p in actions if a == "resource.grading"]
    assert (
        grading[-1]
        == '{"after":{"grade":"L1","tier":"open"},"before":{"grade":"L1","tier":"conditional"}}'
    )
    call_command("audit_verify")


def test_enterprise_verification_and_key_revocation_are_audited(world):
    from catalog.models import Organization
    from grading.accounts import apikeys
    from grading.accounts import services as accounts
    from tests import factories as f

    admin = world.users["platform_admin"]
    pending = f.OrganizationFactory(code="pending-co", kind=Organization.Kind.ENTERPRISE)
    accounts.enterprise_verify(actor=admin, organization=pending)
    accounts.enterprise_unverify(actor=admin, organization=pending)
    user = world.users["citizen"]
    key, _raw = apikeys.api_key_create(user=user, name="脚本")
    apikeys.api_key_revoke(user=user, key_id=key.pk)
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["enterprise.verify", "enterprise.unverify", "api_key.revoke"]
    call_command("audit_verify")
