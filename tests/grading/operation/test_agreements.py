"""Agreements through the services: issue from a decided application, sign, suspend, resume,
revoke, expire and renew; wrong roles and states; what each state does to data access."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from grading import policy
from grading.models import Agreement, AuditEvent, Notice, OperationApplication
from grading.operation import agreements
from grading.operation.agreements import add_months
from portal.transitions import InvalidTransition

pytestmark = pytest.mark.django_db


def act(agreement, actor, action, reason=""):
    return agreements.agreement_act(actor=actor, agreement=agreement, action=action, reason=reason)


def test_issue__the_scope_as_approved_with_the_requested_terms(scene, issued, decided):
    assert issued.status == "issued" and issued.operator == scene.org
    assert set(issued.resources.all()) == {scene.conditional, scene.other}
    assert scene.restricted not in issued.resources.all()
    assert issued.fee_cap == Decimal("50000.00")
    assert issued.purposes == decided.purposes
    assert issued.valid_until == add_months(issued.valid_from, 24)
    decided.refresh_from_db()
    assert decided.status == "issued"
    assert Notice.objects.filter(user=scene.applicant, link__contains="agreements").exists()


def test_issue__leaves_out_the_entries_of_a_rejected_part(scene, checked, world):
    from grading.operation import services
    from tests.grading.operation.conftest import part_of

    services.operation_part_act(
        actor=scene.reviewer, part=part_of(checked, world.provider), action="reject", reason="否"
    )
    services.operation_part_act(
        actor=scene.other_reviewer, part=part_of(checked, world.other_agency), action="approve"
    )
    checked.refresh_from_db()
    agreement = agreements.agreement_issue(actor=scene.admin, application=checked)
    assert list(agreement.resources.all()) == [scene.other]


def test_issue__a_backdated_agreement_with_the_platforms_terms(scene, decided):
    start = timezone.now() - dt.timedelta(days=400)
    agreement = agreements.agreement_issue(
        actor=scene.admin,
        application=decided,
        data={"valid_from": start, "fee_cap": Decimal("10"), "purposes": "仅限交通"},
    )
    assert agreement.valid_from == start and agreement.fee_cap == Decimal("10")
    assert agreement.purposes == "仅限交通"


def test_issue__more_than_five_years_is_refused(scene, decided):
    start = timezone.now()
    with pytest.raises(ValidationError) as exc:
        agreements.agreement_issue(
            actor=scene.admin,
            application=decided,
            data={"valid_from": start, "valid_until": start + dt.timedelta(days=5 * 366 + 2)},
        )
    assert "valid_until" in exc.value.message_dict
    assert not Agreement.objects.exists()
    assert OperationApplication.objects.get().status == "decided"


def test_issue__a_negative_fee_cap_is_refused(scene, decided):
    with pytest.raises(ValidationError):
        agreements.agreement_issue(actor=scene.admin, application=decided, data={"fee_cap": -1})
    assert not Agreement.objects.exists()


@pytest.mark.parametrize("who", ["applicant", "reviewer"])
def test_issue__only_platform_admins(scene, decided, who):
    with pytest.raises(PermissionDenied):
        agreements.agreement_issue(actor=getattr(scene, who), application=decided)
    assert not Agreement.objects.exists()


def test_issue__before_the_agencies_decided_is_a_wrong_state(scene, checked):
    with pytest.raises(InvalidTransition) as exc:
        agreements.agreement_issue(actor=scene.admin, application=checked)
    assert exc.value.current == "checked"
    assert not Agreement.objects.exists()


def test_issue__twice_is_a_wrong_state(scene, issued, decided):
    decided.refresh_from_db()
    with pytest.raises(InvalidTransition):
        agreements.agreement_issue(actor=scene.admin, application=decided)
    assert Agreement.objects.count() == 1


def test_sign__by_the_operator_makes_it_active(scene, active):
    assert active.status == "active" and active.signed_by == scene.applicant
    assert active.signed_at is not None


@pytest.mark.parametrize("who", ["admin", "reviewer"])
def test_sign__only_the_operators_staff(scene, issued, who):
    with pytest.raises(PermissionDenied):
        act(issued, getattr(scene, who), "sign")
    assert Agreement.objects.get().status == "issued"


def test_sign__twice_is_a_wrong_state(scene, active):
    with pytest.raises(InvalidTransition) as exc:
        act(active, scene.applicant, "sign")
    assert exc.value.current == "active"


def test_suspend__needs_a_reason_then_resume(scene, active):
    with pytest.raises(ValidationError):
        act(active, scene.admin, "suspend")
    assert Agreement.objects.get().status == "active"
    act(active, scene.admin, "suspend", "违规转售数据")
    assert active.status == "suspended" and active.status_reason == "违规转售数据"
    assert "违规转售数据" in Notice.objects.filter(user=scene.applicant).last().text
    act(active, scene.admin, "resume")
    assert active.status == "active"


@pytest.mark.parametrize("action", ["suspend", "resume", "revoke", "expire"])
def test_lifecycle__the_operator_cannot_change_it(scene, active, action):
    with pytest.raises(PermissionDenied):
        act(active, scene.applicant, action, "x")
    assert Agreement.objects.get().status == "active"


def test_resume__an_active_agreement_is_a_wrong_state(scene, active):
    with pytest.raises(InvalidTransition) as exc:
        act(active, scene.admin, "resume")
    assert exc.value.current == "active"


def test_revoke__is_final(scene, active):
    act(active, scene.admin, "revoke", "严重违约")
    with pytest.raises(InvalidTransition) as exc:
        act(active, scene.admin, "resume")
    assert exc.value.current == "revoked"


def test_expire__not_before_the_term_ends(scene, active):
    with pytest.raises(ValidationError):
        act(active, scene.admin, "expire")
    Agreement.objects.filter(pk=active.pk).update(valid_until=timezone.now())
    active.refresh_from_db()
    act(active, scene.admin, "expire")
    assert active.status == "expired"


def test_expire_agreements_command_marks_those_past_their_term(scene, active, issued):
    Agreement.objects.filter(pk=active.pk).update(
        valid_until=timezone.now() - dt.timedelta(minutes=1)
    )
    call_command("expire_agreements")
    assert Agreement.objects.get().status == "expired"
    assert AuditEvent.objects.filter(action="agreement.expire").count() == 1
    call_command("expire_agreements")
    assert AuditEvent.objects.filter(action="agreement.expire").count() == 1


def test_access__follows_the_agreement_state_at_once(scene, issued):
    user, entry = scene.applicant, scene.conditional
    # Issued but unsigned: nothing.
    assert not policy.can_query(user, entry)
    assert policy.access_basis(user, scene.other, "query") is None
    act(issued, user, "sign")
    assert policy.access_basis(user, entry, "query") == "agreement"
    user = type(user).objects.get(pk=user.pk)  # a new request
    act(issued, scene.admin, "suspend", "调查")
    assert not policy.can_query(user, entry)
    user = type(user).objects.get(pk=user.pk)
    act(issued, scene.admin, "resume")
    assert policy.can_query(user, entry)
    act(issued, scene.admin, "revoke", "终止")
    assert not policy.can_query(user, entry)


def test_access__an_entry_left_out_of_the_approved_scope_stays_closed(scene, active):
    assert not policy.can_query(scene.applicant, scene.restricted)
    assert not policy.can_view(scene.applicant, scene.restricted)


def test_renew__a_new_application_prefilled_from_the_agreement(scene, active):
    renewal = agreements.agreement_renew(
        actor=scene.applicant, agreement=active, data={"undertaking_accepted": True}
    )
    assert renewal.renews == active and renewal.status == "submitted"
    assert set(renewal.resources.all()) == {scene.conditional, scene.other}
    assert renewal.scenarios == active.application.scenarios
    assert renewal.parts.count() == 2
    with pytest.raises(ValidationError):
        agreements.agreement_renew(actor=scene.applicant, agreement=active)


def test_renew__issuing_it_creates_the_new_agreement(scene, active, world):
    from grading.operation import services
    from tests.grading.operation.conftest import part_of

    renewal = agreements.agreement_renew(
        actor=scene.applicant, agreement=active, data={"undertaking_accepted": True}
    )
    services.operation_application_act(actor=scene.admin, application=renewal, action="check")
    for agency, reviewer in (
        (world.provider, scene.reviewer),
        (world.other_agency, scene.other_reviewer),
    ):
        services.operation_part_act(actor=reviewer, part=part_of(renewal, agency), action="approve")
    renewal.refresh_from_db()
    new = agreements.agreement_issue(actor=scene.admin, application=renewal)
    assert new.pk != active.pk and new.application.renews == active


def test_renew__not_after_expiry_and_not_by_others(scene, active):
    with pytest.raises(PermissionDenied):
        agreements.agreement_renew(actor=scene.admin, agreement=active)
    Agreement.objects.filter(pk=active.pk).update(status="expired")
    active.refresh_from_db()
    with pytest.raises(InvalidTransition):
        agreements.agreement_renew(actor=scene.applicant, agreement=active)
    assert not OperationApplication.objects.filter(renews=active).exists()
