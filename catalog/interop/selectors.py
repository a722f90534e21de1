"""Reads for the interop surfaces: catalogue exports (CSV, XLSX), DCAT-AP catalogue pages,
sitemaps and feeds. Each starts from what the policy lets the caller see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from catalog.models import (
    Distribution,
    Organization,
    Product,
    Resource,
    ResourceVersion,
)
from catalog.search import catalogue as search
from catalog.selectors import newest_resources, product_queryset, resource_queryset
from grading import policy

# ---------------------------------------------------------------------------------------------
# Catalogue exports (CSV, XLSX)
# ---------------------------------------------------------------------------------------------

EXPORT_ORDERINGS = frozenset(
    {"modified", "title", "record_count", "quality_score", "download_count"}
)
EXPORT_COLUMNS = (
    *("pk", "code", "title", "title_en", "tier", "grade", "format", "update_cycle"),
    *("issued", "modified", "keywords", "license"),
    *("provider__name", "provider__name_en", "theme__name", "theme__name_en"),
)


@dataclass
class ResourceExport:
    """The entries of one catalogue search, in the search's order, up to ``limit``, as
    dictionaries of ``EXPORT_COLUMNS`` (plain values: no model instances to build)."""

    ids: list[int]
    truncated: bool
    limit: int
    user: object = None

    def __iter__(self):
        """The entries, read ``EXPORT_CHUNK_SIZE`` ids at a time: one query per chunk, with
        the provider's and theme's names joined in."""
        size = settings.EXPORT_CHUNK_SIZE
        for start in range(0, len(self.ids), size):
            chunk = self.ids[start : start + size]
            rows = policy.viewable(self.user).filter(pk__in=chunk).order_by()
            found = rows.values(*EXPORT_COLUMNS)
            by_id = {row["pk"]: row for row in found}
            yield from (by_id[pk] for pk in chunk if pk in by_id)


def export_ordering(ordering: str = "") -> str:
    """The order of an export: ``ordering`` as the API list reads it (``modified``,
    ``title``, ``record_count``, ``quality_score``, each optionally ``-``; the first of a
    comma-separated list decides), else the catalogue's (search relevance first when searching,
    then newest first). ``ValidationError`` for an unknown field."""
    names = [name.strip() for name in ordering.split(",") if name.strip()]
    unknown = [name for name in names if name.lstrip("-") not in EXPORT_ORDERINGS]
    if unknown:
        raise ValidationError(
            _("Unknown ordering: %(names)s. Use %(allowed)s.")
            % {"names": ", ".join(unknown), "allowed": ", ".join(sorted(EXPORT_ORDERINGS))}
        )
    return ",".join(names)


def resource_export(*, user, data: dict, ordering: str) -> ResourceExport:
    """The ids of the entries a catalogue search (a resource filter's cleaned ``data``) finds
    for ``user``, in ``ordering``, at most ``settings.EXPORT_MAX_ROWS``, from the search engine;
    the entries themselves are read, and re-checked by the policy, in chunks when the export is
    iterated."""
    limit = settings.EXPORT_MAX_ROWS
    key, descending, relevance = search.resource_ordering(ordering, relevance_default=True)
    found, more = search.ids(
        search.RESOURCES,
        match=search.resource_match(user, data),
        key=key,
        descending=descending,
        relevance=relevance,
        limit=limit,
    )
    return ResourceExport(found, more, limit, user)


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
    if q:
        return _searched_catalog_page(user, page, per_page, q, modified_since)
    resources, products = _rdf_resources(user), product_queryset(user=user)
    if modified_since:
        resources = resources.filter(modified__gte=modified_since)
        products = products.filter(updated_at__date__gte=modified_since)
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


def _searched_catalog_page(user, page, per_page, q, modified_since) -> CatalogPage:
    """A searched catalogue page: the search engine finds and counts, in id order; the rows are
    read through the policy's querysets."""
    resource_match = search.resource_match(user, {"q": q, "modified_after": modified_since})
    product_match = search.product_match(user, {"q": q})
    if product_match is not None and modified_since:
        since = ("updated", modified_since.toordinal(), None)
        product_match = product_match.narrowed(ranges=(since,))
    start = (page - 1) * per_page
    resource_total, resource_ids = search.by_id(
        search.RESOURCES, resource_match, offset=start, limit=per_page
    )
    offset = max(0, start - resource_total)
    product_total, product_ids = search.by_id(
        search.PRODUCTS, product_match, offset=offset, limit=per_page - len(resource_ids)
    )
    latest = search.latest_modified(resource_match)
    found = CatalogPage(page, per_page, resource_total, product_total, latest)
    if page > found.last:
        raise Http404
    found.resources = search.rows_in_order(_rdf_resources(user), resource_ids)
    found.products = search.rows_in_order(product_queryset(user=user), product_ids)
    return found


def resource_rdf(*, user, pk: int) -> Resource:
    """One resource for its DCAT description, or 404 if ``user`` may not see it."""
    try:
        return _rdf_resources(user).get(pk=pk)
    except Resource.DoesNotExist as exc:
        raise Http404 from exc


def public_resources_for_sitemap() -> QuerySet:
    """Resources the anonymous public may see, by id, with only what a sitemap needs."""
    return policy.viewable(AnonymousUser()).order_by("pk").only("pk", "modified")


def public_products_for_sitemap() -> QuerySet:
    """Products the anonymous public may see, by id, with only what a sitemap needs."""
    return policy.viewable_products(AnonymousUser()).order_by("pk").only("pk", "updated_at")


def organizations_for_sitemap() -> QuerySet:
    """Organizations, whose pages everyone may open, by id."""
    return Organization.objects.order_by("pk").only("pk", "code")


def newest_public_resources(*, limit: int = 50) -> list[Resource]:
    """The ``limit`` most recently modified entries the anonymous public may see (the feed)."""
    return newest_resources(user=AnonymousUser(), limit=limit)


def public_resource(*, pk: int) -> Resource:
    """One entry the anonymous public may see, or 404 (the entry's changes feed)."""
    try:
        return policy.viewable(AnonymousUser()).get(pk=pk)
    except Resource.DoesNotExist as exc:
        raise Http404 from exc


def public_versions(*, resource: Resource, limit: int = 50) -> list:
    """The versions of ``resource`` kept while it was public, newest first."""
    versions = ResourceVersion.objects.filter(resource=resource, public=True)
    return list(versions.order_by("-number")[:limit])
