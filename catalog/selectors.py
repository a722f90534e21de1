"""Reads. Every selector starts from what the policy lets the caller see and owns its
``select_related``/``prefetch_related``, so pages and API lists issue a fixed number of queries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from catalog.models import (
    Distribution,
    Field,
    Organization,
    Product,
    Resource,
    Row,
    RowTable,
    Theme,
    UpdateCycle,
)
from catalog.rows import RowQuery, next_link
from grading import policy
from grading.grades import Grade, Tier

FACETS = ("theme", "provider", "tier", "res_format", "update_cycle")


def resource_queryset(*, user) -> QuerySet:
    """Resources ``user`` may see, with what list pages show and the caller's permissions."""
    return (
        Resource.objects.visible_to(user).select_related("provider", "theme").with_permissions(user)
    )


def resource_detail(*, user, pk: int) -> Resource:
    """One resource with its dictionary and distributions, or 404 if ``user`` may not see it."""
    queryset = resource_queryset(user=user).prefetch_related(
        Prefetch("fields", queryset=Field.objects.order_by("position", "id")),
        Prefetch("distributions", queryset=Distribution.objects.order_by("id")),
        Prefetch(
            "products", queryset=Product.objects.visible_to(user).only("id", "name", "name_en")
        ),
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


def resource_facets(*, queryset: QuerySet, user) -> dict[str, list[FacetValue]]:
    """Counts per facet over ``queryset`` (already filtered and limited by the policy)."""
    base = queryset.order_by()
    facets = {
        "theme": _facet(base, "theme__code", "theme__name", "theme__name_en"),
        "provider": _facet(base, "provider__code", "provider__name", "provider__name_en"),
        "tier": _choice_facet(base, "tier", Tier),
        "res_format": _facet(base, "format", "format", "format"),
        "update_cycle": _choice_facet(base, "update_cycle", UpdateCycle),
    }
    if policy.can_see_grades(user):
        facets["grade"] = _choice_facet(base, "grade", Grade)
    return facets


def _facet(base: QuerySet, key: str, label: str, label_en: str) -> list[FacetValue]:
    from django.utils.translation import get_language

    english = (get_language() or "").startswith("en")
    rows = base.values(key, label, label_en).annotate(n=Count("id")).order_by("-n", key)
    return [
        FacetValue(row[key], (english and row[label_en]) or row[label], row["n"]) for row in rows
    ]


def _choice_facet(base: QuerySet, key: str, choices) -> list[FacetValue]:
    rows = base.values(key).annotate(n=Count("id")).order_by("-n", key)
    labels = dict(choices.choices)
    return [FacetValue(row[key], str(labels.get(row[key], row[key])), row["n"]) for row in rows]


def _visible_count(user, condition: Q) -> Coalesce:
    """A correlated COUNT of the resources ``user`` may see that meet ``condition``."""
    counts = (
        Resource.objects.visible_to(user)
        .filter(condition)
        .order_by()
        .annotate(group=Value(1))
        .values("group")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counts), Value(0))


def organization_queryset(*, user) -> QuerySet:
    """All organizations, each with the number of resources ``user`` may see."""
    return Organization.objects.annotate(
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
        Product.objects.visible_to(user)
        .select_related("provider", "theme")
        .prefetch_related(
            Prefetch(
                "source_resources",
                queryset=Resource.objects.visible_to(user).only("id", "title", "title_en", "code"),
            )
        )
    )


def product_detail(*, user, pk: int) -> Product:
    """One product, or 404 if ``user`` may not see it."""
    try:
        return product_queryset(user=user).get(pk=pk)
    except Product.DoesNotExist as exc:
        raise Http404 from exc


def headline_figures(*, user) -> dict[str, int]:
    """The home page's figures, counted over what ``user`` may see."""
    visible = Resource.objects.visible_to(user).order_by()
    by_tier = dict(visible.values_list("tier").annotate(n=Count("id")))
    return {
        "resources": sum(by_tier.values()),
        "open": by_tier.get(Tier.OPEN, 0),
        "conditional": by_tier.get(Tier.CONDITIONAL, 0),
        "providers": visible.values("provider").distinct().count(),
        "products": Product.objects.visible_to(user).count(),
    }


def newest_resources(*, user, limit: int = 8) -> list[Resource]:
    """The most recently modified entries ``user`` may see."""
    return list(resource_queryset(user=user).order_by("-modified", "-id")[:limit])


# ---------------------------------------------------------------------------------------------
# Rows of tabular distributions (the row API and the resource page's preview)
# ---------------------------------------------------------------------------------------------


@dataclass
class RowPage:
    """One page of a resource's rows as ``user`` may see them."""

    resource: Resource
    table: RowTable
    fields: list[Field]
    visible: list[Field]
    rows: list[dict]  # {"row": number, "data": {name_en: value or None}}
    next: str | None

    @property
    def masked(self) -> list[Field]:
        return [f for f in self.fields if f not in self.visible]


def resource_rows(
    *, user, pk: int, params: Mapping | None = None, base_url: str = "", export: bool = False
) -> RowPage:
    """A page of the rows of resource ``pk``: 404 if ``user`` may not see it or no rows are
    loaded, ``PermissionDenied`` (how to get access) if ``user`` may not query it,
    ``ValidationError`` naming each bad parameter. Values of fields above what the policy lets
    ``user`` see are ``None`` and those fields cannot be filtered or sorted."""
    try:
        resource = resource_queryset(user=user).get(pk=pk)
    except (Resource.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc
    return rows_of(user=user, resource=resource, params=params, base_url=base_url, export=export)


def rows_of(
    *,
    user,
    resource: Resource,
    params: Mapping | None = None,
    base_url: str = "",
    export: bool = False,
    page_size: int | None = None,
) -> RowPage:
    """:func:`resource_rows` for a resource already fetched by a selector (with ``may_query``);
    ``page_size`` sets the default size (the preview's)."""
    if not resource.may_query:
        raise PermissionDenied(policy.denial_message(user, resource, "query"))
    table = RowTable.objects.filter(resource=resource).first()
    if table is None:
        raise Http404(_("No rows of this resource are loaded."))
    fields = list(Field.objects.filter(resource=resource).order_by("position", "id"))
    grades = policy.visible_field_grades(user, resource, export=export)
    visible = [f for f in fields if f.grade in grades]
    query = RowQuery.parse(
        params if params is not None else QueryDict(),
        fields,
        {f.name_en for f in visible},
        page_size=page_size or settings.ROWS_PAGE_SIZE,
        max_size=settings.ROWS_MAX_PAGE_SIZE,
    )
    query.decode_cursor()
    found = list(query.apply(Row.objects.filter(table=table))[: query.page_size + 1])
    page = found[: query.page_size]
    shown = {f.name_en for f in visible}
    rows = [
        {"row": row.number, "data": {f.name_en: _shown(row, f, shown) for f in fields}}
        for row in page
    ]
    link = next_link(base_url, query, page, len(found) > len(page)) if base_url else None
    return RowPage(resource, table, fields, visible, rows, link)


def _shown(row: Row, field: Field, shown: set[str]):
    return row.data.get(field.name_en) if field.name_en in shown else None
