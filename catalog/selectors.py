"""Reads. Every selector starts from what the policy lets the caller see and owns its
``select_related``/``prefetch_related``, so pages and API lists issue a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from catalog.models import Distribution, Field, Organization, Product, Resource, Theme, UpdateCycle
from catalog.search import search_products, search_resources
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
    queryset = policy.annotate_public_download(resource_queryset(user=user)).prefetch_related(
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
# Interoperability: DCAT-AP catalogue pages, sitemaps and feeds
# ---------------------------------------------------------------------------------------------


@dataclass
class CatalogPage:
    """One page of the DCAT catalogue: resources first (by id), then products (by id).

    Ordering by id keeps pages stable while a harvester walks them: a changed entry keeps its
    place and new entries are appended at the end.
    """

    number: int
    per_page: int
    resource_total: int
    product_total: int
    modified: dt.date | None
    resources: list[Resource] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.resource_total + self.product_total

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _rdf_resources(user) -> QuerySet:
    """Resources ``user`` may see, with what a DCAT description reads (distributions, themes)."""
    return (
        resource_queryset(user=user)
        .select_related("theme__parent")
        .prefetch_related(Prefetch("distributions", queryset=Distribution.objects.order_by("id")))
    )


def catalog_page(
    *, user, page: int, per_page: int, q: str = "", modified_since: dt.date | None = None
) -> CatalogPage:
    """Page ``page`` of the entries ``user`` may see, optionally searched (``q``) and limited to
    entries changed on or after ``modified_since``; 404 past the last page."""
    resources, products = _rdf_resources(user), product_queryset(user=user)
    if modified_since:
        resources = resources.filter(modified__gte=modified_since)
        products = products.filter(updated_at__date__gte=modified_since)
    if q:
        resources, products = search_resources(resources, q), search_products(products, q)
    figures = resources.order_by().aggregate(n=Count("id"), latest=Max("modified"))
    product_total = products.order_by().count()
    found = CatalogPage(page, per_page, figures["n"], product_total, figures["latest"])
    if page > found.last:
        raise Http404
    start = (page - 1) * per_page
    found.resources = list(resources.order_by("pk")[start : start + per_page])
    missing = per_page - len(found.resources)
    if missing > 0:
        offset = max(0, start - found.resource_total)
        found.products = list(products.order_by("pk")[offset : offset + missing])
    return found


def resource_rdf(*, user, pk: int) -> Resource:
    """One resource for its DCAT description, or 404 if ``user`` may not see it."""
    try:
        return _rdf_resources(user).get(pk=pk)
    except Resource.DoesNotExist as exc:
        raise Http404 from exc


def public_resources_for_sitemap() -> QuerySet:
    """Resources the anonymous public may see, by id, with only what a sitemap needs."""
    return Resource.objects.visible_to(AnonymousUser()).order_by("pk").only("pk", "modified")


def public_products_for_sitemap() -> QuerySet:
    """Products the anonymous public may see, by id, with only what a sitemap needs."""
    return Product.objects.visible_to(AnonymousUser()).order_by("pk").only("pk", "updated_at")


def organizations_for_sitemap() -> QuerySet:
    """Organizations, whose pages everyone may open, by id."""
    return Organization.objects.order_by("pk").only("pk", "code")


def newest_public_resources(*, limit: int = 50) -> list[Resource]:
    """The ``limit`` most recently modified entries the anonymous public may see (the feed)."""
    return newest_resources(user=AnonymousUser(), limit=limit)
