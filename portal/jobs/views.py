"""Pages of background jobs: my jobs, one job (progress, result, error), its status as JSON
for the page's polling script, the result download, and starting an export or an upkeep job.
Thin views: selectors decide what the caller sees, services write."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from grading import policy
from portal.errors import render_error
from portal.jobs import selectors
from portal.jobs.kinds import KINDS, STARTABLE, export_query, kind_label
from portal.jobs.models import Job
from portal.jobs.services import JobError, job_create, progress_of

# The job page reloads itself this often (seconds) when scripts are off.
REFRESH_SECONDS = 3


@require_safe
@login_required
def job_list(request):
    """The caller's jobs, newest first, paginated; platform administrators also get the
    buttons that start upkeep jobs."""
    try:
        page = Paginator(selectors.my_jobs(user=request.user), settings.JOBS_PAGE_SIZE).page(
            request.GET.get("page") or 1
        )
    except (EmptyPage, PageNotAnInteger) as exc:
        raise Http404(_("No such page.")) from exc
    for job in page:
        job.label = kind_label(job.kind)
    startable = [(k, KINDS[k].label) for k in STARTABLE]
    context = {
        "jobs": page,
        "startable": startable if policy.can_start_jobs(request.user) else [],
    }
    return render(request, "jobs/job_list.html", context)


def _status(job: Job) -> dict:
    done, total, _beat = progress_of(job)
    return {
        "id": job.pk,
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else (100 if job.finished else 0),
        "message": job.message,
        "finished": job.finished,
    }


@require_safe
@login_required
def job_page(request, pk: int):
    """One job: its progress (refreshed by a script, or by the page itself without one), its
    result to download when ready, its error when it failed."""
    job = selectors.job_detail(user=request.user, pk=pk)
    context = {
        "job": job,
        "label": kind_label(job.kind),
        "status": _status(job),
        "refresh": None if job.finished else REFRESH_SECONDS,
        "errors": (job.result or {}).get("errors", []),
    }
    response = render(request, "jobs/job_detail.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
def job_status(request, pk: int):
    """The job's state and progress as JSON, for the job page's polling."""
    job = selectors.job_detail(user=request.user, pk=pk)
    response = JsonResponse(_status(job))
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
def job_download(request, pk: int):
    """The job's result file, for its owner and platform staff only (404 for anyone else, and
    while there is no result)."""
    job = selectors.job_detail(user=request.user, pk=pk)
    if job.state != Job.State.SUCCEEDED or not job.result_file:
        raise Http404
    try:
        handle = default_storage.open(job.result_file, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=job.result_name or None)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def export_start(request, fmt: str):
    """Start a background export of the catalogue search in the query string (the same
    parameters as ``/resources/export.<fmt>``); a search the filters refuse is a 400."""
    query = request.GET.urlencode()
    try:
        export_query(user=request.user, query=query)  # refuse a bad search now, not later
    except JobError as exc:
        return render_error(request, 400, str(exc))
    params = {"query": query, "format": fmt, "language": get_language() or ""}
    job = job_create(owner=request.user, kind="export", params=params)
    return redirect("jobs:detail", pk=job.pk)


@require_POST
@login_required
def job_start(request):
    """Start an upkeep job (search reindexing, quality refresh): platform administrators."""
    if not policy.can_start_jobs(request.user):
        raise PermissionDenied(_("Only platform administrators may start these jobs."))
    kind = request.POST.get("kind", "")
    if kind not in STARTABLE:
        return render_error(request, 400, _("Unknown kind of job."))
    job = job_create(owner=request.user, kind=kind)
    return redirect("jobs:detail", pk=job.pk)
