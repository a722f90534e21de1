"""The quality dashboard, the high-value list and the resource map: who sees what (the access
truth table), counts, pagination and query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grading.models import Membership
from tests import factories as f
from tests.search_index import indexed

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _queries(client, url) -> int:
    indexed()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


# ---------------------------------------------------------------------------------------------
# Public pages (the access truth table over them is in test_access_surfaces.py)
# ---------------------------------------------------------------------------------------------


def test_map__matrix_counts_sub_themes_with_their_parent(client, world):
    parent = f.ThemeFactory(code="traffic", name="交通")
    child = f.ThemeFactory(code="bus", name="公交", parent=parent)
    other = f.ThemeFactory(code="weather", name="气象")
    for theme in (parent, child, child):
        f.ResourceFactory(provider=world.provider, theme=theme)
    f.ResourceFactory(provider=world.other_agency, theme=other)
    f.ResourceFactory(provider=world.other_agency, theme=other, tier="restricted")
    f.ResourceFactory(provider=world.other_agency, theme=other, status="draft")
    response = client.get("/map/", HTTP_ACCEPT_LANGUAGE="en")
    found = response.context["map"]
    assert [t.code for t in found.themes] == ["traffic", "weather"]
    assert found.counts == {
        (parent.pk, world.provider.pk): 3,
        (other.pk, world.other_agency.pk): 1,
    }
    page = response.content.decode()
    assert 'role="group"' in page and '<title id="map-title">Data resource map</title>' in page
    assert 'href="/resources/?theme=traffic&amp;provider=provider"' in page
    label = f"{parent.name_en} · {world.provider.name_en}: 3 data resources"
    assert f'aria-label="{label}"' in page
    # The linked catalogue page finds the same three entries.
    listed = client.get("/resources/?theme=traffic&provider=provider")
    assert len(listed.context["resources"]) == 3


def test_map__a_fixed_number_of_queries(client, world):
    f.ResourceFactory(provider=world.provider)
    few = _queries(client, "/map/")
    for _ in range(12):
        f.ResourceFactory(provider=f.OrganizationFactory(), theme=f.ThemeFactory())
    assert _queries(client, "/map/") == few <= 4


def test_high_value__grouped_by_theme_and_paginated(client, world):
    themes = [f.ThemeFactory(position=i) for i in range(3)]
    for i in range(25):
        f.ResourceFactory(provider=world.provider, theme=themes[i % 3], high_value=True)
    f.ResourceFactory(provider=world.provider, high_value=False, title="普通数据")
    response = client.get("/high-value/")
    page = response.context["resources"]
    assert len(page) == 20 and page.paginator.count == 25
    assert [r.theme.position for r in page] == sorted(r.theme.position for r in page)
    assert response.context["next_link"] == "/high-value/?page=2"
    second = client.get(response.context["next_link"])
    assert len(second.context["resources"]) == 5
    assert "普通数据" not in response.content.decode() + second.content.decode()
    assert client.get("/high-value/?page=3").status_code == 404
    assert client.get("/high-value/?page=x").status_code == 404


def test_high_value__a_fixed_number_of_queries(client, world):
    for _ in range(3):
        f.ResourceFactory(provider=world.provider, high_value=True)
    few = _queries(client, "/high-value/")
    for _ in range(15):
        f.ResourceFactory(provider=f.OrganizationFactory(), high_value=True)
    assert _queries(client, "/high-value/") == few


def test_public_pages_are_linked_from_every_page(client):
    page = client.get("/").content.decode()
    assert 'href="/high-value/"' in page and 'href="/map/"' in page
    assert 'href="/about/#quality"' in page


# ---------------------------------------------------------------------------------------------
# The agency dashboard
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def overdue(world):
    """Provider: 3 overdue (one restricted), 1 on time, 1 irregular; other agency: 2 overdue."""
    late = TODAY - dt.timedelta(days=5)
    made = {
        "late": [
            f.ResourceFactory(provider=world.provider, update_due=late, quality_score=40),
            f.ResourceFactory(provider=world.provider, update_due=late, quality_score=60),
            f.ResourceFactory(
                provider=world.provider,
                update_due=late - dt.timedelta(days=1),
                tier="restricted",
                quality_score=50,
                title="不予开放的逾期数据",
            ),
        ],
        "on_time": f.ResourceFactory(provider=world.provider, update_due=TODAY, quality_score=90),
        "irregular": f.ResourceFactory(provider=world.provider, update_due=None, quality_score=100),
        "other": [
            f.ResourceFactory(provider=world.other_agency, update_due=late, title="他机构逾期")
            for _ in range(2)
        ],
    }
    return made


def test_dashboard__outsiders(client, world, overdue):
    response = client.get("/workspace/quality/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for kind in ("citizen", "grantee", "operator"):
        client.force_login(world.users[kind])
        response = client.get("/workspace/quality/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 403, kind
        assert "for staff of an agency and of the platform" in response.content.decode()
        assert "不予开放的逾期数据" not in response.content.decode()


def test_dashboard__agency_staff_see_their_own_agency(client, world, overdue):
    client.force_login(world.users["agency_staff"])
    response = client.get("/workspace/quality/")
    assert response.status_code == 200
    lines = response.context["lines"]
    assert [line.organization.code for line in lines] == ["provider"]
    line = lines[0]
    assert (line.total, line.overdue) == (5, 3)
    assert line.average == pytest.approx((40 + 60 + 50 + 90 + 100) / 5)
    shown = [r.pk for r in response.context["overdue"]]
    restricted = overdue["late"][2]
    assert shown == [restricted.pk, overdue["late"][0].pk, overdue["late"][1].pk]
    assert "他机构逾期" not in response.content.decode()
    # Another agency's figures are not theirs to see: 404, not an empty page.
    assert client.get("/workspace/quality/?org=other-agency").status_code == 404
    assert client.get("/workspace/quality/?org=provider").status_code == 200


def test_dashboard__platform_staff_see_every_agency(client, world, overdue):
    for kind in ("platform_admin", "auditor"):
        client.force_login(world.users[kind])
        response = client.get("/workspace/quality/")
        assert response.status_code == 200
        by_code = {line.organization.code: line for line in response.context["lines"]}
        assert set(by_code) == {"provider", "other-agency"}  # enterprises are not agencies
        assert (by_code["other-agency"].total, by_code["other-agency"].overdue) == (2, 2)
        assert response.context["overdue"].paginator.count == 5
        narrowed = client.get("/workspace/quality/?org=other-agency")
        assert narrowed.context["overdue"].paginator.count == 2


def test_dashboard__reviewer_of_an_agency_counts_as_staff(client, world, overdue):
    reviewer = f.UserFactory()
    f.membership(reviewer, world.other_agency, Membership.Role.REVIEWER)
    client.force_login(reviewer)
    response = client.get("/workspace/quality/")
    assert [line.organization.code for line in response.context["lines"]] == ["other-agency"]
    # Reviewers of another agency do not see the provider's restricted entry.
    assert "不予开放的逾期数据" not in response.content.decode()


def test_dashboard__paginated_with_a_fixed_number_of_queries(client, world):
    late = TODAY - dt.timedelta(days=2)
    for _ in range(3):
        f.ResourceFactory(provider=world.provider, update_due=late)
    client.force_login(world.users["agency_staff"])
    few = _queries(client, "/workspace/quality/")
    for _ in range(40):
        f.ResourceFactory(provider=world.provider, update_due=late)
    assert _queries(client, "/workspace/quality/") == few
    response = client.get("/workspace/quality/")
    assert len(response.context["overdue"]) == 20
    assert response.context["next_link"] == "/workspace/quality/?page=2"
    assert len(client.get("/workspace/quality/?page=3").context["overdue"]) == 3
    assert client.get("/workspace/quality/?page=4").status_code == 404
