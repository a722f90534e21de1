"""Load the demo catalogue: ``fixtures/demo.json`` (the base facts) plus its small data files,
then play the demo's workflows (``fixtures/demo_workflows.json``) through the services
(``catalog.demo``): enterprises verified, entries published, agreements, data merchants,
products, applications, the market around the products and cross-border flow.

Loading twice changes nothing: once the workflows have been played (the demo's first product
exists), neither loaddata nor the workflows run again; missing files are still stored."""

from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import BaseCommand, call_command

from catalog.demo import runner

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
WORKFLOWS = FIXTURES / "demo_workflows.json"


class Command(BaseCommand):
    help = (
        "Load the demo organizations, users and resources, store their files, and make the "
        "demo's publications, agreements, merchants, products, applications, product requests, "
        "showcases, complaints and cross-border filings through the services."
    )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        loaded = not runner.already_played(WORKFLOWS)
        if loaded:
            call_command("loaddata", str(FIXTURES / "demo.json"), verbosity=verbosity)
        stored = self.store_files()
        if loaded:
            # Publication needs the stored files (checksums, rows for the row API).
            runner.play(WORKFLOWS)
            # loaddata writes rows directly, so the search columns are computed here ...
            call_command("search_reindex", verbosity=verbosity)
            # ... and the quality scores, which the publishing services do not keep.
            call_command("refresh_quality", "--all", verbosity=verbosity)
        state = "workflows played" if loaded else "already loaded, nothing loaded again"
        self.stdout.write(self.style.SUCCESS(f"Demo data: {state}; {stored} new files stored."))

    def store_files(self) -> int:
        """Store the demo's files as ``demo/<name>`` unless stored already; how many were new."""
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
        return stored
