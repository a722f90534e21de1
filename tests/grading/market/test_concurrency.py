"""Concurrent decisions on PostgreSQL: of two answers to one request, one wins; two identical
requests sent at once make one request; two reviews of one showcase, one wins.

These need real concurrent connections, which the in-memory SQLite test database cannot give;
CI runs them in the PostgreSQL pass."""

import datetime as dt

from django.utils import timezone

from grading import audit
from grading.models import AuditEvent, Notice, ProductRequest, Showcase
from grading.requests import services
from grading.showcase import services as showcase_services
from portal.transitions import InvalidTransition
from tests import factories as f
from tests.concurrency import POSTGRES_RACES, race

pytestmark = POSTGRES_RACES


def _answer(actor, pk, action, **extra):
    try:
        services.request_act(
            actor=actor,
            product_request=ProductRequest.objects.get(pk=pk),
            action=action,
            **extra,
        )
        return "ok"
    except InvalidTransition:
        return "conflict"


def test_quote_and_refuse_at_once__one_wins(market):
    item = f.product_request(market.requester, market.industry)
    quote = {"amount": "100", "valid_until": timezone.localdate() + dt.timedelta(days=3)}
    staff = [market.provider_staff, market.other_staff]
    work = [
        lambda: _answer(staff[0], item.pk, "quote", quote=quote),
        lambda: _answer(staff[1], item.pk, "refuse", reason="暂停供应"),
    ]
    results = race(2, lambda i: work[i]())
    assert sorted(results) == ["conflict", "ok"]
    decided = AuditEvent.objects.filter(
        action__in=["product_request.quote", "product_request.refuse"]
    )
    assert decided.count() == 1
    assert ProductRequest.objects.get().status in ("quoted", "refused")
    assert Notice.objects.filter(user=market.requester).count() == 1
    assert audit.verify()[1] is None


def test_accept_quote_and_withdraw_at_once__one_wins(market):
    item = f.product_request(market.requester, market.industry)
    quote = {"amount": "100", "valid_until": timezone.localdate() + dt.timedelta(days=3)}
    services.request_act(
        actor=market.provider_staff, product_request=item, action="quote", quote=quote
    )
    actions = ["accept_quote", "withdraw"]
    results = race(2, lambda i: _answer(market.requester, item.pk, actions[i]))
    assert sorted(results) == ["conflict", "ok"]
    assert ProductRequest.objects.get().status in ("accepted_by_requester", "withdrawn")


def test_the_same_request_sent_twice_at_once_makes_one(market):
    def send(_i):
        try:
            f.product_request(market.requester, market.industry)
            return "ok"
        except services.DuplicateRequest:
            return "duplicate"

    results = race(3, send)
    assert sorted(results) == ["duplicate", "duplicate", "ok"]
    assert ProductRequest.objects.count() == 1
    assert AuditEvent.objects.filter(action="product_request.create").count() == 1


def test_two_reviews_of_one_showcase__one_wins(market, make_resource):
    showcase = f.showcase(market.citizen, [make_resource("open_L1")])
    admins = [market.admin, f.UserFactory(username="admin_two")]
    f.platform_role(admins[1], "platform_admin")
    actions = [("list", ""), ("reject", "与开放数据无关")]

    def review(i):
        try:
            showcase_services.showcase_review(
                actor=admins[i],
                showcase=Showcase.objects.get(pk=showcase.pk),
                action=actions[i][0],
                reason=actions[i][1],
            )
            return "ok"
        except InvalidTransition:
            return "conflict"

    assert sorted(race(2, review)) == ["conflict", "ok"]
    assert AuditEvent.objects.filter(object_type="grading.showcase").count() == 1
