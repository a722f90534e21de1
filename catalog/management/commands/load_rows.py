"""Load the rows of published resources' CSV files for the row API and the page previews."""

from django.core.exceptions import ValidationError
from django.core.management import BaseCommand

from catalog.models import Resource
from catalog.rows.services import resource_load_rows


class Command(BaseCommand):
    help = (
        "Load (or reload) the rows of the newest CSV file of each published resource, or of "
        "the resources given by catalogue code. Files that cannot be read are reported."
    )

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="catalogue codes (default: all published)")

    def handle(self, *args, codes, **options):
        resources = Resource.objects.order_by("id")
        resources = (
            resources.filter(code__in=codes)
            if codes
            else resources.filter(status=Resource.Status.PUBLISHED)
        )
        loaded = skipped = failed = 0
        for resource in resources.iterator():
            try:
                table = resource_load_rows(resource=resource)
            except ValidationError as exc:
                failed += 1
                self.stderr.write(f"{resource.code}: {' '.join(exc.messages)}")
                continue
            loaded, skipped = (loaded + 1, skipped) if table else (loaded, skipped + 1)
            if table and table.truncated and options["verbosity"] > 0:
                self.stdout.write(f"{resource.code}: truncated at {table.row_count} rows")
        self.stdout.write(
            self.style.SUCCESS(
                f"Rows loaded for {loaded} resources; {skipped} without a matching CSV file; "
                f"{failed} failed."
            )
        )
        if failed:
            raise SystemExit(1)
