"""Harvest other catalogues (CKAN, DCAT) into drafts of one agency."""

from __future__ import annotations

from collections import defaultdict
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import BaseCommand, CommandError
from django.db import DatabaseError, transaction

from catalog.interop.harvest.ckan import read_ckan
from catalog.interop.harvest.dcat import read_dcat
from catalog.interop.harvest.fetch import CKAN_PAGE_SIZE, HarvestError, RemoteEntry, Source
from catalog.interop.harvest.services import harvest_entry
from catalog.models import Organization, Theme

OUTCOMES = ("created", "updated", "unchanged", "skipped", "failed")


def _reason(exc: Exception) -> str:
    """The error's messages, each after the name of the field it is about, if any."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {message}" if name != "__all__" else message
            for name, messages in exc.message_dict.items()
            for message in messages
        )
    return "; ".join(getattr(exc, "messages", None) or [str(exc)])


class _DryRun(Exception):
    def __init__(self, outcome):
        self.outcome = outcome


class Command(BaseCommand):
    help = (
        "Import the datasets of CKAN sites (Action API URL or a `ckanapi dump datasets` JSON "
        "Lines file) and DCAT catalogues (URL or file; Turtle, JSON-LD, RDF/XML; Hydra pages "
        "followed) as drafts of one agency. Re-running updates changed drafts and skips "
        "unchanged entries. Each entry is imported in its own transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ckan", action="append", default=[], metavar="URL|FILE.jsonl")
        parser.add_argument("--dcat", action="append", default=[], metavar="URL|FILE")
        parser.add_argument(
            "--org", required=True, metavar="CODE", help="the agency that receives the entries"
        )
        parser.add_argument(
            "--theme", metavar="CODE", help="theme of entries whose own themes map to none"
        )
        parser.add_argument(
            "--source",
            default="",
            metavar="NAME",
            help="remember entries under this source name instead of the URL or file",
        )
        parser.add_argument(
            "--page-size",
            type=int,
            default=CKAN_PAGE_SIZE,
            help="datasets per package_search request to a CKAN site (1-1000)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change; write nothing"
        )

    def handle(self, *args, **options):
        if not 0 < options["page_size"] <= 1000:
            raise CommandError("--page-size must be from 1 to 1000.")
        read_ckan_pages = partial(read_ckan, page_size=options["page_size"])
        locations = [(read_ckan_pages, x) for x in options["ckan"]]
        locations += [(read_dcat, x) for x in options["dcat"]]
        if not locations:
            raise CommandError("Name at least one source: --ckan URL|FILE or --dcat URL|FILE.")
        if options["source"] and len(locations) > 1:
            raise CommandError("--source names one source; give one --ckan or --dcat with it.")
        provider = self._agency(options["org"])
        default_theme = self._theme(options["theme"])
        try:  # every source is read before anything is written
            sources = [read(x, identity=options["source"]) for read, x in locations]
        except HarvestError as exc:
            raise CommandError(str(exc)) from exc
        themes = {theme.code: theme for theme in Theme.objects.all()}
        totals: dict[str, int] = defaultdict(int)
        for source in sources:
            counts = self._harvest(source, provider, themes, default_theme, options["dry_run"])
            for name, n in counts.items():
                totals[name] += n
        if totals["failed"] and not any(totals[name] for name in OUTCOMES[:4]):
            raise CommandError("Every entry failed; nothing was imported.")

    def _agency(self, code: str) -> Organization:
        try:
            organization = Organization.objects.get(code=code)
        except Organization.DoesNotExist as exc:
            raise CommandError(f"No organization with the code {code!r}.") from exc
        if organization.kind != Organization.Kind.AGENCY:
            raise CommandError(f"{code!r} is not a government agency.")
        return organization

    def _theme(self, code: str | None) -> Theme | None:
        if code is None:
            return None
        try:
            return Theme.objects.get(code=code)
        except Theme.DoesNotExist as exc:
            raise CommandError(f"No theme with the code {code!r}.") from exc

    def _harvest(self, source: Source, provider, themes, default_theme, dry_run) -> dict:
        """Import every entry of ``source``, each in its own transaction, and report."""
        lines: dict[str, list[str]] = defaultdict(list)
        for entry in source.entries:
            status, detail = self._one(source, entry, provider, themes, default_theme, dry_run)
            lines[status].append(detail)
        counts = {name: len(lines[name]) for name in OUTCOMES}
        self._report(source, counts, lines, dry_run)
        return counts

    def _one(self, source, entry: RemoteEntry, provider, themes, default_theme, dry_run):
        if entry.problem:
            return "failed", f"{entry.remote_id}: {entry.problem}"
        theme = next((themes[c] for c in entry.themes if c in themes), default_theme)
        if theme is None:
            return "skipped", f"{entry.remote_id}: no theme of the entry exists here; give --theme"
        try:
            with transaction.atomic():
                outcome = harvest_entry(
                    source=source.identity, entry=entry, provider=provider, theme=theme
                )
                if dry_run:
                    raise _DryRun(outcome)
        except _DryRun as done:
            outcome = done.outcome
        except (ValidationError, PermissionDenied, DatabaseError) as exc:
            return "failed", f"{entry.remote_id}: {_reason(exc)}"
        code = outcome.resource.code if outcome.resource else ""
        detail = f"{entry.remote_id} → {code}"
        return outcome.status, f"{detail}: {outcome.reason}" if outcome.reason else detail

    def _report(self, source: Source, counts: dict, lines: dict, dry_run: bool) -> None:
        mode = " (dry run: nothing written)" if dry_run else ""
        self.stdout.write(
            f"{source.kind} source {source.identity}: {len(source.entries)} entries, "
            f"each in its own transaction{mode}"
        )
        self.stdout.write("  " + ", ".join(f"{name} {counts[name]}" for name in OUTCOMES))
        for name in OUTCOMES:
            for line in lines[name]:
                self.stdout.write(f"  {name}: {line}")
