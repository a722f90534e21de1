"""Recompute the segmented search columns of every resource and product.

Needed after rows are written around the services (``loaddata``, raw SQL); the database's own
full-text index follows the columns by itself.
"""

from django.core.management import BaseCommand

from catalog.models import Product, Resource
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
    help = "Recompute the search columns of all resources and products."

    def handle(self, *args, **options):
        resources = _reindex(
            Resource,
            resource_search_columns,
            ["title", "title_en", "abstract", "abstract_en", "keywords", "code"],
        )
        products = _reindex(
            Product, product_search_columns, ["name", "name_en", "description", "code"]
        )
        refresh_statistics()
        catalog_changed()
        self.stdout.write(f"Reindexed {resources} resources and {products} products.")
