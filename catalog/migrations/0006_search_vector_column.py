"""PostgreSQL: search reads a stored tsvector column instead of an expression index (see
catalog/search/schema.py). On SQLite this only re-checks the full-text triggers."""

from django.db import migrations

from catalog.search.schema import REVERSIBLE


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_product_status_reason")]

    operations = [migrations.RunPython(*REVERSIBLE)]
