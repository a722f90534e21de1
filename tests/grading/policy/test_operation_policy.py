"""Who sees agreements and who supervises authorized operation."""

import datetime as dt

import pytest
from django.utils import timezone

from grading import policy
from grading.models import Agreement, Membership, PlatformRole
from tests import factories

pytestmark = pytest.mark.django_db


def _agreement(operator, *, signed=True):
    now = timezone.now()
    return Agreement.objects.create(
        operator=operator,
        purposes="分析",
        fee_cap=100,
        valid_from=now,
        valid_until=now + dt.timedelta(days=30),
        signed_at=now if signed else None,
    )


def _member(org):
    user = factories.UserFactory()
    Membership.objects.create(user=user, organization=org, role=Membership.Role.EDITOR)
    return user


def _platform(role):
    user = factories.UserFactory()
    PlatformRole.objects.create(user=user, role=role)
    return user


def test_agreements_are_seen_by_their_operator_and_platform_staff_only():
    operator = factories.OrganizationFactory(kind="enterprise")
    other = factories.OrganizationFactory(kind="enterprise")
    agreement = _agreement(operator)
    assert policy.can_view_agreement(_member(operator), agreement)
    assert not policy.can_view_agreement(_member(other), agreement)
    assert not policy.can_view_agreement(factories.UserFactory(), agreement)
    assert not policy.can_view_agreement(None, agreement)
    assert policy.can_view_agreement(_platform(PlatformRole.Role.AUDITOR), agreement)
    assert list(policy.viewable_agreements(_member(other))) == []


def test_supervision_is_for_the_regulator():
    assert policy.can_supervise(_platform(PlatformRole.Role.PLATFORM_ADMIN))
    assert policy.can_supervise(_platform(PlatformRole.Role.AUDITOR))
    assert not policy.can_supervise(_member(factories.OrganizationFactory(kind="agency")))
    assert not policy.can_supervise(None)


def test_only_platform_admins_evaluate_and_only_signed_agreements():
    operator = factories.OrganizationFactory(kind="enterprise")
    admin = _platform(PlatformRole.Role.PLATFORM_ADMIN)
    assert policy.can_evaluate_agreement(admin, _agreement(operator))
    assert not policy.can_evaluate_agreement(admin, _agreement(operator, signed=False))
    assert not policy.can_evaluate_agreement(
        _platform(PlatformRole.Role.AUDITOR), _agreement(operator)
    )
