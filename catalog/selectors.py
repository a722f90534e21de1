"""Reads. Every selector starts from what the policy lets the caller see and owns its
``select_related``/``prefetch_related``, so pages and API lists issue a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import EmptyResultSet, PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Avg, Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from catalog.models import (
    Distribution,
    DistributionVersion,
    Field,
    Organization,
    Product,
    Resource,
    ResourceVersion,
    Row,
    RowTable,
    Theme,
    UpdateCycle,
)
from catalog.rows import RowQuery, next_link
from catalog.search import search_products, search_resources
from grading import policy
from grading.grades import Grade, Tier
from portal import cache as catalog_cache
from portal.pagination import RELEVANCE

FACETS = ("theme", "provider", "tier", "res_format", "update_cycle")


def resource_queryset(*, user) -> QuerySet:
    """Resources ``user`` may see, with what list pages show and the caller's permissions."""
    return policy.annotate_permissions(
        policy.viewable(user).select_related("provider", "theme"), user
    )


def resource_detail(*, user, pk: int) -> Resource:
    """One resource with its dictionary and distributions, or 404 if ``user`` may not see it."""
    queryset = policy.annotate_public_download(resource_queryset(user=user)).prefetch_related(
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
    """One product, or 404 if ``user`` may not see it."""
    try:
        return product_queryset(user=user).get(pk=pk)
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


# ---------------------------------------------------------------------------------------------
# Catalogue exports (CSV, XLSX)
# ---------------------------------------------------------------------------------------------

EXPORT_ORDERINGS = frozenset({"modified", "title", "record_count", "quality_score"})
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
            found = policy.viewable(self.user).filter(pk__in=chunk).values(*EXPORT_COLUMNS)
            by_id = {row["pk"]: row for row in found}
            yield from (by_id[pk] for pk in chunk if pk in by_id)


def export_ordering(*, queryset: QuerySet, ordering: str = "") -> list[str]:
    """The order of an export: ``ordering`` as the API list reads it (``modified``,
    ``title``, ``record_count``, ``quality_score``, each optionally ``-``, comma-separated),
    else the catalogue's
    (search relevance first when searching, then newest first). ``ValidationError`` for an
    unknown field."""
    names = [name.strip() for name in ordering.split(",") if name.strip()]
    unknown = [name for name in names if name.lstrip("-") not in EXPORT_ORDERINGS]
    if unknown:
        raise ValidationError(
            _("Unknown ordering: %(names)s. Use %(allowed)s.")
            % {"names": ", ".join(unknown), "allowed": ", ".join(sorted(EXPORT_ORDERINGS))}
        )
    if not names:
        names = ["-modified"]
        if RELEVANCE in queryset.query.annotations:
            names.insert(0, "-" + RELEVANCE)
    return [*names, "-id"]


def resource_export(*, user, queryset: QuerySet, ordering: list[str]) -> ResourceExport:
    """The ids of the entries of ``queryset`` (a filtered ``resource_queryset(user=user)``) in
    ``ordering``, at most ``settings.EXPORT_MAX_ROWS``, read now in one query; the entries
    themselves are read in chunks when the export is iterated."""
    limit = settings.EXPORT_MAX_ROWS
    ids = list(queryset.order_by(*ordering).values_list("pk", flat=True)[: limit + 1])
    return ResourceExport(ids[:limit], len(ids) > limit, limit, user)


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


# ---------------------------------------------------------------------------------------------
# Agency publishing: quality dashboard, high-value list, resource map
# ---------------------------------------------------------------------------------------------


@dataclass
class AgencyQuality:
    """One agency's line on the quality dashboard."""

    organization: Organization
    total: int = 0
    overdue: int = 0
    average: float | None = None


def dashboard_organizations(*, user) -> QuerySet:
    """Agencies whose figures ``user`` may follow on the quality dashboard."""
    return Organization.objects.filter(policy.dashboard_organizations_q(user)).order_by("code")


def agency_quality(*, user, organizations: list[Organization], today: dt.date) -> list:
    """Per agency of ``organizations``: entries, overdue entries and the average quality
    score, over the entries the dashboard shows ``user`` (one grouped query)."""
    figures = {
        row["provider_id"]: row
        for row in Resource.objects.filter(policy.dashboard_resources_q(user))
        .filter(provider__in=[o.pk for o in organizations])
        .order_by()
        .values("provider_id")
        .annotate(
            total=Count("id"),
            overdue=Count("id", filter=Q(update_due__lt=today)),
            average=Avg("quality_score"),
        )
    }
    lines = []
    for organization in organizations:
        row = figures.get(organization.pk, {})
        lines.append(
            AgencyQuality(
                organization, row.get("total", 0), row.get("overdue", 0), row.get("average")
            )
        )
    return lines


def overdue_resources(*, user, organizations: list[Organization], today: dt.date) -> QuerySet:
    """Entries of ``organizations`` on ``user``'s dashboard whose next update is past due,
    the longest overdue first."""
    return (
        Resource.objects.filter(policy.dashboard_resources_q(user))
        .filter(provider__in=[o.pk for o in organizations], update_due__lt=today)
        .select_related("provider", "theme")
        .order_by("update_due", "id")
    )


def high_value_resources(*, user) -> QuerySet:
    """High-value entries ``user`` may see, by theme (in the themes' order), then title."""
    return (
        policy.viewable(user)
        .filter(high_value=True)
        .select_related("provider", "theme")
        .order_by("theme__position", "theme__code", "title", "id")
    )


@dataclass
class ResourceMap:
    """Counts of visible entries per top-level theme (rows) and agency (columns)."""

    themes: list[Theme]
    providers: list[Organization]
    counts: dict[tuple[int, int], int]

    @property
    def largest(self) -> int:
        return max(self.counts.values(), default=0)


def resource_map(*, user) -> ResourceMap:
    """The resource map: entries ``user`` may see, counted per top-level theme (sub-themes
    count with their parent, as the catalogue's theme filter does) and provider, in one
    grouped query; only themes and providers with a visible entry appear."""
    grouped = (
        policy.viewable(user)
        .order_by()
        .values("provider_id", top=Coalesce("theme__parent_id", "theme_id"))
        .annotate(n=Count("id"))
    )
    counts = {(row["top"], row["provider_id"]): row["n"] for row in grouped}
    theme_ids = {t for t, _p in counts}
    provider_ids = {p for _t, p in counts}
    themes = list(Theme.objects.filter(pk__in=theme_ids).order_by("position", "code"))
    providers = list(Organization.objects.filter(pk__in=provider_ids).order_by("code"))
    return ResourceMap(themes, providers, counts)


# The agency workspace and version history
# ---------------------------------------------------------------------------------------------

WORKSPACE_STATES = tuple(Resource.Status.values)


def workspace_resources(*, user, state: str) -> QuerySet:
    """Entries of the caller's agencies in ``state``, most recently changed first."""
    return (
        Resource.objects.filter(policy.workspace_q(user), status=state)
        .select_related("provider", "theme")
        .order_by("-updated_at", "-id")
    )


def workspace_counts(*, user) -> dict[str, int]:
    """How many entries of the caller's agencies are in each state (one query)."""
    rows = (
        Resource.objects.filter(policy.workspace_q(user))
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    found = {row["status"]: row["n"] for row in rows}
    return {state: found.get(state, 0) for state in WORKSPACE_STATES}


def workspace_resource(*, user, pk: int) -> Resource:
    """One entry for the workspace: 404 if the caller may not see it at all (another agency's
    draft), ``PermissionDenied`` with the reason if it is visible but not the caller's."""
    resource = resource_detail(user=user, pk=pk)
    if not policy.can_open_in_workspace(user, resource):
        raise PermissionDenied(policy.workspace_denial(user, resource))
    return resource


def resource_history(*, user, resource: Resource) -> list[ResourceVersion]:
    """The versions of a resource the caller may see, newest first: all of them for its
    agency and platform staff, those kept while it was public for everyone else. Changes
    concerning security grades are left out for callers the policy does not show grades to."""
    versions = ResourceVersion.objects.filter(resource=resource).select_related("actor")
    if not policy.can_see_whole_history(user, resource):
        versions = versions.filter(public=True)
    versions = list(versions[:50])
    show_grades = policy.can_see_grades(user)
    for version in versions:
        # Who changed an entry is shown to staff, not to the public.
        version.shown_actor = version.actor if policy.can_see_change_author(user) else None
        version.shown_changes = [
            {**change, "before": _as_text(change["before"]), "after": _as_text(change["after"])}
            for change in version.changes
            if show_grades or not change.get("graded")
        ]
    return versions


def _as_text(value):
    """A changed value as text: nested values (a removed field, an upload) as ``key: value``."""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {item}" for key, item in value.items())
    return value


def distribution_version(*, user, resource_pk: int, pk: int, number: int):
    """An earlier file of a distribution the caller may see (with its resource), or 404."""
    distribution = distribution_for_download(user=user, resource_pk=resource_pk, pk=pk)
    for version in distribution.versions.all():
        if version.number == number:
            return distribution, version
    raise Http404
