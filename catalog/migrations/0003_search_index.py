"""Full-text indexes over the segmented search columns (see catalog/search/schema.py)."""

from django.db import migrations

from catalog.search.schema import install, uninstall


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search_columns")]

    operations = [migrations.RunPython(install, uninstall)]
