"""The search engine's upkeep: ``--catch-up`` indexes the entries the outbox still holds
(left by a crash between a commit and its indexing; the next search does the same); with no
option, print how many entries the outbox and the index hold."""

from django.core.management import BaseCommand

from catalog.models import SearchOutbox
from catalog.search import outbox
from catalog.search.engine import KINDS, Match, get_engine


class Command(BaseCommand):
    help = "Index what the search outbox holds (--catch-up), or show the index's state."

    def add_arguments(self, parser):
        parser.add_argument(
            "--catch-up", action="store_true", help="Index every entry the outbox holds."
        )
        parser.add_argument(
            "--wait", type=float, default=60.0, help="Seconds to wait for another writer."
        )

    def handle(self, *args, **options):
        if options["catch_up"]:
            done = outbox.catch_up(wait=options["wait"])
            left = SearchOutbox.objects.count()
            self.stdout.write(f"Indexed {done} outbox entries; {left} left.")
            return
        engine = get_engine()
        everyone = Match(labels=("public", "staff"))
        for kind in KINDS:
            indexed = engine.counts(kind, everyone, ()).total
            waiting = SearchOutbox.objects.filter(kind=kind).count()
            self.stdout.write(f"{kind}: {indexed} indexed, {waiting} waiting in the outbox.")
