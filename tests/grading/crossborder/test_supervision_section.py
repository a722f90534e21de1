"""Cross-border filings in the regulator's supervision view: every filing, overdue ones flagged,
each linked to its page and its audit rows; CSV like the other sections."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from grading.models import CrossBorderFiling

pytestmark = pytest.mark.django_db

PAGE = "/supervision/"


def _rows(client):
    response = client.get(PAGE, {"section": "crossborder"})
    assert response.status_code == 200
    return {row.cells[0]: row for row in response.context["section"].rows}


def test_filings__listed_with_overdue_flagged_and_linked(as_user, filed):
    late, on_time = filed(), filed()
    past = timezone.localdate() - dt.timedelta(days=2)
    CrossBorderFiling.objects.filter(pk=late.pk).update(due_on=past)
    rows = _rows(as_user("platform_admin"))
    assert rows[late.receipt_number].flagged
    assert not rows[on_time.receipt_number].flagged
    assert rows[late.receipt_number].link == reverse("crossborder:filing-detail", args=[late.pk])
    audit = f"/audit/?object_type=grading.crossborderfiling&object_id={late.pk}"
    assert rows[late.receipt_number].audit == audit


def test_filings__auditors_see_them_and_export_them(as_user, filed):
    filing = filed()
    client = as_user("auditor")
    assert filing.receipt_number in _rows(client)
    body = client.get("/supervision/export/", {"section": "crossborder"}).content.decode()
    assert filing.receipt_number in body


@pytest.mark.parametrize("kind", ["anonymous", "citizen", "operator"])
def test_filings__nobody_else_sees_the_section(as_user, filed, kind):
    filed()
    response = as_user(kind).get(PAGE, {"section": "crossborder"})
    assert response.status_code in (302, 404)
