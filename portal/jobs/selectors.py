"""Reads for background jobs. A job is seen by its owner and by platform staff; to anyone
else it does not exist (404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from grading import policy
from portal.jobs.models import Job


def job_queryset(*, user) -> QuerySet:
    """Jobs ``user`` may see, newest first, with their owners."""
    if not user.is_authenticated:
        return Job.objects.none()
    jobs = Job.objects.select_related("owner").order_by("-id")
    if policy.can_see_all_jobs(user):
        return jobs
    return jobs.filter(owner=user)


def my_jobs(*, user) -> QuerySet:
    """The caller's own jobs, newest first (the "my jobs" page)."""
    return (
        job_queryset(user=user).filter(owner_id=user.pk)
        if user.is_authenticated
        else (Job.objects.none())
    )


def job_detail(*, user, pk: int) -> Job:
    """One job ``user`` may see, or 404."""
    try:
        return job_queryset(user=user).get(pk=pk)
    except Job.DoesNotExist as exc:
        raise Http404 from exc
