"""API keys (page and API), key authentication on the whole API, and rate limits."""

import datetime as dt
import hashlib
import os
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from grading.accounts import apikeys
from grading.models import APIKey
from tests import factories as f

KEYS_URL = "/api/v1/api-keys/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _secret(text: str) -> str:
    return text.split("_", 2)[2]


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# ---------------------------------------------------------------------------------------------
# Creating keys: shown once, stored hashed
# ---------------------------------------------------------------------------------------------


def test_page__creates_a_key_shown_once_and_stored_hashed(client, world):
    user = world.users["citizen"]
    client.force_login(user)
    response = client.post(reverse("account-api-keys"), {"name": "数据分析脚本"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    text = response.context["created"]["text"]
    assert text.startswith("pdp_") and text in response.content.decode()
    key = APIKey.objects.get(user=user)
    assert key.name == "数据分析脚本" and text.split("_")[1] == key.prefix
    assert key.secret_hash == hashlib.sha256(_secret(text).encode()).hexdigest()
    stored = " ".join(str(value) for value in APIKey.objects.values().get().values())
    assert _secret(text) not in stored
    again = client.get(reverse("account-api-keys"))
    assert again.status_code == 200
    assert _secret(text) not in again.content.decode()
    assert key.prefix in again.content.decode()


def test_page__expiry_day_is_inclusive(client, world):
    client.force_login(world.users["citizen"])
    today = timezone.localdate()
    client.post(reverse("account-api-keys"), {"name": "k", "expires_on": today.isoformat()})
    key = APIKey.objects.get()
    assert timezone.localtime(key.expires_at).date() == today + dt.timedelta(days=1)
    assert timezone.localtime(key.expires_at).time() == dt.time.min


@pytest.mark.parametrize(
    "data",
    [
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 101},
        {"name": "k", "expires_on": "2000-01-01"},
        {"name": "k", "expires_on": "not-a-date"},
    ],
)
def test_page__bad_input_is_400_and_creates_nothing(client, world, data):
    client.force_login(world.users["citizen"])
    response = client.post(reverse("account-api-keys"), data)
    assert response.status_code == 400
    assert response.context["created"] is None
    assert not APIKey.objects.exists()


def test_page__needs_a_login(client, db):
    response = client.get(reverse("account-api-keys"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_page__revoke_own_key_and_not_someone_elses(client, world):
    mine, _ = apikeys.api_key_create(user=world.users["citizen"], name="mine")
    theirs, _ = apikeys.api_key_create(user=world.users["grantee"], name="theirs")
    client.force_login(world.users["citizen"])
    page = client.get(reverse("account-api-keys")).content.decode()
    assert "mine" in page and "theirs" not in page
    response = client.post(reverse("account-api-key-revoke", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert client.post(reverse("account-api-key-revoke", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None


def test_api__create_shows_the_key_once(client, world):
    client.force_login(world.users["citizen"])
    response = client.post(KEYS_URL, {"name": "ci"}, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["key"].startswith(f"pdp_{body['prefix']}_") and body["active"] is True
    listed = client.get(KEYS_URL).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]
    assert "key" not in listed[0] and "secret_hash" not in listed[0]
    one = client.get(f"{KEYS_URL}{body['id']}/").json()
    assert "key" not in one and _secret(body["key"]) not in str(one)


def test_api__create_with_an_expiry(client, world):
    client.force_login(world.users["citizen"])
    when = (timezone.now() + dt.timedelta(days=30)).isoformat()
    response = client.post(
        KEYS_URL, {"name": "t", "expires_at": when}, content_type="application/json"
    )
    assert response.status_code == 201
    assert APIKey.objects.get().expires_at is not None


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"name": ""},
        {"name": "x" * 101},
        {"name": "k", "expires_at": "yesterday"},
        {"name": "k", "expires_at": "2001-01-01T00:00:00Z"},
    ],
)
def test_api__bad_input_is_400_and_creates_nothing(client, world, data):
    client.force_login(world.users["citizen"])
    response = client.post(KEYS_URL, data, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json() or response.json()
    assert not APIKey.objects.exists()


def test_api__anonymous_gets_401(client, db):
    assert client.get(KEYS_URL).status_code == 401
    assert client.post(KEYS_URL, {"name": "x"}).status_code == 401
    assert not APIKey.objects.exists()


def test_api__a_key_cannot_create_keys(client, world):
    _key, text = apikeys.api_key_create(user=world.users["citizen"], name="first")
    response = client.post(
        KEYS_URL, {"name": "second"}, content_type="application/json", HTTP_X_API_KEY=text
    )
    assert response.status_code == 403
    assert APIKey.objects.count() == 1


def test_api__lists_only_own_keys(client, world):
    mine, text = apikeys.api_key_create(user=world.users["citizen"], name="mine")
    apikeys.api_key_create(user=world.users["grantee"], name="theirs")
    assert _ids(client.get(KEYS_URL, HTTP_AUTHORIZATION=f"Token {text}")) == {mine.pk}


def test_api__revoke_own_key_then_it_is_refused(client, world):
    key, text = apikeys.api_key_create(user=world.users["citizen"], name="k")
    auth = {"HTTP_AUTHORIZATION": f"Token {text}"}
    response = client.post(f"{KEYS_URL}{key.pk}/revoke/", **auth)
    assert response.status_code == 200 and response.json()["revoked_at"]
    after = client.get("/api/v1/resources/", **auth, HTTP_ACCEPT_LANGUAGE="en")
    assert after.status_code == 401
    assert after.json()["detail"] == "This API key has been revoked."
    in_chinese = client.get("/api/v1/resources/", **auth)  # the portal's default language
    assert in_chinese.json()["detail"] == "该 API 密钥已被吊销。"


def test_api__another_users_key_cannot_be_revoked_404(client, world):
    theirs, their_text = apikeys.api_key_create(user=world.users["grantee"], name="theirs")
    _mine, text = apikeys.api_key_create(user=world.users["citizen"], name="mine")
    for path in (f"{KEYS_URL}{theirs.pk}/revoke/", f"{KEYS_URL}{theirs.pk}/"):
        method = client.post if path.endswith("revoke/") else client.get
        assert method(path, HTTP_X_API_KEY=text).status_code == 404
    assert client.post(f"{KEYS_URL}999999/revoke/", HTTP_X_API_KEY=text).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert client.get("/api/v1/resources/", HTTP_X_API_KEY=their_text).status_code == 200


def test_api__key_list_queries_do_not_grow(client, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = world.users["citizen"]
    client.force_login(user)
    for n in range(2):
        apikeys.api_key_create(user=user, name=f"k{n}")
    with CaptureQueriesContext(connection) as few:
        assert client.get(KEYS_URL).status_code == 200
    for n in range(2, 40):
        apikeys.api_key_create(user=user, name=f"k{n}")
    with django_assert_max_num_queries(len(few)):
        assert len(client.get(KEYS_URL).json()["results"]) == 40
    with django_assert_max_num_queries(len(few) + 2):
        assert client.get(reverse("account-api-keys")).status_code == 200


# ---------------------------------------------------------------------------------------------
# Authentication by key on the whole API
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def staff_key(world):
    """A key of the providing agency's staff, who may see its restricted entries."""
    return apikeys.api_key_create(user=world.users["agency_staff"], name="agency")[1]


@pytest.mark.parametrize("header", ["HTTP_AUTHORIZATION", "HTTP_X_API_KEY"])
def test_key_acts_as_its_user_under_the_policy(client, world, make_resource, staff_key, header):
    restricted = make_resource("restricted_L2")
    value = f"Token {staff_key}" if header == "HTTP_AUTHORIZATION" else staff_key
    anonymous = client.get("/api/v1/resources/")
    assert restricted.pk not in _ids(anonymous)
    assert client.get(f"/api/v1/resources/{restricted.pk}/").status_code == 404
    with_key = client.get("/api/v1/resources/", **{header: value})
    assert with_key.status_code == 200 and restricted.pk in _ids(with_key)
    detail = client.get(f"/api/v1/resources/{restricted.pk}/", **{header: value})
    assert detail.status_code == 200


def test_key_keyword_is_case_insensitive_and_both_headers_may_agree(client, world, staff_key):
    assert client.get("/api/v1/", HTTP_AUTHORIZATION=f"token {staff_key}").status_code == 200
    both = client.get("/api/v1/", HTTP_AUTHORIZATION=f"Token {staff_key}", HTTP_X_API_KEY=staff_key)
    assert both.status_code == 200


def _expired(world):
    key, text = apikeys.api_key_create(user=world.users["citizen"], name="old")
    APIKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    return text


def _revoked(world):
    key, text = apikeys.api_key_create(user=world.users["citizen"], name="gone")
    apikeys.api_key_revoke(user=world.users["citizen"], key_id=key.pk)
    return text


def _key_for_inactive(user):
    text = apikeys.api_key_create(user=user, name="k")[1]
    user.is_active = False
    user.save()
    return text


def _wrong_secret(world):
    text = apikeys.api_key_create(user=world.users["citizen"], name="k")[1]
    return text[:-3] + ("aaa" if not text.endswith("aaa") else "bbb")


BAD_KEYS = {
    "unknown": (lambda world: "pdp_000000000000_" + "x" * 43, "Invalid API key."),
    "garbage": (lambda world: "hello", "Invalid API key."),
    "wrong secret": (_wrong_secret, "Invalid API key."),
    "expired": (_expired, "This API key has expired."),
    "revoked": (_revoked, "This API key has been revoked."),
    "inactive user": (lambda world: _key_for_inactive(f.UserFactory()), "disabled"),
}


@pytest.mark.parametrize("case", BAD_KEYS)
@pytest.mark.parametrize("header", ["HTTP_AUTHORIZATION", "HTTP_X_API_KEY"])
@pytest.mark.parametrize("path", ["/api/v1/resources/", "/api/v1/", "/api/schema/", KEYS_URL])
def test_bad_keys_are_401_never_anonymous(client, world, case, header, path):
    make, message = BAD_KEYS[case]
    text = make(world)
    value = f"Token {text}" if header == "HTTP_AUTHORIZATION" else text
    response = client.get(
        path, **{header: value}, HTTP_ACCEPT="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 401
    assert message in response.json()["detail"]
    assert response["WWW-Authenticate"] == 'Token realm="api"'


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_AUTHORIZATION": "Token"},
        {"HTTP_AUTHORIZATION": "Token a b"},
        {"HTTP_AUTHORIZATION": "Token pdp_x_y", "HTTP_X_API_KEY": "pdp_x_z"},
    ],
)
def test_malformed_key_headers_are_401(client, db, headers):
    response = client.get("/api/v1/resources/", **headers)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_last_use_is_recorded(client, world, staff_key):
    assert APIKey.objects.get().last_used_at is None
    client.get("/api/v1/", HTTP_X_API_KEY=staff_key)
    assert APIKey.objects.get().last_used_at is not None


def test_key_calls_bypass_the_anonymous_cache(client, world, make_resource, staff_key, settings):
    settings.ANONYMOUS_CACHE_SECONDS = 300
    restricted = make_resource("restricted_L2")
    first = client.get("/api/v1/resources/")
    assert client.get("/api/v1/resources/")["X-Cache"] == "hit"
    assert restricted.pk not in _ids(first)
    with_key = client.get("/api/v1/resources/", HTTP_X_API_KEY=staff_key)
    assert "X-Cache" not in with_key and restricted.pk in _ids(with_key)
    assert restricted.pk not in _ids(client.get("/api/v1/resources/"))
    bad = client.get("/api/v1/resources/", HTTP_X_API_KEY="pdp_bad_key")
    assert bad.status_code == 401


# ---------------------------------------------------------------------------------------------
# Rate limits
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                "anon": "1000/min",
                "api_key": "1000/min",
                "user": "1000/min",
                **rates,
            },
        }

    return set_rates


def _assert_throttled(response):
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["detail"]


def test_throttle__anonymous_per_address(client, world, rates):
    rates(anon="3/min")
    for _ in range(3):
        assert client.get("/api/v1/themes/", REMOTE_ADDR="203.0.113.9").status_code == 200
    _assert_throttled(client.get("/api/v1/themes/", REMOTE_ADDR="203.0.113.9"))
    assert client.get("/api/v1/themes/", REMOTE_ADDR="203.0.113.10").status_code == 200


def test_throttle__per_key_not_per_user(client, world, rates):
    rates(anon="1/min", api_key="2/min")
    user = world.users["citizen"]
    first = apikeys.api_key_create(user=user, name="a")[1]
    second = apikeys.api_key_create(user=user, name="b")[1]
    for _ in range(2):
        assert client.get("/api/v1/themes/", HTTP_X_API_KEY=first).status_code == 200
    _assert_throttled(client.get("/api/v1/themes/", HTTP_X_API_KEY=first))
    assert client.get("/api/v1/themes/", HTTP_X_API_KEY=second).status_code == 200


def test_throttle__key_holders_are_not_held_to_the_anonymous_rate(client, world, rates):
    rates(anon="1/min", api_key="5/min")
    text = apikeys.api_key_create(user=world.users["citizen"], name="a")[1]
    assert client.get("/api/v1/themes/").status_code == 200
    _assert_throttled(client.get("/api/v1/themes/"))
    for _ in range(5):
        assert client.get("/api/v1/themes/", HTTP_X_API_KEY=text).status_code == 200


def test_throttle__signed_in_sessions_per_user(client, world, rates):
    rates(user="2/min")
    client.force_login(world.users["citizen"])
    for _ in range(2):
        assert client.get("/api/v1/themes/").status_code == 200
    _assert_throttled(client.get("/api/v1/themes/"))


def test_throttle__answers_from_the_anonymous_cache_count_too(client, world, rates, settings):
    settings.ANONYMOUS_CACHE_SECONDS = 300
    rates(anon="3/min")
    assert client.get("/api/v1/themes/").status_code == 200
    for _ in range(2):
        response = client.get("/api/v1/themes/")
        assert response.status_code == 200 and response["X-Cache"] == "hit"
    _assert_throttled(client.get("/api/v1/themes/"))


def test_throttle__the_suite_default_is_generous(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert all(int(rate.split("/")[0]) >= 10000 for rate in rates.values())


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="REDIS_URL is not set: the throttle runs against local memory only "
    "(set REDIS_URL=redis://127.0.0.1:6379/0 to run it against Redis)",
)
def test_throttle__against_real_redis(client, world, rates, settings):
    prefix = f"portal-test-{uuid.uuid4().hex}"
    redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": prefix,
    }
    settings.CACHES = {"default": redis, "counters": redis}
    from django.core.cache import caches

    redis_cache = caches["counters"]
    assert type(redis_cache).__name__ == "RedisCache"
    rates(anon="2/min")
    try:
        for _ in range(2):
            assert client.get("/api/v1/themes/", REMOTE_ADDR="203.0.113.77").status_code == 200
        _assert_throttled(client.get("/api/v1/themes/", REMOTE_ADDR="203.0.113.77"))
        history = redis_cache.get("throttle_anon_203.0.113.77")
        assert isinstance(history, list) and len(history) == 2
        client_redis = redis_cache._cache.get_client()
        assert client_redis.keys(f"{prefix}:*throttle_anon_203.0.113.77")
    finally:
        redis_cache.delete("throttle_anon_203.0.113.77")
