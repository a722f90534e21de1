"""The yearly efficiency evaluation (效能评估): written by platform administrators on a signed
agreement, with the year's figures computed when it is saved; once per agreement and year."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Product
from grading.models import AgreementEvaluation, AuditEvent, Notice
from tests import factories as f

pytestmark = pytest.mark.django_db

YEAR = timezone.now().year


def at(year, month=3):
    return timezone.make_aware(dt.datetime(year, month, 10, 12))


@pytest.fixture
def signed(world):
    """A signed agreement (fee cap 100,000) over two entries, running since last year, with
    usage, products and complaints in this year and the last."""
    first = f.ResourceFactory(provider=world.provider, tier="restricted", grade="L2")
    second = f.ResourceFactory(provider=world.provider, tier="restricted", grade="L2")
    outside = f.ResourceFactory(provider=world.provider, tier="restricted", grade="L2")
    agreement = f.agreement(world.operator_org, [first, second], days=400)
    agreement.valid_from = at(YEAR - 1, 1)
    agreement.signed_at = at(YEAR - 1, 1)
    agreement.save()
    f.usage(agreement, first, month=dt.date(YEAR, 1, 1), queries=5, rows=50)
    f.usage(agreement, second, month=dt.date(YEAR, 2, 1), queries=2, rows=7)
    f.usage(agreement, first, month=dt.date(YEAR - 1, 12, 1), queries=100, rows=1000)
    for price, cited, listed in [
        ("90000.00", first, at(YEAR)),  # within the cap
        ("150000.00", second, at(YEAR)),  # over the cap
        ("500000.00", first, at(YEAR - 1)),  # another year
        ("900000.00", outside, at(YEAR)),  # cites nothing in scope
    ]:
        product = f.ProductFactory(
            provider=world.operator_org,
            purpose=Product.Purpose.INDUSTRY,
            price=Decimal(price),
            listed_at=listed,
        )
        product.source_resources.set([cited])
    f.complaint(first, created_at=at(YEAR))
    f.complaint(second, status="upheld", created_at=at(YEAR))
    f.complaint(first, created_at=at(YEAR - 1))
    f.complaint(outside, created_at=at(YEAR))
    return agreement


def url(agreement):
    return reverse("grading:agreement-usage", args=[agreement.pk])


def form(**extra):
    return {"year": YEAR, "rating": "good", "text": "运营规范，产品丰富。", **extra}


def test_evaluate__admin_saves_the_years_figures(as_user, signed):
    response = as_user("platform_admin").post(url(signed), form())
    assert response.status_code == 302
    evaluation = AgreementEvaluation.objects.get()
    assert (evaluation.year, evaluation.rating) == (YEAR, "good")
    assert evaluation.figures == {
        "queries": 7,
        "rows": 57,
        "products_listed": 2,
        "complaints": 2,
        "complaints_upheld": 1,
        "fee_cap": "100000.00",
        "highest_price": "150000.00",
        "over_cap": 1,
    }


def test_evaluate__last_year_has_its_own_figures(as_user, signed):
    as_user("platform_admin").post(url(signed), form(year=YEAR - 1))
    figures = AgreementEvaluation.objects.get().figures
    assert (figures["queries"], figures["rows"]) == (100, 1000)
    assert (figures["products_listed"], figures["complaints"]) == (1, 1)
    assert (figures["highest_price"], figures["over_cap"]) == ("500000.00", 1)


def test_evaluate__audited_and_the_operators_staff_notified(as_user, world, signed):
    as_user("platform_admin").post(url(signed), form())
    event = AuditEvent.objects.get(action="agreement.evaluate")
    assert (event.object_type, event.object_id) == ("grading.agreement", str(signed.pk))
    assert json.loads(event.payload)["rating"] == "good"
    notice = Notice.objects.get(user=world.users["operator"])
    assert notice.link == url(signed)
    assert not Notice.objects.exclude(user=world.users["operator"]).exists()


@pytest.mark.parametrize("kind", ["operator", "platform_admin", "auditor"])
def test_evaluate__shown_to_the_operator_and_the_regulator(as_user, world, signed, kind):
    AgreementEvaluation.objects.create(
        agreement=signed,
        year=YEAR,
        rating="excellent",
        text="成效显著",
        reviewer=world.users["platform_admin"],
        figures={"queries": 7, "rows": 57, "fee_cap": "100000.00", "over_cap": 0},
    )
    assert "成效显著" in as_user(kind).get(url(signed)).content.decode()
    if kind == "operator":
        assert "成效显著" in as_user(kind).get("/operation/").content.decode()


def test_evaluate__second_one_for_the_same_year_is_409(as_user, signed):
    client = as_user("platform_admin")
    client.post(url(signed), form())
    response = client.post(url(signed), form(rating="poor"))
    assert response.status_code == 409
    assert AgreementEvaluation.objects.get().rating == "good"


@pytest.mark.parametrize(
    "bad",
    [
        {"year": YEAR + 1},  # not yet
        {"year": YEAR - 5},  # before the term
        {"year": "二〇二六"},
        {"year": ""},
        {"rating": "superb"},
        {"text": "   "},
        {"text": "x" * 5001},
        {"text": "含有\x00控制字符"},
    ],
)
def test_evaluate__bad_input_is_400_and_writes_nothing(as_user, signed, bad):
    response = as_user("platform_admin").post(url(signed), form(**bad))
    assert response.status_code == 400
    assert not AgreementEvaluation.objects.exists()
    assert not AuditEvent.objects.filter(action="agreement.evaluate").exists()


@pytest.mark.parametrize("kind", ["operator", "auditor"])
def test_evaluate__visible_but_not_permitted_is_403(as_user, signed, kind):
    response = as_user(kind).post(url(signed), form())
    assert response.status_code == 403
    assert "platform administrators" in response.content.decode()
    assert not AgreementEvaluation.objects.exists()


@pytest.mark.parametrize("kind", ["citizen", "agency_staff"])
def test_evaluate__invisible_is_404(as_user, signed, kind):
    assert as_user(kind).post(url(signed), form()).status_code == 404
    assert not AgreementEvaluation.objects.exists()


def test_evaluate__an_unsigned_agreement_is_not_evaluated(as_user, signed):
    signed.signed_at = None
    signed.save()
    assert as_user("platform_admin").post(url(signed), form()).status_code == 403
    assert not AgreementEvaluation.objects.exists()


def test_evaluate__the_form_is_offered_to_administrators_only(as_user, signed):
    assert (
        "Save the evaluation"
        in as_user("platform_admin").get(url(signed), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert (
        "Save the evaluation"
        not in as_user("operator").get(url(signed), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
