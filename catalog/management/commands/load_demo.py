"""Load the demo catalogue: ``fixtures/demo.json`` plus its small data files, then play the
demo's workflows (``fixtures/demo_workflows.json``) through the services (``catalog.demo``).

Loading twice changes nothing: loaddata rewrites the same base rows, stored files are kept, and
the workflows are skipped once they have been played (their first product exists)."""

from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import BaseCommand, call_command

from catalog.demo import runner

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = (
        "Load the demo organizations, users and resources, store their files, and make the "
        "demo's agreements, products and applications through the services."
    )

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
        played = runner.play(FIXTURES / "demo_workflows.json")
        # loaddata writes rows directly, so the search columns are computed here.
        call_command("search_reindex", verbosity=options["verbosity"])
        # loaddata does not go through publication either: load the rows for the previews.
        call_command("load_rows", verbosity=options["verbosity"])
        # ... nor through the services that keep the quality score current.
        call_command("refresh_quality", "--all", verbosity=options["verbosity"])
        workflows = "workflows played" if played else "workflows already played, skipped"
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded; {stored} new files stored; {workflows}.")
        )
