"""Catalogue pages: thin views over the selectors; access questions go to the policy."""

import datetime as dt
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.cache import patch_vary_headers
from django.utils.timezone import localdate
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from rest_framework.exceptions import ValidationError as DRFValidationError

from catalog import listing, selectors
from catalog.engagement import selectors as engagement
from catalog.engagement.services import resource_follow as follow_entry
from catalog.engagement.services import resource_unfollow, usage_count
from catalog.filters import ProductFilter, ResourceFilter
from catalog.forms import CatalogQueryForm
from catalog.interop import dcat, export, schemaorg
from catalog.interop import selectors as interop_selectors
from catalog.interop.negotiation import HTML, preferred_format
from catalog.models import Field
from catalog.publishing import selectors as workspace_selectors
from catalog.publishing.pricing import PRICE_CHANGE_STATES
from catalog.rows import selectors as row_selectors
from catalog.search import catalogue as search
from catalog.search import suggestions
from grading import policy
from grading.feedback import selectors as feedback
from grading.grades import TIER_MEANING
from grading.services import access_record
from portal import links
from portal.errors import render_error
from portal.pagination import (
    CatalogCursorPagination,
    ProductCursorPagination,
)

access_log = logging.getLogger("portal.access")


@require_safe
def resource_list(request):
    """The data resource catalogue: search, facets, the number of matches and keyset pages,
    answered by the search engine for what the policy lets the visitor see."""
    filterset = ResourceFilter(
        request.GET, queryset=selectors.resource_queryset(user=request.user), request=request
    )
    if not filterset.is_valid():
        return render_error(request, 400, listing.filter_errors(filterset))
    sort = request.GET.get("sort", "")
    key = SORT_KEYS.get(sort, "by_modified")
    try:
        size = listing.page_size(request)
        match = search.resource_match(request.user, filterset.form.cleaned_data)
        counting = search.facets_later(match=match, user=request.user)  # beside the page
        found = search.page(
            search.RESOURCES,
            match=match,
            queryset=selectors.resource_queryset(user=request.user),
            key=key,
            relevance=sort not in SORT_KEYS,
            cursor=request.GET.get("cursor"),
            size=size,
            count=False,
        )
    except (DRFValidationError, search.InvalidCursor):
        return render_error(request, 400, str(CatalogCursorPagination.invalid_cursor_message))
    total, facets = counting()
    query = request.GET.get("q", "")
    context = {
        "resources": found.rows,
        "total": total,
        "facets": facets,
        "filters": [
            (label, value, listing.without(request.GET, name))
            for name, label, value in listing.active_filters(filterset)
        ],
        "query": query,
        "suggestions": suggestions.did_you_mean(request.user, query) if query and not total else [],
        "export_query": listing.without_paging(request.GET),
        "sort": sort if sort in SORT_KEYS else "",
        "previous_link": listing.link(request, found.previous_cursor),
        "next_link": listing.link(request, found.next_cursor),
        "page_links": listing.page_links(request, number=found.number, total=total, size=size),
    }
    return render(request, "catalog/resource_list.html", context)


# The catalogue page's sort options (``?sort=``) and the keyset order each pages by; the
# default is the newest first.
# The page's sort options (besides newest first, with relevance when searching): engine keys.
SORT_KEYS = {"quality": "by_quality", "downloads": "by_downloads"}
# The same as an ordering of the export and the API.
SORT_ORDERINGS = {"quality": "-quality_score", "downloads": "-download_count"}


@require_safe
def resource_export(request, fmt: str):
    """The entries of the catalogue search in the query string (the same filters, ``q`` and
    ``ordering`` as the list and the API) as CSV or XLSX, at most ``EXPORT_MAX_ROWS``; an
    ``X-Export-Truncated`` header (and, in XLSX, a note) says when the search matched more."""
    filterset = ResourceFilter(
        request.GET, queryset=selectors.resource_queryset(user=request.user), request=request
    )
    if not filterset.is_valid():
        return render_error(request, 400, listing.filter_errors(filterset))
    # The page's sort options are the API's orderings by descending score or downloads.
    sorted_by = SORT_ORDERINGS.get(request.GET.get("sort", ""), "")
    try:
        ordering = interop_selectors.export_ordering(request.GET.get("ordering", sorted_by))
    except ValidationError as exc:
        return render_error(request, 400, " ".join(exc.messages))
    found = interop_selectors.resource_export(
        user=request.user, data=filterset.form.cleaned_data, ordering=ordering
    )
    shape = export.layout(
        english=(get_language() or "").startswith("en"),
        grades=policy.can_see_grades(request.user),
        base_url=_base_url(request),
    )
    return _export_response(fmt, found, shape)


def _export_response(fmt: str, found, shape):
    if fmt == "csv":
        lines = (line.encode("utf-8") for line in export.csv_lines(found, shape))
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    else:
        note = ""
        if found.truncated:
            note = _("Only the first %(max)d matching entries are exported.") % {"max": found.limit}
        handle = export.xlsx_file(found, shape, note)
        response = FileResponse(handle, content_type=export.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="resources-{localdate():%Y%m%d}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    if found.truncated:
        response["X-Export-Truncated"] = str(found.limit)
    return response


@require_safe
def resource_detail(request, pk: int):
    """One resource: metadata, dictionary, a preview of its rows, distributions, tier and how to
    get access; its DCAT-AP description instead when the Accept header asks for Turtle,
    JSON-LD or RDF/XML."""
    fmt = preferred_format(request)
    if fmt == HTML:
        response = _resource_page(request, pk)
    else:
        response = resource_rdf(request, pk, fmt)
        response["Content-Location"] = reverse("catalog:resource-rdf", args=[pk, fmt])
    patch_vary_headers(response, ("Accept",))
    return response


def _resource_page(request, pk: int):
    resource = selectors.resource_detail(user=request.user, pk=pk)
    _mark_downloadable_files(request.user, resource)
    user = request.user
    grants = list(policy.grants_held(user, resource))
    for grant in grants:
        grant.quota_left = None if grant.quota is None else max(grant.quota - grant.used, 0)
    may_follow = policy.can_follow(user, resource)
    preview = _preview(request, resource)
    context = {
        "resource": resource,
        "tier_meaning": TIER_MEANING.get(resource.tier, ""),
        "show_grades": policy.can_see_grades(user),
        # A grantee is told what they hold, not how to apply.
        "grants": grants,
        "access_message": None
        if resource.may_download or grants
        else policy.denial_message(user, resource),
        "can_apply": policy.can_apply(user, resource) and not grants,
        "can_flag_high_value": policy.can_flag_high_value(user, resource),
        "may_follow": may_follow,
        "following": may_follow and engagement.is_following(user=user, resource=resource),
        "related": engagement.related_resources(user=user, resource=resource),
        "explorer": _explorer(request, resource, preview),
        "feedback_answers": feedback.public_feedback(user=request.user, resource=resource)[
            : settings.FEEDBACK_SHOWN
        ],
        "may_give_feedback": policy.can_give_feedback(request.user, resource),
        "may_complain": policy.can_complain(request.user, resource),
        "dataset_jsonld": schemaorg.dataset(resource, base_url=_base_url(request)),
        "history": workspace_selectors.resource_history(user=request.user, resource=resource),
        **preview,
    }
    usage_count(resource_id=resource.pk, kind="view", request=request)
    response = render(request, "catalog/resource_detail.html", context)
    # An anonymous answer served again from the page cache is counted there (portal.cache).
    response.usage_hit = (resource.pk, "view")
    return response


def _explorer(request, resource, preview: dict) -> dict | None:
    """What the data explorer needs (the row API's address, the fields the visitor may
    filter, sort, chart and map), only when the policy let the preview read the rows: the
    explorer then asks the same API, which asks the policy again."""
    page = preview.get("preview")
    if page is None:
        return None
    # The columns' labels: their English names on English pages (the Chinese ones are stored).
    english = (get_language() or "").startswith("en")
    fields = [
        {"name": f.name_en if english else f.name, "name_en": f.name_en, "type": f.data_type}
        for f in page.visible
    ]
    api = reverse("api:rows", args=[resource.pk])
    return {
        "api": api,
        "api_url": links.absolute(api),
        "first_field": fields[0]["name_en"] if fields else "",
        "fields": fields,
        "page_size": settings.ROWS_EXPLORER_PAGE_SIZE,
        "coordinates": _coordinates(page.visible),
        "rows": page.table.row_count,
    }


def _coordinates(fields) -> dict | None:
    """The longitude and latitude fields of the dictionary, if it has both (the map view)."""
    found = {}
    for field in fields:
        name = field.name_en.lower()
        for axis, names in COORDINATE_NAMES.items():
            if axis not in found and (
                name in names or name.endswith(tuple("_" + n for n in names))
            ):
                found[axis] = field.name_en
    return found if len(found) == 2 else None


COORDINATE_NAMES = {"lng": ("longitude", "lng", "lon"), "lat": ("latitude", "lat")}


@require_POST
def resource_follow(request, pk: int):
    """Follow an entry for update notices (``action=follow``) or stop (``action=unfollow``):
    404 for an entry the caller may not see, the login page for anonymous visitors."""
    resource = selectors.resource_detail(user=request.user, pk=pk)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("catalog:resource-detail", args=[pk]))
    if request.POST.get("action") == "unfollow":
        resource_unfollow(user=request.user, resource=resource)
        messages.success(request, _("You no longer follow this entry."))
    else:
        follow_entry(user=request.user, resource=resource)
        messages.success(
            request, _("You follow this entry: you will be told when it gets new data.")
        )
    return redirect("catalog:resource-detail", resource.pk)


def _mark_downloadable_files(user, resource) -> None:
    """Ask the policy, for each stored file and earlier version, whether the caller may
    download it (no query: the permissions came annotated with the resource)."""
    for distribution in resource.distributions.all():
        distribution.may_download = policy.can_download_file(
            user, resource, distribution.content_grade
        )
        for version in distribution.versions.all():
            version.may_download = policy.can_download_file(user, resource, version.content_grade)


def _base_url(request) -> str:
    return links.site_origin()


def _rdf_response(graph, fmt: str) -> HttpResponse:
    return HttpResponse(dcat.serialize(graph, fmt), content_type=dcat.FORMATS[fmt].content_type)


@require_safe
def resource_rdf(request, pk: int, fmt: str):
    """The DCAT-AP description of one resource (404 if the caller may not see it)."""
    resource = interop_selectors.resource_rdf(user=request.user, pk=pk)
    return _rdf_response(dcat.resource_graph(resource, base_url=_base_url(request)), fmt)


@require_safe
def catalog_rdf(request, fmt: str):
    """One page of the DCAT-AP catalogue of what the caller may see (``page``,
    ``modified_since``, ``q``), with Hydra links to the other pages."""
    form = CatalogQueryForm(request.GET)
    if not form.is_valid():
        return render_error(request, 400, form.error_text())
    page = interop_selectors.catalog_page(
        user=request.user, per_page=settings.CATALOG_RDF_PAGE_SIZE, **form.cleaned_data
    )
    kept = {k: request.GET[k] for k in ("q", "modified_since") if request.GET.get(k, "").strip()}

    def page_url(number: int) -> str:
        return links.absolute(f"{request.path}?{urlencode({**kept, 'page': number})}")

    graph = dcat.catalog_graph(page, base_url=_base_url(request), page_url=page_url)
    return _rdf_response(graph, fmt)


def _preview(request, resource) -> dict:
    """The first rows the visitor may query (same selector as the row API), or why not."""
    try:
        page = row_selectors.rows_of(
            user=request.user, resource=resource, page_size=settings.ROWS_PREVIEW_SIZE
        )
    except PermissionDenied as exc:
        return {"preview": None, "preview_denied": str(exc)}
    except Http404:
        return {"preview": None, "preview_denied": None}
    if page.rows:
        access_record(
            user=request.user,
            resource=resource,
            action="query",
            detail={"rows": len(page.rows), "preview": True},
            charge=False,
        )
    rows = [
        [readable(row["data"][f.name_en], f.data_type) for f in page.visible] for row in page.rows
    ]
    return {"preview": page, "preview_rows": rows, "preview_denied": None}


# Figures from this size on are grouped by thousands; smaller ones (years, codes) are not.
GROUPED_FROM = 10_000


def readable(value, data_type: str):
    """A stored cell as a reader expects it: dates and times in the language's format (times
    in the portal's time zone), large figures grouped by thousands; anything else as it is."""
    if value is None or isinstance(value, bool):
        return value
    if data_type in (Field.DataType.DATE, Field.DataType.DATETIME) and isinstance(value, str):
        return _readable_moment(value, data_type)
    if isinstance(value, int | float) and abs(value) >= GROUPED_FROM:
        return intcomma(value)
    return value


def _readable_moment(text: str, data_type: str) -> str:
    try:
        if data_type == Field.DataType.DATE:
            return formats.date_format(dt.date.fromisoformat(text), "DATE_FORMAT")
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text  # kept as text when it did not parse on loading either
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


@require_safe
def distribution_download(request, pk: int, distribution_pk: int):
    """Stream a stored file after the policy allows it: invisible → 404, not permitted → 403."""
    distribution = selectors.distribution_for_download(
        user=request.user, resource_pk=pk, pk=distribution_pk
    )
    resource = distribution.resource
    if not policy.can_download_file(request.user, resource, distribution.content_grade):
        raise PermissionDenied(policy.file_denial_message(request.user, resource))
    if not distribution.file:
        raise Http404(_("This distribution has no stored file."))
    return _stream_file(request, resource, distribution, distribution)


def _stream_file(request, resource, distribution, stored, version: int | None = None):
    """Record the download (audited unless open data), then stream ``stored.file``."""
    detail = {"distribution": distribution.pk}
    if version is not None:
        detail["version"] = version
    access_record(user=request.user, resource=resource, action="download", detail=detail)
    usage_count(resource_id=resource.pk, kind="download")
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing from storage.")) from exc
    filename = stored.file.name.rsplit("/", 1)[-1]
    access_log.info(
        "download resource=%s distribution=%s version=%s tier=%s user=%s",
        resource.pk,
        distribution.pk,
        version or "current",
        resource.tier,
        request.user.pk or "anonymous",
    )
    response = FileResponse(handle, as_attachment=True, filename=filename)
    if stored.media_type:
        response["Content-Type"] = stored.media_type
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def distribution_version_download(request, pk: int, distribution_pk: int, number: int):
    """Stream an earlier file of a distribution, under the same policy as the current one."""
    distribution, version = workspace_selectors.distribution_version(
        user=request.user, resource_pk=pk, pk=distribution_pk, number=number
    )
    resource = distribution.resource
    if not policy.can_download_file(request.user, resource, version.content_grade):
        raise PermissionDenied(policy.file_denial_message(request.user, resource))
    return _stream_file(request, resource, distribution, version, version=number)


@require_safe
def product_list(request):
    """The data product catalogue, searched and paged by the search engine."""
    filterset = ProductFilter(request.GET, queryset=selectors.product_queryset(user=request.user))
    if not filterset.is_valid():
        return render_error(request, 400, listing.filter_errors(filterset))
    try:
        size = listing.page_size(request)
        found = search.page(
            search.PRODUCTS,
            match=search.product_match(request.user, filterset.form.cleaned_data),
            queryset=selectors.product_queryset(user=request.user),
            key="by_id",
            relevance=True,
            cursor=request.GET.get("cursor"),
            size=size,
        )
    except (DRFValidationError, search.InvalidCursor):
        return render_error(request, 400, str(ProductCursorPagination.invalid_cursor_message))
    context = {
        "products": found.rows,
        "total": found.total,
        "form": filterset.form,
        "query": request.GET.get("q", ""),
        "previous_link": listing.link(request, found.previous_cursor),
        "next_link": listing.link(request, found.next_cursor),
        "page_links": listing.page_links(
            request, number=found.number, total=found.total, size=size
        ),
    }
    return render(request, "catalog/product_list.html", context)


@require_safe
def product_detail(request, pk: int):
    """One data product with its scenarios, delivery, price terms and registration."""
    product = selectors.product_detail(user=request.user, pk=pk)
    user = request.user
    context = {
        "product": product,
        # Anonymous visitors are sent to log in first; the form asks the policy again.
        "may_complain": not user.is_authenticated
        or policy.can_complain_about_product(user, product),
        "may_change_price": policy.can_change_price(user, product)
        and product.status in PRICE_CHANGE_STATES,
    }
    return render(request, "catalog/product_detail.html", context)


@require_safe
def organization_list(request):
    """All organizations with the number of resources the visitor may see."""
    organizations = selectors.organization_queryset(user=request.user).order_by("kind", "code")
    return render(request, "catalog/organization_list.html", {"organizations": organizations})


@require_safe
def organization_detail(request, code: str):
    """One organization, its newest visible resources and its listed products."""
    organization = get_object_or_404(selectors.organization_queryset(user=request.user), code=code)
    resources = selectors.resource_queryset(user=request.user).filter(provider=organization)[:10]
    products = selectors.product_queryset(user=request.user).filter(provider=organization)[:10]
    context = {"organization": organization, "resources": resources, "products": products}
    return render(request, "catalog/organization_detail.html", context)
