"""Data products: who may see, register and review them, and which agreements cover them."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from catalog.models import Product
from grading.models import Agreement
from grading.policy.base import LISTED, _holds
from grading.policy.principal import principal

# ---------------------------------------------------------------------------------------------
# Products
# ---------------------------------------------------------------------------------------------


def product_viewable_q(user) -> Q:
    """Products ``user`` may see: listed ones for everyone; any state for the provider's staff
    and platform staff."""
    p = principal(user)
    q = Q(status=LISTED)
    if p.platform_staff:
        q |= Q(pk__isnull=False)
    if p.org_ids:
        q |= Q(provider_id__in=p.org_ids)
    return q


def viewable_products(user) -> QuerySet:
    """Queryset form of :func:`product_viewable_q`."""
    return Product.objects.filter(product_viewable_q(user))


def can_view_product(user, product) -> bool:
    """May ``user`` see this product?"""
    return _holds(product, product_viewable_q(user))


def can_register_product(user, organization) -> bool:
    """May ``user`` register and edit products for ``organization``? Its staff, while it holds
    an active authorized-operation agreement."""
    p = principal(user)
    if organization is None or organization.pk not in p.org_ids:
        return False
    return active_agreements(organization).exists()


def active_agreements(organization) -> QuerySet:
    """The organization's authorized-operation agreements in force now."""
    now = timezone.now()
    return Agreement.objects.filter(
        operator=organization,
        status=Agreement.Status.ACTIVE,
        valid_from__lte=now,
        valid_until__gt=now,
    )


def covering_agreement(organization, resources):
    """An active agreement of ``organization`` whose scope covers every one of ``resources``
    (the one with the highest fee cap), or None: operators may only cite covered resources."""
    ids = {r.pk for r in resources}
    for agreement in active_agreements(organization).order_by("-fee_cap", "pk"):
        scope = set(agreement.resources.filter(pk__in=ids).values_list("pk", flat=True))
        if scope == ids:
            return agreement
    return None


def can_review_product(user, product) -> bool:
    """May ``user`` carry out compliance and quality review? Platform administrators only."""
    return product is not None and principal(user).platform_admin
