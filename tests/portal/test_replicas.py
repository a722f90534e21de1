"""Read replicas (portal.db_router): reads on a replica, writes, transactions and migrations on
the primary, and every caller reads its own writes.

The router and middleware tests run everywhere. The ``real replica`` tests need a PostgreSQL
streaming replica of the test database's primary, named by REPLICA_DATABASE_URL (CI's
PostgreSQL pass starts one with devtools/replica.sh); they make the replica lag by pausing its
WAL replay (``pg_wal_replay_pause``) and resume it afterwards."""

import time
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connections, router, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Organization
from grading.models import APIKey
from portal import db_router
from portal.db_router import PrimaryPinMiddleware, PrimaryReplicaRouter
from tests import factories as f

REPLICAS = override_settings(DATABASE_REPLICAS=["replica"])


@pytest.fixture(autouse=True)
def fresh_context():
    """Each test starts unpinned (factories' writes pin the test's own context)."""
    db_router.unpin()
    yield
    db_router.unpin()


# --- the router ---------------------------------------------------------------------------


def test_router__without_replicas_every_read_goes_to_the_primary():
    assert PrimaryReplicaRouter().db_for_read(Organization) == "default"


@REPLICAS
def test_router__reads_go_to_a_replica_writes_to_the_primary():
    routing = PrimaryReplicaRouter()
    assert routing.db_for_read(Organization) == "replica"
    assert routing.db_for_write(Organization) == "default"


@override_settings(DATABASE_REPLICAS=["replica1", "replica2", "replica3"])
def test_router__one_request_reads_from_one_replica():
    routing = PrimaryReplicaRouter()
    chosen = {routing.db_for_read(Organization) for _ in range(20)}
    assert len(chosen) == 1
    seen = set()
    for _ in range(60):
        _, read_from = _through_middleware(RequestFactory().get("/"))
        seen.add(read_from)
    assert seen == {"replica1", "replica2", "replica3"}  # each request chooses anew


@REPLICAS
def test_router__after_a_write_this_context_reads_from_the_primary():
    routing = PrimaryReplicaRouter()
    routing.db_for_write(Organization)
    assert routing.db_for_read(Organization) == "default"
    db_router.unpin()
    assert routing.db_for_read(Organization) == "replica"


@REPLICAS
def test_router__explicit_pin_reads_from_the_primary():
    db_router.pin_to_primary()
    assert PrimaryReplicaRouter().db_for_read(Organization) == "default"


@REPLICAS
@pytest.mark.django_db(transaction=True)
def test_router__inside_a_transaction_reads_stay_on_the_primary():
    routing = PrimaryReplicaRouter()
    with transaction.atomic():
        assert routing.db_for_read(Organization) == "default"
    assert routing.db_for_read(Organization) == "replica"


@REPLICAS
def test_router__migrations_run_on_the_primary_only():
    routing = PrimaryReplicaRouter()
    assert routing.allow_migrate("default", "catalog") is True
    assert routing.allow_migrate("replica", "catalog") is False
    assert routing.allow_relation(object(), object()) is True


# --- the middleware -----------------------------------------------------------------------


def _through_middleware(request, *, writes: bool = False):
    """The answer of a view that records whether it read from the primary."""
    seen = {}

    def view(request):
        if writes:
            PrimaryReplicaRouter().db_for_write(Organization)
        seen["read_from"] = PrimaryReplicaRouter().db_for_read(Organization)
        return HttpResponse("ok")

    response = PrimaryPinMiddleware(view)(request)
    return response, seen["read_from"]


def _cookie_of(response) -> str:
    return response.cookies[settings.REPLICA_PIN_COOKIE].value


@REPLICAS
def test_middleware__an_anonymous_get_reads_from_a_replica_and_sets_no_cookie():
    response, read_from = _through_middleware(RequestFactory().get("/"))
    assert read_from == "replica"
    assert settings.REPLICA_PIN_COOKIE not in response.cookies


@REPLICAS
def test_middleware__a_post_reads_from_the_primary_and_marks_the_caller():
    response, read_from = _through_middleware(RequestFactory().post("/x/"))
    assert read_from == "default"
    cookie = response.cookies[settings.REPLICA_PIN_COOKIE]
    assert cookie["max-age"] == settings.REPLICA_PIN_SECONDS and cookie["httponly"]


@REPLICAS
def test_middleware__a_get_that_writes_marks_the_caller():
    response, read_from = _through_middleware(RequestFactory().get("/"), writes=True)
    assert read_from == "default"
    assert _cookie_of(response)


@REPLICAS
def test_middleware__a_marked_caller_reads_from_the_primary():
    marked, _ = _through_middleware(RequestFactory().post("/x/"))
    request = RequestFactory().get("/")
    request.COOKIES[settings.REPLICA_PIN_COOKIE] = _cookie_of(marked)
    response, read_from = _through_middleware(request)
    assert read_from == "default"
    assert settings.REPLICA_PIN_COOKIE not in response.cookies  # a read does not extend it


@REPLICAS
def test_middleware__an_old_mark_no_longer_pins(monkeypatch):
    past = time.time() - settings.REPLICA_PIN_SECONDS - 5
    with monkeypatch.context() as patched:
        patched.setattr("django.core.signing.time.time", lambda: past)
        marked, _ = _through_middleware(RequestFactory().post("/x/"))
    request = RequestFactory().get("/")
    request.COOKIES[settings.REPLICA_PIN_COOKIE] = _cookie_of(marked)
    assert _through_middleware(request)[1] == "replica"


@REPLICAS
def test_middleware__a_forged_mark_does_not_pin():
    request = RequestFactory().get("/")
    request.COOKIES[settings.REPLICA_PIN_COOKIE] = f"{int(time.time())}:forged"
    assert _through_middleware(request)[1] == "replica"


@REPLICAS
def test_middleware__the_pin_ends_with_the_request():
    _through_middleware(RequestFactory().post("/x/"), writes=True)
    assert PrimaryReplicaRouter().db_for_read(Organization) == "replica"


def test_middleware__without_replicas_sets_no_cookie():
    response, read_from = _through_middleware(RequestFactory().post("/x/"), writes=True)
    assert read_from == "default"
    assert settings.REPLICA_PIN_COOKIE not in response.cookies


# --- a real streaming replica --------------------------------------------------------------

REAL_REPLICA = [
    pytest.mark.skipif(
        "replica" not in settings.DATABASES,
        reason="needs a PostgreSQL streaming replica of the test database's server: run "
        "devtools/replica.sh start and set REPLICA_DATABASE_URL (CI's PostgreSQL pass does)",
    ),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


def _scalar(alias: str, sql: str, params=()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _caught_up(timeout: float = 30) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    target = _scalar("default", "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while not _scalar("replica", "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]):
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.05)


@contextmanager
def _lagging():
    """The replica, caught up, then stopped replaying the primary's WAL until the block ends."""
    _caught_up()
    _scalar("replica", "SELECT pg_wal_replay_pause()::text")
    deadline = time.monotonic() + 10
    while _scalar("replica", "SELECT pg_get_wal_replay_pause_state()") != "paused":
        assert time.monotonic() < deadline, "the replica did not pause"
        time.sleep(0.05)
    try:
        yield
    finally:
        _scalar("replica", "SELECT pg_wal_replay_resume()::text")
        _caught_up()


def real_replica(test):
    for mark in REAL_REPLICA:
        test = mark(test)
    return test


@real_replica
def test_replica__an_anonymous_read_runs_on_the_replica(client):
    f.OrganizationFactory(code="replicated", name="复制机构")
    _caught_up()
    with (
        REPLICAS,
        CaptureQueriesContext(connections["default"]) as on_primary,
        CaptureQueriesContext(connections["replica"]) as on_replica,
    ):
        response = client.get(reverse("catalog:organization-detail", args=["replicated"]))
    assert response.status_code == 200
    assert "复制机构" in response.content.decode()
    assert len(on_replica) > 0
    assert len(on_primary) == 0, [query["sql"] for query in on_primary]


@real_replica
def test_replica__a_row_written_to_the_primary_is_absent_from_a_lagging_replica(client):
    url = reverse("catalog:organization-detail", args=["lagging"])
    with _lagging():
        f.OrganizationFactory(code="lagging", name="滞后机构")
        assert Organization.objects.using("default").filter(code="lagging").exists()
        assert not Organization.objects.using("replica").filter(code="lagging").exists()
        with REPLICAS:
            assert client.get(url).status_code == 404  # read from the lagging replica
    with REPLICAS:
        assert client.get(url).status_code == 200  # replayed


@real_replica
def test_replica__a_caller_that_just_wrote_reads_its_write_while_the_replica_lags(client):
    user = f.UserFactory(username="keyholder")
    client.force_login(user)
    url = reverse("account-api-keys")
    with _lagging(), REPLICAS:
        posted = client.post(url, {"name": "钥匙-lagging"})
        assert posted.status_code == 200
        assert settings.REPLICA_PIN_COOKIE in posted.cookies
        assert APIKey.objects.using("default").filter(name="钥匙-lagging").exists()
        assert not APIKey.objects.using("replica").filter(name="钥匙-lagging").exists()
        # The same caller's next page reads from the primary: its new key is listed.
        assert "钥匙-lagging" in client.get(url).content.decode()
        # The same session without the mark reads the lagging replica: the key is not there.
        other = Client()
        other.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[
            settings.SESSION_COOKIE_NAME
        ].value
        stale = other.get(url)
        assert stale.status_code == 200
        assert "钥匙-lagging" not in stale.content.decode()


@real_replica
def test_replica__transactions_and_row_locks_read_from_the_primary():
    with _lagging(), REPLICAS:
        f.OrganizationFactory(code="in-transaction")
        db_router.unpin()  # the factory's write pinned this context
        assert not Organization.objects.filter(code="in-transaction").exists()
        with transaction.atomic():
            assert Organization.objects.filter(code="in-transaction").exists()
        assert router.db_for_read(Organization) == "replica"
        with transaction.atomic():
            locked = Organization.objects.select_for_update().filter(code="in-transaction")
            assert [org.code for org in locked] == ["in-transaction"]
        # A row lock is taken to write: the rest of this context reads from the primary.
        assert router.db_for_read(Organization) == "default"


@real_replica
def test_replica__healthz_checks_the_replica(client):
    with REPLICAS:
        response = client.get("/healthz")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["database:replica"]["status"] == "ok"
    assert "replay_age_seconds" in checks["database:replica"]
