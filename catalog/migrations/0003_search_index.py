"""Full-text indexes over the segmented search columns (see catalog/search.py).

SQLite: an external-content FTS5 table per model, kept in step by triggers.
PostgreSQL: a GIN index over the weighted tsvector that catalog.search.PG_VECTOR queries.
"""

from django.db import migrations

TABLES = ("catalog_resource", "catalog_product")


def _sqlite_statements(table: str) -> list[str]:
    fts = f"{table}_fts"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
        f"search_title, search_body, content='{table}', content_rowid='id', "
        "tokenize='unicode61')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, search_title, search_body) "
        "VALUES (new.id, new.search_title, new.search_body); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_title, search_body) "
        "VALUES ('delete', old.id, old.search_title, old.search_body); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF search_title, search_body "
        f"ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_title, search_body) "
        "VALUES ('delete', old.id, old.search_title, old.search_body); "
        f"INSERT INTO {fts}(rowid, search_title, search_body) "
        "VALUES (new.id, new.search_title, new.search_body); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def _postgres_statements(table: str) -> list[str]:
    return [
        f"CREATE INDEX IF NOT EXISTS {table}_search_gin ON {table} USING GIN (("
        "setweight(to_tsvector('simple'::regconfig, search_title), 'A') || "
        "setweight(to_tsvector('simple'::regconfig, search_body), 'B')))"
    ]


def _sqlite_drop(table: str) -> list[str]:
    fts = f"{table}_fts"
    return [f"DROP TRIGGER IF EXISTS {fts}_{s}" for s in ("ai", "ad", "au")] + [
        f"DROP TABLE IF EXISTS {fts}"
    ]


def _run(schema_editor, builders) -> None:
    build = builders.get(schema_editor.connection.vendor)
    if build is None:
        return
    for table in TABLES:
        for statement in build(table):
            schema_editor.execute(statement)


def forwards(apps, schema_editor):
    _run(schema_editor, {"sqlite": _sqlite_statements, "postgresql": _postgres_statements})


def backwards(apps, schema_editor):
    _run(
        schema_editor,
        {
            "sqlite": _sqlite_drop,
            "postgresql": lambda t: [f"DROP INDEX IF EXISTS {t}_search_gin"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search_columns")]

    operations = [migrations.RunPython(forwards, backwards)]
