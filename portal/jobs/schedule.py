"""Scheduled work: ``settings.PORTAL_SCHEDULE`` names entries, each a kind of job and when it
runs; ``scheduler_tick`` enqueues the entries whose current slot nobody has claimed yet.

An entry is ``{"job": kind (default: the entry's name), "every": "15m" | "2h" | "1d",
"at": "HH:MM" (local time; whole days only), "args": [command arguments]}``. Its slot at a
moment is the latest start at or before it (for ``every: 1d, at: 01:00``: today at 01:00
once that has passed, else yesterday's). A missed slot (the scheduler was down) runs once
when the scheduler is back, never once per missed slot. The claim is a row with a unique
(name, slot) pair, so two schedulers racing for one slot enqueue it once.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.jobs.models import Job, ScheduleRun
from portal.jobs.services import job_create

_EVERY = re.compile(r"^(\d+)([mhd])$")
_UNITS = {"m": 60, "h": 3600, "d": 86400}
_EPOCH = dt.date(2000, 1, 3)  # a Monday: day-counted slots start from here


def interval(entry: dict, name: str = "") -> dt.timedelta:
    """The entry's ``every`` as a time span; ``ImproperlyConfigured`` if it is not one."""
    found = _EVERY.match(str(entry.get("every", "")))
    if not found or int(found[1]) == 0:
        raise ImproperlyConfigured(
            f"PORTAL_SCHEDULE[{name!r}]: 'every' must be like '15m', '2h' or '1d'."
        )
    return dt.timedelta(seconds=int(found[1]) * _UNITS[found[2]])


def current_slot(entry: dict, now: dt.datetime, name: str = "") -> dt.datetime:
    """The start of the entry's slot that ``now`` falls in (aware, local time zone)."""
    step = interval(entry, name)
    local = timezone.localtime(now)
    if entry.get("at"):
        if step.seconds or not step.days:
            raise ImproperlyConfigured(f"PORTAL_SCHEDULE[{name!r}]: 'at' needs 'every' in days.")
        at = dt.time.fromisoformat(entry["at"])
        day = local.date() if local.time() >= at else local.date() - dt.timedelta(days=1)
        day -= dt.timedelta(days=(day - _EPOCH).days % step.days)
        return timezone.make_aware(dt.datetime.combine(day, at))
    seconds = int(step.total_seconds())
    start = int(local.timestamp()) // seconds * seconds
    return timezone.localtime(dt.datetime.fromtimestamp(start, tz=dt.UTC))


def check_schedule(schedule: dict | None = None) -> None:
    """Refuse a schedule with an unknown kind of job or a malformed time."""
    from portal.jobs.kinds import KINDS

    for name, entry in (settings.PORTAL_SCHEDULE if schedule is None else schedule).items():
        if entry.get("job", name) not in KINDS:
            raise ImproperlyConfigured(f"PORTAL_SCHEDULE[{name!r}]: no job kind {name!r}.")
        current_slot(entry, timezone.now(), name)


def scheduler_tick(*, now: dt.datetime | None = None, schedule: dict | None = None) -> list[Job]:
    """Enqueue every entry of the schedule whose current slot has not been claimed; returns
    the jobs enqueued (none for slots another scheduler claimed first)."""
    now = now or timezone.now()
    schedule = settings.PORTAL_SCHEDULE if schedule is None else schedule
    enqueued = []
    for name, entry in schedule.items():
        slot = current_slot(entry, now, name)
        if ScheduleRun.objects.filter(name=name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduleRun.objects.create(name=name, slot=slot)
                job = job_create(
                    owner=None, kind=entry.get("job", name), params={"args": entry.get("args", [])}
                )
                run.job = job
                run.save(update_fields=["job"])
        except IntegrityError:
            continue  # another scheduler claimed this slot a moment ago
        enqueued.append(job)
    return enqueued
