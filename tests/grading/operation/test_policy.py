"""The rule-book of authorized operation: who applies, what a scope may name and how much of it
is shown, who sees an application and which of its parts."""

import pytest
from django.contrib.auth.models import AnonymousUser

from grading import policy
from grading.models import OperationApplication, OperationScopePart
from tests import factories as f

pytestmark = pytest.mark.django_db


def visible_applications(user):
    return set(OperationApplication.objects.filter(policy.operation_application_visible_q(user)))


def visible_parts(user):
    return set(
        OperationScopePart.objects.filter(policy.operation_part_visible_q(user)).values_list(
            "agency__code", flat=True
        )
    )


@pytest.mark.parametrize(
    "kind,allowed",
    [
        ("anonymous", False),
        ("citizen", False),
        ("agency_staff", False),
        ("auditor", False),
        ("platform_admin", False),
        ("grantee", True),  # staff of the verified enterprise
        ("operator", True),
    ],
)
def test_can_apply_for_operation(world, kind, allowed):
    assert policy.can_apply_for_operation(world.users[kind]) is allowed


def test_scope__published_conditional_and_restricted_entries_only(scene):
    scope = set(policy.operation_scope(scene.applicant))
    assert scope == {scene.conditional, scene.restricted, scene.other}


def test_scope__nothing_for_those_who_may_not_apply(scene, world):
    assert not policy.operation_scope(world.users["citizen"]).exists()
    assert not policy.operation_scope(AnonymousUser()).exists()


def test_scope__a_restricted_entry_is_shown_by_title_only(scene, world):
    assert not policy.scope_entry_details_visible(scene.applicant, scene.restricted)
    assert policy.scope_entry_details_visible(scene.applicant, scene.conditional)
    # Its own agency sees the whole entry.
    assert policy.scope_entry_details_visible(world.users["agency_staff"], scene.restricted)


def test_application__seen_by_its_organization_platform_staff_and_the_agencies_in_it(
    scene, submitted, world
):
    assert visible_applications(scene.applicant) == {submitted}
    assert visible_applications(world.users["expired_grantee"]) == {submitted}  # same org
    assert visible_applications(world.users["auditor"]) == {submitted}
    assert visible_applications(scene.reviewer) == {submitted}
    assert visible_applications(scene.other_reviewer) == {submitted}
    for kind in ("anonymous", "citizen", "operator"):
        assert visible_applications(world.users[kind]) == set()
    assert not policy.can_view_operation_application(world.users["anonymous"], submitted)


def test_application__an_agency_not_in_it_sees_nothing(scene, world):
    from grading.operation import services

    services.operation_application_create(
        actor=scene.applicant,
        applicant=scene.org,
        data=f.operation_data(),
        resources=[scene.conditional],
        submit=True,
    )
    assert visible_applications(scene.other_reviewer) == set()
    assert visible_applications(world.users["other_agency_staff"]) == set()


def test_application__a_draft_is_the_applicants_alone(scene, world):
    from grading.operation import services

    draft = services.operation_application_create(
        actor=scene.applicant,
        applicant=scene.org,
        data=f.operation_data(),
        resources=[scene.conditional],
    )
    assert visible_applications(scene.applicant) == {draft}
    assert visible_applications(world.users["platform_admin"]) == set()


def test_parts__an_agency_sees_its_own_part_only(scene, submitted, world):
    assert visible_parts(scene.reviewer) == {"provider"}
    assert visible_parts(scene.other_reviewer) == {"other-agency"}
    assert visible_parts(scene.applicant) == {"provider", "other-agency"}
    assert visible_parts(world.users["auditor"]) == {"provider", "other-agency"}
    assert visible_parts(world.users["citizen"]) == set()


@pytest.mark.parametrize(
    "who,action,allowed",
    [
        ("applicant", "submit", True),
        ("applicant", "check", False),
        ("admin", "check", True),
        ("admin", "issue", True),
        ("reviewer", "check", False),
        ("admin", "withdraw", False),
        ("applicant", "fly", False),
    ],
)
def test_can_act_on_operation_application(scene, submitted, who, action, allowed):
    assert (
        policy.can_act_on_operation_application(getattr(scene, who), submitted, action) is allowed
    )


def test_can_act_on_agreement(scene, world):
    agreement = f.agreement(scene.org, [scene.conditional])
    assert policy.can_act_on_agreement(scene.applicant, agreement, "sign")
    assert policy.can_act_on_agreement(scene.applicant, agreement, "renew")
    assert not policy.can_act_on_agreement(scene.applicant, agreement, "suspend")
    assert policy.can_act_on_agreement(scene.admin, agreement, "suspend")
    assert not policy.can_act_on_agreement(scene.admin, agreement, "sign")
    assert not policy.can_act_on_agreement(world.users["auditor"], agreement, "revoke")
    assert not policy.can_act_on_agreement(world.users["anonymous"], agreement, "sign")
