"""Print the head of the audit chain (``<row>:<hash>``), and publish it with ``--publish``.

Publish heads regularly (cron) and keep copies where the database's writers cannot change them;
``audit_verify --expect-head ROW:HASH`` then shows whether the chain still holds each one.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError

from grading import audit


class Command(BaseCommand):
    help = "Print the audit chain's head as <row>:<hash>; --publish also appends it to a file."

    def add_arguments(self, parser):
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Verify the chain, then append '<time> <row>:<hash>' to the heads file.",
        )
        parser.add_argument(
            "--file",
            type=Path,
            help="File of published heads (default: AUDIT_HEADS_FILE).",
        )

    def handle(self, *args, **options):
        if not options["publish"]:
            self.stdout.write(str(audit.head()))
            return
        path = options["file"] or Path(settings.AUDIT_HEADS_FILE)
        try:
            published = audit.publish_head(path)
        except audit.ChainBroken as exc:
            raise CommandError(
                f"Not published: audit chain broken at row {exc.broken.seq}: {exc.broken.reason}."
            ) from exc
        except ValueError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        self.stdout.write(str(published))
