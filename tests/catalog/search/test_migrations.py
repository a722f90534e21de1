"""The SQL full-text search is gone: after migrating, the database holds none of its objects
(no FTS5 tables or triggers on SQLite, no ``search_vector`` column or its GIN index on
PostgreSQL), and migration 0017, which drops them, can be reversed."""

import importlib

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

TABLES = ("catalog_resource", "catalog_product")
DROP = importlib.import_module("catalog.migrations.0017_drop_sql_full_text_search")


class _Editor:
    """Just what the migration's functions use of a schema editor; unlike Django's, usable in
    a test's transaction on SQLite."""

    connection = connection

    def execute(self, sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _sqlite_objects() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger') "
            "AND (name LIKE '%fts%' OR sql LIKE '%fts5%')"
        )
        return set(cursor.fetchall())


def _postgres_objects() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'column', table_name FROM information_schema.columns "
            "WHERE column_name = 'search_vector' AND table_name = ANY(%s) "
            "UNION SELECT 'index', indexname FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND (indexname LIKE '%%search_gin' OR indexname LIKE '%%search_vector_gin')",
            [list(TABLES), list(TABLES)],
        )
        return set(cursor.fetchall())


def _full_text_objects() -> set[tuple[str, str]]:
    if connection.vendor == "sqlite":
        return _sqlite_objects()
    if connection.vendor == "postgresql":
        return _postgres_objects()
    pytest.skip(f"no SQL full-text search was ever installed on {connection.vendor}")


def test_migrated_database_has_no_sql_full_text_search():
    assert _full_text_objects() == set()


def test_search_columns_stay_for_the_engine():
    for table in TABLES:
        with connection.cursor() as cursor:
            columns = {
                c.name for c in connection.introspection.get_table_description(cursor, table)
            }
        assert {"search_title", "search_body"} <= columns
        assert "search_vector" not in columns


def test_the_drop_migration_reverses_by_reinstalling_and_drops_again():
    (operation,) = DROP.Migration.operations
    apps = None  # neither function reads the historical models
    operation.reverse_code(apps, _Editor())
    reinstalled = _full_text_objects()
    if connection.vendor == "sqlite":
        assert {("table", f"{t}_fts") for t in TABLES} <= reinstalled
        assert {("trigger", f"{t}_fts_{s}") for t in TABLES for s in ("ai", "ad", "au")} <= (
            reinstalled
        )
    else:
        assert {("column", t) for t in TABLES} <= reinstalled
        assert {("index", f"{t}_search_vector_gin") for t in TABLES} <= reinstalled
    operation.code(apps, _Editor())
    assert _full_text_objects() == set()
