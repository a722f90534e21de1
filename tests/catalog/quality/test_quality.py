"""The quality score: each criterion through the real services, timeliness as time passes,
the resource page, the catalogue filter and sort (page and API) and their query counts."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Resource
from catalog.publishing.dictionary import field_set_grade
from catalog.publishing.distributions import distribution_add_file
from catalog.publishing.resources import resource_create, resource_update
from catalog.quality import criteria as quality
from portal.actors import SYSTEM
from tests import factories as f
from tests.search_index import indexed

pytestmark = pytest.mark.django_db

ABSTRACT = "本数据集逐日记录全市公共自行车站点的车辆数量、空位数量和站点状态，" * 3
DESCRIBED = [
    {
        "name": "站点",
        "name_en": "station",
        "data_type": "string",
        "grade": "L1",
        "description": "站点编码",
    },
    {
        "name": "车辆",
        "name_en": "bikes",
        "data_type": "integer",
        "grade": "L1",
        "description": "可借车辆",
    },
]


def create(world, **changes):
    """A resource made through ``resource_create``, as an editor of the provider would."""
    arguments = {
        "actor": SYSTEM,
        "provider": world.provider,
        "theme": f.ThemeFactory(),
        "code": f"Q-{Resource.objects.count() + 1}",
        "title": "公共自行车站点",
        "abstract": ABSTRACT,
        "tier": "open",
        "fields": DESCRIBED,
        "format": "CSV",
        "update_cycle": "monthly",
        "modified": timezone.localdate(),
    }
    arguments.update(changes)
    return resource_create(**arguments)


def add_file(resource, fmt="CSV"):
    return distribution_add_file(
        actor=SYSTEM,
        resource=resource,
        title="数据文件",
        name="bikes.csv",
        stream=io.BytesIO("站点,车辆\nA,3\n".encode()),
        fmt=fmt,
    )


def test_weights_add_up_to_100_and_every_criterion_is_stated():
    assert sum(c.weight for c in quality.CRITERIA) == 100
    assert [c.key for c in quality.CRITERIA] == [
        "description",
        "dictionary",
        "open_format",
        "distributions",
        "conditions",
        "timely",
    ]


def test_create_then_add_a_file_reaches_100(world):
    resource = create(world)
    resource.refresh_from_db()
    assert (resource.quality_score, resource.quality_missing) == (80, ["distributions"])
    assert resource.update_due == timezone.localdate() + dt.timedelta(days=32)
    add_file(resource)
    resource.refresh_from_db()
    assert (resource.quality_score, resource.quality_missing) == (100, [])


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"abstract": "太短的摘要"}, "description"),
        ({"fields": [{**DESCRIBED[0], "description": ""}]}, "dictionary"),
        ({"fields": []}, "dictionary"),
        ({"format": "PDF"}, "open_format"),
        ({"tier": "conditional", "open_conditions": ""}, "conditions"),
        ({"modified": timezone.localdate() - dt.timedelta(days=40)}, "timely"),
        (
            {"update_cycle": "daily", "modified": timezone.localdate() - dt.timedelta(days=3)},
            "timely",
        ),
    ],
)
def test_each_criterion_missed(world, changes, missing):
    resource = create(world, **changes)
    add_file(resource, fmt=changes.get("format", "CSV"))
    resource.refresh_from_db()
    assert resource.quality_missing == [missing]
    assert resource.quality_score == 100 - quality.WEIGHTS[missing]


def test_conditions_stated_and_irregular_cycle_are_met(world):
    resource = create(
        world,
        tier="conditional",
        open_conditions="限科研用途",
        update_cycle="irregular",
        modified=dt.date(2020, 1, 1),
    )
    add_file(resource)
    resource.refresh_from_db()
    assert resource.quality_missing == [] and resource.update_due is None


def test_update_and_field_change_rescore(world):
    resource = create(world)
    resource_update(actor=SYSTEM, resource=resource, data={"abstract": "短"})
    resource.refresh_from_db()
    assert resource.quality_missing == ["description", "distributions"]
    field = resource.fields.first()
    field.description = ""
    field.save()
    field_set_grade(actor=SYSTEM, field=field, grade="L1")
    resource.refresh_from_db()
    assert resource.quality_missing == ["description", "dictionary", "distributions"]
    assert resource.quality_score == 100 - 15 - 20 - 20


def test_editor_sets_the_high_value_flag(world):
    resource = create(world)
    resource_update(actor=world.users["agency_staff"], resource=resource, data={"high_value": True})
    assert Resource.objects.get(pk=resource.pk).high_value is True


def test_refresh_quality_marks_entries_late_once(world):
    resource = create(world)
    add_file(resource)
    # Time passes: the due date is now behind us, with no write to the entry.
    Resource.objects.filter(pk=resource.pk).update(
        update_due=timezone.localdate() - dt.timedelta(days=1)
    )
    out = io.StringIO()
    call_command("refresh_quality", stdout=out)
    assert "1 entries re-scored" in out.getvalue()
    resource.refresh_from_db()
    assert (resource.quality_score, resource.quality_missing) == (80, ["timely"])
    out = io.StringIO()
    call_command("refresh_quality", stdout=out)
    assert "0 entries re-scored" in out.getvalue()


def test_refresh_quality_all_scores_rows_written_around_the_services(world):
    resource = f.ResourceFactory(provider=world.provider, abstract=ABSTRACT)
    assert resource.quality_score == 0
    call_command("refresh_quality", "--all", stdout=io.StringIO())
    resource.refresh_from_db()
    assert resource.quality_score > 0 and "distributions" in resource.quality_missing


# ---------------------------------------------------------------------------------------------
# Pages and API
# ---------------------------------------------------------------------------------------------


def test_resource_page_shows_score_missing_criteria_and_due_date(client, world):
    resource = create(world, format="PDF")
    client.force_login(world.users["agency_staff"])
    page = client.get(f"/resources/{resource.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span class="quality-score">65</span>/100' in page
    assert "<li>A machine-readable open format</li>" in page
    assert "<li>Distributions with checksums</li>" in page
    due = (timezone.localdate() + dt.timedelta(days=32)).isoformat()
    assert f"Next update due:</strong> {due}" in page


def test_about_page_states_criteria_and_weights(client):
    page = client.get("/about/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="quality"' in page
    assert "<td>The abstract has at least 60 characters.</td>" in page
    for criterion in quality.CRITERIA:
        assert f"<td>{criterion.weight}</td>" in page


@pytest.fixture
def scored(world):
    """Published entries with scores 0, 5, …, 95 and every third one high-value."""
    resources = []
    for i in range(20):
        resources.append(
            f.ResourceFactory(
                provider=world.provider,
                quality_score=i * 5,
                high_value=i % 3 == 0,
                title=f"质量测试{i}",
            )
        )
    f.ResourceFactory(provider=world.provider, tier="restricted", quality_score=100)
    return resources


def test_catalogue_filters_by_minimum_score_and_high_value(client, scored):
    response = client.get("/resources/", {"min_quality": 80, "page_size": 50})
    assert sorted(r.quality_score for r in response.context["resources"]) == [80, 85, 90, 95]
    response = client.get("/resources/", {"high_value": "true", "page_size": 50})
    assert len(response.context["resources"]) == 7
    assert all(r.high_value for r in response.context["resources"])


@pytest.mark.parametrize("value", ["101", "-1", "abc"])
def test_catalogue_min_quality_bad_value_is_400(client, scored, value):
    assert client.get("/resources/", {"min_quality": value}).status_code == 400
    assert client.get("/api/v1/resources/", {"min_quality": value}).status_code == 400


def test_catalogue_sorts_by_quality_across_pages(client, scored):
    response = client.get("/resources/", {"sort": "quality", "page_size": 8})
    first = [r.quality_score for r in response.context["resources"]]
    assert first == [95, 90, 85, 80, 75, 70, 65, 60]  # the restricted 100 is not listed
    second = client.get(response.context["next_link"]).context["resources"]
    assert [r.quality_score for r in second] == [55, 50, 45, 40, 35, 30, 25, 20]


def test_api_sorts_and_filters_by_quality(client, scored):
    body = client.get(
        "/api/v1/resources/", {"ordering": "-quality_score", "min_quality": 50, "page_size": 3}
    ).json()
    assert [r["quality_score"] for r in body["results"]] == [95, 90, 85]
    page2 = client.get(body["next"]).json()
    assert [r["quality_score"] for r in page2["results"]] == [80, 75, 70]
    assert {"high_value", "quality_score", "update_due"} <= set(body["results"][0])
    detail = client.get(body["results"][0]["url"]).json()
    assert "quality_missing" in detail


def _queries(client, url) -> int:
    indexed()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_quality_sorted_lists_issue_a_fixed_number_of_queries(client, scored):
    page = "/resources/?sort=quality&min_quality=10"
    assert _queries(client, f"{page}&page_size=3") == _queries(client, f"{page}&page_size=15")
    api = "/api/v1/resources/?ordering=-quality_score&high_value=false"
    assert _queries(client, f"{api}&page_size=3") == _queries(client, f"{api}&page_size=12")
