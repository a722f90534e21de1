"""The supervision view (``/supervision/``) and its CSV export: platform administrators and
auditors only (404 for everyone else)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from grading import policy
from grading.supervision import selectors
from grading.supervision.export import section_csv
from portal.errors import render_error

PAGE = 50


@login_required
@require_safe
def supervision(request):
    """The supervision tables by name, and one of them (``?section=``) paginated."""
    if not policy.can_supervise(request.user):
        raise Http404
    key = request.GET.get("section") or selectors.SECTIONS[0]
    if key not in selectors.SECTIONS:
        return render_error(request, 400, _("Unknown section."))
    current = selectors.section(key, user=request.user)
    context = {
        "sections": selectors.titles(),
        "section": current,
        "page": Paginator(current.rows, PAGE).get_page(request.GET.get("page")),
        "can_export": policy.can_export_supervision(request.user),
    }
    return render(request, "grading/supervision.html", context)


@login_required
@require_safe
def supervision_export(request):
    """One supervision table (``?section=``) as CSV."""
    if not policy.can_export_supervision(request.user):
        raise Http404
    key = request.GET.get("section", "")
    if key not in selectors.SECTIONS:
        return render_error(request, 400, _("Unknown section."))
    section = selectors.section(key, user=request.user)
    response = HttpResponse(section_csv(section), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="supervision-{key}.csv"'
    return response
