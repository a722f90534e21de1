"""Pages of cross-border data flow for the platform: the supervision list of every filing
(filters, overdue flags, CSV export) and clearing data for the general data list."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from catalog.models import Resource
from grading import policy
from grading.crossborder import selectors, services
from grading.crossborder.forms import ClearanceForm
from grading.crossborder.views import named
from grading.models import CrossBorderClearance, CrossBorderFiling
from portal.errors import render_error

PAGE = 50
EXPORT_MAX = 100_000


def _supervised(request):
    """The filtered filings of the supervision list, or a 400 message."""
    if not policy.can_supervise_cross_border(request.user):
        raise PermissionDenied(_("The supervision of cross-border filings is for platform staff."))
    status = request.GET.get("status", "")
    if status and status not in CrossBorderFiling.Status.values:
        return None, _("Unknown state.")
    enterprise = request.GET.get("enterprise", "").strip()[:100]
    overdue = request.GET.get("overdue", "") == "1"
    rows = selectors.filings_for_supervision(
        user=request.user, status=status or None, enterprise=enterprise or None, overdue=overdue
    )
    return rows, {"status": status, "enterprise": enterprise, "overdue": overdue}


@login_required
@require_safe
def supervision(request):
    """Every filing for the regulator, soonest deadline first, overdue ones marked."""
    rows, filters = _supervised(request)
    if rows is None:
        return render_error(request, 400, filters)
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for filing in page:
        filing.overdue = selectors.is_overdue(filing, today)
    context = {"page": page, "states": CrossBorderFiling.Status.choices, **filters}
    return render(request, "grading/crossborder/supervision.html", context)


def _csv_cell(value) -> str:
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value):
        return value


@login_required
@require_safe
def supervision_export(request):
    """The supervision list as CSV (UTF-8 with BOM), same filters as the page."""
    rows, filters = _supervised(request)
    if rows is None:
        return render_error(request, 400, filters)
    today = timezone.localdate()
    writer = csv.writer(_Echo())
    header = ["receipt", "enterprise", "status", "result", "rule", "filed", "due", "overdue"]

    def lines():
        yield "\ufeff" + writer.writerow(header)
        for f in rows[:EXPORT_MAX].iterator(chunk_size=500):
            cells = [f.receipt_number, f.enterprise.code, f.status, f.assessment.result]
            cells += [f.assessment.rule, f.created_at.date().isoformat()]
            cells += [f.due_on.isoformat() if f.due_on else "", selectors.is_overdue(f, today)]
            yield writer.writerow([_csv_cell(c) for c in cells])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = today.isoformat()
    response["Content-Disposition"] = f'attachment; filename="cross-border-filings-{stamp}.csv"'
    return response


def _require_clearer(user):
    if not policy.can_clear_for_cross_border(user):
        raise PermissionDenied(_("Only platform administrators clear data for cross-border flow."))


def _resource(number):
    if number is None:
        return None, None
    found = Resource.objects.filter(pk=number).first()
    if found is None:
        return None, _("No such catalogue entry.")
    return found, None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def clearance_manage(request):
    """Clear a category or an entry for a scenario (the negative list refuses), and withdraw
    clearances; platform administrators only."""
    _require_clearer(request.user)
    form = ClearanceForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and _clear(request, form):
            return redirect("crossborder:clear")
    rows = CrossBorderClearance.objects.filter(status="active").select_related("resource")
    context = {"form": form, "clearances": named(rows.order_by("scenario", "category", "id"))}
    return render(request, "grading/crossborder/clear.html", context, status=status)


def _clear(request, form) -> bool:
    data = form.cleaned_data
    resource, missing = _resource(data["resource"])
    if missing:
        form.add_error("resource", missing)
        return False
    try:
        services.clearance_mark(
            actor=request.user,
            scenario=data["scenario"],
            category=data["category"],
            conditions=data["conditions"],
            conditions_en=data["conditions_en"],
            resource=resource,
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return False
    messages.success(request, _("Cleared."))
    return True


@login_required
@require_POST
def clearance_withdraw(request, pk: int):
    """Withdraw one active clearance."""
    _require_clearer(request.user)
    clearance = CrossBorderClearance.objects.filter(pk=pk).first()
    if clearance is None:
        raise Http404
    try:
        services.clearance_withdraw(actor=request.user, clearance=clearance)
    except ValidationError as exc:
        return render_error(request, 409, " ".join(exc.messages))
    messages.success(request, _("Withdrawn."))
    return redirect("crossborder:clear")
