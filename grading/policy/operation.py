"""Authorized operation: who sees agreements and the supervision of the whole scheme.

The application flow's own rules (who applies, who decides each part) sit beside these; the
access an agreement gives to data is decided with the rest of data access in ``resources``.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from grading.models import Agreement
from grading.policy.principal import principal


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
