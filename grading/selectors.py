"""Reads for grants, notices and the audit log; each starts from the policy."""

from __future__ import annotations

import json

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from grading import policy
from grading.models import AuditEvent, Grant, Notice


def visible_resources(user) -> Prefetch:
    """An application's or grant's resources, limited to those ``user`` may see now (a tier
    can change after the fact; a restricted title must not show through a grant)."""
    return Prefetch("resources", queryset=policy.viewable(user).order_by("id"))


def grant_queryset(*, user) -> QuerySet:
    """Grants ``user`` may see, newest first."""
    return (
        Grant.objects.filter(policy.grant_visible_q(user))
        .select_related("grantee", "application")
        .prefetch_related(visible_resources(user))
        .order_by("-id")
    )


def notices(*, user) -> QuerySet:
    """The user's own notices, newest first."""
    return Notice.objects.filter(user_id=policy.principal(user).user_id).order_by("-id")


def audit_log(*, user) -> QuerySet:
    """The audit chain for auditors and platform administrators; 404 for everyone else."""
    if not policy.can_view_audit(user):
        raise Http404
    return AuditEvent.objects.select_related("actor").order_by("-seq")


def audit_filtered(
    events: QuerySet, *, object_type: str = "", object_id: str = "", action: str = ""
) -> QuerySet:
    """``events`` narrowed to one object's rows and/or one action (the audit filters)."""
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if action:
        events = events.filter(action=action)
    return events


def payload_items(event: AuditEvent) -> list[tuple[str, str]]:
    """An audit row's payload as (name, value) pairs for reading, values shortened."""
    try:
        payload = json.loads(event.payload or "{}")
    except ValueError:
        return [("", event.payload[:200])]
    if not isinstance(payload, dict):
        return [("", str(payload)[:200])]
    items = []
    for name, value in sorted(payload.items()):
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        items.append((name, text if len(text) <= 200 else text[:199] + "…"))
    return items
