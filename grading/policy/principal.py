"""Who is asking: the roles, memberships and confirmations of a caller, read once per request."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Value

from catalog.models import Organization
from grading.models import ConfirmedEmail, Membership, PlatformRole

# ---------------------------------------------------------------------------------------------
# Who is asking
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """What the rule-book knows about a caller, read once per user object."""

    user_id: int | None
    org_ids: frozenset[int] = frozenset()
    editor_org_ids: frozenset[int] = frozenset()
    reviewer_org_ids: frozenset[int] = frozenset()
    agency_org_ids: frozenset[int] = frozenset()
    platform_admin: bool = False
    auditor: bool = False
    verified_enterprise: bool = False  # a member of an enterprise verified by the platform
    email_confirmed: bool = False  # the account's current e-mail address is confirmed

    @property
    def platform_staff(self) -> bool:
        return self.platform_admin or self.auditor


ANONYMOUS = Principal(user_id=None)
_EMAIL_CONFIRMED = "~email-confirmed"  # a marker beside the platform roles, never a role


def principal(user) -> Principal:
    """Return the caller's roles, cached on the user object for the rest of the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_grading_principal", None)
    if cached is not None:
        return cached
    rows = list(
        Membership.objects.filter(user=user).values_list(
            "organization_id", "role", "organization__kind", "organization__verified_at"
        )
    )
    # Platform roles and the e-mail confirmation in one round trip.
    confirmed = ConfirmedEmail.objects.filter(user=user, email__iexact=user.email or "-")
    roles = set(
        PlatformRole.objects.filter(user=user)
        .values_list("role", flat=True)
        .union(confirmed.annotate(role=Value(_EMAIL_CONFIRMED)).values_list("role", flat=True))
    )
    found = Principal(
        user_id=user.pk,
        org_ids=frozenset(org for org, *_rest in rows),
        agency_org_ids=frozenset(
            org for org, _role, kind, _at in rows if kind == Organization.Kind.AGENCY
        ),
        editor_org_ids=frozenset(
            o for o, r, *_rest in rows if r in (Membership.Role.EDITOR, Membership.Role.ADMIN)
        ),
        reviewer_org_ids=frozenset(
            o for o, r, *_rest in rows if r in (Membership.Role.REVIEWER, Membership.Role.ADMIN)
        ),
        platform_admin=user.is_superuser or PlatformRole.Role.PLATFORM_ADMIN in roles,
        auditor=PlatformRole.Role.AUDITOR in roles,
        verified_enterprise=any(k == Organization.Kind.ENTERPRISE and at for _o, _r, k, at in rows),
        email_confirmed=_EMAIL_CONFIRMED in roles,
    )
    user._grading_principal = found
    return found
