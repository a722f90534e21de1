"""Password-reset mails are limited per address and per e-mail address; past the limit the
answer is the same neutral redirect, but no mail goes out."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests import factories as f

LIMIT = 3


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.PASSWORD_RESET_LIMIT = LIMIT
    settings.PASSWORD_RESET_WINDOW = 3600
    cache.clear()
    yield
    cache.clear()


def _ask(client, email, address="203.0.113.60"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def _neutral(response):
    return response.status_code == 302 and response["Location"] == reverse("password_reset_done")


@pytest.mark.django_db
def test_per_e_mail__mails_stop_at_the_limit_with_the_same_answer(client):
    user = f.UserFactory(username="forgetful", email="forgetful@example.cn")
    answers = [_ask(client, user.email, address=f"203.0.113.{n}") for n in range(LIMIT + 2)]
    assert all(_neutral(a) for a in answers)
    assert len(mail.outbox) == LIMIT
    assert {tuple(m.to) for m in mail.outbox} == {(user.email,)}


@pytest.mark.django_db
def test_per_e_mail__case_does_not_open_a_new_allowance(client):
    f.UserFactory(username="forgetful", email="forgetful@example.cn")
    for n in range(LIMIT + 2):
        spelling = "Forgetful@Example.cn" if n % 2 else "forgetful@example.cn"
        assert _neutral(_ask(client, spelling, address=f"203.0.113.{n}"))
    assert len(mail.outbox) == LIMIT


@pytest.mark.django_db
def test_per_address__one_address_cannot_mail_many_accounts(client):
    users = [f.UserFactory(username=f"u{n}", email=f"u{n}@example.cn") for n in range(LIMIT + 2)]
    answers = [_ask(client, u.email) for u in users]
    assert all(_neutral(a) for a in answers)
    assert len(mail.outbox) == LIMIT
    # Another address is not held back by the first one's count.
    assert _neutral(_ask(client, users[-1].email, address="198.51.100.3"))
    assert len(mail.outbox) == LIMIT + 1


@pytest.mark.django_db
def test_unknown_addresses_count_too_and_the_answer_never_differs(client):
    user = f.UserFactory(username="known", email="known@example.cn")
    for n in range(LIMIT):
        assert _neutral(_ask(client, f"nobody{n}@example.cn"))
    assert mail.outbox == []
    assert _neutral(_ask(client, user.email))  # over the address's limit: same answer
    assert mail.outbox == []


@pytest.mark.django_db
def test_per_address__a_spoofed_forwarded_for_does_not_open_a_new_allowance(client):
    users = [f.UserFactory(username=f"v{n}", email=f"v{n}@example.cn") for n in range(LIMIT + 1)]
    for n, user in enumerate(users):
        response = client.post(
            reverse("password_reset"),
            {"email": user.email},
            REMOTE_ADDR="203.0.113.61",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
        assert _neutral(response)
    assert len(mail.outbox) == LIMIT


@pytest.mark.django_db
def test_bad_input_is_400_and_sends_nothing(client):
    assert _ask(client, "not an address").status_code == 400
    assert mail.outbox == []
