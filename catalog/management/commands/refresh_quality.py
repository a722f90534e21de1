"""Re-check the timeliness part of the quality score as days pass (run daily)."""

from django.core.management import BaseCommand

from catalog.quality.services import quality_mark_late, quality_refresh_all


class Command(BaseCommand):
    help = (
        "Mark entries whose update is now overdue as late in their quality score (the services "
        "keep every other criterion current); --all re-assesses every entry from scratch."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="re-assess every entry")

    def handle(self, *args, **options):
        changed = quality_refresh_all() if options["all"] else quality_mark_late()
        self.stdout.write(self.style.SUCCESS(f"{changed} entries re-scored."))
