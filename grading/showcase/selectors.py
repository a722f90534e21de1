"""Reads for the showcase: the public list, one showcase, the review queue, and the showcases
shown on a resource page."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
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


def source_candidates(*, user, query: str = "", chosen=(), limit: int = 50) -> list:
    """Open entries ``user`` may link a showcase to, for the picker: those already chosen,
    then those whose title holds ``query`` (or the newest), at most ``limit``."""
    open_data = policy.showcase_sources(user).only("id", "title", "title_en")
    picked = list(open_data.filter(pk__in=list(chosen)[:limit]).order_by("id"))
    found = open_data.exclude(pk__in=[r.pk for r in picked])
    if query:
        found = found.filter(Q(title__icontains=query) | Q(title_en__icontains=query))
    return picked + list(found.order_by("-id")[: max(limit - len(picked), 0)])
