"""Upkeep of what search reads."""

from __future__ import annotations

from django.db import connection

from catalog.models import (
    Distribution,
    Field,
    Product,
    Resource,
)


def refresh_statistics() -> None:
    """Let the database re-measure the catalogue tables after a bulk load (``ANALYZE``).

    Without statistics SQLite guesses that ``status = 'published'`` is selective and scans it
    instead of looking up the few ids a search matched; PostgreSQL's autovacuum does this by
    itself eventually, but not right after a million-row load.
    """
    tables = [model._meta.db_table for model in (Resource, Field, Distribution, Product)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
        else:
            cursor.execute("ANALYZE")
