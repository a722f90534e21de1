"""Applications for authorized operation through the services: every step, wrong roles, wrong
states, out-of-scope entries, bad input that changes nothing, the agencies' parts and clocks."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalog.models import Organization
from grading.models import AuditEvent, Membership, Notice, OperationApplication
from grading.operation import services
from grading.workdays import add_working_days
from portal.transitions import InvalidTransition
from tests import factories as f
from tests.grading.operation.conftest import part_of

pytestmark = pytest.mark.django_db


def create(scene, submit=True, resources=None, **data):
    return services.operation_application_create(
        actor=scene.applicant,
        applicant=scene.org,
        data=f.operation_data(**data),
        resources=[scene.conditional, scene.other] if resources is None else resources,
        submit=submit,
    )


def decide(part, actor, action, **extra):
    return services.operation_part_act(actor=actor, part=part, action=action, **extra)


def test_submit__splits_the_scope_into_one_part_per_agency(scene, submitted, world):
    assert submitted.status == "submitted"
    assert submitted.due_on == add_working_days(timezone.localdate(), 5)
    mine = part_of(submitted, world.provider)
    assert set(mine.resources.all()) == {scene.conditional, scene.restricted}
    assert list(part_of(submitted, world.other_agency).resources.all()) == [scene.other]
    assert AuditEvent.objects.filter(action="operation.submit").count() == 1


def test_submit__tells_platform_admins(scene, world):
    mail.outbox.clear()
    application = create(scene)
    notice = Notice.objects.get(user=scene.admin)
    assert f"#{application.pk}" in notice.text
    assert notice.link == f"/operation/applications/{application.pk}/"


def test_create__a_draft_has_no_parts_until_submitted(scene):
    application = create(scene, submit=False)
    assert application.status == "draft" and not application.parts.exists()
    services.operation_application_act(
        actor=scene.applicant, application=application, action="submit"
    )
    assert application.status == "submitted" and application.parts.count() == 2


def test_whole_themes_and_agencies_resolve_to_their_eligible_entries(scene, world):
    theme_entry = f.ResourceFactory(provider=world.other_agency, tier="restricted", grade="L3")
    application = services.operation_application_create(
        actor=scene.applicant,
        applicant=scene.org,
        data=f.operation_data(),
        themes=[theme_entry.theme],
        agencies=[world.provider],
        submit=True,
    )
    mine = part_of(application, world.provider)
    # The provider's open entry and its draft are never in a scope.
    assert set(mine.resources.all()) == {scene.conditional, scene.restricted}
    assert list(part_of(application, world.other_agency).resources.all()) == [theme_entry]


@pytest.mark.parametrize("entry", ["open", "draft"])
def test_create__an_entry_outside_what_a_scope_may_hold_is_refused(scene, entry):
    with pytest.raises(ValidationError) as exc:
        create(scene, resources=[scene.conditional, getattr(scene, entry)])
    assert "resources" in exc.value.message_dict
    assert not OperationApplication.objects.exists()


def test_create__an_empty_scope_is_refused_at_submission(scene):
    empty_theme = f.ThemeFactory()
    with pytest.raises(ValidationError) as exc:
        services.operation_application_create(
            actor=scene.applicant,
            applicant=scene.org,
            data=f.operation_data(),
            themes=[empty_theme],
            submit=True,
        )
    assert "resources" in exc.value.message_dict
    assert not OperationApplication.objects.exists()


def test_create__an_enterprise_is_not_an_agency_of_entries(scene, world):
    with pytest.raises(ValidationError):
        services.operation_application_create(
            actor=scene.applicant,
            applicant=scene.org,
            data=f.operation_data(),
            agencies=[world.operator_org],
        )


@pytest.mark.parametrize(
    "field,value",
    [
        ("purposes", ""),
        ("scenarios", "   "),
        ("security_measures", None),
        ("purposes", 42),
        ("term_months", 0),
        ("term_months", 61),
        ("term_months", "12"),
        ("term_months", True),
        ("proposed_fee_cap", "-1"),
        ("proposed_fee_cap", "many"),
        ("undertaking_accepted", False),
    ],
)
def test_create__bad_input_is_refused_and_writes_nothing(scene, field, value):
    with pytest.raises(ValidationError) as exc:
        create(scene, **{field: value})
    assert set(exc.value.message_dict) <= {field, "undertaking_accepted"}
    assert not OperationApplication.objects.exists()
    assert not AuditEvent.objects.exists()


def test_create__sixty_months_is_the_longest_term(scene):
    assert create(scene, term_months=60).term_months == 60


@pytest.mark.parametrize("kind", ["citizen", "agency_staff", "platform_admin", "operator"])
def test_create__only_staff_of_the_verified_enterprise_apply(scene, world, kind):
    with pytest.raises(PermissionDenied):
        services.operation_application_create(
            actor=world.users[kind],
            applicant=scene.org,
            data=f.operation_data(),
            resources=[scene.conditional],
        )
    assert not OperationApplication.objects.exists()


def test_create__an_unverified_enterprise_cannot_apply(scene):
    org = f.OrganizationFactory(kind=Organization.Kind.ENTERPRISE)
    user = f.UserFactory()
    f.membership(user, org, Membership.Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.operation_application_create(
            actor=user, applicant=org, data=f.operation_data(), resources=[scene.conditional]
        )


def test_return__needs_a_reason_and_resubmission_rebuilds_the_parts(scene, submitted, world):
    with pytest.raises(ValidationError):
        services.operation_application_act(
            actor=scene.admin, application=submitted, action="return"
        )
    assert OperationApplication.objects.get().status == "submitted"
    services.operation_application_act(
        actor=scene.admin, application=submitted, action="return", reason="补充安全措施"
    )
    assert submitted.status == "returned" and submitted.due_on is None
    assert "补充安全措施" in Notice.objects.filter(user=scene.applicant).last().text
    services.operation_application_act(
        actor=scene.applicant, application=submitted, action="submit"
    )
    assert submitted.parts.count() == 2


def test_check__starts_each_agency_clock_and_tells_its_reviewers(scene, checked, world):
    due = add_working_days(timezone.localdate(), 10)
    assert {p.status for p in checked.parts.all()} == {"pending"}
    assert {p.due_on for p in checked.parts.all()} == {due}
    assert Notice.objects.filter(user=scene.reviewer).count() == 1
    assert Notice.objects.filter(user=scene.other_reviewer).count() == 1
    assert not Notice.objects.filter(user=scene.editor).exists()


@pytest.mark.parametrize("who", ["applicant", "reviewer", "editor"])
def test_check__only_platform_admins(scene, submitted, who):
    with pytest.raises(PermissionDenied):
        services.operation_application_act(
            actor=getattr(scene, who), application=submitted, action="check"
        )
    assert OperationApplication.objects.get().status == "submitted"


def test_check__twice_is_a_wrong_state(scene, checked):
    with pytest.raises(InvalidTransition) as exc:
        services.operation_application_act(actor=scene.admin, application=checked, action="check")
    assert exc.value.current == "checked"


def test_part__cannot_be_decided_before_the_formal_check(scene, submitted, world):
    with pytest.raises(InvalidTransition) as exc:
        decide(part_of(submitted, world.provider), scene.reviewer, "approve")
    assert exc.value.current == "submitted"
    assert part_of(submitted, world.provider).status == "pending"


@pytest.mark.parametrize("who", ["other_reviewer", "admin", "applicant", "editor"])
def test_part__only_reviewers_of_its_agency_decide(scene, checked, world, who):
    with pytest.raises(PermissionDenied):
        decide(part_of(checked, world.provider), getattr(scene, who), "approve")
    assert part_of(checked, world.provider).status == "pending"


def test_parts__both_approved_decides_the_application(scene, checked, world):
    decide(part_of(checked, world.provider), scene.reviewer, "approve")
    checked.refresh_from_db()
    assert checked.status == "checked"
    decide(part_of(checked, world.other_agency), scene.other_reviewer, "approve")
    checked.refresh_from_db()
    assert checked.status == "decided"
    assert AuditEvent.objects.filter(action="operation.decide").count() == 1
    assert Notice.objects.filter(user=scene.applicant).count() >= 3


def test_parts__one_rejected_one_approved_still_decides(scene, checked, world):
    decide(part_of(checked, world.provider), scene.reviewer, "reject", reason="涉及个人信息")
    decide(part_of(checked, world.other_agency), scene.other_reviewer, "approve")
    checked.refresh_from_db()
    assert checked.status == "decided"


def test_parts__all_rejected_rejects_the_application(scene, checked, world):
    decide(part_of(checked, world.provider), scene.reviewer, "reject", reason="不宜开放")
    decide(part_of(checked, world.other_agency), scene.other_reviewer, "reject", reason="无")
    checked.refresh_from_db()
    assert checked.status == "rejected"
    assert "rejected" in Notice.objects.filter(user=scene.applicant).last().text.lower()


def test_part__reject_needs_a_reason(scene, checked, world):
    with pytest.raises(ValidationError):
        decide(part_of(checked, world.provider), scene.reviewer, "reject")
    assert part_of(checked, world.provider).status == "pending"


def test_part__approve_a_subset_of_its_entries(scene, checked, world):
    part = part_of(checked, world.provider)
    decide(part, scene.reviewer, "approve", approved=[scene.conditional.pk])
    assert list(part.approved_resources.all()) == [scene.conditional]


def test_part__approving_an_entry_outside_the_part_is_refused(scene, checked, world):
    part = part_of(checked, world.provider)
    with pytest.raises(ValidationError):
        decide(part, scene.reviewer, "approve", approved=[scene.other.pk])
    with pytest.raises(ValidationError):
        decide(part, scene.reviewer, "approve", approved=[])
    assert part_of(checked, world.provider).status == "pending"


def test_part__deciding_twice_is_a_wrong_state(scene, checked, world):
    part = part_of(checked, world.provider)
    decide(part, scene.reviewer, "approve")
    with pytest.raises(InvalidTransition) as exc:
        decide(part, scene.reviewer, "reject", reason="改变主意")
    assert exc.value.current == "approved"


def test_part__a_question_pauses_its_clock_until_answered(scene, checked, world):
    part = part_of(checked, world.provider)
    due = part.due_on
    decide(part, scene.reviewer, "request_info", reason="说明使用方式")
    assert part.status == "need_info" and part.due_on is None and part.paused_days >= 1
    assert "说明使用方式" in Notice.objects.filter(user=scene.applicant).last().text
    # Meanwhile the other agency's clock runs on.
    assert part_of(checked, world.other_agency).due_on == due
    with pytest.raises(PermissionDenied):
        decide(part, scene.other_reviewer, "respond", reason="答复")
    decide(part, scene.applicant, "respond", reason="仅用于统计分析")
    assert part.status == "pending"
    assert part.due_on == add_working_days(timezone.localdate(), part.paused_days)
    assert Notice.objects.filter(user=scene.reviewer).count() == 2


def test_part__a_question_cannot_be_approved_before_the_answer(scene, checked, world):
    part = part_of(checked, world.provider)
    decide(part, scene.reviewer, "request_info", reason="说明")
    with pytest.raises(InvalidTransition) as exc:
        decide(part, scene.reviewer, "approve")
    assert exc.value.current == "need_info"


def test_withdraw__stops_the_agencies_deciding(scene, checked, world):
    services.operation_application_act(
        actor=scene.applicant, application=checked, action="withdraw"
    )
    with pytest.raises(InvalidTransition) as exc:
        decide(part_of(checked, world.provider), scene.reviewer, "approve")
    assert exc.value.current == "withdrawn"


def test_withdraw__only_the_applicant(scene, checked):
    with pytest.raises(PermissionDenied):
        services.operation_application_act(
            actor=scene.admin, application=checked, action="withdraw"
        )


def test_unknown_action_is_denied(scene, checked, world):
    with pytest.raises(PermissionDenied):
        services.operation_application_act(actor=scene.admin, application=checked, action="fly")
    with pytest.raises(PermissionDenied):
        services.operation_application_act(actor=scene.admin, application=checked, action="issue")
    with pytest.raises(PermissionDenied):
        decide(part_of(checked, world.provider), scene.reviewer, "sign")


def test_every_step_appends_to_the_audit_chain(scene, checked, world):
    from grading import audit

    decide(part_of(checked, world.provider), scene.reviewer, "approve")
    decide(part_of(checked, world.other_agency), scene.other_reviewer, "approve")
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions == [
        "operation.create",
        "operation.submit",
        "operation.check",
        "operation.part.approve",
        "operation.part.approve",
        "operation.decide",
    ]
    assert audit.verify()[1] is None


def test_overdue_parts_are_flagged(scene, checked, world):
    from grading.operation import selectors

    part = part_of(checked, world.provider)
    part.due_on = timezone.localdate() - dt.timedelta(days=1)
    assert selectors.is_overdue(part)
    assert not selectors.is_overdue(part_of(checked, world.other_agency))


def test_each_step_is_emailed_to_the_people_it_concerns(
    scene, submitted, world, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.operation_application_act(actor=scene.admin, application=submitted, action="check")
    recipients = sorted(address for message in mail.outbox for address in message.to)
    colleague = world.users["expired_grantee"]  # the enterprise's other member
    expected = [scene.applicant.email, colleague.email, scene.other_reviewer.email]
    expected.append(scene.reviewer.email)
    assert recipients == sorted(expected)
    assert any(f"/operation/applications/{submitted.pk}/" in m.body for m in mail.outbox)
