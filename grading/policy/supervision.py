"""The operator's workspace, the usage counted under agreements, and the regulator's
supervision of authorized operation (DESIGN §3): who sees which figures, and on which agreement
an in-scope query is counted.

The agreement rules themselves (who sees an agreement, who supervises, who evaluates) are in
``operation``; these build on them so the workspace, the usage page and the supervision view
cannot disagree with the agreement page.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from grading.models import Agreement
from grading.policy.applications import can_view_audit
from grading.policy.operation import can_supervise, can_view_agreement
from grading.policy.principal import principal


def operated_agreements_q(user) -> Q:
    """Agreements ``user`` holds as an operator (staff of the operating organization): what the
    operator's workspace lists. Regulators see every agreement in supervision instead."""
    p = principal(user)
    if p.org_ids:
        return Q(operator_id__in=p.org_ids)
    return Q(pk__in=[])


def operated_products_q(user) -> Q:
    """Products ``user``'s organizations provide, in any state: the workspace's product list."""
    p = principal(user)
    if p.org_ids:
        return Q(provider_id__in=p.org_ids)
    return Q(pk__in=[])


def can_use_operation_home(user) -> bool:
    """May ``user`` open the operator's workspace? Anyone signed in: staff of an operator see
    their agreements, everyone else an explanation of how to apply for authorized operation."""
    return principal(user).user_id is not None


def can_view_usage(user, agreement) -> bool:
    """May ``user`` see an agreement's usage, products and evaluations? Whoever may see the
    agreement: the operator's staff and platform staff."""
    return can_view_agreement(user, agreement)


def can_filter_audit(user) -> bool:
    """May ``user`` narrow the audit log to one object or action? Whoever may read the log."""
    return can_view_audit(user)


def can_export_supervision(user) -> bool:
    """May ``user`` download the supervision tables as CSV? The regulator (``can_supervise``)."""
    return can_supervise(user)


def usage_agreement(user, resource):
    """The agreement an in-scope query of ``resource`` by ``user`` is counted against: an
    active agreement of one of the caller's organizations, inside its term, covering the
    entry (the one ending first), or None."""
    p = principal(user)
    if resource is None or not p.org_ids:
        return None
    now = timezone.now()
    return (
        Agreement.objects.filter(
            operator_id__in=p.org_ids,
            status=Agreement.Status.ACTIVE,
            valid_from__lte=now,
            valid_until__gt=now,
            resources=resource,
        )
        .order_by("valid_until", "pk")
        .first()
    )
