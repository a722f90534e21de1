"""Import catalogue entries of one organization from a CSV or XLSX file (see docs/IMPORT.md)."""

import time
from pathlib import Path

from django.core.management import BaseCommand, CommandError

from catalog.models import Organization
from catalog.publishing import importer
from portal.actors import SYSTEM


class Command(BaseCommand):
    help = (
        "Create or update the entries of an organization from a CSV (UTF-8 or GB18030/GBK) or "
        "XLSX file following the template; all rows or none are written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .xlsx file following the template")
        parser.add_argument("--org", required=True, help="the organization's short code")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args, file: str, org: str, dry_run: bool, **options):
        organization = Organization.objects.filter(code=org).first()
        if organization is None:
            raise CommandError(f"No organization with the code {org!r}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            importer.check_size(path.stat().st_size)
            rows = importer.read_table(name=path.name, data=path.read_bytes())
        except importer.ImportFileError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        started = time.monotonic()
        result = importer.run_import(
            actor=SYSTEM,
            organization=organization,
            rows=rows,
            dry_run=dry_run,
            progress=self._progress(options["verbosity"]),
        )
        elapsed = time.monotonic() - started
        for error in result.errors:
            self.stderr.write(f"row {error.row}, {error.column or '-'}: {error.message}")
        if result.errors:
            raise CommandError(f"{len(result.errors)} error(s); nothing was written.")
        rate = result.total / elapsed if elapsed else 0
        verb = "checked (dry run, nothing written)" if dry_run else "imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.total} rows {verb}: {result.created} new, {result.updated} updated, "
                f"in {elapsed:.1f} s ({rate:.0f} rows/s)."
            )
        )

    def _progress(self, verbosity: int):
        def report(done: int, total: int) -> None:
            if verbosity and (done % 500 == 0 or done == total):
                self.stdout.write(f"validated {done}/{total}")

        return report
