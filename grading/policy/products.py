"""Data products: who may see, register and review them, and which agreements cover them."""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from catalog.models import Organization, Product
from grading.grades import Tier
from grading.models import Agreement, Grant, Membership
from grading.policy.base import LISTED, _holds
from grading.policy.merchants import TRADING_STATES, is_trading_merchant
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
    """May ``user`` register, edit, submit and price products for ``organization``? Its staff,
    while the organization holds an active authorized-operation agreement or is a verified
    data merchant (数商; not suspended or revoked). Which sources it may cite is
    :func:`uncovered_sources`' question."""
    p = principal(user)
    if organization is None or organization.pk not in p.org_ids:
        return False
    return may_offer_products(organization)


def may_offer_products(organization) -> bool:
    """May ``organization`` offer products on the market at all? While it holds an active
    authorized-operation agreement or is a verified data merchant (asked again at listing)."""
    if organization is None:
        return False
    return active_agreements(organization).exists() or is_trading_merchant(organization)


def active_agreements(organization) -> QuerySet:
    """The organization's authorized-operation agreements in force now."""
    return _in_force().filter(operator=organization)


def _in_force() -> QuerySet:
    """Every authorized-operation agreement in force now."""
    now = timezone.now()
    return Agreement.objects.filter(
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


def _granted_ids(organization, ids) -> set[int]:
    """Of ``ids``, the resources a live grant held by ``organization``'s staff covers (active,
    within its term; quota is not consulted: citing a source is not a download)."""
    now = timezone.now()
    staff = Membership.objects.filter(organization=organization).values("user_id")
    grants = Grant.objects.filter(
        grantee_id__in=staff, status="active", valid_from__lte=now, valid_until__gt=now
    )
    rows = Grant.resources.through.objects.filter(grant__in=grants, resource_id__in=ids)
    return set(rows.values_list("resource_id", flat=True))


def _agreed_ids(organization, ids) -> set[int]:
    """Of ``ids``, the resources an active agreement of ``organization`` covers."""
    rows = Agreement.resources.through.objects.filter(
        agreement__in=active_agreements(organization), resource_id__in=ids
    )
    return set(rows.values_list("resource_id", flat=True))


def uncovered_sources(organization, resources) -> list:
    """The rule on a product's sources (来源合规), checked at submission and at listing: which of
    ``resources`` ``organization`` may *not* cite.

    - open entries may be cited by any provider allowed to register products;
    - a conditional entry needs an active authorized-operation agreement of the provider that
      covers it, or a live grant (active, within its term) held by a member of its staff;
    - a restricted entry needs an active agreement covering it (grants never reach it);
    - any other tier is refused (deny by default)."""
    ids = {r.pk for r in resources if r.tier != Tier.OPEN}
    agreed = _agreed_ids(organization, ids) if ids else set()
    granted = _granted_ids(organization, ids - agreed) if ids - agreed else set()
    refused = []
    for resource in resources:
        if resource.tier == Tier.OPEN:
            continue
        if resource.pk in agreed:
            continue
        if resource.tier == Tier.CONDITIONAL and resource.pk in granted:
            continue
        refused.append(resource)
    return refused


def fee_cap_agreement(organization, resources):
    """The agreement whose fee cap binds a product of ``organization`` citing ``resources``:
    of its active agreements covering at least one cited source, the one with the lowest cap
    (the strictest wins); None when no agreement covers any source (no cap applies)."""
    ids = {r.pk for r in resources}
    if not ids:
        return None
    covering = active_agreements(organization).filter(resources__in=ids).distinct()
    return covering.order_by("fee_cap", "pk").first()


def fee_cap_annotations() -> dict:
    """For a ``Product`` queryset, the same rule as :func:`fee_cap_agreement` as annotations
    (one subquery each, no rows duplicated): ``cap_agreement_id`` and ``fee_cap`` (null when
    no active agreement of the provider covers any of its sources)."""
    now = timezone.now()
    sources = Product.source_resources.through.objects.filter(
        product_id=OuterRef(OuterRef("pk"))
    ).values("resource_id")
    binding = Agreement.objects.filter(
        operator_id=OuterRef("provider_id"),
        status=Agreement.Status.ACTIVE,
        valid_from__lte=now,
        valid_until__gt=now,
        resources__in=sources,
    ).order_by("fee_cap", "pk")
    return {
        "cap_agreement_id": Subquery(binding.values("pk")[:1]),
        "fee_cap": Subquery(binding.values("fee_cap")[:1]),
    }


def can_change_price(user, product) -> bool:
    """May ``user`` change the price of ``product``? Whoever may register products for its
    provider (a suspended merchant may not)."""
    return product is not None and can_register_product(user, product.provider)


def can_review_product(user, product) -> bool:
    """May ``user`` carry out compliance and quality review? Platform administrators only."""
    return product is not None and principal(user).platform_admin


def product_organizations(user) -> QuerySet:
    """The organizations ``user`` may register products for (:func:`can_register_product` as
    a queryset): theirs, under an active agreement or as a verified data merchant."""
    p = principal(user)
    if not p.org_ids:
        return Organization.objects.none()
    agreed = _in_force().values("operator_id")
    trading = Q(merchant__status__in=TRADING_STATES)
    rows = Organization.objects.filter(Q(pk__in=agreed) | trading, pk__in=p.org_ids)
    return rows.order_by("code")


def can_review_products(user) -> bool:
    """May ``user`` open the platform's product review queue? Platform administrators."""
    return principal(user).platform_admin
