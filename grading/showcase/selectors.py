"""Reads for the showcase: the public list, one showcase, the review queue, and the showcases
shown on a resource page."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from grading import policy
from grading.models import AuditEvent, Showcase


def _sources(user) -> Prefetch:
    """A showcase's sources, limited to those ``user`` may see now (a tier can change)."""
    fields = ("id", "title", "title_en", "code")
    return Prefetch("sources", queryset=policy.viewable(user).only(*fields).order_by("id"))


def showcase_queryset(*, user) -> QuerySet:
    """Showcases ``user`` may see, newest first, with their sources and submitter."""
    return (
        Showcase.objects.filter(policy.showcase_visible_q(user))
        .select_related("submitter")
        .prefetch_related(_sources(user))
        .order_by("-id")
    )


def listed_showcases(*, user) -> QuerySet:
    """The public showcase: listed ones only, newest listing first."""
    return showcase_queryset(user=user).filter(status=Showcase.Status.LISTED)


def showcase_detail(*, user, pk: int) -> Showcase:
    """One showcase ``user`` may see, or 404."""
    try:
        return showcase_queryset(user=user).get(pk=pk)
    except Showcase.DoesNotExist as exc:
        raise Http404 from exc


def review_queue(*, user) -> QuerySet:
    """Submissions waiting for review, oldest first (platform administrators; 404 otherwise)."""
    if not policy.can_review_showcase(user):
        raise Http404
    waiting = showcase_queryset(user=user).filter(status=Showcase.Status.SUBMITTED)
    return waiting.order_by("id")


def showcases_for_resource(*, resource, limit: int = 10) -> list[Showcase]:
    """Listed showcases that use ``resource`` (for its page), newest first, in one query."""
    rows = Showcase.objects.filter(status=Showcase.Status.LISTED, sources=resource)
    return list(rows.only("id", "title", "title_en", "url").order_by("-id")[:limit])


def timeline(*, showcase: Showcase) -> QuerySet:
    """The audit events of one showcase, oldest first."""
    events = AuditEvent.objects.filter(object_type="grading.showcase", object_id=str(showcase.pk))
    return events.select_related("actor").order_by("seq")
