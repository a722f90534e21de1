"""The search index in tests: each test starts with an empty in-memory index (conftest), and
writes reach it through the outbox like in production (indexed right after commit, or by the
next search). Query-count tests index first, so they count a page's own queries, not the
one-time indexing of the entries the test just made."""

from catalog.search import outbox


def indexed() -> None:
    """Index everything the outbox holds now."""
    outbox.catch_up()
