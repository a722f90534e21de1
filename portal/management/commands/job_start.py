"""Enqueue a background job from the command line (a harvest, a reindex, an upkeep job)."""

import shlex

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError

from portal.jobs.kinds import KINDS
from portal.jobs.services import job_create


class Command(BaseCommand):
    help = (
        "Enqueue a job of KIND; --args go to the kind's command, e.g. "
        "`job_start harvest --owner admin --args '--ckan URL --org CODE'`."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("--owner", help="user name who follows the job on /jobs/")
        parser.add_argument(
            "--args", dest="command_args", default="", help="the command's arguments, as in a shell"
        )

    def handle(self, *args, **options):
        owner = None
        if options["owner"]:
            try:
                owner = get_user_model().objects.get(username=options["owner"])
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"no user {options['owner']!r}") from exc
        if options["kind"] in ("import", "export"):
            raise CommandError("imports and exports are started from their pages")
        params = {"args": shlex.split(options["command_args"])}
        job = job_create(owner=owner, kind=options["kind"], params=params)
        self.stdout.write(f"job {job.pk} enqueued")
