"""A job worker: first queue again the jobs of workers that died, then run the queue."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from portal.jobs.services import jobs_recover_stale


class Command(BaseCommand):
    help = (
        "Queue again the RUNNING jobs whose heartbeat is stale (their worker died), then run "
        "the database queue's worker (django-tasks' db_worker); other arguments go to it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, **options):
        for job_id in jobs_recover_stale():
            self.stdout.write(f"job {job_id}: its worker stopped; queued again")
        worker_args = ["--no-reload", "--interval", str(options["interval"])]
        if options["batch"]:
            worker_args.append("--batch")
        call_command("db_worker", *worker_args, verbosity=options["verbosity"])
