"""The supervision tables. Each section is a title, a header and rows of plain cells (the
page and the CSV export show the same), each row with a link to its item, a link to its audit
rows and a flag for what needs attention. Every section costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grading.models import (
    Agreement,
    Application,
    Feedback,
    OperationApplication,
    OperationScopePart,
)
from grading.operator.selectors import days_left, with_figures

EXPIRY_WARNING_DAYS = 90
TITLES = {
    "agreements": _("Agreements by state and expiry"),
    "operation": _("Authorized-operation applications"),
    "applications": _("Conditional-data applications"),
    "listing": _("Listing review times"),
    "complaints": _("Complaints about entries and products"),
    "prices": _("Prices against fee caps"),
    "crossborder": _("Cross-border filings"),
}


@dataclass
class Row:
    cells: list
    link: str = ""
    audit: str = ""
    flagged: bool = False


@dataclass
class Section:
    key: str
    title: str
    headers: list
    rows: list[Row]
    summary: list[tuple] = field(default_factory=list)

    @property
    def flagged(self) -> int:
        return sum(1 for row in self.rows if row.flagged)


_SENTINEL = 987654321


def url_maker(name: str) -> Callable[[int], str]:
    """A function from a primary key to the URL ``name`` takes it to, reversing once: a table
    of hundreds of rows would otherwise spend most of its time in ``reverse``."""
    pattern = reverse(name, args=[_SENTINEL])
    return lambda pk: pattern.replace(str(_SENTINEL), str(int(pk)))


def audit_maker(object_type: str) -> Callable[[int], str]:
    """A function from a primary key to that object's rows in the audit log, reversing once."""
    base = f"{reverse('grading:audit-log')}?object_type={object_type}&object_id="
    return lambda pk: f"{base}{int(pk)}"


def labels(choices) -> dict[str, str]:
    """A choice field's labels by value, translated once per table rather than once per row."""
    return {value: str(label) for value, label in choices}


def agreements(now: dt.datetime) -> Section:
    """Every agreement, those ending first first; active ones ending within 90 days flagged."""
    rows, state = [], labels(Agreement.Status.choices)
    detail, audit = url_maker("operation:agreement-detail"), audit_maker("grading.agreement")
    for a in with_figures(Agreement.objects.all()).order_by("valid_until", "pk"):
        left = days_left(a, now)
        soon = a.status == Agreement.Status.ACTIVE and left <= EXPIRY_WARNING_DAYS
        until = timezone.localtime(a.valid_until)
        cells = [a.pk, a.operator.name, state[a.status], f"{until:%Y-%m-%d}"]
        cells += [left, a.scope_size, a.fee_cap, a.queries_total, a.rows_total]
        rows.append(Row(cells, detail(a.pk), audit(a.pk), soon))
    counts = dict(Agreement.objects.values_list("status").annotate(n=Count("pk")))
    summary = [(label, counts.get(value, 0)) for value, label in Agreement.Status.choices]
    headers = [_("Agreement"), _("Operator"), _("State"), _("Valid until"), _("Days left")]
    headers += [_("Entries in scope"), _("Fee cap (CNY)"), _("Queries"), _("Rows")]
    return Section("agreements", TITLES["agreements"], headers, rows, summary)


OPERATION_QUEUE = (
    OperationApplication.Status.SUBMITTED,
    OperationApplication.Status.CHECKED,
    OperationApplication.Status.DECIDED,
)


def operation_applications(today: dt.date) -> Section:
    """Authorized-operation applications waiting on the platform or an agency; overdue when
    the application or one of its agency parts is past its due date."""
    late_part = Q(parts__status=OperationScopePart.Status.PENDING, parts__due_on__lt=today)
    queue = (
        OperationApplication.objects.filter(status__in=OPERATION_QUEUE)
        .select_related("applicant")
        .annotate(late_parts=Count("parts", filter=late_part, distinct=True))
        .order_by("due_on", "pk")
    )
    rows, state = [], labels(OperationApplication.Status.choices)
    link = url_maker("operation:application-detail")
    audit = audit_maker("grading.operationapplication")
    for app in queue:
        overdue = bool(app.due_on and app.due_on < today) or app.late_parts > 0
        cells = [app.pk, app.applicant.name, state[app.status]]
        cells += [_date(app.due_on), app.late_parts, _yes(overdue)]
        rows.append(Row(cells, link(app.pk), audit(app.pk), overdue))
    headers = [_("Application"), _("Applicant"), _("State"), _("Decision due")]
    headers += [_("Agency parts overdue"), _("Overdue")]
    return Section("operation", TITLES["operation"], headers, rows)


def conditional_applications(today: dt.date) -> Section:
    """Applications for conditional data waiting for the formal check or the agency's review,
    overdue ones first."""
    queue = (
        Application.objects.filter(
            status__in=(Application.Status.SUBMITTED, Application.Status.CHECKED)
        )
        .select_related("applicant", "provider")
        .order_by("due_on", "pk")
    )
    rows, state = [], labels(Application.Status.choices)
    link, audit = url_maker("grading:application-detail"), audit_maker("grading.application")
    for app in queue:
        overdue = bool(app.due_on and app.due_on < today)
        cells = [app.pk, app.applicant.get_username(), app.provider.name]
        cells += [state[app.status], _date(app.due_on), _yes(overdue)]
        rows.append(Row(cells, link(app.pk), audit(app.pk), overdue))
    headers = [_("Application"), _("Applicant"), _("Agency"), _("State"), _("Decision due")]
    headers.append(_("Overdue"))
    return Section("applications", TITLES["applications"], headers, rows)


def complaints(today: dt.date) -> Section:
    """Complaints about entries (rights complaints) and about products, still open or upheld
    (access or the listing suspended); overdue answers flagged."""
    queue = (
        Feedback.objects.filter(
            kind=Feedback.Kind.COMPLAINT,
            status__in=(Feedback.Status.OPEN, Feedback.Status.UPHELD),
        )
        .select_related("resource", "product", "agency")
        .order_by("status", "due_on", "pk")
    )
    rows, state = [], labels(Feedback.Status.choices)
    link, audit = url_maker("grading:feedback-detail"), audit_maker("grading.feedback")
    for item in queue:
        late = item.status == Feedback.Status.OPEN and bool(item.due_on and item.due_on < today)
        entry = item.resource.title if item.resource else item.product.name if item.product else ""
        cells = [item.pk, item.title, entry, item.agency.name, state[item.status]]
        cells += [_date(item.due_on), _yes(late)]
        upheld = item.status == Feedback.Status.UPHELD
        rows.append(Row(cells, link(item.pk), audit(item.pk), late or upheld))
    counts = dict(queue.order_by().values_list("status").annotate(n=Count("pk")))
    summary = [(label, counts.get(v, 0)) for v, label in Feedback.Status.choices if v in counts]
    headers = [_("Complaint"), _("Subject"), _("Entry or product"), _("Answered by"), _("State")]
    headers += [_("Answer due"), _("Overdue")]
    return Section("complaints", TITLES["complaints"], headers, rows, summary)


def _date(value) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


def _yes(flag: bool) -> str:
    return str(_("yes")) if flag else ""
