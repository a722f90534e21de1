"""Reads of feedback: the public answers, the agency inbox, one item, and response figures."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from django.conf import settings
from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from catalog.models import Organization, Resource
from grading import policy
from grading.models import Feedback
from grading.workdays import working_days_between

S = Feedback.Status


def public_feedback(*, user, resource: Resource | None = None) -> QuerySet:
    """Answered corrections and data requests anyone may read (about ``resource`` if given),
    newest answer first; no submitter, no evidence."""
    rows = Feedback.objects.filter(policy.feedback_public_q(user))
    if resource is not None:
        rows = rows.filter(resource=resource)
    return (
        rows.select_related("agency", "resource")
        .defer("submitter", "evidence", "submission_key", "resolution")
        .order_by("-answered_at", "-id")
    )


def inbox(*, user, status: str | None = None) -> QuerySet:
    """Feedback addressed to the caller's agency (see the policy), soonest due first, each
    with ``overdue``: still open past its due date (working days)."""
    rows = Feedback.objects.filter(policy.feedback_inbox_q(user))
    if status:
        rows = rows.filter(status=status)
    today = timezone.localdate()
    overdue = Case(
        When(status=S.OPEN, due_on__lt=today, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return (
        rows.select_related("agency", "resource", "submitter")
        .annotate(overdue=overdue)
        .order_by("-overdue", "due_on", "id")
    )


def inbox_counts(*, user) -> dict[str, int]:
    """How many items of the caller's inbox are in each state (one query)."""
    rows = Feedback.objects.filter(policy.feedback_inbox_q(user)).values_list("status")
    counts = dict.fromkeys(S.values, 0)
    for status, number in rows.annotate(n=Count("id")).order_by():
        counts[status] = number
    return counts


def feedback_detail(*, user, pk: int) -> Feedback:
    """One feedback item the caller may open, or 404 (others' complaints do not exist)."""
    rows = Feedback.objects.filter(policy.feedback_visible_q(user)).select_related(
        "agency", "resource", "submitter", "product"
    )
    found = rows.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@dataclass(frozen=True)
class ResponseFigures:
    """An agency's public response record, in working days."""

    received: int
    answered: int
    open: int
    overdue: int
    median_days: float | None
    average_days: float | None
    within_share: float | None  # percent answered within ``days`` working days
    days: int


def response_figures(*, agency: Organization) -> ResponseFigures:
    """Median and average working days from submission to the first answer or decision, the
    share answered within ``FEEDBACK_ANSWER_DAYS``, and the open and overdue counts."""
    rows = list(
        Feedback.objects.filter(Q(agency=agency) & policy.feedback_statistics_q()).values_list(
            "created_at", "answered_at", "status", "due_on"
        )
    )
    today, limit = timezone.localdate(), settings.FEEDBACK_ANSWER_DAYS
    durations = [
        working_days_between(timezone.localdate(created), timezone.localdate(answered))
        for created, answered, _status, _due in rows
        if answered is not None
    ]
    waiting = [due for _c, _a, status, due in rows if status == S.OPEN]
    within = sum(1 for days in durations if days <= limit)
    return ResponseFigures(
        received=len(rows),
        answered=len(durations),
        open=len(waiting),
        overdue=sum(1 for due in waiting if due is not None and due < today),
        median_days=statistics.median(durations) if durations else None,
        average_days=round(statistics.fmean(durations), 1) if durations else None,
        within_share=round(100 * within / len(durations), 1) if durations else None,
        days=limit,
    )


def agencies() -> QuerySet:
    """Agencies a data request can be addressed to."""
    return Organization.objects.filter(kind=Organization.Kind.AGENCY).order_by("code")
