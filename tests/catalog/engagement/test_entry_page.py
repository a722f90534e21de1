"""The entry page for citizens: the data explorer, the grant a visitor holds, use counts,
following, the entry's feed and related entries; none of them reveals what the policy refuses,
and the page's query count does not grow with them."""

import json
import re

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import ResourceDailyCount, ResourceFollow
from catalog.publishing.distributions import distribution_upload
from grading.models import Notice
from tests import factories as f
from tests.access_truth import CASES, QUERY, VIEW
from tests.search_index import indexed

pytestmark = pytest.mark.django_db

BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0"}


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Each test's visitors are new: row ids repeat between tests, the repeat guard would not."""
    caches["counters"].clear()


def _page(client, resource, **headers):
    return client.get(reverse("catalog:resource-detail", args=[resource.pk]), **headers)


def _explorer_config(response) -> dict | None:
    found = re.search(
        r'<script id="explorer-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(found.group(1)) if found else None


# ---- the explorer ----------------------------------------------------------------------


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_explorer__shown_exactly_to_those_who_may_query(as_user, make_table, variant, kind):
    resource = make_table(variant, n=30)
    response = _page(as_user(kind), resource)
    if kind not in VIEW[variant]:
        assert response.status_code == 404
        return
    config = _explorer_config(response)
    assert (config is not None) is (kind in QUERY[variant])
    assert ('id="explorer"' in response.content.decode()) is (kind in QUERY[variant])
    if config is not None:
        # Only the fields the policy lets the visitor read are offered to filter, sort and chart.
        visible = {field.name_en for field in response.context["preview"].visible}
        assert {field["name_en"] for field in config["fields"]} == visible
        assert config["api"] == reverse("api:rows", args=[resource.pk])


def test_explorer__masked_fields_are_never_offered(as_user, make_table):
    resource = make_table("restricted_L4", n=5)
    config = _explorer_config(_page(as_user("operator"), resource))
    names = {field["name_en"] for field in config["fields"]}
    assert "id_number" in names and "core" not in names  # L4 stays with the agency
    staff = _explorer_config(_page(as_user("agency_staff"), resource))
    assert "core" in {field["name_en"] for field in staff["fields"]}


def test_explorer__map_only_with_longitude_and_latitude(client, world):
    plain = f.ResourceFactory(provider=world.provider)
    mapped = f.ResourceFactory(provider=world.provider)
    _table(plain, [("名称", "name", "string"), ("数量", "count", "integer")])
    _table(
        mapped,
        [
            ("名称", "name", "string"),
            ("经度", "longitude", "decimal"),
            ("纬度", "latitude", "decimal"),
        ],
    )
    assert _explorer_config(_page(client, plain))["coordinates"] is None
    config = _explorer_config(_page(client, mapped))
    assert config["coordinates"] == {"lng": "longitude", "lat": "latitude"}
    assert 'data-view="map"' in _page(client, mapped).content.decode()


def _table(resource, fields, rows=3):
    from django.core.files.base import ContentFile

    from catalog.rows.services import rows_load

    for position, (name, name_en, data_type) in enumerate(fields, start=1):
        f.FieldFactory(
            resource=resource,
            name=name,
            name_en=name_en,
            data_type=data_type,
            grade="L1",
            position=position,
        )
    values = {
        "string": "站点",
        "integer": "12345",
        "decimal": "121.5",
        "date": "2026-03-04",
        "datetime": "2026-03-04T08:30:00",
    }
    lines = [",".join(name for name, *_ in fields)]
    lines += [",".join(values[t] for *_, t in fields) for _ in range(rows)]
    data = ("\n".join(lines) + "\n").encode()
    distribution = f.DistributionFactory(resource=resource, file=ContentFile(data, name="t.csv"))
    rows_load(distribution=distribution)


def test_explorer__api_snippets_name_the_real_url_and_the_key_header(client, make_table, settings):
    settings.SITE_URL = "https://data.example.gov.cn"
    resource = make_table("open_L1", n=3)
    body = _page(client, resource).content.decode()
    url = f"https://data.example.gov.cn/api/v1/resources/{resource.pk}/rows/"
    assert 'curl -H "X-API-Key: $PORTAL_API_KEY"' in body and url in body
    assert f'url = "{url}"' in body and 'headers = {"X-API-Key"' in body


def test_preview__readable_dates_grouped_figures_and_a_csv_link(client, world):
    resource = f.ResourceFactory(provider=world.provider)
    _table(
        resource,
        [("日期", "day", "date"), ("时间", "at", "datetime"), ("数量", "count", "integer")],
    )
    body = _page(client, resource).content.decode()
    assert "2026年3月4日" in body and "2026年3月4日 08:30" in body and "12,345" in body
    assert "2026-03-04T08:30:00" not in body
    assert f"/api/v1/resources/{resource.pk}/rows/?format=csv" in body


def test_records__counted_from_the_file_the_declared_figure_labelled(client, world):
    resource = f.ResourceFactory(provider=world.provider, record_count=1843200)
    _table(resource, [("名称", "name", "string")], rows=16)
    records = re.search(r'<dd class="records">(.*?)</dd>', _page(client, resource).content.decode())
    assert records.group(1).startswith("16 ")
    assert "1,843,200" in records.group(1)  # grouped by thousands in Chinese too
    bare = f.ResourceFactory(provider=world.provider, record_count=5000)
    records = re.search(r'<dd class="records">(.*?)</dd>', _page(client, bare).content.decode())
    assert records.group(1).startswith("5,000 ")


# ---- grants ----------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["conditional_L1", "conditional_L2", "conditional_L3"])
def test_grant__a_grantee_is_told_the_grant_not_asked_to_apply(
    as_user, world, make_resource, variant
):
    resource = make_resource(variant)
    grant = resource.grants.get(grantee=world.users["grantee"])
    grant.quota, grant.used = 100, 40
    grant.save()
    response = _page(as_user("grantee"), resource)
    body = response.content.decode()
    assert f'data-grant="{grant.pk}"' in body
    assert "60" in re.search(r'data-grant="\d+">(.*?)</p>', body, re.S).group(1)
    assert timezone.localtime(grant.valid_until).strftime("%Y-%m-%d") in body
    assert not response.context["can_apply"] and not response.context["access_message"]


@pytest.mark.parametrize("kind", ["expired_grantee", "citizen", "anonymous", "operator"])
def test_grant__others_hold_none(as_user, make_resource, kind):
    resource = make_resource("conditional_L1")
    response = _page(as_user(kind), resource)
    assert "data-grant=" not in response.content.decode()
    assert response.context["grants"] == []


# ---- use counts ------------------------------------------------------------------------


def test_counts__views_downloads_and_api_calls(client, make_table):
    resource = make_table("open_L1", n=3)
    _page(client, resource, **BROWSER)
    _page(client, resource, **BROWSER)  # the same visitor again: not counted twice
    _page(client, resource, HTTP_USER_AGENT="Googlebot/2.1")  # a robot: not counted
    distribution = resource.distributions.order_by("pk").first()
    client.get(reverse("catalog:distribution-download", args=[resource.pk, distribution.pk]))
    client.get(reverse("api:rows", args=[resource.pk]))
    client.get(reverse("api:rows", args=[resource.pk]))
    client.get(reverse("api:rows", args=[resource.pk]), HTTP_X_PORTAL_EXPLORER="1")  # the page's
    resource.refresh_from_db()
    assert (resource.view_count, resource.download_count, resource.api_call_count) == (1, 1, 2)
    day = ResourceDailyCount.objects.get(resource=resource)
    assert (day.views, day.downloads, day.api_calls) == (1, 1, 2)
    body = _page(client, resource).content.decode()
    assert 'data-count="api">' in body


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_counts__refused_calls_count_nothing(as_user, make_table, variant, kind):
    resource = make_table(variant, n=3)
    client = as_user(kind)
    _page(client, resource, **BROWSER)
    client.get(reverse("api:rows", args=[resource.pk]))
    resource.refresh_from_db()
    assert resource.view_count == (1 if kind in VIEW[variant] else 0)
    assert resource.api_call_count == (1 if kind in QUERY[variant] else 0)


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_most_downloaded__lists_only_visible_entries(as_user, make_resource, variant, kind):
    resource = make_resource(variant, download_count=10**6)
    response = as_user(kind).get(reverse("catalog:resource-list"), {"sort": "downloads"})
    shown = [r.pk for r in response.context["resources"]]
    assert (resource.pk in shown) is (kind in VIEW[variant])


def test_most_downloaded__keyset_pages_walk_in_order(client, world):
    for i in range(12):
        f.ResourceFactory(provider=world.provider, download_count=i % 4)
    url, seen = f"{reverse('catalog:resource-list')}?sort=downloads&page_size=5", []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [(r.download_count, r.pk) for r in response.context["resources"]]
        url = response.context["next_link"]
    assert len(seen) == 12 and seen == sorted(seen, reverse=True)


# ---- following -------------------------------------------------------------------------


def _followed(world):
    resource = f.ResourceFactory(provider=world.provider)
    f.FieldFactory(resource=resource, name="名称", name_en="name", data_type="string")
    return resource


def _upload(actor, resource):
    upload = SimpleUploadedFile("more.csv", "名称\n站点\n".encode(), content_type="text/csv")
    return distribution_upload(actor=actor, resource=resource, upload=upload, title="新文件")


def test_follow__notice_and_mail_on_a_new_file(as_user, world, django_capture_on_commit_callbacks):
    resource = _followed(world)
    client = as_user("citizen")
    world.users["citizen"].email = "citizen@example.org"
    world.users["citizen"].save()
    response = client.post(reverse("catalog:resource-follow", args=[resource.pk]))
    assert response.status_code == 302
    assert ResourceFollow.objects.filter(user=world.users["citizen"], resource=resource).exists()
    assert _page(client, resource).context["following"]
    with django_capture_on_commit_callbacks(execute=True):
        _upload(world.users["agency_staff"], resource)
    notice = Notice.objects.get(user=world.users["citizen"])
    assert resource.title in notice.text and notice.link.endswith(f"/resources/{resource.pk}/")
    assert [m.to for m in mail.outbox] == [["citizen@example.org"]]
    client.post(reverse("catalog:resource-follow", args=[resource.pk]), {"action": "unfollow"})
    assert not ResourceFollow.objects.exists()


def test_follow__no_notice_once_the_entry_is_hidden_from_the_follower(world):
    resource = _followed(world)
    f.agreement(world.operator_org, [resource])
    ResourceFollow.objects.create(user=world.users["citizen"], resource=resource)
    ResourceFollow.objects.create(user=world.users["operator"], resource=resource)
    type(resource).objects.filter(pk=resource.pk).update(tier="restricted")
    _upload(world.users["agency_staff"], resource)
    assert not Notice.objects.filter(user=world.users["citizen"]).exists()
    assert Notice.objects.filter(user=world.users["operator"]).exists()  # in its agreement


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_follow__only_visible_entries(as_user, make_resource, variant, kind):
    resource = make_resource(variant)
    response = as_user(kind).post(reverse("catalog:resource-follow", args=[resource.pk]))
    if kind not in VIEW[variant]:
        assert response.status_code == 404
    elif kind == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == 302
    assert ResourceFollow.objects.exists() is (kind in VIEW[variant] and kind != "anonymous")


@pytest.mark.parametrize("variant", ["open_L1", "conditional_L2", "restricted_L4"])
def test_feed__the_entry_changes_feed_only_for_public_entries(as_user, make_resource, variant):
    resource = make_resource(variant)
    response = as_user("agency_staff").get(
        reverse("catalog:resource-changes-feed", args=[resource.pk])
    )
    public = variant != "restricted_L4"
    assert response.status_code == (200 if public else 404)
    if public:
        assert response["Content-Type"].startswith("application/atom+xml")
        page = _page(as_user("agency_staff"), resource).content.decode()
        assert reverse("catalog:resource-changes-feed", args=[resource.pk]) in page


# ---- related entries -------------------------------------------------------------------


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_related__only_entries_the_visitor_may_see(as_user, world, make_resource, variant, kind):
    shown = f.ResourceFactory(provider=world.provider, keywords="公交,站点")
    other = make_resource(variant, theme=shown.theme, keywords="公交,站点")
    response = _page(as_user(kind), shown)
    related = [r.pk for r in response.context["related"]]
    assert (other.pk in related) is (kind in VIEW[variant])
    assert (other.title in response.content.decode()) is (kind in VIEW[variant])


def test_related__by_shared_keywords_then_theme(client, world):
    entry = f.ResourceFactory(provider=world.provider, keywords="公交,站点,线路")
    best = f.ResourceFactory(provider=world.provider, keywords="公交,站点")
    same_theme = f.ResourceFactory(provider=world.provider, theme=entry.theme, keywords="天气")
    f.ResourceFactory(provider=world.provider, keywords="天气")  # unrelated
    related = _page(client, entry).context["related"]
    assert [r.pk for r in related] == [best.pk, same_theme.pk]


# ---- query counts ----------------------------------------------------------------------


def _queries(client, resource) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = _page(client, resource, **BROWSER)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("kind", ["anonymous", "grantee", "agency_staff"])
def test_query_count__does_not_grow_with_related_entries_or_counts(
    as_user, world, make_table, kind
):
    resource = make_table("conditional_L1", n=30, keywords="公交,站点")
    f.ResourceFactory(provider=world.provider, theme=resource.theme, keywords="公交")
    client = as_user(kind)
    _page(client, resource, **BROWSER)  # today's counts exist from now on
    caches["counters"].clear()
    indexed()
    before = _queries(client, resource)
    for i in range(15):
        f.ResourceFactory(
            provider=world.provider,
            theme=resource.theme,
            keywords="公交",
            download_count=i,
            view_count=i,
        )
    type(resource).objects.filter(pk=resource.pk).update(view_count=99, download_count=9)
    caches["counters"].clear()  # count this view again, as a new visitor's
    indexed()  # count the page's queries, not the one-time indexing of the new entries
    after = _queries(client, resource)
    assert after == before
    assert len(_page(client, resource).context["related"]) == 5


def test_counts__a_page_served_from_the_anonymous_cache_is_counted(client, make_table, settings):
    settings.ANONYMOUS_CACHE_SECONDS = 60
    resource = make_table("open_L1", n=3)
    first = _page(client, resource, **BROWSER)
    second = _page(client, resource, HTTP_USER_AGENT="Mozilla/5.0 (Macintosh) Safari/605.1")
    again = _page(client, resource, HTTP_USER_AGENT="Mozilla/5.0 (Macintosh) Safari/605.1")
    assert (first["X-Cache"], second["X-Cache"], again["X-Cache"]) == ("miss", "hit", "hit")
    resource.refresh_from_db()
    assert resource.view_count == 2  # two visitors; the second one's repeat is not counted
