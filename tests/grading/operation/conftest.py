"""An authorized-operation scene: a verified enterprise applying, two agencies with reviewers,
entries of every kind a scope may or may not hold."""

from dataclasses import dataclass

import pytest

from catalog.models import Organization, Resource
from grading.models import Membership
from grading.operation import services
from tests import factories as f


@dataclass
class Scene:
    applicant: object  # staff of the verified enterprise
    org: Organization
    admin: object
    reviewer: object  # reviewer of world.provider
    other_reviewer: object  # reviewer of world.other_agency
    editor: object  # editor (not reviewer) of world.provider
    conditional: Resource  # provider, conditional L2
    restricted: Resource  # provider, restricted L4
    other: Resource  # other agency, conditional L1
    open: Resource  # provider, open: never in a scope
    draft: Resource  # provider, conditional but unpublished


@pytest.fixture
def scene(world) -> Scene:
    reviewer = f.UserFactory(username="op_reviewer")
    f.membership(reviewer, world.provider, Membership.Role.REVIEWER)
    other_reviewer = f.UserFactory(username="op_other_reviewer")
    f.membership(other_reviewer, world.other_agency, Membership.Role.REVIEWER)
    applicant = world.users["grantee"]
    provider = world.provider

    def entry(tier, grade, **extra):
        resource = f.ResourceFactory(
            provider=extra.pop("provider", provider), tier=tier, grade=grade, **extra
        )
        f.FieldFactory(resource=resource, grade=grade)
        return resource

    return Scene(
        applicant=applicant,
        org=world.enterprise,
        admin=world.users["platform_admin"],
        reviewer=reviewer,
        other_reviewer=other_reviewer,
        editor=world.users["agency_staff"],
        conditional=entry("conditional", "L2", title="交通流量条件数据"),
        restricted=entry("restricted", "L4", title="受限人口明细", abstract="受限摘要绝密"),
        other=entry("conditional", "L1", provider=world.other_agency, title="其他机构数据"),
        open=entry("open", "L1", title="公开数据"),
        draft=entry("conditional", "L2", status=Resource.Status.DRAFT, title="草稿数据"),
    )


@pytest.fixture
def submitted(scene):
    """An application for the provider's two entries and the other agency's entry, submitted."""
    return services.operation_application_create(
        actor=scene.applicant,
        applicant=scene.org,
        data=f.operation_data(),
        resources=[scene.conditional, scene.restricted, scene.other],
        submit=True,
    )


@pytest.fixture
def checked(scene, submitted):
    return services.operation_application_act(
        actor=scene.admin, application=submitted, action="check"
    )


def part_of(application, agency):
    return application.parts.get(agency=agency)


@pytest.fixture
def decided(scene, checked, world):
    """Both agencies approved: the provider only its conditional entry."""
    services.operation_part_act(
        actor=scene.reviewer,
        part=part_of(checked, world.provider),
        action="approve",
        approved=[scene.conditional.pk],
    )
    services.operation_part_act(
        actor=scene.other_reviewer, part=part_of(checked, world.other_agency), action="approve"
    )
    checked.refresh_from_db()
    return checked


@pytest.fixture
def issued(scene, decided):
    from grading.operation import agreements

    return agreements.agreement_issue(actor=scene.admin, application=decided)


@pytest.fixture
def active(scene, issued):
    from grading.operation import agreements

    return agreements.agreement_act(actor=scene.applicant, agreement=issued, action="sign")


# These tests read the English texts.
from tests.english import client, english  # noqa: E402, F401
