"""Feedback on entries (corrections, data requests, rights complaints): who may give, see and
handle it."""

from __future__ import annotations

from django.db.models import Q

from catalog.models import Resource
from grading.models import Feedback
from grading.policy.base import PUBLISHED, _holds
from grading.policy.principal import principal
from grading.policy.resources import viewable_q

# ---------------------------------------------------------------------------------------------
# Feedback: corrections, data requests, rights complaints
# ---------------------------------------------------------------------------------------------

PUBLIC_FEEDBACK_KINDS = (Feedback.Kind.CORRECTION, Feedback.Kind.REQUEST)
FEEDBACK_STAFF_ACTIONS = frozenset({"answer", "uphold", "dismiss", "resolve"})


def feedback_target_q(user) -> Q:
    """Resources ``user`` may give feedback on (report an error, request data, complain
    about): published entries whose metadata the caller may see."""
    return viewable_q(user) & Q(status=PUBLISHED)


def can_give_feedback(user, resource) -> bool:
    """May ``user`` report an error or request data about ``resource``? Anyone who may see
    it, anonymous visitors included (invisible resources answer 404)."""
    return _holds(resource, feedback_target_q(user))


def can_file_complaints(user) -> bool:
    """May ``user`` file rights complaints at all? Signed-in users (a complaint has an author
    the agency can answer and hold to their evidence)."""
    return principal(user).user_id is not None


def can_complain(user, resource) -> bool:
    """May ``user`` file a rights complaint about ``resource``? Signed-in users who may see it."""
    return can_file_complaints(user) and can_give_feedback(user, resource)


def _public_resource_scope(user) -> Q:
    """Feedback about no resource, or about one ``user`` may see (for ``Feedback`` rows)."""
    return Q(resource__isnull=True) | Q(resource_id__in=Resource.objects.filter(viewable_q(user)))


def feedback_public_q(user=None) -> Q:
    """Feedback shown to everyone: answered corrections and data requests about no resource
    or a resource the caller may see. Complaints are never public; neither is who submitted."""
    return Q(
        kind__in=PUBLIC_FEEDBACK_KINDS, status=Feedback.Status.ANSWERED
    ) & _public_resource_scope(user)


def feedback_statistics_q() -> Q:
    """Feedback counted in an agency's public response figures: every kind, about no resource
    or a resource everyone may see (restricted entries are not revealed, even as counts)."""
    return _public_resource_scope(None)


def feedback_visible_q(user) -> Q:
    """Feedback ``user`` may open: public answers; their own submissions; everything addressed
    to an agency they work for; all of it for platform staff."""
    p = principal(user)
    q = feedback_public_q(user)
    if p.user_id is not None:
        q |= Q(submitter_id=p.user_id)
    if p.agency_org_ids:
        q |= Q(agency_id__in=p.agency_org_ids)
    if p.platform_staff:
        q = Q(pk__isnull=False)
    return q


def feedback_inbox_q(user) -> Q:
    """Feedback in ``user``'s inbox: addressed to an agency they work for (all of it for
    platform staff, who watch response times but do not answer)."""
    p = principal(user)
    if p.platform_staff:
        return Q(pk__isnull=False)
    return Q(agency_id__in=p.agency_org_ids) if p.agency_org_ids else Q(pk__in=[])


def can_view_feedback(user, feedback) -> bool:
    """May ``user`` open this feedback? (Others' complaints answer 404.)"""
    return _holds(feedback, feedback_visible_q(user))


def can_act_on_feedback(user, feedback, action: str) -> bool:
    """May ``user`` answer, uphold, dismiss or resolve ``feedback``? Staff of the agency it is
    addressed to. An unknown action is denied."""
    p = principal(user)
    if feedback is None or action not in FEEDBACK_STAFF_ACTIONS:
        return False
    return feedback.agency_id in p.agency_org_ids


def can_download_evidence(user, feedback) -> bool:
    """May ``user`` download a complaint's evidence? The complainant, staff of the agency it is
    addressed to, and platform staff."""
    p = principal(user)
    if feedback is None or p.user_id is None:
        return False
    return (
        p.platform_staff
        or feedback.submitter_id == p.user_id
        or feedback.agency_id in p.agency_org_ids
    )


def can_use_feedback_inbox(user) -> bool:
    """May ``user`` open the feedback inbox? Agency staff and platform staff."""
    p = principal(user)
    return p.platform_staff or bool(p.agency_org_ids)
