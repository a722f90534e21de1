"""A cross-border scene: the verified enterprise of ``world`` (its member ``grantee`` assesses
and files), a platform administrator who clears and decides, published entries of each tier."""

from dataclasses import dataclass

import pytest

from catalog.models import Organization, Resource
from grading.crossborder import services
from grading.models import CrossBorderAssessment, CrossBorderFiling, Membership
from tests import factories as f


@dataclass
class Scene:
    filer: object  # member of world.enterprise (verified)
    enterprise: Organization
    admin: object
    auditor: object
    outsider: object  # member of another verified enterprise
    unverified: object  # member of an enterprise the platform has not verified
    open: Resource
    restricted: Resource


@pytest.fixture
def xb(world, make_resource) -> Scene:
    outsider = f.UserFactory(username="xb_outsider")
    other = f.OrganizationFactory(code="xb-other", kind=Organization.Kind.ENTERPRISE)
    f.verify(other)
    f.membership(outsider, other, Membership.Role.ADMIN)
    unverified = f.UserFactory(username="xb_unverified")
    pending = f.OrganizationFactory(code="xb-pending", kind=Organization.Kind.ENTERPRISE)
    f.membership(unverified, pending, Membership.Role.ADMIN)
    return Scene(
        filer=world.users["grantee"],
        enterprise=world.enterprise,
        admin=world.users["platform_admin"],
        auditor=world.users["auditor"],
        outsider=outsider,
        unverified=unverified,
        open=make_resource("open_L1", title="跨境开放条目"),
        restricted=make_resource("restricted_L2", title="跨境受限条目"),
    )


@pytest.fixture
def assess(xb):
    def make(**extra) -> CrossBorderAssessment:
        return services.assessment_create(
            actor=xb.filer, enterprise=xb.enterprise, data=f.assessment_data(**extra)
        )

    return make


@pytest.fixture
def filed(xb, assess):
    def make(**extra) -> CrossBorderFiling:
        return services.filing_create(
            actor=xb.filer,
            assessment=assess(**extra),
            transfer_plan="每月一次经加密通道传输提单信息",
            evidence=f.evidence_file(),
        )

    return make


# These tests read the English texts.
from tests.english import client, english  # noqa: E402, F401
