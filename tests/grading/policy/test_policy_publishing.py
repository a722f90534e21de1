"""The rule-book's import and quality-dashboard rules, for every kind of caller."""

import pytest

from catalog.models import Organization, Resource
from grading import policy
from grading.models import Membership
from tests import factories as f

pytestmark = pytest.mark.django_db

IMPORTERS = {"agency_staff"}
DASHBOARD = {"agency_staff", "other_agency_staff", "platform_admin", "auditor"}


@pytest.mark.parametrize(
    "kind",
    [
        "anonymous",
        "citizen",
        "grantee",
        "agency_staff",
        "other_agency_staff",
        "operator",
        "platform_admin",
        "auditor",
    ],
)
def test_import_and_dashboard_rules(world, kind):
    user = world.users[kind]
    assert policy.can_import(user, world.provider) is (kind in IMPORTERS)
    assert policy.can_use_import(user) is (kind in IMPORTERS | {"other_agency_staff"})
    assert policy.can_view_agency_dashboard(user) is (kind in DASHBOARD)
    orgs = set(
        Organization.objects.filter(policy.dashboard_organizations_q(user)).values_list(
            "code", flat=True
        )
    )
    expected = {
        "agency_staff": {"provider"},
        "other_agency_staff": {"other-agency"},
        "platform_admin": {"provider", "other-agency"},
        "auditor": {"provider", "other-agency"},
    }.get(kind, set())
    assert orgs == expected


def test_reviewers_may_not_import_and_enterprises_never(world):
    reviewer = f.UserFactory()
    f.membership(reviewer, world.provider, Membership.Role.REVIEWER)
    assert not policy.can_import(reviewer, world.provider)
    assert policy.can_view_agency_dashboard(reviewer)
    editor = f.UserFactory()
    f.membership(editor, world.enterprise, Membership.Role.EDITOR)
    assert not policy.can_import(editor, world.enterprise)
    assert not policy.can_use_import(editor)


def test_dashboard_resources_follow_what_the_caller_may_see(world):
    own_restricted = f.ResourceFactory(provider=world.provider, tier="restricted")
    own_draft = f.ResourceFactory(provider=world.provider, status="draft")
    other_open = f.ResourceFactory(provider=world.other_agency)
    other_restricted = f.ResourceFactory(provider=world.other_agency, tier="restricted")

    def ids(kind):
        q = policy.dashboard_resources_q(world.users[kind])
        return set(Resource.objects.filter(q).values_list("pk", flat=True))

    assert ids("agency_staff") == {own_restricted.pk, own_draft.pk}
    assert ids("other_agency_staff") == {other_open.pk, other_restricted.pk}
    assert ids("citizen") == set() and ids("anonymous") == set()
    assert ids("auditor") == {own_restricted.pk, own_draft.pk, other_open.pk, other_restricted.pk}
