"""What each kind of background job does. Each ``run(job=, progress=)`` reuses the service
or management command that does the same work in the foreground, and returns the outcome to
record (``message``, ``result_file``, ``result_name``, anything else is kept as the job's
result); a ``JobError`` fails the job at once, any other exception is retried."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.http import QueryDict
from django.utils.timezone import localdate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.jobs.services import JobError, job_store_result


@dataclass(frozen=True)
class Kind:
    label: str
    run: Callable[..., dict]


# ---------------------------------------------------------------------------------------------
# Bulk import (catalog.publishing.importer)
# ---------------------------------------------------------------------------------------------


def run_import(*, job, progress) -> dict:
    """Import the stored file into the agency in ``params["organization"]`` as the job's
    owner, in one transaction: every row or none."""
    from catalog.models import Organization
    from catalog.publishing import importer

    with default_storage.open(job.input_file, "rb") as handle:
        data = handle.read()
    try:
        rows = importer.read_table(name=job.params.get("file_name", job.input_file), data=data)
    except importer.ImportFileError as exc:
        raise JobError(" ".join(exc.messages)) from exc
    organization = Organization.objects.get(code=job.params["organization"])
    dry_run = bool(job.params.get("dry_run"))
    progress(0, len(rows), force=True)
    result = importer.run_import(
        actor=job.owner, organization=organization, rows=rows, dry_run=dry_run, progress=progress
    )
    outcome = result.as_dict()
    outcome["errors"] = outcome["errors"][: settings.UPLOAD_MAX_ERRORS]
    if result.errors:
        first = result.errors[0]
        raise JobError(_import_failure(len(result.errors), first), result=outcome)
    if dry_run:
        outcome["message"] = _("Checked %(total)d rows: no errors. Nothing was written.") % outcome
    else:
        outcome["message"] = (
            _("Imported %(total)d rows: %(created)d created, %(updated)d updated.") % outcome
        )
    return outcome


def _import_failure(count: int, first) -> str:
    return _(
        "%(n)d errors; nothing was imported. First: row %(row)d, column “%(column)s”: %(message)s"
    ) % {"n": count, "row": first.row, "column": first.column or "—", "message": first.message}


# ---------------------------------------------------------------------------------------------
# Catalogue export (catalog.interop.export)
# ---------------------------------------------------------------------------------------------


def export_query(*, user, query: str):
    """(filter values, ordering) of the catalogue search ``query`` (a query string, as the
    catalogue page and ``/resources/export.*`` read it) over what ``user`` may see;
    ``JobError`` for a search the filters refuse. Cheap: nothing is read yet."""
    from django.core.exceptions import ValidationError

    from catalog import selectors
    from catalog.filters import ResourceFilter
    from catalog.interop import selectors as interop_selectors

    params = QueryDict(query)
    filterset = ResourceFilter(
        params,
        queryset=selectors.resource_queryset(user=user),
        request=SimpleNamespace(user=user),
    )
    if not filterset.is_valid():
        raise JobError("; ".join(" ".join(v) for v in filterset.errors.values()))
    sorted_by = {"quality": "-quality_score", "downloads": "-download_count"}.get(
        params.get("sort", ""), ""
    )
    try:
        ordering = interop_selectors.export_ordering(params.get("ordering", sorted_by))
    except ValidationError as exc:
        raise JobError(" ".join(exc.messages)) from exc
    return filterset.form.cleaned_data, ordering


def export_search(*, user, query: str):
    """The entries of the search ``query`` that ``user`` may see, in its order (ids read now,
    entries as the export is iterated)."""
    from catalog.interop import selectors as interop_selectors

    data, ordering = export_query(user=user, query=query)
    return interop_selectors.resource_export(user=user, data=data, ordering=ordering)


def _counted(entries: Iterable, total: int, progress) -> Iterator:
    for done, entry in enumerate(entries, start=1):
        yield entry
        progress(done, total)


def run_export(*, job, progress) -> dict:
    """Write the export of the search in ``params["query"]`` as ``params["format"]`` (csv or
    xlsx) to storage, as its owner sees the catalogue now."""
    from catalog.interop import export
    from grading import policy
    from portal import links

    fmt = job.params.get("format")
    if fmt not in ("csv", "xlsx"):
        raise JobError(_("Unknown export format."))
    found = export_search(user=job.owner, query=job.params.get("query", ""))
    shape = export.layout(
        english=job.params.get("language", "").startswith("en"),
        grades=policy.can_see_grades(job.owner),
        base_url=links.site_origin(),
    )
    total = len(found.ids)
    progress(0, total, force=True)
    entries = _counted(found, total, progress)
    name = f"resources-{localdate():%Y%m%d}.{fmt}"
    if fmt == "csv":
        handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed below)
        for line in export.csv_lines(entries, shape):
            handle.write(line.encode("utf-8"))
        handle.seek(0)
    else:
        note = ""
        if found.truncated:
            note = _("Only the first %(max)d matching entries are exported.") % {"max": found.limit}
        handle = export.xlsx_file(entries, shape, note)
    with handle:
        stored = job_store_result(job=job, name=name, handle=File(handle, name=name))
    message = _("%(n)d entries exported.") % {"n": total}
    return {"message": message, "result_file": stored, "result_name": name, "entries": total}


# ---------------------------------------------------------------------------------------------
# Work done by management commands (harvests, reindexing, scheduled upkeep)
# ---------------------------------------------------------------------------------------------


def _command(name: str, *fixed: str) -> Callable[..., dict]:
    """A job that runs management command ``name`` with ``fixed`` arguments and then the
    job's ``params["args"]``; its output becomes the job's message. A ``CommandError`` (bad
    arguments, a broken audit chain) is not retried."""

    def run(*, job, progress) -> dict:
        out = io.StringIO()
        progress(0, 1, force=True)
        try:
            call_command(name, *fixed, *job.params.get("args", []), stdout=out, stderr=out)
        except CommandError as exc:
            raise JobError(str(exc)) from exc
        progress(1, 1, force=True)
        return {"message": out.getvalue().strip()[-2000:]}

    return run


def run_overdue_notices(*, job, progress) -> dict:
    """Remind reviewers of overdue applications (``grading.applications.overdue``)."""
    from grading.applications.overdue import overdue_notify

    count = overdue_notify()
    return {"message": _("%(n)d overdue applications reminded of.") % {"n": count}}


KINDS: dict[str, Kind] = {
    "import": Kind(gettext_lazy("Bulk import"), run_import),
    "export": Kind(gettext_lazy("Catalogue export"), run_export),
    "harvest": Kind(gettext_lazy("Harvest"), _command("harvest")),
    "search_reindex": Kind(gettext_lazy("Search reindexing"), _command("search_reindex")),
    "refresh_quality": Kind(gettext_lazy("Quality refresh"), _command("refresh_quality")),
    "expire_grants": Kind(gettext_lazy("Grant expiry"), _command("expire_grants")),
    "expire_agreements": Kind(gettext_lazy("Agreement expiry"), _command("expire_agreements")),
    "overdue_notices": Kind(gettext_lazy("Overdue-review reminders"), run_overdue_notices),
    "audit_head": Kind(gettext_lazy("Audit head publication"), _command("audit_head", "--publish")),
}
# Kinds platform administrators may start from the jobs page.
STARTABLE = ("search_reindex", "refresh_quality")


def kind_label(kind: str) -> str:
    """The name people see for a kind of job (translated)."""
    found = KINDS.get(kind)
    return str(found.label) if found else kind
