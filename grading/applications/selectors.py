"""Reads for applications: lists, one application, the review queue and its timeline."""

from __future__ import annotations

import json

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from grading import policy
from grading.applications.words import EVENT_TEXT
from grading.models import Application, AuditEvent
from grading.selectors import visible_resources


def application_queryset(*, user) -> QuerySet:
    """Applications ``user`` may see, newest first, with what lists show."""
    return (
        Application.objects.filter(policy.application_visible_q(user))
        .select_related("applicant", "provider", "grant")
        .prefetch_related(visible_resources(user))
        .order_by("-id")
    )


def application_detail(*, user, pk: int) -> Application:
    """One application ``user`` may see, or 404."""
    try:
        return application_queryset(user=user).get(pk=pk)
    except Application.DoesNotExist as exc:
        raise Http404 from exc


def review_queue(*, user) -> QuerySet:
    """What waits for ``user``'s decision: submitted applications for platform administrators
    (the formal check), checked ones of their agencies for reviewers; soonest deadline first."""
    p = policy.principal(user)
    states = []
    if p.platform_admin:
        states.append(Application.Status.SUBMITTED)
    if p.reviewer_org_ids:
        states.append(Application.Status.CHECKED)
    waiting = application_queryset(user=user).filter(status__in=states)
    if not p.platform_admin:
        waiting = waiting.filter(provider_id__in=p.reviewer_org_ids)
    return waiting.order_by("due_on", "id")


def is_overdue(application: Application) -> bool:
    """Has the application's review clock run past its due date?"""
    return application.due_on is not None and application.due_on < timezone.localdate()


def readable_timeline(*, application: Application) -> list[AuditEvent]:
    """:func:`timeline` with each event's plain words (``text``) and its reason, if any."""
    shown = []
    for event in timeline(application=application):
        payload = json.loads(event.payload or "{}")
        event.text = EVENT_TEXT.get(event.action, event.action)
        event.reason = payload.get("reason") or ""
        shown.append(event)
    return shown


def timeline(*, application: Application) -> QuerySet:
    """The audit events of one application and of the grant issued for it, oldest first."""
    events = AuditEvent.objects.filter(
        object_type="grading.application", object_id=str(application.pk)
    )
    if application.grant_id:
        events = events | AuditEvent.objects.filter(
            object_type="grading.grant", object_id=str(application.grant_id)
        )
    return events.select_related("actor").order_by("seq")
