"""Races on PostgreSQL: ``n`` threads released together, each on its own connection.

The in-memory SQLite test database cannot give concurrent connections; CI runs these tests in
its PostgreSQL pass. Use ``pytestmark = POSTGRES_RACES`` in a module of such tests."""

import threading

import pytest
from django.db import connection, connections

POSTGRES_RACES = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
    ),
]


def race(n: int, work) -> list:
    """Run ``work(i)`` for i in 0..n-1 in ``n`` threads released at once; their results (an
    exception in a thread propagates nowhere: ``work`` catches what it expects)."""
    barrier, results = threading.Barrier(n), []

    def run(i):
        try:
            barrier.wait()
            results.append(work(i))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
