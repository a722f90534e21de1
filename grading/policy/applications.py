"""Applications for access, grants and agreements: who sees and acts on them, and on what basis
a caller downloads or queries an entry."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from grading.models import Application, Grant
from grading.policy.base import _holds
from grading.policy.principal import principal
from grading.policy.resources import (
    _in_scope_ids,
    _live_grant_q,
    _open_q,
    _own_agency,
    can_download,
    can_query,
)

# ---------------------------------------------------------------------------------------------
# Applications and grants
# ---------------------------------------------------------------------------------------------

APPLICANT_ACTIONS = frozenset({"submit", "withdraw", "respond", "accept"})
PLATFORM_ACTIONS = frozenset({"check", "return"})
AGENCY_ACTIONS = frozenset({"approve", "reject", "request_info"})


def application_visible_q(user) -> Q:
    """Applications ``user`` may see: their own; those addressed to an agency they review for,
    once submitted; all of them for platform staff."""
    p = principal(user)
    if p.user_id is None:
        return Q(pk__in=[])
    q = Q(applicant_id=p.user_id)
    if p.reviewer_org_ids:
        q |= Q(provider_id__in=p.reviewer_org_ids) & ~Q(status=Application.Status.DRAFT)
    if p.platform_staff:
        q |= ~Q(status=Application.Status.DRAFT)
    return q


def can_act_on_application(user, application, action: str) -> bool:
    """May ``user`` carry out ``action`` on ``application``? The applicant submits, withdraws,
    answers questions and accepts; platform administrators do the formal check; reviewers of
    the providing agency decide. An unknown action is denied."""
    p = principal(user)
    if p.user_id is None or application is None:
        return False
    if action in APPLICANT_ACTIONS:
        return application.applicant_id == p.user_id
    if action in PLATFORM_ACTIONS:
        return p.platform_admin
    if action in AGENCY_ACTIONS:
        return application.provider_id in p.reviewer_org_ids
    return False


def can_review_applications(user) -> bool:
    """Does ``user`` decide on applications at all (the platform's formal check or an agency's
    review)? Only they are shown the review queue."""
    p = principal(user)
    return p.platform_admin or bool(p.reviewer_org_ids)


# Words in a resource's conditions of access that reserve it to legal entities (法人).
LEGAL_ENTITY_WORDS = ("法人", "legal entit", "legal person")


def requires_legal_entity(resource) -> bool:
    """Do the conditions of access of ``resource`` say only legal entities may apply?"""
    conditions = (resource.open_conditions or "").lower()
    return any(word in conditions for word in LEGAL_ENTITY_WORDS)


def legal_entity_mismatch(user, resources) -> list:
    """The entries among ``resources`` whose conditions require a legal entity while ``user``
    would apply as an individual (not a member of a verified enterprise): the application form
    warns about them before it is submitted."""
    if principal(user).verified_enterprise:
        return []
    return [r for r in resources if requires_legal_entity(r)]


def grant_visible_q(user) -> Q:
    """Grants ``user`` may see: their own; those over resources of an agency they review for;
    all of them for platform staff."""
    p = principal(user)
    if p.user_id is None:
        return Q(pk__in=[])
    if p.platform_staff:
        return Q(pk__isnull=False)
    q = Q(grantee_id=p.user_id)
    if p.reviewer_org_ids:
        q |= Q(application__provider_id__in=p.reviewer_org_ids)
    return q


def can_revoke_grant(user, grant) -> bool:
    """May ``user`` revoke ``grant``? Reviewers of the agency that granted it, and platform
    administrators."""
    p = principal(user)
    if p.user_id is None or grant is None:
        return False
    application = getattr(grant, "application", None)
    return p.platform_admin or (
        application is not None and application.provider_id in p.reviewer_org_ids
    )


def access_basis(user, resource, action: str) -> str | None:
    """On what ``user`` may ``action`` ("download" or "query") ``resource``: "open", "own"
    (staff of the providing agency), "agreement" (authorized operation, query only), "grant",
    or None when not permitted. The download and row views audit every basis but "open" and
    charge a grant's quota when the basis is "grant"."""
    p = principal(user)
    if resource is None:
        return None
    # Rows read through ``annotate_permissions`` carry the answers already, computed in SQL
    # by the same rules; others are asked here.
    permitted = getattr(resource, f"may_{action}", None)
    if permitted is None:
        permitted = (can_download if action == "download" else can_query)(user, resource)
    if not permitted:
        return None
    is_open = getattr(resource, "open_access", None)
    if is_open if is_open is not None else _holds(resource, _open_q()):
        return "open"
    if p.org_ids and _holds(resource, _own_agency(p)):
        return "own"
    if action == "query" and p.org_ids and _holds(resource, Q(pk__in=_in_scope_ids(p))):
        return "agreement"
    return "grant"


def can_view_audit(user) -> bool:
    """May ``user`` browse the audit chain? Auditors and platform administrators."""
    return principal(user).platform_staff


def can_manage_agreements(user) -> bool:
    """May ``user`` create and change authorized-operation agreements? Platform administrators."""
    return principal(user).platform_admin


def live_grants(user, resource, action: str) -> QuerySet:
    """The caller's grants that cover ``resource`` for ``action`` now, with quota left."""
    flag = "allow_download" if action == "download" else "allow_query"
    return Grant.objects.filter(_live_grant_q(principal(user), flag), resources=resource)


def grants_held(user, resource) -> QuerySet:
    """The caller's live grants covering ``resource`` for download or query (active, within
    their term, quota left), soonest to end first: what the entry page tells a grantee instead
    of inviting an application. Empty for anonymous callers."""
    p = principal(user)
    if p.user_id is None or resource is None:
        return Grant.objects.none()
    live = _live_grant_q(p, "allow_download") | _live_grant_q(p, "allow_query")
    return Grant.objects.filter(live, resources=resource).order_by("valid_until", "pk")
