"""Verify the audit chain; exit non-zero naming the first row that does not match."""

from django.core.management import BaseCommand, CommandError

from grading import audit


class Command(BaseCommand):
    help = "Walk the audit chain and name the first row whose hash or link does not match."

    def handle(self, *args, **options):
        checked, broken = audit.verify()
        if broken is not None:
            raise CommandError(
                f"Audit chain broken at row {broken.seq}: {broken.reason} "
                f"({checked} rows before it verified)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} rows verified."))
