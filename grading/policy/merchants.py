"""Data merchants (数商): who may register one, who verifies it, who sees it and its evidence,
and whether a merchant may trade (submit, list and price products)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from catalog.models import Organization
from grading.models import DataMerchant
from grading.policy.base import _holds
from grading.policy.principal import principal

M = DataMerchant.Status
# The states in which a merchant may submit, list and price products: verified only
# (suspended and revoked merchants may not; returned and applied ones are not yet checked).
TRADING_STATES = (M.VERIFIED,)


def merchant_public_q() -> Q:
    """Merchants in the public directory: verified ones (suspended, revoked, pending and
    returned registrations are not listed)."""
    return Q(status__in=TRADING_STATES)


def merchant_visible_q(user) -> Q:
    """Merchant registrations ``user`` may open: verified ones for everyone; their own
    enterprise's in any state for its staff; all of them for platform staff."""
    p = principal(user)
    if p.platform_staff:
        return Q(pk__isnull=False)
    q = merchant_public_q()
    if p.org_ids:
        q |= Q(organization_id__in=p.org_ids)
    return q


def can_view_merchant(user, merchant) -> bool:
    """May ``user`` open this merchant's page or registration? (Others: 404.)"""
    return _holds(merchant, merchant_visible_q(user))


def can_register_merchant(user, organization) -> bool:
    """May ``user`` register ``organization`` as a data merchant? Its staff, when it is an
    enterprise the platform has verified (an agency is never a merchant)."""
    p = principal(user)
    return (
        organization is not None
        and organization.pk in p.org_ids
        and organization.kind == Organization.Kind.ENTERPRISE
        and organization.verified_at is not None
    )


def merchant_organizations(user) -> QuerySet:
    """The enterprises ``user`` may register as merchants (see :func:`can_register_merchant`)."""
    p = principal(user)
    return Organization.objects.filter(
        pk__in=p.org_ids, kind=Organization.Kind.ENTERPRISE, verified_at__isnull=False
    )


def can_verify_merchant(user) -> bool:
    """May ``user`` verify, return, suspend, reinstate and revoke merchant registrations?
    Platform administrators."""
    return principal(user).platform_admin


def can_see_merchant_queue(user) -> bool:
    """May ``user`` open the platform's queue of merchant registrations? Platform staff
    (auditors read it)."""
    return principal(user).platform_staff


def can_download_merchant_evidence(user, merchant) -> bool:
    """May ``user`` download a registration's evidence? The merchant's own staff and platform
    staff; everyone else is answered 404."""
    p = principal(user)
    if merchant is None or p.user_id is None:
        return False
    return p.platform_staff or merchant.organization_id in p.org_ids


def is_trading_merchant(organization) -> bool:
    """Is ``organization`` a verified data merchant now (not suspended or revoked)?"""
    if organization is None or organization.pk is None:
        return False
    return DataMerchant.objects.filter(
        organization_id=organization.pk, status__in=TRADING_STATES
    ).exists()
