"""On SQLite a schema change rebuilds a table and drops its search triggers: every migration
that changes a searched table must end by reinstalling them (``catalog.search.schema``)."""

from django.db import migrations
from django.db.migrations.loader import MigrationLoader

from catalog.search.schema import install

SEARCHED = {"resource", "product"}
TABLE_CHANGES = (
    migrations.AddField,
    migrations.AlterField,
    migrations.RemoveField,
    migrations.RenameField,
)


def _changes_a_searched_table(migration) -> bool:
    return any(
        isinstance(op, TABLE_CHANGES) and op.model_name.lower() in SEARCHED
        for op in migration.operations
    )


def test_every_change_to_a_searched_table_reinstalls_the_search_triggers():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    missing = []
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        if app != "catalog" or name < "0006" or not _changes_a_searched_table(migration):
            continue
        last = migration.operations[-1]
        if not (isinstance(last, migrations.RunPython) and last.code is install):
            missing.append(name)
    assert missing == []
