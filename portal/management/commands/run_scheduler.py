"""Run the schedule (settings.PORTAL_SCHEDULE) and look after dead workers' jobs."""

import logging
import time

from django.core.management import BaseCommand
from django.db import OperationalError, close_old_connections, connection

from portal.jobs.schedule import check_schedule, scheduler_tick
from portal.jobs.services import jobs_recover_stale

log = logging.getLogger("portal.jobs")


class Command(BaseCommand):
    help = (
        "Every --interval seconds: enqueue the scheduled jobs whose slot has come (each slot "
        "once, however many schedulers run) and queue again the jobs of workers that died "
        "(a heartbeat older than JOBS_HEARTBEAT_TIMEOUT). --once does one round and exits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, **options):
        check_schedule()
        try:
            self._loop(options)
        except KeyboardInterrupt:
            return  # Ctrl-C in `make run`

    def _loop(self, options) -> None:
        while True:
            if not connection.in_atomic_block:  # (a test's transaction is left alone)
                close_old_connections()
            try:
                self._round()
            except OperationalError as exc:
                # SQLite is busy with a long import's transaction: try again next round.
                log.warning("scheduler round skipped: %s", exc)
            if options["once"]:
                return
            time.sleep(options["interval"])

    def _round(self) -> None:
        for job_id in jobs_recover_stale():
            self.stdout.write(f"job {job_id}: its worker stopped; queued again")
        for job in scheduler_tick():
            self.stdout.write(f"job {job.pk}: {job.kind} enqueued")
