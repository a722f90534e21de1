"""Enqueue a background job from the command line (a harvest, a reindex, an upkeep job)."""

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError

from portal.jobs.kinds import KINDS
from portal.jobs.services import job_create


class Command(BaseCommand):
    help = (
        "Enqueue a job of KIND; arguments after -- go to the kind's command, e.g. "
        "`job_start harvest --owner admin -- --ckan URL --org CODE`."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("--owner", help="user name who follows the job on /jobs/")
        parser.add_argument("args", nargs="*")

    def handle(self, *args, **options):
        owner = None
        if options["owner"]:
            try:
                owner = get_user_model().objects.get(username=options["owner"])
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"no user {options['owner']!r}") from exc
        if options["kind"] in ("import", "export"):
            raise CommandError("imports and exports are started from their pages")
        job = job_create(owner=owner, kind=options["kind"], params={"args": options["args"]})
        self.stdout.write(f"job {job.pk} enqueued")
