"""Reads for cross-border data flow: the public general list, an enterprise's assessments and
filings, one filing with its timeline, and every filing for the regulator's supervision."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from catalog.models import Organization
from grading import policy
from grading.models import (
    AuditEvent,
    CrossBorderAssessment,
    CrossBorderClearance,
    CrossBorderFiling,
)


def public_clearances(*, scenario: str | None = None) -> QuerySet:
    """The general data list as everyone sees it (``policy.cross_border_listed_q``): active
    clearances of categories, and of entries everyone may see, by scenario and category."""
    rows = CrossBorderClearance.objects.filter(policy.cross_border_listed_q())
    if scenario:
        rows = rows.filter(scenario=scenario)
    return rows.select_related("resource", "resource__provider").order_by(
        "scenario", "category", "resource_id", "id"
    )


def clearance_detail(*, pk: int) -> CrossBorderClearance:
    """One clearance on the public list, or 404."""
    try:
        return public_clearances().get(pk=pk)
    except CrossBorderClearance.DoesNotExist as exc:
        raise Http404 from exc


def assessing_enterprises(*, user) -> QuerySet:
    """The verified enterprises ``user`` may assess and file transfers for."""
    return Organization.objects.filter(policy.assessing_enterprises_q(user)).order_by("name")


def assessment_queryset(*, user) -> QuerySet:
    """Assessments ``user`` may see, newest first."""
    return (
        CrossBorderAssessment.objects.filter(policy.cross_border_visible_q(user))
        .select_related("enterprise", "author")
        .order_by("-id")
    )


def assessment_detail(*, user, pk: int) -> CrossBorderAssessment:
    """One assessment ``user`` may see, or 404."""
    try:
        return assessment_queryset(user=user).get(pk=pk)
    except CrossBorderAssessment.DoesNotExist as exc:
        raise Http404 from exc


def filing_queryset(*, user) -> QuerySet:
    """Filings ``user`` may see, newest first, with what lists show."""
    return (
        CrossBorderFiling.objects.filter(policy.cross_border_visible_q(user))
        .select_related("enterprise", "filed_by", "assessment")
        .order_by("-id")
    )


def filing_detail(*, user, pk: int) -> CrossBorderFiling:
    """One filing ``user`` may see, or 404."""
    try:
        return filing_queryset(user=user).get(pk=pk)
    except CrossBorderFiling.DoesNotExist as exc:
        raise Http404 from exc


def filings_for_supervision(
    *,
    user,
    status: str | None = None,
    enterprise: str | None = None,
    overdue: bool = False,
    today: dt.date | None = None,
) -> QuerySet:
    """Every filing for the regulator (platform staff; nothing for anyone else), soonest
    deadline first, narrowed by ``status``, the enterprise's ``code`` and ``overdue`` (still
    awaiting the platform after its due date). For the supervision view."""
    if not policy.can_supervise_cross_border(user):
        return CrossBorderFiling.objects.none()
    rows = filing_queryset(user=user)
    if status:
        rows = rows.filter(status=status)
    if enterprise:
        rows = rows.filter(enterprise__code=enterprise)
    if overdue:
        rows = rows.filter(
            status=CrossBorderFiling.Status.SUBMITTED,
            due_on__lt=today or timezone.localdate(),
        )
    return rows.order_by("due_on", "-id")


def is_overdue(filing: CrossBorderFiling, today: dt.date | None = None) -> bool:
    """Is the filing still awaiting the platform after its due date?"""
    return (
        filing.status == CrossBorderFiling.Status.SUBMITTED
        and filing.due_on is not None
        and filing.due_on < (today or timezone.localdate())
    )


def timeline(*, filing: CrossBorderFiling) -> QuerySet:
    """The audit events of one filing and of its assessment, oldest first."""
    events = AuditEvent.objects.filter(
        object_type="grading.crossborderfiling", object_id=str(filing.pk)
    ) | AuditEvent.objects.filter(
        object_type="grading.crossborderassessment", object_id=str(filing.assessment_id)
    )
    return events.select_related("actor").order_by("seq")
