"""Shared fixtures: one of each kind of user, and resources of each tier and grade."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser

from catalog.models import Organization
from grading.models import Grant, Membership, PlatformRole
from tests import factories as f


@dataclass
class World:
    provider: Organization
    other_agency: Organization
    operator_org: Organization
    enterprise: Organization
    users: dict


# The kinds of caller every access test runs over.
USER_KINDS = [
    "anonymous",
    "citizen",
    "grantee",
    "expired_grantee",
    "agency_staff",
    "other_agency_staff",
    "operator",
    "platform_admin",
    "auditor",
]


@pytest.fixture
def world(db) -> World:
    provider = f.OrganizationFactory(code="provider", name="提供机构")
    other = f.OrganizationFactory(code="other-agency", name="其他机构")
    operator_org = f.OrganizationFactory(code="operator", kind=Organization.Kind.ENTERPRISE)
    enterprise = f.OrganizationFactory(code="enterprise", kind=Organization.Kind.ENTERPRISE)
    f.verify(operator_org, enterprise)
    users = {"anonymous": AnonymousUser()}
    for kind in USER_KINDS[1:]:
        users[kind] = f.UserFactory(username=kind)
    f.membership(users["grantee"], enterprise, Membership.Role.ADMIN)
    f.membership(users["expired_grantee"], enterprise, Membership.Role.ADMIN)
    f.membership(users["agency_staff"], provider, Membership.Role.EDITOR)
    f.membership(users["other_agency_staff"], other, Membership.Role.EDITOR)
    f.membership(users["operator"], operator_org, Membership.Role.ADMIN)
    f.platform_role(users["platform_admin"], PlatformRole.Role.PLATFORM_ADMIN)
    f.platform_role(users["auditor"], PlatformRole.Role.AUDITOR)
    f.confirm_email(users["citizen"])
    return World(provider, other, operator_org, enterprise, users)


# Resource variants: (tier, grade). Each is covered by a grant for `grantee`, an expired grant
# for `expired_grantee` and an agreement for `operator`, so the tier alone decides.
VARIANTS = {
    "open_L1": ("open", "L1"),
    "conditional_L1": ("conditional", "L1"),
    "conditional_L2": ("conditional", "L2"),
    "conditional_L3": ("conditional", "L3"),
    "restricted_L2": ("restricted", "L2"),
    "restricted_L4": ("restricted", "L4"),
}


@pytest.fixture
def make_resource(world):
    def make(variant: str, **extra):
        tier, grade = VARIANTS[variant]
        resource = f.ResourceFactory(
            provider=world.provider,
            tier=tier,
            grade=grade,
            title=extra.pop("title", f"独特标题{variant}"),
            **extra,
        )
        f.FieldFactory(resource=resource, grade=grade)
        f.DistributionFactory(resource=resource)
        f.grant(world.users["grantee"], [resource])
        f.grant(world.users["expired_grantee"], [resource], days=-1, status=Grant.Status.ACTIVE)
        f.agreement(world.operator_org, [resource])
        return resource

    return make
