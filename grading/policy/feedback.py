"""Feedback on entries (corrections, data requests, rights complaints): who may give, see and
handle it."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from catalog.models import Product, Resource
from grading.models import Feedback
from grading.policy.base import LISTED, PUBLISHED, _holds
from grading.policy.principal import principal
from grading.policy.resources import viewable_q

# ---------------------------------------------------------------------------------------------
# Feedback: corrections, data requests, rights complaints
# ---------------------------------------------------------------------------------------------

PUBLIC_FEEDBACK_KINDS = (Feedback.Kind.CORRECTION, Feedback.Kind.REQUEST)
FEEDBACK_STAFF_ACTIONS = frozenset({"answer", "uphold", "dismiss", "resolve"})
# A product's provider may concede (uphold) or dismiss a complaint about its product; lifting
# the suspension of a listing (resolve) is the platform's decision.
PRODUCT_PROVIDER_ACTIONS = frozenset({"uphold", "dismiss"})
PRODUCT_PLATFORM_ACTIONS = frozenset({"uphold", "dismiss", "resolve"})


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


def can_complain_about_product(user, product) -> bool:
    """May ``user`` file a complaint about ``product``? Signed-in users, about a listed
    product (a suspended or unlisted one takes no new complaints)."""
    return can_file_complaints(user) and product is not None and product.status == LISTED


def _product_staff_q(p) -> Q:
    """Complaints about products of an organization ``p`` works for (``agency`` is then the
    product's provider)."""
    return Q(product__isnull=False, agency_id__in=p.org_ids) if p.org_ids else Q(pk__in=[])


def _public_resource_scope(user) -> Q:
    """Feedback about no resource, or about one ``user`` may see (for ``Feedback`` rows)."""
    # A correlated EXISTS looks each row's resource up by key; ``resource_id IN (SELECT ...)``
    # made SQLite list every visible resource first (seconds at a million entries).
    visible = Resource.objects.filter(viewable_q(user), pk=OuterRef("resource_id"))
    return Q(resource__isnull=True) | Q(Exists(visible))


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
    q |= _product_staff_q(p)
    if p.platform_staff:
        q = Q(pk__isnull=False)
    return q


def feedback_inbox_q(user) -> Q:
    """Feedback in ``user``'s inbox: addressed to an agency they work for (all of it for
    platform staff, who watch response times but do not answer)."""
    p = principal(user)
    if p.platform_staff:
        return Q(pk__isnull=False)
    own = Q(agency_id__in=p.agency_org_ids) if p.agency_org_ids else Q(pk__in=[])
    return own | _product_staff_q(p)


def can_view_feedback(user, feedback) -> bool:
    """May ``user`` open this feedback? (Others' complaints answer 404.)"""
    return _holds(feedback, feedback_visible_q(user))


def can_act_on_feedback(user, feedback, action: str) -> bool:
    """May ``user`` answer, uphold, dismiss or resolve ``feedback``? Staff of the agency it is
    addressed to; for a complaint about a product, see :func:`_can_act_on_product_complaint`.
    An unknown action is denied."""
    p = principal(user)
    if feedback is None or action not in FEEDBACK_STAFF_ACTIONS:
        return False
    if feedback.product_id is not None:
        return _can_act_on_product_complaint(p, feedback, action)
    return feedback.agency_id in p.agency_org_ids


def _can_act_on_product_complaint(p, feedback, action: str) -> bool:
    """Complaints about a product: its provider's staff uphold or dismiss; platform
    administrators uphold, dismiss and resolve (which reinstates the listing)."""
    if p.platform_admin and action in PRODUCT_PLATFORM_ACTIONS:
        return True
    return action in PRODUCT_PROVIDER_ACTIONS and feedback.agency_id in p.org_ids


def can_download_evidence(user, feedback) -> bool:
    """May ``user`` download a complaint's evidence? The complainant, staff of the agency it is
    addressed to, and platform staff."""
    p = principal(user)
    if feedback is None or p.user_id is None:
        return False
    own = p.org_ids if feedback.product_id is not None else p.agency_org_ids
    return p.platform_staff or feedback.submitter_id == p.user_id or feedback.agency_id in own


def can_use_feedback_inbox(user) -> bool:
    """May ``user`` open the feedback inbox? Agency staff, platform staff, and staff of an
    organization that provides data products (complaints about its products)."""
    p = principal(user)
    if p.platform_staff or p.agency_org_ids:
        return True
    return bool(p.org_ids) and Product.objects.filter(provider_id__in=p.org_ids).exists()
