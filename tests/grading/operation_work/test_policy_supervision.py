"""The rules of the operator's workspace, usage accounting and supervision
(``grading.policy.supervision``), re-exported from ``grading.policy``."""

import pytest

from grading import policy
from grading.models import Agreement
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_usage_agreement__the_active_agreement_covering_the_entry(world):
    resource = f.ResourceFactory(provider=world.provider, tier="restricted", grade="L2")
    f.agreement(world.operator_org, [resource], status=Agreement.Status.SUSPENDED)
    f.agreement(world.operator_org, [])  # covers nothing
    longer = f.agreement(world.operator_org, [resource], days=300)
    shorter = f.agreement(world.operator_org, [resource], days=100)
    assert policy.usage_agreement(world.users["operator"], resource) == shorter
    shorter.status = Agreement.Status.REVOKED
    shorter.save()
    assert policy.usage_agreement(world.users["operator"], resource) == longer


@pytest.mark.parametrize("kind", ["anonymous", "citizen", "grantee", "platform_admin"])
def test_usage_agreement__none_for_those_without_one(world, kind):
    resource = f.ResourceFactory(provider=world.provider, tier="restricted", grade="L2")
    f.agreement(world.operator_org, [resource])
    assert policy.usage_agreement(world.users[kind], resource) is None


def test_usage_agreement__ended_term_counts_nothing(world):
    resource = f.ResourceFactory(provider=world.provider, tier="restricted", grade="L2")
    f.agreement(world.operator_org, [resource], days=-1)
    assert policy.usage_agreement(world.users["operator"], resource) is None


def test_operated_agreements__only_the_operators_own(world):
    own = f.agreement(world.operator_org, [])
    f.agreement(world.enterprise, [])
    listed = Agreement.objects.filter(policy.operated_agreements_q(world.users["operator"]))
    assert list(listed) == [own]
    admin = Agreement.objects.filter(policy.operated_agreements_q(world.users["platform_admin"]))
    assert not admin.exists()  # the regulator reads them in supervision


@pytest.mark.parametrize(
    "kind, home, usage, audit",
    [
        ("anonymous", False, False, False),
        ("citizen", True, False, False),
        ("operator", True, True, False),
        ("grantee", True, False, False),
        ("platform_admin", True, True, True),
        ("auditor", True, True, True),
    ],
)
def test_who_sees_what(world, kind, home, usage, audit):
    agreement = f.agreement(world.operator_org, [])
    user = world.users[kind]
    assert policy.can_use_operation_home(user) is home
    assert policy.can_view_usage(user, agreement) is usage
    assert policy.can_filter_audit(user) is audit
    assert policy.can_export_supervision(user) is audit
