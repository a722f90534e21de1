"""Historical: used only by old migrations. The SQL full-text search these objects served is
gone (the search engine, ``catalog/search/engine.py``, does all matching); migration
``0017_drop_sql_full_text_search`` drops them, and no code outside ``catalog/migrations``
should import this module.

What the old migrations created:

- SQLite: an external-content FTS5 table per model (``<table>_fts``), kept in step by triggers;
- PostgreSQL: a stored, weighted ``search_vector`` column (title A, body B) with a GIN index.

On SQLite, Django rebuilds a table for many schema changes (adding a NOT NULL column, for one),
and a rebuild drops the table's triggers, so migrations 0005 to 0015 that changed
``catalog_resource`` or ``catalog_product`` end with ``RunPython(install)``. The functions stay
here, unchanged, so that those migrations still run on a fresh database (and ``install`` is the
reverse of 0017).
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
    # A stored tsvector column: searching and the index recheck read it instead of re-parsing
    # the text of every candidate row (which made a common word cost ~20 µs a row).
    return [
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_vector tsvector "
        "GENERATED ALWAYS AS ("
        "setweight(to_tsvector('simple'::regconfig, coalesce(search_title, '')), 'A') || "
        "setweight(to_tsvector('simple'::regconfig, coalesce(search_body, '')), 'B')) STORED",
        f"DROP INDEX IF EXISTS {table}_search_gin",
        f"CREATE INDEX IF NOT EXISTS {table}_search_vector_gin ON {table} USING GIN "
        "(search_vector)",
    ]


def _postgres_drop(table: str) -> list[str]:
    return [
        f"DROP INDEX IF EXISTS {table}_search_vector_gin",
        f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector",
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


def install(apps, schema_editor):
    """Create the search indexes (and on SQLite the triggers) if missing, and resynchronize."""
    _run(schema_editor, {"sqlite": _sqlite_statements, "postgresql": _postgres_statements})


def uninstall(apps, schema_editor):
    """Drop the search indexes and triggers."""
    _run(
        schema_editor,
        {
            "sqlite": _sqlite_drop,
            "postgresql": _postgres_drop,
        },
    )


REVERSIBLE = (install, migrations.RunPython.noop)
