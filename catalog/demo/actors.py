"""Who does each step of the demo: demo users, found by name or by their role."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.models import Organization, Resource
from grading.models import Membership, PlatformRole


def user(username: str):
    """The demo user called ``username``."""
    return get_user_model().objects.get(username=username)


def platform_admin():
    """The demo's platform administrator (the first by user name)."""
    role = PlatformRole.objects.filter(role=PlatformRole.Role.PLATFORM_ADMIN)
    return role.select_related("user").order_by("user__username").first().user


def member_of(organization: Organization, *roles: str):
    """The first member of ``organization`` (by user name) holding one of ``roles``."""
    rows = Membership.objects.filter(organization=organization, role__in=roles)
    membership = rows.select_related("user").order_by("user__username").first()
    if membership is None:
        raise LookupError(f"the demo has no {'/'.join(roles)} of {organization.code}")
    return membership.user


def reviewer_of(organization: Organization):
    """A reviewer of ``organization``: the agency's decisions are theirs."""
    return member_of(organization, Membership.Role.REVIEWER)


def staff_of(organization: Organization):
    """A member who writes for ``organization``: an administrator or editor first."""
    try:
        return member_of(organization, Membership.Role.ADMIN, Membership.Role.EDITOR)
    except LookupError:
        return member_of(organization, Membership.Role.REVIEWER)


def organization(code: str) -> Organization:
    """The organization with ``code``."""
    return Organization.objects.get(code=code)


def resources(codes: list[str]) -> list[Resource]:
    """The resources with ``codes``, in that order."""
    by_code = Resource.objects.in_bulk(codes, field_name="code")
    return [by_code[code] for code in codes]


def day_start(day: str) -> dt.datetime:
    """Midnight at the start of ``day`` (ISO date) in the portal's time zone."""
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time.min))


def day_end(day: str) -> dt.datetime:
    """The last second of ``day`` (ISO date) in the portal's time zone."""
    return day_start(day) + dt.timedelta(days=1, seconds=-1)
