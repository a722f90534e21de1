"""Running jobs: an import all-or-nothing, failures reported to the owner, retries with a
limit, jobs of dead workers picked up again and re-run from a clean start, progress."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from catalog.models import Resource
from catalog.publishing import resources as resource_services
from grading.models import Notice
from portal.jobs import services
from portal.jobs.models import Job
from portal.jobs.services import job_create, jobs_recover_stale, progress_of
from tests.portal.jobs.helpers import agency_editor, import_csv, run

pytestmark = pytest.mark.django_db


def _import_job(editor, data: bytes, **params):
    return job_create(
        owner=editor,
        kind="import",
        params={"organization": "agency", "file_name": "e.csv", "language": "en", **params},
        input_data=data,
        input_name="e.csv",
    )


def test_import_job__imports_every_row(django_capture_on_commit_callbacks):
    agency, editor = agency_editor()
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        job = _import_job(editor, import_csv(30))
    assert len(enqueued) == 1  # handed to the worker only once committed
    job = run(job)
    assert job.state == Job.State.SUCCEEDED
    assert (job.done, job.total, job.attempts) == (30, 30, 1)
    assert job.result["created"] == 30
    assert Resource.objects.filter(provider=agency).count() == 30
    assert "30" in job.message


def test_import_job__failing_on_row_40000_leaves_nothing(django_capture_on_commit_callbacks):
    """The whole file runs in one transaction: a bad row 40,000 rolls back the 39,999 rows
    before it, and the owner is told why, with the row."""
    _agency, editor = agency_editor()
    editor.email = "clerk@example.org"
    editor.save()
    job = _import_job(editor, import_csv(40_000, bad_row=40_000))
    with django_capture_on_commit_callbacks(execute=True):
        job = run(job)
    assert Resource.objects.count() == 0
    assert job.state == Job.State.FAILED
    assert job.attempts == 1  # bad data is not retried
    assert "nothing was imported" in job.message
    assert "row 40001" in job.message and "theme" in job.message
    assert job.result["errors"][0]["row"] == 40_001
    notice = Notice.objects.get(user=editor)
    assert f"#{job.pk}" in notice.text and notice.link == f"/jobs/{job.pk}/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["clerk@example.org"]


def test_import_job__crash_is_retried_then_fails_with_nothing_written(monkeypatch):
    _agency, editor = agency_editor()
    real = resource_services.resource_create
    calls = {"n": 0}

    def crash_on_fifth(**kwargs):
        calls["n"] += 1
        if calls["n"] % 5 == 0:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr("catalog.publishing.importer.resource_create", crash_on_fifth)
    job = _import_job(editor, import_csv(8))
    for attempt in (1, 2):
        job = run(job)
        assert job.state == Job.State.QUEUED and job.attempts == attempt
        assert "disk full" in job.message
        assert Resource.objects.count() == 0
    job = run(job)
    assert job.state == Job.State.FAILED and job.attempts == job.max_attempts == 3
    assert job.message == "disk full"
    assert Resource.objects.count() == 0
    assert Notice.objects.filter(user=editor, link=f"/jobs/{job.pk}/").count() == 1


def test_import_job__progress_advances(monkeypatch):
    _agency, editor = agency_editor()
    monkeypatch.setattr(services, "PROGRESS_EVERY", 0)
    seen = []
    real_call = services.Reporter.__call__

    def watch(self, done, total=None, **kwargs):
        real_call(self, done, total, **kwargs)
        live = Job.objects.get(pk=self.job.pk)
        live.state = Job.State.RUNNING
        seen.append(progress_of(live)[:2])

    monkeypatch.setattr(services.Reporter, "__call__", watch)
    job = run(_import_job(editor, import_csv(12)))
    assert job.state == Job.State.SUCCEEDED
    assert seen[0] == (0, 12)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1] == (12, 12)


def _die_mid_run(job):
    """What a worker killed mid-import leaves: the job RUNNING, one attempt used, a
    heartbeat that stopped, and (its transaction gone with it) none of its rows."""
    past = timezone.now() - dt.timedelta(minutes=10)
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING, attempts=1, started_at=past, heartbeat_at=past, done=700
    )


def test_dead_worker__job_is_queued_again_and_reruns_clean(django_capture_on_commit_callbacks):
    agency, editor = agency_editor()
    job = _import_job(editor, import_csv(25))
    _die_mid_run(job)
    fresh = _import_job(editor, import_csv(3, prefix="FRESH"))
    Job.objects.filter(pk=fresh.pk).update(
        state=Job.State.RUNNING, heartbeat_at=timezone.now(), started_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        assert jobs_recover_stale() == [job.pk]  # a live heartbeat is left alone
    assert len(enqueued) == 1
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED and job.done == 0
    assert "started again" in job.message
    job = run(job)
    assert job.state == Job.State.SUCCEEDED and job.attempts == 2
    assert Resource.objects.filter(provider=agency).count() == 25


def test_dead_worker__last_attempt_fails_the_job():
    _agency, editor = agency_editor()
    job = _import_job(editor, import_csv(2))
    _die_mid_run(job)
    Job.objects.filter(pk=job.pk).update(attempts=3)
    assert jobs_recover_stale() == []
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and "no attempts are left" in job.message
    assert Notice.objects.filter(user=editor).exists()


def test_live_heartbeat_in_the_cache_keeps_a_job_alive():
    """Inside the import's transaction the heartbeat goes to the jobs cache only; the row's
    old heartbeat does not make the job look dead."""
    _agency, editor = agency_editor()
    job = _import_job(editor, import_csv(2))
    _die_mid_run(job)
    job.refresh_from_db()
    services.Reporter(job)(1, 2, force=True)
    assert jobs_recover_stale() == []


def test_job_that_is_not_queued_is_not_run_twice():
    _agency, editor = agency_editor()
    job = run(_import_job(editor, import_csv(2)))
    assert run(job).attempts == 1
    assert Resource.objects.count() == 2


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        job_create(owner=None, kind="format_disk")
