"""Reads for grants, notices and the audit log; each starts from the policy."""

from __future__ import annotations

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
