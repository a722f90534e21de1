"""The demo's catalogue as a citizen meets it: record counts that agree with the files, CSV
files Excel on Chinese Windows opens as UTF-8, a realistic share of entries updated on time,
and a high-value list set by the agencies' editors through the service."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from catalog.demo.catalogue import dates_as_of
from catalog.models import Resource, RowTable
from grading.models import AuditEvent
from tests.demo_data import demo_loaded  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_loaded, db):  # noqa: F811
    """The demo data, loaded once for this module."""


def test_record_counts_agree_with_the_published_files(demo):
    tables = RowTable.objects.select_related("resource")
    assert tables.count() >= 60
    for table in tables:
        assert table.resource.record_count == table.row_count, table.resource.code


def test_demo_files_start_with_a_utf8_byte_order_mark(demo):
    resource = Resource.objects.filter(status="published").order_by("pk").first()
    distribution = resource.distributions.filter(kind="file").first()
    with distribution.file.open("rb") as handle:
        assert handle.read(3) == b"\xef\xbb\xbf"


def test_a_realistic_share_is_updated_on_time(demo):
    published = Resource.objects.filter(status="published")
    today = timezone.localdate()
    late = published.filter(update_due__lt=today).count()
    assert 0 < late <= published.count() // 4
    assert published.filter(modified__gt=today).count() == 0


def test_dates_keep_their_distance_to_the_day_loaded(demo):
    before = dict(Resource.objects.values_list("code", "modified"))
    latest = max(before.values())
    dates_as_of(latest.isoformat(), today=latest + dt.timedelta(days=10))
    after = dict(Resource.objects.values_list("code", "modified"))
    assert all(after[code] - before[code] == dt.timedelta(days=10) for code in before)


def test_the_high_value_list_is_set_by_the_agencies_editors(demo, client):
    flagged = Resource.objects.filter(high_value=True)
    assert flagged.count() >= 8
    events = AuditEvent.objects.filter(action="resource.high_value")
    assert events.count() == flagged.count()
    assert all(json.loads(e.payload) == {"high_value": True} for e in events)
    page = client.get("/high-value/")
    shown = {r.pk for r in page.context["resources"]}
    assert shown and shown <= set(flagged.values_list("pk", flat=True))
