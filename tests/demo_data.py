"""The demo data, loaded once per test module: ``load_demo`` plays every workflow through the
services, which takes seconds, so modules that only read the demo share one load.

Use ``demo_loaded`` together with ``db``: the load happens inside a transaction that is rolled
back when the module is done, and each test runs in a savepoint inside it."""

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """``manage.py load_demo`` once for the module, undone afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", verbosity=0)
        yield
        transaction.set_rollback(True)
