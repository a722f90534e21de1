"""Agency publishing pages: bulk import and the quality dashboard (workspace), and the public
high-value list and resource map. Thin views: the policy decides who may do what, the
selectors read, ``catalog.publishing.importer`` writes through the resource services."""

import json
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from catalog import selectors as catalog_selectors
from catalog.models import Organization
from catalog.publishing import importer
from catalog.quality import selectors as quality_selectors
from catalog.quality.services import resource_set_high_value
from grading import policy
from portal.jobs.services import job_create
from portal.page_numbers import numbered

PAGE_SIZE = 20
NDJSON = "application/x-ndjson"


def _page(request, items, per_page: int = PAGE_SIZE):
    """Page ``?page=`` of ``items`` and the links to its neighbours and to numbered pages
    (other parameters kept); 404 past the last page."""
    try:
        page = Paginator(items, per_page).page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger) as exc:
        raise Http404(_("No such page.")) from exc
    kept = {k: v for k, v in request.GET.items() if k != "page"}

    def link(number: int) -> str:
        return f"{request.path}?{urlencode({**kept, 'page': number})}"

    return page, {
        "previous_link": link(page.previous_page_number()) if page.has_previous() else None,
        "next_link": link(page.next_page_number()) if page.has_next() else None,
        "page_links": numbered(current=page.number, last=page.paginator.num_pages, href=link),
    }


# ---------------------------------------------------------------------------------------------
# Bulk import
# ---------------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        to_field_name="code",
        label=gettext_lazy("Agency"),
        empty_label=None,
    )
    file = forms.FileField(
        label=gettext_lazy("File (.csv or .xlsx)"),
        help_text=gettext_lazy("CSV in UTF-8 or GBK/GB18030, or XLSX, following the template."),
    )
    dry_run = forms.BooleanField(
        required=False,
        label=gettext_lazy("Check only (dry run): report errors, write nothing"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.queryset = Organization.objects.filter(
            policy.importing_organizations_q(user)
        ).order_by("code")
        field.label_from_instance = lambda organization: organization.display_name
        choices = list(field.queryset[:2])
        if len(choices) == 1 and not self.is_bound:  # an editor of one agency: preselected
            self.initial.setdefault("organization", choices[0].pk)


def _import_allowed(request):
    """None if the caller may use the import page; else the answer to give instead."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not policy.can_use_import(request.user):
        raise PermissionDenied(
            _("Bulk import is for editors of an agency. Ask your agency's administrator.")
        )
    return None


@require_http_methods(["GET", "HEAD", "POST"])
def import_page(request):
    """Upload a CSV or XLSX file of entries for one of the caller's agencies. A request that
    accepts NDJSON gets progress events as rows are checked, then the outcome; otherwise the
    outcome is shown on the page."""
    refused = _import_allowed(request)
    if refused is not None:
        return refused
    if request.method != "POST":
        return render(
            request, "catalog/quality/import.html", {"form": ImportForm(user=request.user)}
        )
    form = ImportForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return _import_refused(request, form, form.errors.as_text())
    upload = form.cleaned_data["file"]
    try:
        importer.check_size(upload.size)  # before reading it into memory
        data = upload.read()
        rows = importer.read_table(name=upload.name, data=data)
    except importer.ImportFileError as exc:
        return _import_refused(request, form, " ".join(exc.messages), exc.status)
    organization = form.cleaned_data["organization"]
    dry_run = form.cleaned_data["dry_run"]
    if len(rows) > settings.JOBS_IMPORT_ROWS or len(data) > settings.JOBS_IMPORT_BYTES:
        return _import_job(request, upload.name, data, rows, organization, dry_run)
    if NDJSON in request.headers.get("Accept", ""):
        return _import_stream(request.user, organization, rows, dry_run)
    result = importer.run_import(
        actor=request.user, organization=organization, rows=rows, dry_run=dry_run
    )
    context = {"form": form, "result": result, "organization": organization}
    status = 400 if result.errors else 200
    return render(request, "catalog/quality/import.html", context, status=status)


def _import_job(request, name: str, data: bytes, rows, organization, dry_run: bool):
    """A large file is imported by a background job; the caller follows it on the job's page
    (an NDJSON caller gets one ``job`` event with the page's address)."""
    params = {
        "organization": organization.code,
        "dry_run": dry_run,
        "file_name": name,
        "language": get_language() or "",  # the job's messages are in the uploader's language
    }
    job = job_create(
        owner=request.user,
        kind="import",
        params=params,
        input_data=data,
        input_name=name,
        total=len(rows),
    )
    url = reverse("jobs:detail", args=[job.pk])
    if NDJSON in request.headers.get("Accept", ""):
        return HttpResponse(_line({"event": "job", "url": url}), status=202, content_type=NDJSON)
    return redirect(url)


def _import_refused(request, form, message: str, status: int = 400):
    if NDJSON in request.headers.get("Accept", ""):
        body = json.dumps({"event": "refused", "message": message}, ensure_ascii=False)
        return HttpResponse(body + "\n", status=status, content_type=NDJSON)
    context = {"form": form, "file_error": message}
    return render(request, "catalog/quality/import.html", context, status=status)


def _import_stream(user, organization, rows, dry_run: bool) -> StreamingHttpResponse:
    """Progress as NDJSON lines: ``start`` (total), ``progress`` (rows checked, about a
    hundred events at most), then ``done`` with the outcome and every row error."""
    result = importer.ImportResult(total=len(rows), dry_run=dry_run)
    step = max(1, -(-len(rows) // 100))

    def events():
        yield _line({"event": "start", "total": result.total})
        steps = importer.import_steps(
            actor=user, organization=organization, rows=rows, dry_run=dry_run, result=result
        )
        for done in steps:
            if done % step == 0 or done == result.total:
                yield _line({"event": "progress", "done": done, "total": result.total})
        yield _line({"event": "done", **result.as_dict()})

    response = StreamingHttpResponse(events(), content_type=NDJSON)
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # let a proxy pass each line on at once
    return response


def _line(event: dict) -> bytes:
    return (json.dumps(event, ensure_ascii=False) + "\n").encode("utf-8")


@require_safe
def import_template(request, fmt: str):
    """The import template (header row and one example row) as CSV or XLSX."""
    if fmt == "csv":
        body, content_type = importer.template_csv(), "text/csv; charset=utf-8"
    else:
        body = importer.template_xlsx()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="catalogue-import-template.{fmt}"'
    return response


# ---------------------------------------------------------------------------------------------
# Quality dashboard
# ---------------------------------------------------------------------------------------------


@require_safe
def quality_dashboard(request):
    """Entries, overdue updates and average quality per agency the caller works for (every
    agency for platform staff), and the overdue entries, paginated; ``?org=`` narrows to one."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not policy.can_view_agency_dashboard(request.user):
        raise PermissionDenied(
            _("The quality dashboard is for staff of an agency and of the platform.")
        )
    organizations = quality_selectors.dashboard_organizations(user=request.user)
    code = request.GET.get("org", "")
    chosen = [get_object_or_404(organizations, code=code)] if code else list(organizations)
    today = timezone.localdate()
    overdue = quality_selectors.overdue_resources(
        user=request.user, organizations=chosen, today=today
    )
    page, paging = _page(request, overdue)
    context = {
        "lines": quality_selectors.agency_quality(
            user=request.user, organizations=list(organizations), today=today
        ),
        "chosen": chosen[0] if code else None,
        "overdue": page,
        "today": today,
        **paging,
    }
    return render(request, "catalog/quality/dashboard.html", context)


# ---------------------------------------------------------------------------------------------
# Public pages
# ---------------------------------------------------------------------------------------------


@require_safe
def high_value_list(request):
    """The high-value dataset list (高价值数据清单): visible high-value entries by theme."""
    page, paging = _page(request, quality_selectors.high_value_resources(user=request.user))
    context = {
        "resources": page,
        "total": quality_selectors.high_value_count(user=request.user),
        **paging,
    }
    return render(request, "catalog/high_value.html", context)


@login_required
@require_POST
def high_value_set(request, pk: int):
    """Put an entry on the high-value list (``high_value=1``) or take it off (``0``): 404 for
    an entry the caller may not see, 403 for one whose flag the caller may not change."""
    resource = catalog_selectors.resource_detail(user=request.user, pk=pk)
    if not policy.can_flag_high_value(request.user, resource):
        raise PermissionDenied(_("Only the agency's editors or the platform may change this."))
    flag = request.POST.get("high_value") == "1"
    resource_set_high_value(actor=request.user, resource=resource, high_value=flag)
    if flag:
        messages.success(request, _("The entry is on the high-value dataset list."))
    else:
        messages.success(request, _("The entry is off the high-value dataset list."))
    if policy.can_open_in_workspace(request.user, resource):
        return redirect("workspace:resource", resource.pk)
    return redirect("catalog:resource-detail", resource.pk)


# Layout of the map's SVG, in user units.
MAP_LABEL_WIDTH, MAP_HEADER_HEIGHT, MAP_CELL = 200, 210, 44


@require_safe
def resource_map(request):
    """The data resource map (数据资源地图): a matrix of top-level themes × providers with
    the number of entries the visitor may see, each cell linking to the filtered catalogue."""
    found = quality_selectors.resource_map(user=request.user)
    rows = []
    for y, theme in enumerate(found.themes):
        cells = []
        for x, provider in enumerate(found.providers):
            n = found.counts.get((theme.pk, provider.pk), 0)
            cells.append(_map_cell(x, y, n, found.largest, theme, provider))
        rows.append({"theme": theme, "y": MAP_HEADER_HEIGHT + y * MAP_CELL, "cells": cells})
    columns = [
        {"provider": p, "x": MAP_LABEL_WIDTH + x * MAP_CELL + MAP_CELL // 2}
        for x, p in enumerate(found.providers)
    ]
    context = {
        "map": found,
        "rows": rows,
        "columns": columns,
        "width": MAP_LABEL_WIDTH + len(found.providers) * MAP_CELL + 120,  # room for the last label
        "height": MAP_HEADER_HEIGHT + len(found.themes) * MAP_CELL + 10,
        "total": sum(found.counts.values()),
    }
    return render(request, "catalog/resource_map.html", context)


def _map_cell(x: int, y: int, n: int, largest: int, theme, provider) -> dict:
    query = urlencode({"theme": theme.code, "provider": provider.code})
    return {
        "n": n,
        "x": MAP_LABEL_WIDTH + x * MAP_CELL,
        "y": MAP_HEADER_HEIGHT + y * MAP_CELL,
        # Darker for more entries; an empty cell stays pale and links nowhere.
        "opacity": (opacity := round(0.15 + 0.85 * n / largest, 2) if n and largest else 0),
        "dark": opacity > 0.55,  # white figures on the darker cells
        "query": query,
        "theme": theme,
        "provider": provider,
    }
