"""Drop the SQL full-text search: the search engine (catalog/search/engine.py) answers every
search, and the FTS5 tables and triggers (SQLite) or the ``search_vector`` column and its GIN
index (PostgreSQL) only slowed writes. The segmented ``search_title`` / ``search_body`` columns
stay: the engine's documents are built from them. Reversed, it reinstalls the old objects and
resynchronizes them."""

from django.db import migrations

from catalog.search.schema import install, uninstall


class Migration(migrations.Migration):
    dependencies = [("catalog", "0016_search_outbox")]

    operations = [migrations.RunPython(uninstall, install)]
