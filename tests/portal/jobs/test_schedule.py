"""The scheduler, with a fake clock: each slot of each entry is enqueued once, whatever the
number of schedulers and rounds; a missed slot runs once; bad schedules are refused. And the
overdue-review reminders it runs daily."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from grading.applications.overdue import overdue_notify
from grading.models import Application, Membership, Notice, PlatformRole
from portal.jobs.models import Job, ScheduleRun
from portal.jobs.schedule import check_schedule, current_slot, scheduler_tick
from tests import factories as f

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAILY = {"expire_grants": {"every": "1d", "at": "01:00"}}


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def test_daily_entry_runs_once_per_day():
    assert scheduler_tick(now=at(2, 1, 30), schedule=DAILY)[0].kind == "expire_grants"
    assert scheduler_tick(now=at(2, 1, 31), schedule=DAILY) == []
    assert scheduler_tick(now=at(2, 23, 59), schedule=DAILY) == []
    assert scheduler_tick(now=at(3, 0, 59), schedule=DAILY) == []  # still the 2nd's slot
    assert len(scheduler_tick(now=at(3, 1, 0), schedule=DAILY)) == 1
    slots = ScheduleRun.objects.order_by("slot").values_list("slot", flat=True)
    assert [timezone.localtime(s, SHANGHAI).isoformat() for s in slots] == [
        "2026-03-02T01:00:00+08:00",
        "2026-03-03T01:00:00+08:00",
    ]
    job = Job.objects.order_by("pk").first()
    assert (job.owner, job.state, job.params) == (None, "queued", {"args": []})


def test_missed_slots_run_once_not_once_each():
    scheduler_tick(now=at(2, 2), schedule=DAILY)
    # the scheduler was down for three days
    assert len(scheduler_tick(now=at(6, 9), schedule=DAILY)) == 1
    assert ScheduleRun.objects.count() == 2


def test_a_slot_claimed_by_another_scheduler_is_not_run_again():
    ScheduleRun.objects.create(name="expire_grants", slot=at(2, 1))
    assert scheduler_tick(now=at(2, 5), schedule=DAILY) == []
    assert Job.objects.count() == 0


def test_minute_entries_and_command_arguments():
    schedule = {"often": {"job": "refresh_quality", "every": "15m", "args": ["--all"]}}
    assert len(scheduler_tick(now=at(2, 10, 7), schedule=schedule)) == 1
    assert scheduler_tick(now=at(2, 10, 14), schedule=schedule) == []
    jobs = scheduler_tick(now=at(2, 10, 15), schedule=schedule)
    assert jobs[0].kind == "refresh_quality" and jobs[0].params == {"args": ["--all"]}
    assert current_slot(schedule["often"], at(2, 10, 29)) == at(2, 10, 15)


def test_every_other_day():
    entry = {"every": "2d", "at": "03:00"}
    slots = sorted({current_slot(entry, at(d, 12)) for d in range(2, 10)})
    assert len(slots) in (4, 5)
    assert {b - a for a, b in zip(slots, slots[1:], strict=False)} == {dt.timedelta(days=2)}


@pytest.mark.parametrize(
    "schedule",
    [
        {"nope": {"every": "1d"}},
        {"expire_grants": {"every": "daily"}},
        {"expire_grants": {"every": "0m"}},
        {"expire_grants": {"every": "2h", "at": "01:00"}},
        {"expire_grants": {"every": "1d", "at": "25:00"}},
    ],
)
def test_bad_schedule_is_refused(schedule):
    with pytest.raises((ImproperlyConfigured, ValueError)):
        check_schedule(schedule)


def test_default_schedule_is_valid():
    check_schedule()


def test_run_scheduler_command_once(settings):
    settings.PORTAL_SCHEDULE = DAILY
    call_command("run_scheduler", "--once")
    call_command("run_scheduler", "--once")
    assert Job.objects.filter(kind="expire_grants").count() == 1


def test_scheduled_job_runs_its_command(settings):
    from tests.portal.jobs.helpers import run

    [job] = scheduler_tick(now=at(2, 2), schedule=DAILY)
    job = run(job)
    assert job.state == Job.State.SUCCEEDED and "grants marked expired" in job.message


# ---------------------------------------------------------------------------------------------
# Overdue-review reminders
# ---------------------------------------------------------------------------------------------


def _application(provider, status, due_on):
    applicant = f.UserFactory()
    resource = f.ResourceFactory(provider=provider, tier="conditional", grade="L1")
    application = Application.objects.create(
        applicant=applicant,
        provider=provider,
        purpose="研究",
        scenario="交通研究",
        term_days=30,
        status=status,
        due_on=due_on,
    )
    application.resources.add(resource)
    return application


def test_overdue_reminders_go_to_whoever_the_application_waits_for():
    agency = f.OrganizationFactory(code="agency")
    reviewer, editor, admin = f.UserFactory(), f.UserFactory(), f.UserFactory()
    f.membership(reviewer, agency, Membership.Role.REVIEWER)
    f.membership(editor, agency, Membership.Role.EDITOR)
    f.platform_role(admin, PlatformRole.Role.PLATFORM_ADMIN)
    monday = dt.date(2026, 3, 9)
    late_check = _application(agency, Application.Status.CHECKED, monday - dt.timedelta(days=3))
    late_formal = _application(agency, Application.Status.SUBMITTED, monday - dt.timedelta(days=1))
    _application(agency, Application.Status.CHECKED, monday)  # due today: not late yet
    assert overdue_notify(today=monday) == 2
    assert [n.text for n in Notice.objects.filter(user=reviewer)] == [
        f"Application #{late_check.pk} is overdue: its review was due on 2026-03-06. "
        "Please decide on it."
    ]
    assert Notice.objects.filter(user=admin, text__contains=f"#{late_formal.pk} ").exists()
    assert not Notice.objects.filter(user=editor).exists()
    assert overdue_notify(today=dt.date(2026, 3, 8)) == 0  # a Sunday: no reminders
