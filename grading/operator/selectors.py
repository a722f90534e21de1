"""Reads for the operator's workspace, an agreement's usage page and the evaluation figures;
each starts from the policy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from catalog.models import Product
from grading import policy
from grading.models import Agreement, AgreementEvaluation, AgreementUsage, Feedback
from grading.operator.usage import month_of


def _usage_sum(column: str, **narrow) -> Coalesce:
    total = (
        AgreementUsage.objects.filter(agreement=OuterRef("pk"), **narrow)
        .values("agreement")
        .annotate(total=Sum(column))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def with_figures(queryset: QuerySet) -> QuerySet:
    """Agreements with their scope size and usage (this month and in all) as subqueries, so
    the figures never multiply rows and cost no query per agreement."""
    scope = (
        Agreement.resources.through.objects.filter(agreement=OuterRef("pk"))
        .values("agreement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    month = month_of()
    return queryset.select_related("operator").annotate(
        scope_size=Coalesce(Subquery(scope, output_field=IntegerField()), Value(0)),
        queries_total=_usage_sum("queries"),
        rows_total=_usage_sum("rows"),
        queries_month=_usage_sum("queries", month=month),
        rows_month=_usage_sum("rows", month=month),
    )


def days_left(agreement, now: dt.datetime | None = None) -> int:
    """Whole days until the agreement's term ends (negative once it has ended)."""
    return (agreement.valid_until - (now or timezone.now())).days


def operator_agreements(*, user) -> QuerySet:
    """The agreements ``user``'s organizations hold, with figures, those ending first first."""
    queryset = Agreement.objects.filter(policy.operated_agreements_q(user))
    return with_figures(queryset).order_by("valid_until", "pk")


def operator_products(*, user) -> QuerySet:
    """Products of ``user``'s organizations, any state, newest first."""
    return (
        policy.viewable_products(user)
        .filter(policy.operated_products_q(user))
        .select_related("provider")
        .order_by("-id")
    )


def operator_evaluations(*, user) -> QuerySet:
    """Evaluations of the agreements ``user``'s organizations hold, newest year first."""
    agreements = Agreement.objects.filter(policy.operated_agreements_q(user))
    return AgreementEvaluation.objects.filter(agreement__in=agreements).order_by("-year", "-pk")


def agreement_for_usage(*, user, pk: int) -> Agreement:
    """The agreement ``pk`` with its figures if ``user`` may see its usage; 404 otherwise."""
    agreement = with_figures(policy.viewable_agreements(user)).filter(pk=pk).first()
    if agreement is None or not policy.can_view_usage(user, agreement):
        raise Http404
    return agreement


def agreement_products(agreement) -> QuerySet:
    """The operator's products that cite at least one entry in the agreement's scope."""
    scope = Agreement.resources.through.objects.filter(agreement=agreement).values("resource_id")
    cited = Product.source_resources.through.objects.filter(resource_id__in=scope)
    return Product.objects.filter(
        provider_id=agreement.operator_id, pk__in=cited.values("product_id")
    ).order_by("-id")


def usage_by_month(agreement) -> QuerySet:
    """Queries and rows per month, newest first."""
    return (
        AgreementUsage.objects.filter(agreement=agreement)
        .values("month")
        .annotate(queries=Sum("queries"), rows=Sum("rows"))
        .order_by("-month")
    )


def usage_by_entry(*, user, agreement) -> list[dict]:
    """Queries and rows per entry, most queried first. An entry ``user`` can no longer see
    (a restricted one after the agreement ended) is shown by number only."""
    totals = list(
        AgreementUsage.objects.filter(agreement=agreement)
        .values("resource_id")
        .annotate(queries=Sum("queries"), rows=Sum("rows"))
        .order_by("-queries", "resource_id")
    )
    ids = [row["resource_id"] for row in totals]
    visible = {r.pk: r for r in policy.viewable(user).filter(pk__in=ids).only("pk", "title")}
    for row in totals:
        row["resource"] = visible.get(row["resource_id"])
    return totals


UPHELD = (Feedback.Status.UPHELD, Feedback.Status.RESOLVED)  # resolved after being upheld


def evaluation_figures(*, agreement, year: int) -> dict:
    """The figures of ``year`` under ``agreement``: queries and rows used, the operator's
    products citing in-scope entries listed that year, complaints about in-scope entries,
    and their highest price against the fee cap."""
    used = AgreementUsage.objects.filter(agreement=agreement, month__year=year).aggregate(
        queries=Coalesce(Sum("queries"), 0), rows=Coalesce(Sum("rows"), 0)
    )
    listed = agreement_products(agreement).filter(listed_at__year=year)
    prices = [p for p in listed.values_list("price", flat=True) if p is not None]
    scope = agreement.resources.values("pk")
    complaints = Feedback.objects.filter(
        kind="complaint", resource__in=scope, created_at__year=year
    )
    cap = Decimal(agreement.fee_cap)
    return {
        "queries": used["queries"],
        "rows": used["rows"],
        "products_listed": listed.count(),
        "complaints": complaints.count(),
        "complaints_upheld": complaints.filter(status__in=UPHELD).count(),
        "fee_cap": str(cap),
        "highest_price": str(max(prices)) if prices else None,
        "over_cap": sum(1 for p in prices if p > cap),
    }
