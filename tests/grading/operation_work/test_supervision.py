"""Supervision /supervision/: the regulator's tables (agreements by state and expiry, queues
with overdue items, listing review times, complaints, prices against caps), each row linked to
its item and its audit rows, and their CSV export; 404 for everyone else."""

import csv
import datetime as dt
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Product
from grading import audit
from grading.models import Agreement, Application
from tests import factories as f

pytestmark = pytest.mark.django_db

PAGE = "/supervision/"
EXPORT = "/supervision/export/"
TODAY = timezone.localdate()
PAST = TODAY - dt.timedelta(days=3)
LATER = TODAY + dt.timedelta(days=3)


def section(client, key):
    response = client.get(PAGE, {"section": key})
    assert response.status_code == 200
    return response.context["section"]


def rows_by_id(sec):
    return {row.cells[0]: row for row in sec.rows}


def audit_link(object_type, pk):
    return f"/audit/?object_type={object_type}&object_id={pk}"


def test_url_names():
    assert reverse("grading:supervision") == PAGE
    assert reverse("grading:supervision-export") == EXPORT


@pytest.mark.parametrize("kind", ["platform_admin", "auditor"])
def test_supervision__regulator_sees_every_section(as_user, kind):
    response = as_user(kind).get(PAGE)
    assert response.status_code == 200
    keys = [key for key, _title in response.context["sections"]]
    assert keys == [
        "agreements",
        "operation",
        "applications",
        "listing",
        "complaints",
        "prices",
        "crossborder",
    ]
    text = response.content.decode()
    for key in keys:
        assert f"?section={key}" in text


@pytest.mark.parametrize("kind", ["citizen", "grantee", "operator", "agency_staff"])
@pytest.mark.parametrize("url", [PAGE, EXPORT + "?section=agreements"])
def test_supervision__others_get_404(as_user, kind, url):
    assert as_user(kind).get(url).status_code == 404


@pytest.mark.parametrize("url", [PAGE, EXPORT + "?section=agreements"])
def test_supervision__anonymous_is_sent_to_log_in(as_user, url):
    response = as_user("anonymous").get(url)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("url", [PAGE + "?section=nope", EXPORT + "?section=nope", EXPORT])
def test_supervision__unknown_section_is_400(as_user, url):
    assert as_user("auditor").get(url).status_code == 400


def test_agreements__by_state_and_expiry_with_links(as_user, world):
    soon = f.agreement(world.operator_org, [], days=30)
    later = f.agreement(world.operator_org, [], days=200)
    f.agreement(world.operator_org, [], days=10, status=Agreement.Status.SUSPENDED)
    sec = section(as_user("auditor"), "agreements")
    rows = rows_by_id(sec)
    assert rows[soon.pk].flagged and not rows[later.pk].flagged
    assert [r.cells[0] for r in sec.rows][-1] == later.pk  # those ending first first
    assert rows[soon.pk].link == f"/operation/agreements/{soon.pk}/"
    assert rows[soon.pk].audit == audit_link("grading.agreement", soon.pk)
    summary = {str(label): n for label, n in sec.summary}
    assert summary[str(Agreement.Status.ACTIVE.label)] == 2
    assert summary[str(Agreement.Status.SUSPENDED.label)] == 1


def test_operation_queue__overdue_application_or_agency_part_flagged(as_user, world):
    user = world.users["operator"]
    late = f.operation_application(world.operator_org, user, due_on=PAST)
    late_part = f.operation_application(
        world.operator_org, user, status="checked", due_on=LATER, part_due=PAST
    )
    in_time = f.operation_application(world.operator_org, user, due_on=LATER, part_due=LATER)
    returned = f.operation_application(world.operator_org, user, status="returned", due_on=PAST)
    rows = rows_by_id(section(as_user("platform_admin"), "operation"))
    assert rows[late.pk].flagged and rows[late_part.pk].flagged
    assert rows[late_part.pk].cells[4] == 1
    assert not rows[in_time.pk].flagged
    assert returned.pk not in rows
    assert rows[late.pk].audit == audit_link("grading.operationapplication", late.pk)
    assert rows[late.pk].link == f"/operation/applications/{late.pk}/"


def test_conditional_queue__overdue_applications_flagged_and_linked(as_user, world):
    resource = f.ResourceFactory(provider=world.provider, tier="conditional")
    common = {
        "applicant": world.users["citizen"],
        "provider": world.provider,
        "purpose": "研究",
        "scenario": "评估",
        "term_days": 30,
    }
    late = Application.objects.create(**common, status="checked", due_on=PAST)
    on_time = Application.objects.create(**common, status="submitted", due_on=LATER)
    Application.objects.create(**common, status="draft")
    late.resources.set([resource])
    rows = rows_by_id(section(as_user("auditor"), "applications"))
    assert set(rows) == {late.pk, on_time.pk}
    assert rows[late.pk].flagged and not rows[on_time.pk].flagged
    assert rows[late.pk].link == reverse("grading:application-detail", args=[late.pk])
    assert rows[late.pk].audit == audit_link("grading.application", late.pk)


def _at(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def _review(product, submitted, decided=None, action="product.list"):
    for day, name in [(submitted, "product.submit"), (decided, action)]:
        if day is not None:
            with mock.patch("grading.audit.timezone.now", return_value=_at(day)):
                audit.record(actor=None, action=name, obj=product, payload={})


def test_listing_times__working_days_median_and_slowest(as_user, world):
    monday = dt.date(2026, 3, 2)
    fast, rejected, slow, waiting = (f.ProductFactory(provider=world.operator_org) for _ in "1234")
    _review(fast, monday, monday + dt.timedelta(days=7))  # 5 working days
    _review(rejected, monday, monday + dt.timedelta(days=2), "product.reject")  # 2
    _review(slow, monday, monday + dt.timedelta(days=14))  # 10
    _review(waiting, TODAY)
    sec = section(as_user("auditor"), "listing")
    rows = rows_by_id(sec)
    assert [rows[p.pk].cells[-1] for p in (fast, rejected, slow)] == [5, 2, 10]
    assert sec.rows[0].cells[0] == slow.pk  # slowest first
    assert rows[waiting.pk].flagged and rows[waiting.pk].cells[3] == ""
    assert [value for _label, value in sec.summary] == [5, 10]  # median, slowest
    assert rows[fast.pk].link == reverse("catalog:product-detail", args=[fast.pk])
    assert rows[fast.pk].audit == audit_link("catalog.product", fast.pk)


def test_complaints__open_and_upheld_with_overdue_flagged(as_user, world):
    resource = f.ResourceFactory(provider=world.provider)
    late = f.complaint(resource, due_on=PAST)
    on_time = f.complaint(resource, due_on=LATER)
    upheld = f.complaint(resource, status="upheld")
    dismissed = f.complaint(resource, status="dismissed")
    rows = rows_by_id(section(as_user("auditor"), "complaints"))
    assert dismissed.pk not in rows
    assert rows[late.pk].flagged and rows[upheld.pk].flagged and not rows[on_time.pk].flagged
    assert rows[late.pk].link == reverse("grading:feedback-detail", args=[late.pk])
    assert rows[late.pk].audit == audit_link("grading.feedback", late.pk)


@pytest.fixture
def priced(world):
    """Listed industry products of the operator: within the cap, over it, citing an entry no
    agreement covers (no cap binds it); and a free public-interest product."""
    covered = f.ResourceFactory(provider=world.provider, tier="restricted", grade="L2")
    outside = f.ResourceFactory(provider=world.provider, tier="open", grade="L1")
    f.agreement(world.operator_org, [covered])  # fee cap 100,000
    products = {}
    for key, price, source, purpose in [
        ("within", "80000.00", covered, Product.Purpose.INDUSTRY),
        ("over", "120000.00", covered, Product.Purpose.INDUSTRY),
        ("uncovered", "10.00", outside, Product.Purpose.INDUSTRY),
        ("free", None, covered, Product.Purpose.PUBLIC_INTEREST),
    ]:
        products[key] = f.ProductFactory(
            provider=world.operator_org,
            code=f"P-{key}",
            name=f'=HYPERLINK("http://x","{key}")' if key == "over" else f"港航{key}",
            purpose=purpose,
            price=Decimal(price) if price else None,
        )
        products[key].source_resources.set([source])
    return products


def test_prices__listed_industry_products_against_the_cap(as_user, priced):
    rows = rows_by_id(section(as_user("platform_admin"), "prices"))
    assert set(rows) == {"P-within", "P-over", "P-uncovered"}
    assert not rows["P-within"].flagged and not rows["P-uncovered"].flagged
    assert rows["P-over"].flagged
    assert rows["P-within"].cells[5] == Decimal("100000.00")
    assert rows["P-uncovered"].cells[4] == ""
    assert rows["P-uncovered"].cells[6] == "No cap"
    assert rows["P-over"].link == reverse("catalog:product-detail", args=[priced["over"].pk])


def test_prices__the_lowest_cap_of_the_agreements_covering_a_source_binds(as_user, world):
    first = f.ResourceFactory(provider=world.provider, tier="restricted", grade="L2")
    second = f.ResourceFactory(provider=world.provider, tier="restricted", grade="L2")
    f.agreement(world.operator_org, [first])  # fee cap 100,000
    strict = f.agreement(world.operator_org, [second])
    Agreement.objects.filter(pk=strict.pk).update(fee_cap=Decimal("500.00"))
    product = f.ProductFactory(
        provider=world.operator_org,
        code="P-both",
        purpose=Product.Purpose.INDUSTRY,
        price=Decimal("800.00"),
    )
    product.source_resources.set([first, second])
    row = rows_by_id(section(as_user("platform_admin"), "prices"))["P-both"]
    assert row.flagged
    assert row.cells[4] == strict.pk and row.cells[5] == Decimal("500.00")


def test_page__rows_link_to_their_item_and_audit_rows(as_user, priced):
    text = as_user("auditor").get(PAGE, {"section": "prices"}).content.decode()
    assert reverse("catalog:product-detail", args=[priced["over"].pk]) in text
    assert f"/audit/?object_type=catalog.product&amp;object_id={priced['over'].pk}" in text
    assert f"{EXPORT}?section=prices" in text


def test_page__tables_paginate_and_keep_the_section(as_user, world, monkeypatch):
    monkeypatch.setattr("grading.supervision.views.PAGE", 2)
    for _i in range(3):
        f.agreement(world.operator_org, [])
    client = as_user("auditor")
    first = client.get(PAGE, {"section": "agreements"})
    assert len(first.context["page"]) == 2
    assert "?section=agreements&amp;page=2" in first.content.decode()
    second = client.get(PAGE, {"section": "agreements", "page": 2})
    assert len(second.context["page"]) == 1


def _csv(response):
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_export__utf8_bom_header_and_formula_safe_cells(as_user, priced):
    response = as_user("auditor").get(EXPORT, {"section": "prices"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="supervision-prices.csv"' in response["Content-Disposition"]
    table = _csv(response)
    assert len(table[0]) == 9 and all(table[0])
    by_code = {row[0]: row for row in table[1:]}
    over = priced["over"].pk
    assert by_code["P-over"][7] == f"http://testserver/products/{over}/"
    assert (
        by_code["P-over"][8]
        == f"http://testserver/audit/?object_type=catalog.product&object_id={over}"
    )
    assert by_code["P-over"][1] == '\'=HYPERLINK("http://x","over")'
    assert by_code["P-within"][1] == "港航within"
    assert by_code["P-within"][3] == "80000.00"


def test_export__agreements_with_days_left_as_numbers(as_user, world):
    ended = f.agreement(world.operator_org, [], days=-3, status=Agreement.Status.EXPIRED)
    table = _csv(as_user("platform_admin").get(EXPORT, {"section": "agreements"}))
    row = next(r for r in table[1:] if r[0] == str(ended.pk))
    assert int(row[4]) < 0


@pytest.mark.parametrize(
    "key",
    ["agreements", "operation", "applications", "listing", "complaints", "prices", "crossborder"],
)
def test_export__every_section_has_a_header_row(as_user, key):
    table = _csv(as_user("auditor").get(EXPORT, {"section": key}))
    assert len(table) == 1 and len(table[0]) >= 6


def _populate(world, n):
    for i in range(n):
        resource = f.ResourceFactory(provider=world.provider, tier="restricted", grade="L2")
        agreement = f.agreement(world.operator_org, [resource], days=30 + i)
        f.usage(agreement, resource, month=TODAY.replace(day=1))
        product = f.ProductFactory(
            provider=world.operator_org, purpose=Product.Purpose.INDUSTRY, price=Decimal(i)
        )
        product.source_resources.set([resource])
        _review(product, TODAY)
        f.complaint(resource, due_on=PAST)
        f.operation_application(world.operator_org, world.users["operator"], part_due=PAST)


@pytest.mark.parametrize(
    "key",
    ["agreements", "operation", "applications", "listing", "complaints", "prices", "crossborder"],
)
def test_page__queries_do_not_grow_with_the_number_of_agreements(as_user, world, key):
    client = as_user("auditor")
    _populate(world, 1)
    client.get(PAGE, {"section": key})
    with CaptureQueriesContext(connection) as few:
        client.get(PAGE, {"section": key})
    _populate(world, 6)
    with CaptureQueriesContext(connection) as many:
        response = client.get(PAGE, {"section": key})
    assert response.status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "value, cell",
    [
        ("=1+1", "'=1+1"),
        ("+86 21", "'+86 21"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("普通文本", "普通文本"),
        (-3, "-3"),
        (Decimal("-1.50"), "-1.50"),
        (None, ""),
    ],
)
def test_export__cells(value, cell):
    from grading.supervision.export import safe_cell

    assert safe_cell(value) == cell


def test_complaints__a_complaint_about_a_product_names_the_product(as_user, world):
    from grading.models import Feedback

    product = f.ProductFactory(provider=world.operator_org, name="港航指数", status="suspended")
    item = Feedback.objects.create(
        kind=Feedback.Kind.COMPLAINT,
        status=Feedback.Status.UPHELD,
        product=product,
        agency=product.provider,
        title="价格不实",
        text="标价与实际不符",
    )
    row = rows_by_id(section(as_user("auditor"), "complaints"))[item.pk]
    assert row.cells[2] == "港航指数" and row.flagged
