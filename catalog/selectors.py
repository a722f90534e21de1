"""Reads. Every selector starts from what the policy lets the caller see and owns its
``select_related``/``prefetch_related``, so pages and API lists issue a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import get_language

from catalog.models import (
    Distribution,
    DistributionVersion,
    Field,
    Organization,
    Product,
    Resource,
    Theme,
    UpdateCycle,
)
from grading import policy
from grading.grades import Grade, Tier
from portal import cache as catalog_cache

FACETS = ("theme", "provider", "tier", "res_format", "update_cycle")


def resource_queryset(*, user) -> QuerySet:
    """Resources ``user`` may see, with what list pages show and the caller's permissions."""
    return policy.annotate_permissions(
        policy.viewable(user).select_related("provider", "theme"), user
    )


def resource_detail(*, user, pk: int) -> Resource:
    """One resource with its dictionary and distributions, or 404 if ``user`` may not see it."""
    # The loaded row table gives the record count of the real data, beside the declared one.
    queryset = policy.annotate_public_download(
        resource_queryset(user=user).select_related("row_table")
    ).prefetch_related(
        Prefetch("fields", queryset=Field.objects.order_by("position", "id")),
        Prefetch(
            "distributions",
            queryset=Distribution.objects.order_by("id").prefetch_related(
                Prefetch("versions", queryset=DistributionVersion.objects.order_by("-number"))
            ),
        ),
        Prefetch("products", queryset=policy.viewable_products(user).only("id", "name", "name_en")),
    )
    try:
        return queryset.get(pk=pk)
    except Resource.DoesNotExist as exc:
        raise Http404 from exc


def distribution_for_download(*, user, resource_pk: int, pk: int) -> Distribution:
    """A distribution of a resource ``user`` may see, or 404. Permission to download is a
    separate question (403), answered by the caller through the policy."""
    resource = resource_detail(user=user, pk=resource_pk)
    for distribution in resource.distributions.all():
        if distribution.pk == pk:
            distribution.resource = resource
            return distribution
    raise Http404


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class _FacetSpec:
    column: str  # column of catalog_resource
    labels: type | None = None  # a model holding code/name/name_en for ids, or None
    choices: type | None = None  # a TextChoices class for value labels


_FACET_SPECS = {
    "theme": _FacetSpec("theme_id", labels=Theme),
    "provider": _FacetSpec("provider_id", labels=Organization),
    "tier": _FacetSpec("tier", choices=Tier),
    "res_format": _FacetSpec("format"),
    "update_cycle": _FacetSpec("update_cycle", choices=UpdateCycle),
    "grade": _FacetSpec("grade", choices=Grade),
}


def resource_facets(*, queryset: QuerySet, user) -> dict[str, list[FacetValue]]:
    """Counts per facet over ``queryset`` (already filtered and limited by the policy).

    One SQL statement: the filtered rows are computed once (a materialized common table
    expression of their facet columns) and grouped once per facet. Results are cached under the
    statement's own text and parameters and the catalogue version, so a cached count can only
    be reused by a caller whose policy-limited query is the very same.
    """
    names = [*FACETS, "grade"] if policy.can_see_grades(user) else list(FACETS)
    try:
        sql, params = _facet_sql(queryset, names)
    except EmptyResultSet:  # e.g. a search with no searchable words
        return {name: [] for name in names}
    rows = catalog_cache.remember(sql, params, lambda: _run(sql, params))
    english = (get_language() or "").startswith("en")
    facets: dict[str, list[FacetValue]] = {name: [] for name in names}
    for index, value, label, label_en, count in rows:
        name = names[index]
        choices = _FACET_SPECS[name].choices
        if choices is not None:
            label = str(dict(choices.choices).get(value, value))
        shown = (english and label_en) or label or value
        facets[name].append(FacetValue(value, shown, count))
    for values in facets.values():
        values.sort(key=lambda facet: (-facet.count, facet.value))
    return facets


def _facet_sql(queryset: QuerySet, names: list[str]) -> tuple[str, tuple]:
    columns = [_FACET_SPECS[name].column for name in names]
    inner, params = queryset.order_by().values(*columns).query.sql_with_params()
    aliases = [f"c{i}" for i in range(len(columns))]
    branches = [_facet_branch(i, _FACET_SPECS[name]) for i, name in enumerate(names)]
    sql = f"WITH m({', '.join(aliases)}) AS MATERIALIZED ({inner}) " + " UNION ALL ".join(branches)
    return sql, tuple(params)


def _facet_branch(index: int, spec: _FacetSpec) -> str:
    column = f"m.c{index}"
    if spec.labels is None:
        return (
            f"SELECT {index}, {column}, NULL, NULL, COUNT(*) FROM m "
            f"WHERE {column} IS NOT NULL GROUP BY {column}"
        )
    table = connection.ops.quote_name(spec.labels._meta.db_table)
    return (
        f"SELECT {index}, l.code, l.name, l.name_en, COUNT(*) FROM m "
        f"JOIN {table} l ON l.id = {column} GROUP BY l.id, l.code, l.name, l.name_en"
    )


def _run(sql: str, params: tuple) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def _visible_count(user, condition: Q) -> Coalesce:
    """A correlated COUNT of the resources ``user`` may see that meet ``condition``."""
    counts = (
        policy.viewable(user)
        .filter(condition)
        .order_by()
        .annotate(group=Value(1))
        .values("group")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counts), Value(0))


def organization_queryset(*, user) -> QuerySet:
    """Organizations ``user`` may see, each with the number of resources ``user`` may see."""
    return Organization.objects.filter(policy.organization_listed_q(user)).annotate(
        resource_count=_visible_count(user, Q(provider=OuterRef("pk")))
    )


def theme_queryset(*, user) -> QuerySet:
    """All themes, each with the number of resources ``user`` may see, sub-themes included
    (as the catalogue's theme filter counts them)."""
    in_theme = Q(theme=OuterRef("pk")) | Q(theme__parent=OuterRef("pk"))
    return Theme.objects.select_related("parent").annotate(
        resource_count=_visible_count(user, in_theme)
    )


def product_queryset(*, user) -> QuerySet:
    """Products ``user`` may see; their source resources are limited to those ``user`` may see."""
    return (
        policy.viewable_products(user)
        .select_related("provider", "theme")
        .prefetch_related(
            Prefetch(
                "source_resources",
                queryset=policy.viewable(user).only("id", "title", "title_en", "code"),
            )
        )
    )


def product_detail(*, user, pk: int) -> Product:
    """One product with its price history, or 404 if ``user`` may not see it."""
    try:
        return product_queryset(user=user).prefetch_related("prices").get(pk=pk)
    except Product.DoesNotExist as exc:
        raise Http404 from exc


def headline_figures(*, user) -> dict[str, int]:
    """The home page's figures, counted over what ``user`` may see."""
    visible = policy.viewable(user).order_by()
    by_tier = dict(visible.values_list("tier").annotate(n=Count("id")))
    return {
        "resources": sum(by_tier.values()),
        "open": by_tier.get(Tier.OPEN, 0),
        "conditional": by_tier.get(Tier.CONDITIONAL, 0),
        "providers": visible.values("provider").distinct().count(),
        "products": policy.viewable_products(user).count(),
    }


def newest_resources(*, user, limit: int = 8) -> list[Resource]:
    """The most recently modified entries ``user`` may see."""
    return list(resource_queryset(user=user).order_by("-modified", "-id")[:limit])
