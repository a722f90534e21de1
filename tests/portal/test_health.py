"""/healthz: the databases and caches this process uses, as JSON, never cached."""

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.django_db


def test_healthz__all_reachable_is_200(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database:default"] == {"status": "ok"}
    assert body["checks"]["cache:default"] == {"status": "ok"}
    assert body["checks"]["cache:counters"] == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz__a_failing_cache_is_503_without_details(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("redis://secret-host:6379 refused")

    monkeypatch.setattr(caches["counters"], "set", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["cache:counters"] == {"status": "fail", "error": "ConnectionError"}
    assert "secret-host" not in response.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_healthz__only_answers_reads(client, method):
    assert getattr(client, method)("/healthz").status_code == 405


def test_healthz__is_never_stored_in_the_page_cache(client, settings):
    settings.ANONYMOUS_CACHE_SECONDS = 300
    client.get("/healthz")
    assert "X-Cache" not in client.get("/healthz")
