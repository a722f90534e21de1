"""Every public surface agrees with the truth table: tier × kind of user × action × surface."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from catalog.models import DistributionVersion, ResourceVersion
from tests.access_truth import (
    CASES,
    DOWNLOAD,
    EDIT,
    SUSPENDED_DOWNLOAD,
    VIEW,
    VIEW_DRAFT,
    WORKSPACE,
)
from tests.conftest import USER_KINDS
from tests.factories import CSV_BYTES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_page__detail(as_user, make_resource, variant, kind):
    resource = make_resource(variant)
    response = as_user(kind).get(reverse("catalog:resource-detail", args=[resource.pk]))
    assert response.status_code == (200 if kind in VIEW[variant] else 404)
    assert (resource.title in response.content.decode()) is (kind in VIEW[variant])


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_page__search_and_facets(as_user, make_resource, variant, kind):
    resource = make_resource(variant)
    response = as_user(kind).get(reverse("catalog:resource-list"), {"q": resource.title})
    visible = kind in VIEW[variant]
    assert response.status_code == 200
    link = f'href="/resources/{resource.pk}/"'
    assert (link in response.content.decode()) is visible
    tiers = {facet.value: facet.count for facet in response.context["facets"]["tier"]}
    providers = {facet.value: facet.count for facet in response.context["facets"]["provider"]}
    assert tiers == ({resource.tier: 1} if visible else {})
    assert providers == ({resource.provider.code: 1} if visible else {})


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_page__home_figures(as_user, make_resource, variant, kind):
    resource = make_resource(variant)
    response = as_user(kind).get(reverse("home"))
    visible = kind in VIEW[variant]
    assert response.context["figures"]["resources"] == (1 if visible else 0)
    assert response.context["figures"]["providers"] == (1 if visible else 0)
    assert (resource.title in response.content.decode()) is visible


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_page__organization_count(as_user, make_resource, variant, kind):
    resource = make_resource(variant)
    url = reverse("catalog:organization-detail", args=[resource.provider.code])
    response = as_user(kind).get(url)
    assert response.status_code == 200
    assert response.context["organization"].resource_count == (1 if kind in VIEW[variant] else 0)
    assert (resource.title in response.content.decode()) is (kind in VIEW[variant])


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_api__list_and_search(as_user, make_resource, variant, kind):
    resource = make_resource(variant)
    client = as_user(kind)
    listed = client.get("/api/v1/resources/").json()["results"]
    searched = client.get("/api/v1/resources/", {"q": resource.title}).json()["results"]
    by_tier = client.get("/api/v1/resources/", {"tier": resource.tier}).json()["results"]
    expected = [resource.pk] if kind in VIEW[variant] else []
    assert [row["id"] for row in listed] == expected
    assert [row["id"] for row in searched] == expected
    assert [row["id"] for row in by_tier] == expected


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_api__detail_and_download_url(as_user, make_resource, variant, kind):
    resource = make_resource(variant)
    response = as_user(kind).get(f"/api/v1/resources/{resource.pk}/")
    if kind not in VIEW[variant]:
        assert response.status_code == 404
        assert resource.title not in response.content.decode()
        return
    assert response.status_code == 200
    body = response.json()
    assert body["may_download"] is (kind in DOWNLOAD[variant])
    urls = [d["download_url"] for d in body["distributions"]]
    assert len(urls) == 1
    assert (urls[0] is not None) is (kind in DOWNLOAD[variant])


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_api__organization_and_theme_counts(as_user, make_resource, variant, kind):
    resource = make_resource(variant)
    client = as_user(kind)
    org = client.get(f"/api/v1/organizations/{resource.provider.code}/").json()
    theme = client.get(f"/api/v1/themes/{resource.theme.code}/").json()
    expected = 1 if kind in VIEW[variant] else 0
    assert org["resource_count"] == expected
    assert theme["resource_count"] == expected


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_download(as_user, make_resource, variant, kind):
    resource = make_resource(variant)
    distribution = resource.distributions.get()
    url = reverse("catalog:distribution-download", args=[resource.pk, distribution.pk])
    response = as_user(kind).get(url)
    if kind not in VIEW[variant]:
        assert response.status_code == 404
    elif kind not in DOWNLOAD[variant]:
        assert response.status_code == 403
        text = response.content.decode()
        assert "apply" in text.lower() or "申请" in text or "不予开放" in text or "not open" in text
    else:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == CSV_BYTES
        assert response["Content-Disposition"].startswith("attachment")


def test_conditional_download_for_anonymous_says_log_in_and_apply(client, make_resource):
    resource = make_resource("conditional_L1")
    distribution = resource.distributions.get()
    url = reverse("catalog:distribution-download", args=[resource.pk, distribution.pk])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    text = response.content.decode()
    assert "Log in, then apply for access" in text


def test_download_of_a_distribution_of_another_resource_is_404(client, make_resource):
    first, second = make_resource("open_L1"), make_resource("open_L1", code="OTHER-1")
    distribution = second.distributions.get()
    url = reverse("catalog:distribution-download", args=[first.pk, distribution.pk])
    assert client.get(url).status_code == 404


def test_product_page_hides_restricted_sources(client, world, make_resource):
    from tests.factories import ProductFactory

    restricted = make_resource("restricted_L4", title="机密来源资源")
    public = make_resource("open_L1", title="公开来源资源", code="PUB-1")
    product = ProductFactory(provider=world.operator_org)
    product.source_resources.set([restricted, public])
    page = client.get(reverse("catalog:product-detail", args=[product.pk])).content.decode()
    api = client.get(f"/api/v1/products/{product.pk}/").json()
    assert "公开来源资源" in page and "机密来源资源" not in page
    assert [r["id"] for r in api["source_resources"]] == [public.pk]


def test_stored_files_have_no_public_url(client, make_resource):
    from django.conf import settings

    resource = make_resource("restricted_L4")
    name = resource.distributions.get().file.name
    assert client.get(f"{settings.MEDIA_URL}{name}").status_code == 404
    assert client.get(f"/media/{name}").status_code == 404
    assert client.get(f"/static/{name}").status_code == 404


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_export__csv_and_xlsx(as_user, make_resource, variant, kind):
    resource = make_resource(variant)
    client = as_user(kind)
    expected = [resource.code] if kind in VIEW[variant] else []
    body = b"".join(client.get(reverse("catalog:resource-export", args=["csv"])).streaming_content)
    assert [row[0] for row in csv.reader(io.StringIO(body.decode("utf-8-sig")))][1:] == expected
    assert (resource.title in body.decode("utf-8-sig")) is (kind in VIEW[variant])
    response = client.get(reverse("catalog:resource-export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == expected


# -- feedback and suspension by an upheld rights complaint ------------------------------------


def uphold_complaint(world, resource):
    """A rights complaint against ``resource``, filed and upheld through the services."""
    from grading.feedback.services import feedback_act, feedback_submit

    complainant = world.users["operator" if resource.tier == "restricted" else "citizen"]
    item, _created = feedback_submit(
        actor=complainant, kind="complaint", resource=resource, title="侵权", text="含本人信息"
    )
    return feedback_act(
        actor=world.users["agency_staff"], feedback=item, action="uphold", text="情况属实"
    )


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_feedback_forms__exist_only_for_visible_resources(as_user, make_resource, variant, kind):
    resource = make_resource(variant)
    client = as_user(kind)
    for form in ("correction", "request", "complaint"):
        response = client.get(reverse("grading:feedback-new", args=[resource.pk, form]))
        if kind not in VIEW[variant]:
            assert response.status_code == 404
            assert resource.title not in response.content.decode()
        elif form == "complaint" and kind == "anonymous":
            assert response.status_code == 302 and "/login/" in response["Location"]
        else:
            assert response.status_code == 200
            assert resource.title in response.content.decode()


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_download__while_a_complaint_is_upheld(world, as_user, make_resource, variant, kind):
    resource = make_resource(variant)
    uphold_complaint(world, resource)
    distribution = resource.distributions.get()
    url = reverse("catalog:distribution-download", args=[resource.pk, distribution.pk])
    client = as_user(kind)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    api = client.get(f"/api/v1/resources/{resource.pk}/")
    if kind not in VIEW[variant]:
        assert response.status_code == 404 and api.status_code == 404
        return
    allowed = kind in SUSPENDED_DOWNLOAD[variant]
    assert response.status_code == (200 if allowed else 403)
    if not allowed and kind in DOWNLOAD[variant]:
        assert "suspended pending a rights complaint" in response.content.decode()
    assert api.json()["may_download"] is allowed
    assert (api.json()["distributions"][0]["download_url"] is not None) is allowed


@pytest.mark.parametrize("kind", ["anonymous", "grantee", "agency_staff"])
@pytest.mark.parametrize("variant", ["open_L1", "conditional_L1"])
def test_interop__suspension_removes_download_links(world, as_user, make_resource, variant, kind):
    resource = make_resource(variant)
    uphold_complaint(world, resource)
    client = as_user(kind)
    allowed = kind in SUSPENDED_DOWNLOAD[variant]
    download = f"/resources/{resource.pk}/distributions/"
    ckan = client.get("/api/3/action/package_show", {"id": resource.code}).json()["result"]
    assert bool(ckan["resources"][0]["url"]) is allowed
    turtle = client.get(f"/resources/{resource.pk}.ttl").content.decode()
    assert ("downloadURL" in turtle and download in turtle) is allowed
    page = client.get(f"/resources/{resource.pk}/").content.decode()
    assert ('"contentUrl"' in page) is allowed
    assert '"isAccessibleForFree": true' not in page


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_feedback_answers__shown_where_the_resource_is(
    world, as_user, make_resource, variant, kind
):
    from grading.feedback.services import feedback_act, feedback_submit

    resource = make_resource(variant)
    item, _created = feedback_submit(
        actor=world.users["agency_staff"],
        kind="correction",
        resource=resource,
        title="纠错标题",
        text="第2行有误",
    )
    feedback_act(actor=world.users["agency_staff"], feedback=item, action="answer", text="已更正")
    client = as_user(kind)
    visible = kind in VIEW[variant]
    listed = [row["id"] for row in client.get("/api/v1/feedback/").json()["results"]]
    assert listed == ([item.pk] if visible else [])
    page = client.get(reverse("grading:organization-feedback", args=[resource.provider.code]))
    assert ("纠错标题" in page.content.decode()) is visible
    detail = client.get(reverse("grading:feedback-detail", args=[item.pk]))
    assert detail.status_code == (200 if visible else 404)


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_page__resource_map_counts(as_user, make_resource, variant, kind):
    resource = make_resource(variant)
    response = as_user(kind).get("/map/")
    visible = kind in VIEW[variant]
    assert response.status_code == 200
    assert response.context["total"] == (1 if visible else 0)
    page = response.content.decode()
    assert (resource.provider.display_name in page) is visible
    assert (
        f"?theme={resource.theme.code}&amp;provider={resource.provider.code}" in page
    ) is visible


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_page__high_value_list(as_user, make_resource, variant, kind):
    resource = make_resource(variant, high_value=True)
    response = as_user(kind).get("/high-value/")
    assert response.status_code == 200
    visible = kind in VIEW[variant]
    assert (f'href="/resources/{resource.pk}/"' in response.content.decode()) is visible
    assert response.context["resources"].paginator.count == (1 if visible else 0)


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_api__quality_sort_and_high_value_filter(as_user, make_resource, variant, kind):
    resource = make_resource(variant, high_value=True, quality_score=90)
    query = {"ordering": "-quality_score", "min_quality": 50, "high_value": "true"}
    body = as_user(kind).get("/api/v1/resources/", query).json()
    assert ([r["id"] for r in body["results"]] == [resource.pk]) is (kind in VIEW[variant])


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_workspace__entry_page(as_user, make_resource, variant, kind):
    resource = make_resource(variant)
    url = reverse("workspace:resource", args=[resource.pk])
    response = as_user(kind).get(url, HTTP_ACCEPT_LANGUAGE="en")
    if kind == "anonymous":
        assert response.status_code == 302  # to the login page
    elif kind not in VIEW[variant]:
        assert response.status_code == 404
    elif kind not in WORKSPACE:
        assert response.status_code == 403
        assert "editor role" in response.content.decode()
    else:
        assert response.status_code == 200
        assert resource.title in response.content.decode()


@pytest.mark.parametrize("kind", USER_KINDS)
def test_workspace__draft_of_the_agency(as_user, make_resource, kind):
    resource = make_resource("restricted_L2", status="draft")
    url = reverse("workspace:resource", args=[resource.pk])
    response = as_user(kind).get(url, HTTP_ACCEPT_LANGUAGE="en")
    if kind == "anonymous":
        assert response.status_code == 302
    elif kind not in VIEW_DRAFT:
        assert response.status_code == 404
    else:
        assert response.status_code == (200 if kind in WORKSPACE else 403)
    public = as_user(kind).get(reverse("catalog:resource-detail", args=[resource.pk]))
    assert public.status_code == (200 if kind in VIEW_DRAFT else 404)


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_download__earlier_version(as_user, make_resource, variant, kind):
    resource = make_resource(variant)
    distribution = resource.distributions.get()
    DistributionVersion.objects.create(
        distribution=distribution,
        number=1,
        file=distribution.file.name,
        format="CSV",
        created_at=timezone.now(),
    )
    url = reverse("catalog:distribution-version-download", args=[resource.pk, distribution.pk, 1])
    response = as_user(kind).get(url)
    if kind not in VIEW[variant]:
        assert response.status_code == 404
    elif kind not in DOWNLOAD[variant]:
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == CSV_BYTES


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_api__metadata_change(world, make_resource, variant, kind):
    resource = make_resource(variant)
    client = APIClient()
    if kind != "anonymous":
        client.force_authenticate(world.users[kind])
    response = client.patch(f"/api/v1/resources/{resource.pk}/", {"title": "改"}, format="json")
    resource.refresh_from_db()
    if kind == "anonymous":
        assert response.status_code in (401, 403)
    elif kind not in VIEW[variant]:
        assert response.status_code == 404
    elif kind not in EDIT:
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        assert resource.versions.get().changes[0]["after"] == "改"
    assert (resource.title == "改") is (kind in EDIT and kind in VIEW[variant])


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_page__history_shows_grade_changes_only_to_staff(as_user, make_resource, variant, kind):
    resource = make_resource(variant)
    public = not variant.startswith("restricted")  # kept while everyone could see the entry
    ResourceVersion.objects.create(
        resource=resource,
        number=1,
        summary="变更",
        changes=[
            {
                "part": "field",
                "name": "secret.grade",
                "before": "L1",
                "after": "L2",
                "graded": True,
            },
            {"part": "metadata", "name": "title", "before": "a", "after": "b", "graded": False},
        ],
        public=public,
    )
    response = as_user(kind).get(reverse("catalog:resource-detail", args=[resource.pk]))
    if kind not in VIEW[variant]:
        assert response.status_code == 404
        return
    text = response.content.decode()
    # Versions kept while the entry was not public stay with its agency and platform staff.
    whole = kind in {"agency_staff", "platform_admin", "auditor"}
    assert ("<code>title</code>" in text) is (public or whole)
    staff = kind in {"agency_staff", "other_agency_staff", "platform_admin", "auditor"}
    assert ("secret.grade" in text) is (staff and (public or whole))
