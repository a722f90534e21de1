"""The record of a background job, and the slots the scheduler has claimed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """One piece of background work: what it is (``kind`` and ``params``), whose it is, where
    it stands (``state``, ``done``/``total``, ``message``) and what it made (``result_file``,
    ``result``). Progress of a job inside one long transaction is also kept in the jobs cache
    (``portal.jobs.services.progress_of``), where other processes can read it before the
    transaction commits."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
    )
    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.QUEUED)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    message = models.TextField(_("message"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    input_file = models.CharField(_("input file"), max_length=300, blank=True)
    result_file = models.CharField(_("result file"), max_length=300, blank=True)
    result_name = models.CharField(_("result file name"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("attempts allowed"), default=3)
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [
            models.Index(fields=["owner", "-id"], name="job_owner"),
            models.Index(fields=["state", "heartbeat_at"], name="job_state"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)


class ScheduleRun(models.Model):
    """One slot of one schedule entry, claimed by the scheduler that enqueued it. The unique
    (name, slot) pair is what keeps two schedulers from running the same slot twice."""

    name = models.CharField(_("schedule entry"), max_length=60)
    slot = models.DateTimeField(_("slot"))
    job = models.ForeignKey(
        Job, verbose_name=_("job"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("claimed"), auto_now_add=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="schedule_run_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot:%Y-%m-%d %H:%M}"
