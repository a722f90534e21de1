"""Accounts, enterprises, API keys and the staff surfaces."""

from __future__ import annotations

from django.db.models import Q

from catalog.models import Organization
from grading.models import ConfirmedEmail
from grading.policy.principal import principal

# ---------------------------------------------------------------------------------------------
# Staff surfaces
# ---------------------------------------------------------------------------------------------


def can_use_admin(user) -> bool:
    """May ``user`` open the platform administration? Platform administrators and auditors."""
    return bool(getattr(user, "is_staff", False)) and principal(user).platform_staff


def can_see_grades(user) -> bool:
    """May ``user`` see security grades (of entries, of dictionary fields, in rows, exports,
    histories and messages) and filter and facet by them? Staff of agencies and of the
    platform. Everyone else learns what they may do, never the grade behind it."""
    p = principal(user)
    return p.platform_staff or bool(p.agency_org_ids)


# ---------------------------------------------------------------------------------------------
# Accounts and API keys
# ---------------------------------------------------------------------------------------------


def email_confirmed(user) -> bool:
    """Has ``user`` confirmed the e-mail address currently on their account?"""
    p = principal(user)
    if p.user_id is None or not user.email:
        return False
    return ConfirmedEmail.objects.filter(user_id=p.user_id, email__iexact=user.email).exists()


def verified_enterprise_q() -> Q:
    """Organizations that are enterprises checked by platform staff (for ``Organization`` rows)."""
    return Q(kind=Organization.Kind.ENTERPRISE, verified_at__isnull=False)


def applicant_verified(user) -> bool:
    """Is ``user`` a verified applicant, who may apply for conditional data?

    Either an individual whose account e-mail address is confirmed, or a member (any role) of
    an enterprise that platform staff have verified. Anonymous and inactive users are not.
    """
    p = principal(user)
    return p.user_id is not None and (p.verified_enterprise or p.email_confirmed)


def can_verify_enterprise(user) -> bool:
    """May ``user`` verify, reject or un-verify registered enterprises? Platform administrators
    only (auditors look, they do not decide)."""
    return principal(user).platform_admin


def organization_listed_q(user) -> Q:
    """Organizations ``user`` may see: agencies and verified enterprises for everyone; also the
    caller's own organizations (a registration waiting for its check), and every organization
    for platform staff. A self-registered enterprise is public only once staff verified it."""
    p = principal(user)
    q = Q(kind=Organization.Kind.AGENCY) | verified_enterprise_q()
    if p.platform_staff:
        q |= Q(pk__isnull=False)
    if p.org_ids:
        q |= Q(pk__in=p.org_ids)
    return q


def can_create_api_key(user, *, using_key: bool = False) -> bool:
    """May ``user`` create an API key? Any signed-in, active user, but not while calling with a
    key: a leaked key must not be able to mint further keys that outlive its revocation."""
    return principal(user).user_id is not None and not using_key


def api_keys_q(user) -> Q:
    """API keys ``user`` may see and revoke: their own, nobody else's (for ``APIKey`` rows)."""
    p = principal(user)
    return Q(user_id=p.user_id) if p.user_id is not None else Q(pk__in=[])


def can_see_all_jobs(user) -> bool:
    """May ``user`` see every background job (not only their own)? Platform staff
    (administrators and auditors)."""
    return principal(user).platform_staff


def can_start_jobs(user) -> bool:
    """May ``user`` start upkeep jobs (reindexing, quality refresh)? Platform administrators."""
    return principal(user).platform_admin
