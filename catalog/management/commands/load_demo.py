"""Load the demo catalogue: ``fixtures/demo.json`` plus its small data files."""

from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import BaseCommand, call_command

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = "Load the demo organizations, resources, products and users, and store their files."

    def handle(self, *args, **options):
        call_command("loaddata", str(FIXTURES / "demo.json"), verbosity=options["verbosity"])
        stored = 0
        for path in sorted((FIXTURES / "files").glob("*")):
            name = f"demo/{path.name}"
            if default_storage.exists(name):
                continue
            with path.open("rb") as handle:
                saved = default_storage.save(name, File(handle, name=path.name))
            if saved != name:
                raise RuntimeError(f"storage renamed {name} to {saved}")
            stored += 1
        # loaddata writes rows directly, so the search columns are computed here.
        call_command("search_reindex", verbosity=options["verbosity"])
        # loaddata does not go through publication either: load the rows for the previews.
        call_command("load_rows", verbosity=options["verbosity"])
        # ... nor through the services that keep the quality score current.
        call_command("refresh_quality", "--all", verbosity=options["verbosity"])
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded; {stored} new files stored."))
