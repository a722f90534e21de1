"""Usage accounting: a row query served on the basis of an agreement adds one query and the
rows served to the agreement's usage of that entry this month; other bases add nothing."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from grading.models import Agreement, AgreementUsage, AuditEvent
from grading.operator.usage import month_of, usage_count
from tests import factories as f

pytestmark = pytest.mark.django_db


def rows_url(resource, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/v1/resources/{resource.pk}/rows/" + (f"?{query}" if query else "")


@pytest.fixture
def table(make_table):
    return make_table("restricted_L2", n=30)


def agreement_of(world, resource):
    return Agreement.objects.get(operator=world.operator_org, resources=resource)


def test_rows__operator_query_counts_one_query_and_the_rows_served(as_user, world, table):
    client = as_user("operator")
    body = client.get(rows_url(table, page_size=7)).json()
    assert len(body["results"]) == 7
    usage = AgreementUsage.objects.get()
    assert usage.agreement == agreement_of(world, table)
    assert usage.resource == table
    assert (usage.queries, usage.rows, usage.month) == (1, 7, month_of())


def test_rows__second_query_increments_the_same_row(as_user, table):
    client = as_user("operator")
    client.get(rows_url(table, page_size=5))
    client.get(rows_url(table, page_size=20))
    usage = AgreementUsage.objects.get()
    assert (usage.queries, usage.rows) == (2, 25)


def test_rows__the_audit_row_names_the_agreement(as_user, world, table):
    as_user("operator").get(rows_url(table, page_size=3))
    event = AuditEvent.objects.filter(action="resource.query").latest("seq")
    payload = json.loads(event.payload)
    assert payload["basis"] == "agreement"
    assert payload["agreement"] == agreement_of(world, table).pk


@pytest.mark.parametrize(
    "kind, variant",
    [("grantee", "conditional_L1"), ("agency_staff", "restricted_L2"), ("operator", "open_L1")],
)
def test_rows__queries_on_other_bases_count_no_usage(as_user, make_table, kind, variant):
    resource = make_table(variant, n=10)
    response = as_user(kind).get(rows_url(resource))
    assert response.status_code == 200
    assert not AgreementUsage.objects.exists()


def test_rows__refused_query_counts_nothing(as_user, table):
    response = as_user("citizen").get(rows_url(table))
    assert response.status_code == 404
    assert not AgreementUsage.objects.exists()


def test_preview__resource_page_preview_is_not_counted(as_user, table):
    response = as_user("operator").get(f"/resources/{table.pk}/")
    assert response.status_code == 200
    assert not AgreementUsage.objects.exists()


def test_usage_count__a_new_month_starts_a_new_row(world):
    resource = f.ResourceFactory(provider=world.provider)
    agreement = f.agreement(world.operator_org, [resource])
    january = timezone.make_aware(dt.datetime(2026, 1, 31, 12))
    february = timezone.make_aware(dt.datetime(2026, 2, 1, 12))
    usage_count(agreement=agreement, resource=resource, rows=4, when=january)
    usage_count(agreement=agreement, resource=resource, rows=6, when=february)
    usage_count(agreement=agreement, resource=resource, rows=1, when=february)
    months = dict(AgreementUsage.objects.values_list("month", "rows").order_by("month"))
    assert months == {dt.date(2026, 1, 1): 4, dt.date(2026, 2, 1): 7}


def test_usage_count__negative_rows_count_as_none(world):
    resource = f.ResourceFactory(provider=world.provider)
    agreement = f.agreement(world.operator_org, [resource])
    usage_count(agreement=agreement, resource=resource, rows=-5)
    assert AgreementUsage.objects.get().rows == 0
