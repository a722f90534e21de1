"""Reads of data merchants: the public directory, one merchant with its products, the
platform's queue, the caller's own registrations, and listed prices against fee caps."""

from __future__ import annotations

from django.db.models import BooleanField, Case, F, Prefetch, Q, QuerySet, Value, When
from django.http import Http404

from catalog import selectors as catalog_selectors
from catalog.models import Product
from grading import policy
from grading.models import DataMerchant, MerchantCategoryChoice

S = DataMerchant.Status


def _merchants() -> QuerySet:
    return DataMerchant.objects.select_related("organization").prefetch_related(
        Prefetch("categories", queryset=MerchantCategoryChoice.objects.order_by("category"))
    )


def directory(*, category: str = "", region: str = "", q: str = "") -> QuerySet:
    """Verified merchants (the policy's public directory), narrowed by category, region and a
    name search, in the order of their organizations' codes."""
    rows = _merchants().filter(policy.merchant_public_q())
    if category:
        rows = rows.filter(
            pk__in=MerchantCategoryChoice.objects.filter(category=category).values("merchant_id")
        )
    if region:
        rows = rows.filter(organization__region=region)
    if q:
        rows = rows.filter(
            Q(organization__name__icontains=q) | Q(organization__name_en__icontains=q)
        )
    return rows.order_by("organization__code", "id")


def regions() -> list[str]:
    """The regions of the merchants in the directory, for its filter."""
    rows = DataMerchant.objects.filter(policy.merchant_public_q()).exclude(organization__region="")
    values = rows.values_list("organization__region", flat=True).distinct()
    return sorted(values.order_by())


def merchant_queryset(*, user) -> QuerySet:
    """The registrations ``user`` may open (see ``policy.merchant_visible_q``)."""
    return _merchants().filter(policy.merchant_visible_q(user))


def merchant_detail(*, user, code: str) -> DataMerchant:
    """The merchant of the organization ``code`` if ``user`` may open it, else 404."""
    found = _merchants().filter(policy.merchant_visible_q(user), organization__code=code).first()
    if found is None:
        raise Http404
    return found


def merchant_products(*, user, merchant: DataMerchant) -> QuerySet:
    """The merchant's listed products (those ``user`` may see), newest listing first."""
    rows = catalog_selectors.product_queryset(user=user)
    return rows.filter(provider_id=merchant.organization_id, status=Product.Status.LISTED)


def own_registrations(*, user) -> list[DataMerchant]:
    """The registrations of the enterprises ``user`` works for (any state)."""
    p = policy.principal(user)
    return list(_merchants().filter(organization_id__in=p.org_ids).order_by("id"))


def own_products(*, user, merchant: DataMerchant) -> QuerySet:
    """Every product of the merchant's enterprise, in any state, for its staff."""
    rows = catalog_selectors.product_queryset(user=user)
    return rows.filter(provider_id=merchant.organization_id).order_by("-id")


def queue(*, status: str = "") -> QuerySet:
    """Registrations for the platform: waiting ones first (oldest first), then the rest."""
    rows = _merchants().select_related("verified_by")
    if status:
        rows = rows.filter(status=status)
    waiting = Case(When(status=S.APPLIED, then=Value(0)), default=Value(1))
    return rows.annotate(waiting=waiting).order_by("waiting", "id")


def products_to_review() -> QuerySet:
    """Products waiting for the platform's compliance review, oldest first."""
    states = (Product.Status.SUBMITTED, Product.Status.COMPLIANCE_REVIEW)
    rows = Product.objects.filter(status__in=states).select_related("provider")
    return rows.order_by("updated_at", "id")


def price_vs_cap_rows(*, user) -> QuerySet:
    """Listed and suspended products ``user`` may see with their price, pricing method and the
    binding fee cap (``policy.fee_cap_annotations``): ``fee_cap`` and ``cap_agreement_id``
    (null when no agreement binds), and ``over_cap``. For the supervision view; a fixed number
    of queries whatever the number of rows."""
    states = (Product.Status.LISTED, Product.Status.SUSPENDED)
    rows = policy.viewable_products(user).filter(status__in=states)
    over = Case(
        When(fee_cap__isnull=False, price__gt=F("fee_cap"), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    rows = rows.select_related("provider").annotate(**policy.fee_cap_annotations())
    return rows.annotate(over_cap=over).order_by("-over_cap", "provider__code", "id")
