"""Authorized operation: who sees agreements and the supervision of the whole scheme.

The application flow's own rules (who applies, who decides each part) sit beside these; the
access an agreement gives to data is decided with the rest of data access in ``resources``.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from catalog.models import Organization, Resource
from grading.grades import Tier
from grading.models import Agreement, OperationApplication, OperationScopePart
from grading.policy.accounts import verified_enterprise_q
from grading.policy.base import PUBLISHED, _within_ceiling
from grading.policy.principal import principal
from grading.policy.resources import can_view


def agreement_viewable_q(user) -> Q:
    """Agreements ``user`` may see: the operator's staff see their own; platform staff see all."""
    p = principal(user)
    if p.platform_staff:
        return Q(pk__isnull=False)
    if p.org_ids:
        return Q(operator_id__in=p.org_ids)
    return Q(pk__in=[])


def viewable_agreements(user) -> QuerySet:
    """Queryset form of :func:`agreement_viewable_q`."""
    return Agreement.objects.filter(agreement_viewable_q(user))


def can_view_agreement(user, agreement) -> bool:
    """May ``user`` see this agreement, its scope, usage, products and evaluations?"""
    return agreement is not None and viewable_agreements(user).filter(pk=agreement.pk).exists()


def can_supervise(user) -> bool:
    """May ``user`` open the supervision view (监管) of authorized operation and the market?
    The regulator: platform administrators and auditors (read-only)."""
    return principal(user).platform_staff


def can_evaluate_agreement(user, agreement) -> bool:
    """May ``user`` write the yearly efficiency evaluation (效能评估) of an agreement? Platform
    administrators, once the agreement has been signed."""
    return (
        agreement is not None and principal(user).platform_admin and agreement.signed_at is not None
    )


# ---------------------------------------------------------------------------------------------
# Applications for authorized operation (授权运营申请)
# ---------------------------------------------------------------------------------------------

OPERATION_APPLICANT_ACTIONS = frozenset({"submit", "withdraw", "respond"})
OPERATION_PLATFORM_ACTIONS = frozenset({"check", "return", "issue"})
OPERATION_PART_ACTIONS = frozenset({"approve", "reject", "request_info"})
AGREEMENT_OPERATOR_ACTIONS = frozenset({"sign", "renew"})
AGREEMENT_PLATFORM_ACTIONS = frozenset({"suspend", "resume", "revoke", "expire"})


def operation_applicant_orgs(user) -> QuerySet:
    """The organizations ``user`` may apply for authorized operation on behalf of: verified
    enterprises the user is a member of."""
    p = principal(user)
    if not p.verified_enterprise:
        return Organization.objects.none()
    return Organization.objects.filter(verified_enterprise_q(), pk__in=p.org_ids)


def can_apply_for_operation(user) -> bool:
    """May ``user`` apply for authorized operation? Staff of an enterprise verified by the
    platform."""
    return principal(user).verified_enterprise and operation_applicant_orgs(user).exists()


def operation_scope_q(user) -> Q:
    """Entries ``user`` may name in an operation scope (for ``Resource`` rows): published
    conditional and restricted entries, for those who may apply; nothing for anyone else."""
    if not can_apply_for_operation(user):
        return Q(pk__in=[])
    tiers = [Tier.CONDITIONAL, Tier.RESTRICTED]
    return Q(status=PUBLISHED) & _within_ceiling(tiers)


def operation_scope(user) -> QuerySet:
    """Queryset form of :func:`operation_scope_q`."""
    return Resource.objects.filter(operation_scope_q(user))


def scope_entry_details_visible(user, resource) -> bool:
    """May the scope picker and an application show more of ``resource`` than its title (its
    page, abstract, provider's dictionary)? Only when ``user`` may see the entry itself; a
    restricted entry outside the caller's agreements is named by its title alone."""
    return can_view(user, resource)


def operation_application_visible_q(user) -> Q:
    """Operation applications ``user`` may see: all of its organization's (drafts included);
    submitted ones for platform staff; those with a part of an agency the user works for."""
    p = principal(user)
    if p.user_id is None:
        return Q(pk__in=[])
    q = Q(applicant_id__in=p.org_ids)
    if p.platform_staff:
        q |= ~Q(status=OperationApplication.Status.DRAFT)
    if p.agency_org_ids:
        parts = OperationScopePart.objects.filter(agency_id__in=p.agency_org_ids)
        q |= Q(pk__in=parts.values("application_id"))
    return q


def operation_part_visible_q(user) -> Q:
    """Agency parts ``user`` may see (for ``OperationScopePart`` rows): every part for the
    applicant's staff and platform staff; an agency's staff see their own agency's part only."""
    p = principal(user)
    if p.user_id is None:
        return Q(pk__in=[])
    if p.platform_staff:
        return Q(pk__isnull=False)
    q = Q(application__applicant_id__in=p.org_ids)
    if p.agency_org_ids:
        q |= Q(agency_id__in=p.agency_org_ids)
    return q


def can_view_operation_application(user, application) -> bool:
    """May ``user`` see this operation application?"""
    return (
        application is not None
        and OperationApplication.objects.filter(
            operation_application_visible_q(user), pk=application.pk
        ).exists()
    )


def can_act_on_operation_application(user, application, action: str) -> bool:
    """May ``user`` carry out ``action`` on ``application``? The applicant's staff submit,
    withdraw and answer questions; platform administrators check, return and issue the
    agreement. An unknown action is denied."""
    p = principal(user)
    if p.user_id is None or application is None:
        return False
    if action in OPERATION_APPLICANT_ACTIONS:
        return application.applicant_id in p.org_ids
    if action in OPERATION_PLATFORM_ACTIONS:
        return p.platform_admin
    return False


def can_decide_operation_part(user, part, action: str) -> bool:
    """May ``user`` approve, reject or question this agency part? Reviewers of the part's
    agency only: another agency's reviewers and the platform never decide it."""
    p = principal(user)
    if p.user_id is None or part is None or action not in OPERATION_PART_ACTIONS:
        return False
    return part.agency_id in p.reviewer_org_ids


def can_act_on_agreement(user, agreement, action: str) -> bool:
    """May ``user`` carry out ``action`` on ``agreement``? The operator's staff sign it and
    request its renewal; platform administrators suspend, resume, revoke and expire it."""
    p = principal(user)
    if p.user_id is None or agreement is None:
        return False
    if action in AGREEMENT_OPERATOR_ACTIONS:
        return agreement.operator_id in p.org_ids
    if action in AGREEMENT_PLATFORM_ACTIONS:
        return p.platform_admin
    return False


def can_use_operation_pages(user) -> bool:
    """Does ``user`` have anything to do on the authorized-operation pages (the navigation
    entry)? Those who may apply, agency reviewers, and platform staff."""
    p = principal(user)
    return (
        p.platform_staff
        or bool(p.reviewer_org_ids & p.agency_org_ids)
        or (can_apply_for_operation(user))
    )
