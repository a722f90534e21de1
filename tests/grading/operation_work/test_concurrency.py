"""Concurrent usage increments on PostgreSQL: the first queries of a month race to create the
usage row; every query is counted once. SQLite's in-memory test database cannot give real
concurrent connections; CI runs these in the PostgreSQL pass."""

import threading

import pytest
from django.db import connection, connections

from grading.models import AgreementUsage
from grading.operator.usage import usage_count
from tests import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
    ),
]


def _race(n, work):
    barrier, errors = threading.Barrier(n), []

    def run(i):
        try:
            barrier.wait()
            work(i)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_first_queries_of_a_month_are_all_counted(world):
    resource = f.ResourceFactory(provider=world.provider, tier="restricted", grade="L2")
    agreement = f.agreement(world.operator_org, [resource])
    n = 8
    errors = _race(n, lambda i: usage_count(agreement=agreement, resource=resource, rows=i + 1))
    assert errors == []
    usage = AgreementUsage.objects.get()
    assert usage.queries == n
    assert usage.rows == sum(range(1, n + 1))


def test_concurrent_row_queries_through_the_api_are_all_counted(world, make_table):
    from django.test import Client

    resource = make_table("restricted_L2", n=10)
    operator = world.users["operator"]

    def query(_i):
        client = Client()
        client.force_login(operator)
        assert client.get(f"/api/v1/resources/{resource.pk}/rows/").status_code == 200

    errors = _race(6, query)
    assert errors == []
    usage = AgreementUsage.objects.get()
    assert (usage.queries, usage.rows) == (6, 60)
