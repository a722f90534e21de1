"""Writes for background jobs: create and enqueue, run with progress, retry, fail (telling the
owner), and pick up the jobs of workers that died.

A job is run by ``job_run`` inside a worker. It is claimed (QUEUED → RUNNING) in a short
transaction of its own, so its state is visible at once; the kind's work then runs in its own
transaction (an import: all rows or none), so a worker killed mid-run leaves nothing of its
work behind, only a RUNNING job whose heartbeat stops. ``jobs_recover_stale`` (run by the
scheduler on every tick and by ``run_worker`` on start) queues such jobs again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from portal.jobs.models import Job

log = logging.getLogger("portal.jobs")

# How often a running job writes its progress to the cache and (outside a transaction) the
# database, at most; the heartbeat timeout must be far longer.
PROGRESS_EVERY = 1.0


class JobError(Exception):
    """A failure that another attempt cannot cure (bad input, a refused row): the job fails at
    once with this message, without retries; ``result`` (e.g. the rows' errors) is kept."""

    def __init__(self, message: str, *, result: dict | None = None):
        super().__init__(message)
        self.result = result or {}


def worker_name() -> str:
    """Which process runs a job (host and process id), for the record."""
    return f"{socket.gethostname()}:{os.getpid()}"


# ---------------------------------------------------------------------------------------------
# Creating and enqueuing
# ---------------------------------------------------------------------------------------------


def job_create(
    *,
    owner,
    kind: str,
    params: dict | None = None,
    input_data: bytes | None = None,
    input_name: str = "",
    total: int = 0,
) -> Job:
    """Record a job of ``kind`` for ``owner`` (None: the system's, e.g. a scheduled one) and
    enqueue it once the transaction commits. ``input_data`` (an uploaded file) is stored
    under ``jobs/input/`` for the worker to read."""
    from portal.jobs.kinds import KINDS

    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(
        owner=owner,
        kind=kind,
        params=params or {},
        total=total,
        max_attempts=settings.JOBS_MAX_ATTEMPTS,
    )
    if input_data is not None:
        suffix = os.path.splitext(input_name)[1].lower()[:8]
        stored = default_storage.save(f"jobs/input/{job.pk}{suffix}", ContentFile(input_data))
        Job.objects.filter(pk=job.pk).update(input_file=stored)
        job.input_file = stored
    job_enqueue(job)
    return job


def job_enqueue(job: Job, *, delay: int = 0) -> None:
    """Hand ``job`` to the task backend once the current transaction commits (a worker never
    sees a job whose record is not there yet); ``delay`` seconds later if the backend can."""
    from portal.jobs.tasks import run_job

    def send():
        task = run_job
        if delay and task.get_backend().supports_defer:
            task = task.using(run_after=timezone.now() + dt.timedelta(seconds=delay))
        task.enqueue(job.pk)

    transaction.on_commit(send)


# ---------------------------------------------------------------------------------------------
# Progress
# ---------------------------------------------------------------------------------------------


def _cache():
    return caches["jobs"]


def _key(job_id: int) -> str:
    return f"job:{job_id}"


class Reporter:
    """``reporter(done, total)``: the job's progress and heartbeat, written to the jobs cache
    at most once a second, and to the job's row too when no transaction is open (inside one
    the row would stay invisible, and on SQLite would wait for the lock)."""

    def __init__(self, job: Job):
        self.job = job
        self.last = 0.0

    def __call__(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        total = self.job.total if total is None else total
        self.job.done, self.job.total = done, total
        beat = timezone.now()
        _cache().set(_key(self.job.pk), {"done": done, "total": total, "beat": beat}, 86400)
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.job.pk).update(done=done, total=total, heartbeat_at=beat)


def progress_of(job: Job) -> tuple[int, int, dt.datetime | None]:
    """(done, total, last heartbeat) of ``job``: the live figures of a running job from the
    jobs cache, else the row's."""
    live = _cache().get(_key(job.pk)) if job.state == Job.State.RUNNING else None
    if live:
        beat = max(filter(None, [live["beat"], job.heartbeat_at]))
        return live["done"], live["total"], beat
    return job.done, job.total, job.heartbeat_at


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


def _claim(job_id: int) -> Job | None:
    """QUEUED → RUNNING, one attempt more, committed at once; None if the job is not queued
    (another worker has it, or it is finished)."""
    now = timezone.now()
    with transaction.atomic():
        claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
            state=Job.State.RUNNING,
            started_at=now,
            heartbeat_at=now,
            worker=worker_name(),
            message="",
            done=0,
        )
        if not claimed:
            return None
        Job.objects.filter(pk=job_id).update(attempts=F("attempts") + 1)
    return Job.objects.select_related("owner").get(pk=job_id)


def job_run(*, job_id: int) -> Job:
    """Run queued job ``job_id`` once: its kind's work with a progress reporter, then record
    success, or a retry (a failure other than ``JobError`` while attempts remain), or the
    failure, which its owner is told of. A job that is not queued is left alone."""
    from portal.jobs.kinds import KINDS

    job = _claim(job_id)
    if job is None:
        return Job.objects.get(pk=job_id)
    reporter = Reporter(job)
    _cache().delete(_key(job.pk))
    try:
        with override(job.params.get("language") or settings.LANGUAGE_CODE):
            outcome = KINDS[job.kind].run(job=job, progress=reporter)
    except JobError as exc:
        return _failed(job, str(exc), result=exc.result)
    except Exception as exc:  # noqa: BLE001 - any failure of the work is the job's failure
        log.exception("job %s failed (attempt %s)", job.pk, job.attempts)
        if job.attempts < job.max_attempts:
            return _retry(job, exc)
        return _failed(job, _short(exc))
    return _succeeded(job, outcome or {})


def _short(exc: Exception) -> str:
    text = "; ".join(getattr(exc, "messages", None) or [str(exc) or type(exc).__name__])
    return text[:1000]


def _succeeded(job: Job, outcome: dict) -> Job:
    job.state = Job.State.SUCCEEDED
    job.finished_at = timezone.now()
    job.message = outcome.pop("message", "")
    job.result_file = outcome.pop("result_file", job.result_file)
    job.result_name = outcome.pop("result_name", job.result_name)
    job.result = outcome
    job.done = job.total = max(job.total, job.done)
    job.save()
    _cache().delete(_key(job.pk))
    _drop_input(job)
    return job


def _drop_input(job: Job) -> None:
    """The uploaded file of a finished job is not needed any more."""
    if job.input_file:
        default_storage.delete(job.input_file)


def _retry(job: Job, exc: Exception) -> Job:
    job.state = Job.State.QUEUED
    job.message = _("Attempt %(n)d failed (%(error)s); trying again.") % {
        "n": job.attempts,
        "error": _short(exc),
    }
    job.save(update_fields=["state", "message"])
    _cache().delete(_key(job.pk))
    with transaction.atomic():
        job_enqueue(job, delay=30 * job.attempts)
    return job


FAILED_TEXT = gettext_noop("Your background job “%(kind)s” #%(id)s failed: %(message)s")


@transaction.atomic
def _failed(job: Job, message: str, *, result: dict | None = None) -> Job:
    """Record the failure and tell the owner (in-app notice and e-mail)."""
    from grading.services import notify
    from portal.jobs.kinds import kind_label

    job.state = Job.State.FAILED
    job.finished_at = timezone.now()
    job.message = message
    job.result = result or {}
    job.save(update_fields=["state", "finished_at", "message", "result"])
    _cache().delete(_key(job.pk))
    _drop_input(job)
    if job.owner_id:
        values = {"kind": kind_label(job.kind), "id": job.pk, "message": message[:300]}
        link = reverse("jobs:detail", args=[job.pk])
        notify(user=job.owner, text=_(FAILED_TEXT) % values, link=link)
    return job


def job_store_result(*, job: Job, name: str, handle) -> str:
    """Store a job's result file (an open binary file) under ``jobs/results/``; its path."""
    return default_storage.save(f"jobs/results/{job.pk}/{name}", handle)


# ---------------------------------------------------------------------------------------------
# Dead workers
# ---------------------------------------------------------------------------------------------


def jobs_recover_stale(*, now: dt.datetime | None = None) -> list[int]:
    """Queue again each RUNNING job whose heartbeat is older than ``JOBS_HEARTBEAT_TIMEOUT``:
    its worker died, and with it the work's open transaction, so the job starts clean. A
    job that has used all its attempts fails instead. Returns the ids queued again."""
    now = now or timezone.now()
    limit = now - dt.timedelta(seconds=settings.JOBS_HEARTBEAT_TIMEOUT)
    requeued = []
    for job in Job.objects.filter(state=Job.State.RUNNING).select_related("owner"):
        beat = progress_of(job)[2] or job.started_at
        if beat is not None and beat >= limit:
            continue
        if _requeue_dead(job):
            requeued.append(job.pk)
    return requeued


def _requeue_dead(job: Job) -> bool:
    message = _("The worker running this job stopped; it was started again.")
    if job.attempts >= job.max_attempts:
        _failed(job, _("The worker running this job stopped, and no attempts are left."))
        return False
    with transaction.atomic():
        moved = Job.objects.filter(
            pk=job.pk, state=Job.State.RUNNING, heartbeat_at=job.heartbeat_at
        )
        if not moved.update(state=Job.State.QUEUED, message=message, done=0):
            return False  # it moved on meanwhile
        _cache().delete(_key(job.pk))
        job_enqueue(job)
    return True


Handler = Callable[..., dict]
