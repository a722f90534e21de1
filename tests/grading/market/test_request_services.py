"""Requests for data products through the services: the rules, the steps, the audit and the
notices; bad input, wrong roles, wrong states and double submissions write nothing."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grading import audit
from grading.models import AuditEvent, Notice, ProductRequest
from grading.requests import services
from grading.workdays import add_working_days
from portal.transitions import InvalidTransition
from tests import factories as f

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + dt.timedelta(days=1)


def _quote(amount="1200.00", **extra):
    return {"amount": amount, "terms": "一年期授权", "valid_until": TOMORROW, **extra}


def test_create__sets_due_date_in_working_days_audits_and_tells_the_provider(
    market, settings, django_capture_on_commit_callbacks
):
    settings.PRODUCT_REQUEST_DAYS = 3
    with django_capture_on_commit_callbacks(execute=True):
        item = f.product_request(market.requester, market.industry)
    assert item.status == "submitted"
    assert item.provider_id == market.industry.provider_id
    assert item.due_on == add_working_days(timezone.localdate(), 3)
    assert AuditEvent.objects.filter(action="product_request.create").count() == 1
    told = set(Notice.objects.values_list("user__username", flat=True))
    assert told == {"operator", "seller_two"}
    assert sorted(m.to[0] for m in mail.outbox) == ["seller2@example.cn", "seller@example.cn"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"purpose": ""}, "purpose"),
        ({"scenario": "  "}, "scenario"),
        ({"contact_name": ""}, "contact_name"),
        ({"contact_phone": "", "contact_email": ""}, "contact_phone"),
        ({"contact_phone": "call me"}, "contact_phone"),
        ({"contact_email": "not-an-address"}, "contact_email"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": "3"}, "quantity"),
        ({"quantity": True}, "quantity"),
        ({"unit": ""}, "unit"),
        ({"purpose": "bad\x00text"}, "purpose"),
    ],
)
def test_create__bad_input_is_refused_and_writes_nothing(market, change, field):
    with pytest.raises(ValidationError) as info:
        f.product_request(market.requester, market.industry, **change)
    assert field in info.value.message_dict
    assert ProductRequest.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize("who", ["provider_staff", "other_staff"])
def test_create__the_providers_own_staff_may_not_request(market, who):
    with pytest.raises(PermissionDenied):
        f.product_request(getattr(market, who), market.industry)
    assert ProductRequest.objects.count() == 0


def test_create__unlisted_product_is_refused(market):
    with pytest.raises(PermissionDenied):
        f.product_request(market.requester, market.draft)


def test_create__an_open_request_for_the_same_product_is_a_double_submission(market):
    first = f.product_request(market.requester, market.industry)
    with pytest.raises(services.DuplicateRequest) as info:
        f.product_request(market.requester, market.industry, purpose="另一个用途")
    assert info.value.existing == first
    assert ProductRequest.objects.count() == 1
    assert AuditEvent.objects.filter(action="product_request.create").count() == 1


def test_create__the_same_request_resent_soon_after_withdrawing_is_refused(market):
    first = f.product_request(market.requester, market.industry)
    services.request_act(actor=market.requester, product_request=first, action="withdraw")
    with pytest.raises(services.DuplicateRequest):
        f.product_request(market.requester, market.industry)
    # A different purpose is a new request.
    assert f.product_request(market.requester, market.industry, purpose="新的用途").pk


def test_quote_then_accept_quote__the_whole_path_is_audited_and_each_side_told(
    market, django_capture_on_commit_callbacks
):
    item = f.product_request(market.requester, market.industry)
    Notice.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_act(
            actor=market.provider_staff, product_request=item, action="quote", quote=_quote()
        )
    assert item.status == "quoted" and str(item.quote_amount) == "1200.00"
    assert item.due_on is None
    assert Notice.objects.get().user == market.requester
    assert mail.outbox[-1].to == ["buyer@example.cn"]
    services.request_act(actor=market.requester, product_request=item, action="accept_quote")
    assert item.status == "accepted_by_requester"
    assert set(Notice.objects.exclude(user=market.requester).values_list("user", flat=True)) == {
        market.provider_staff.pk,
        market.other_staff.pk,
    }
    actions = list(
        AuditEvent.objects.filter(object_type="grading.productrequest").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "product_request.create",
        "product_request.quote",
        "product_request.accept_quote",
    ]
    assert audit.verify()[1] is None


def test_public_interest_products_can_only_be_quoted_zero(market):
    item = f.product_request(market.requester, market.public)
    with pytest.raises(ValidationError) as info:
        services.request_act(
            actor=market.provider_staff, product_request=item, action="quote", quote=_quote("5")
        )
    assert "amount" in info.value.message_dict
    item.refresh_from_db()
    assert item.status == "submitted" and item.quote_amount is None
    services.request_act(
        actor=market.provider_staff, product_request=item, action="quote", quote=_quote("0")
    )
    assert item.status == "quoted" and item.quote_amount == 0


@pytest.mark.parametrize(
    "quote, field",
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"valid_until": dt.date(2000, 1, 1)}, "valid_until"),
        ({"valid_until": "tomorrow"}, "valid_until"),
    ],
)
def test_quote__bad_values_are_refused_and_write_nothing(market, quote, field):
    item = f.product_request(market.requester, market.industry)
    with pytest.raises(ValidationError) as info:
        services.request_act(
            actor=market.provider_staff,
            product_request=item,
            action="quote",
            quote=_quote(**quote),
        )
    assert field in info.value.message_dict
    assert ProductRequest.objects.get().status == "submitted"
    assert not AuditEvent.objects.filter(action="product_request.quote").exists()


@pytest.mark.parametrize(
    "who, action",
    [
        ("requester", "quote"),
        ("requester", "accept"),
        ("requester", "refuse"),
        ("citizen", "withdraw"),
        ("provider_staff", "withdraw"),
        ("provider_staff", "accept_quote"),
        ("admin", "accept"),
        ("auditor", "refuse"),
        ("provider_staff", "unknown"),
    ],
)
def test_wrong_role_is_refused_and_writes_nothing(market, who, action):
    item = f.product_request(market.requester, market.industry)
    with pytest.raises(PermissionDenied):
        services.request_act(
            actor=getattr(market, who),
            product_request=item,
            action=action,
            reason="理由",
            quote=_quote(),
        )
    assert ProductRequest.objects.get().status == "submitted"
    assert AuditEvent.objects.count() == 1


def test_wrong_state__accepting_an_unquoted_request_names_the_state(market):
    item = f.product_request(market.requester, market.industry)
    with pytest.raises(InvalidTransition) as info:
        services.request_act(actor=market.requester, product_request=item, action="accept_quote")
    assert info.value.current == "submitted"
    services.request_act(
        actor=market.provider_staff, product_request=item, action="refuse", reason="暂不对外"
    )
    with pytest.raises(InvalidTransition) as info:
        services.request_act(actor=market.requester, product_request=item, action="withdraw")
    assert info.value.current == "refused"
    assert AuditEvent.objects.count() == 2


def test_refuse_needs_a_reason(market):
    item = f.product_request(market.requester, market.industry)
    with pytest.raises(ValidationError):
        services.request_act(actor=market.provider_staff, product_request=item, action="refuse")
    assert ProductRequest.objects.get().status == "submitted"


def test_an_expired_quote_cannot_be_accepted(market):
    item = f.product_request(market.requester, market.industry)
    services.request_act(
        actor=market.provider_staff, product_request=item, action="quote", quote=_quote()
    )
    ProductRequest.objects.filter(pk=item.pk).update(
        quote_valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    item.refresh_from_db()
    with pytest.raises(ValidationError):
        services.request_act(actor=market.requester, product_request=item, action="accept_quote")
    assert ProductRequest.objects.get().status == "quoted"
    services.request_act(actor=market.requester, product_request=item, action="decline")
    assert item.status == "declined_by_requester"


def test_overdue_only_while_the_provider_owes_an_answer(market):
    item = f.product_request(market.requester, market.industry)
    assert not services.is_overdue(item)
    item.due_on = timezone.localdate() - dt.timedelta(days=1)
    assert services.is_overdue(item)
    item.status = "quoted"
    assert not services.is_overdue(item)
