"""Rebuild search from the database: recompute the segmented search columns of every resource
and product (needed after rows are written around the services: ``loaddata``, raw SQL), then
rebuild the search engine's index from them and swap it in.

``--engine-only`` skips the columns (jieba's segmentation, the slow part) and only rebuilds the
engine's index from the stored columns: what a new server, a lost index directory or a changed
engine needs.
"""

import time

from django.core.management import BaseCommand

from catalog.models import Product, Resource
from catalog.search import outbox
from catalog.search.engine import PRODUCTS, RESOURCES
from catalog.search.query import product_search_columns, resource_search_columns
from catalog.search.services import refresh_statistics
from portal.cache import catalog_changed

BATCH = 2000
COLUMNS = ["search_title", "search_body"]


def _reindex(model, columns_of, fields) -> int:
    done = 0
    queryset = model.objects.only("pk", *fields).order_by("pk")
    batch = []
    for row in queryset.iterator(chunk_size=BATCH):
        for name, value in columns_of(row).items():
            setattr(row, name, value)
        batch.append(row)
        if len(batch) == BATCH:
            model.objects.bulk_update(batch, COLUMNS)
            done, batch = done + len(batch), []
    model.objects.bulk_update(batch, COLUMNS)
    return done + len(batch)


class Command(BaseCommand):
    help = "Recompute the search columns, then rebuild the search engine's index."

    def add_arguments(self, parser):
        parser.add_argument(
            "--engine-only",
            action="store_true",
            help="Only rebuild the engine's index from the stored search columns.",
        )

    def handle(self, *args, **options):
        if not options["engine_only"]:
            resources = _reindex(
                Resource,
                resource_search_columns,
                ["title", "title_en", "abstract", "abstract_en", "keywords", "code"],
            )
            products = _reindex(
                Product, product_search_columns, ["name", "name_en", "description", "code"]
            )
            refresh_statistics()
            self.stdout.write(f"Reindexed {resources} resources and {products} products.")
        for kind in (RESOURCES, PRODUCTS):
            started = time.monotonic()
            count = outbox.rebuild(kind)
            seconds = time.monotonic() - started
            rate = count / seconds if seconds else 0
            self.stdout.write(
                f"Search index of {kind}: {count} entries in {seconds:.1f} s ({rate:.0f}/s)."
            )
        catalog_changed()
