"""Anonymous answers are cached per URL and language, dropped on any catalogue change, and
signed-in callers never touch the cache."""

import pytest

from catalog.publishing.resources import resource_update
from catalog.rows.services import rows_load
from portal.actors import SYSTEM

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cache_on")]


def test_anonymous_pages_are_cached_and_dropped_on_change(
    client, world, make_resource, django_capture_on_commit_callbacks
):
    resource = make_resource("open_L1", title="旧标题资源")
    first = client.get("/resources/")
    assert first["X-Cache"] == "miss"
    second = client.get("/resources/")
    assert second["X-Cache"] == "hit" and second.content == first.content
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        resource_update(actor=SYSTEM, resource=resource, data={"title": "新标题资源"})
    assert callbacks
    third = client.get("/resources/")
    assert third["X-Cache"] == "miss"
    assert "新标题资源" in third.content.decode()


def test_languages_are_cached_apart(client, make_resource):
    make_resource("open_L1")
    chinese = client.get("/resources/")
    english = client.get("/resources/", HTTP_ACCEPT_LANGUAGE="en")
    assert english["X-Cache"] == "miss"
    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="zh-hans">' in chinese.content.decode()


def test_signed_in_callers_bypass_the_cache(client, world, make_resource):
    restricted = make_resource("restricted_L4", title="受限资源标题")
    anonymous = client.get("/resources/")
    assert "受限资源标题" not in anonymous.content.decode()
    client.force_login(world.users["agency_staff"])
    staff = client.get("/resources/")
    assert "X-Cache" not in staff
    assert "受限资源标题" in staff.content.decode()
    client.logout()
    again = client.get("/resources/")
    assert "受限资源标题" not in again.content.decode()
    assert restricted.pk


def test_api_answers_are_cached_per_accept_header(client, make_resource):
    make_resource("open_L1")
    as_json = client.get("/api/v1/resources/", HTTP_ACCEPT="application/json")
    as_html = client.get("/api/v1/resources/", HTTP_ACCEPT="text/html")
    assert as_json["Content-Type"].startswith("application/json")
    assert as_html["Content-Type"].startswith("text/html")
    assert client.get("/api/v1/resources/", HTTP_ACCEPT="application/json")["X-Cache"] == "hit"


def test_errors_and_downloads_are_not_cached(client, make_resource):
    resource = make_resource("open_L1")
    assert client.get("/resources/?tier=bogus").status_code == 400
    assert client.get("/resources/?tier=bogus")["X-Cache"] == "miss"
    distribution = resource.distributions.get()
    response = client.get(f"/resources/{resource.pk}/distributions/{distribution.pk}/download/")
    assert "X-Cache" not in response


def test_language_switch_works_from_a_cached_page(client, make_resource):
    make_resource("open_L1")
    client.get("/resources/")
    from django.test import Client

    visitor = Client(enforce_csrf_checks=True)
    assert visitor.get("/resources/")["X-Cache"] == "hit"
    response = visitor.post("/i18n/setlang/", {"language": "en", "next": "/resources/"})
    assert response.status_code == 302


def test_resource_pages_are_cached_per_negotiated_format(client, make_resource):
    resource = make_resource("open_L1")
    url = f"/resources/{resource.pk}/"
    html = client.get(url, HTTP_ACCEPT="text/html")
    assert html["X-Cache"] == "miss" and html["Content-Type"].startswith("text/html")
    turtle = client.get(url, HTTP_ACCEPT="text/turtle")
    assert turtle["X-Cache"] == "miss" and turtle["Content-Type"].startswith("text/turtle")
    again = client.get(url, HTTP_ACCEPT="text/turtle")
    assert again["X-Cache"] == "hit" and again.content == turtle.content
    assert "Accept" in again["Vary"]
    jsonld = client.get(url, HTTP_ACCEPT="application/ld+json")
    assert jsonld["X-Cache"] == "miss" and jsonld["Content-Type"].startswith("application/ld+json")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = client.get(url, HTTP_ACCEPT=browser)
    assert page["X-Cache"] == "hit" and page.content == html.content


def test_a_long_accept_header_cannot_poison_the_page_entry(client, make_resource):
    resource = make_resource("open_L1")
    url = f"/resources/{resource.pk}/"
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    browser += "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
    crafted = "text/html;q=0.1," + browser.replace("text/html,", "") + ",text/turtle"
    assert client.get(url, HTTP_ACCEPT=crafted)["Content-Type"].startswith("text/turtle")
    page = client.get(url, HTTP_ACCEPT=browser)
    assert page["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/catalog.ttl", "/sitemap.xml", "/feeds/resources.atom"])
def test_catalogue_sitemap_and_feed_are_cached_for_anonymous(client, make_resource, path):
    make_resource("open_L1")
    assert client.get(path)["X-Cache"] == "miss"
    assert client.get(path)["X-Cache"] == "hit"


def test_cached_rows_are_dropped_when_new_rows_are_loaded(
    client, make_table, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from tests import factories as f

    resource = make_table("open_L1", n=3)
    path = f"/api/v1/resources/{resource.pk}/rows/"
    assert client.get(path)["X-Cache"] == "miss"
    assert client.get(path)["X-Cache"] == "hit"
    new_file = ContentFile("行政区,数量\n静安区,9\n".encode(), name="new.csv")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows_load(distribution=f.DistributionFactory(resource=resource, file=new_file))
    assert callbacks
    fresh = client.get(path)
    assert fresh["X-Cache"] == "miss"
    assert [row["data"]["district"] for row in fresh.json()["results"]] == ["静安区"]


def test_csv_and_json_rows_are_cached_apart(client, make_table):
    resource = make_table("open_L1", n=3)
    path = f"/api/v1/resources/{resource.pk}/rows/"
    assert client.get(path).json()["results"]
    csv_answer = client.get(path, HTTP_ACCEPT="text/csv")
    assert csv_answer["X-Cache"] == "miss"
    assert csv_answer["Content-Type"] == "text/csv; charset=utf-8"


def test_a_version_bump_made_by_another_process_drops_this_process_answers(client, make_resource):
    """Another server process changes the catalogue: only the database row moves, nothing in
    this process's cache is touched, and this process still answers fresh."""
    from django.db.models import F

    from portal.models import CatalogVersion

    resource = make_resource("open_L1")
    path = f"/api/v1/resources/{resource.pk}/"
    assert client.get(path)["X-Cache"] == "miss"
    assert client.get(path)["X-Cache"] == "hit"
    CatalogVersion.objects.filter(pk=1).update(number=F("number") + 1)
    assert client.get(path)["X-Cache"] == "miss"


def test_a_change_rolled_back_keeps_the_cached_answers(client, make_resource):
    from django.db import transaction

    from portal.cache import catalog_changed
    from portal.models import CatalogVersion

    make_resource("open_L1")
    before = CatalogVersion.objects.get(pk=1).number
    assert client.get("/resources/")["X-Cache"] == "miss"
    with pytest.raises(RuntimeError), transaction.atomic():
        catalog_changed()
        raise RuntimeError
    assert CatalogVersion.objects.get(pk=1).number == before
    assert client.get("/resources/")["X-Cache"] == "hit"
    catalog_changed()
    assert CatalogVersion.objects.get(pk=1).number == before + 1
    assert client.get("/resources/")["X-Cache"] == "miss"


def test_catalogue_version_row_missing_is_made_on_the_first_change(client, make_resource):
    from portal.cache import catalog_changed
    from portal.models import CatalogVersion

    make_resource("open_L1")
    CatalogVersion.objects.all().delete()
    assert client.get("/resources/")["X-Cache"] == "miss"
    assert client.get("/resources/")["X-Cache"] == "hit"
    catalog_changed()
    assert CatalogVersion.objects.get(pk=1).number == 2
    assert client.get("/resources/")["X-Cache"] == "miss"


def test_an_upheld_complaint_stops_cached_rows_and_downloads_at_once(
    client, world, make_table, django_capture_on_commit_callbacks
):
    from tests.catalog.test_access_surfaces import uphold_complaint

    resource = make_table("open_L1", n=3)
    rows = f"/api/v1/resources/{resource.pk}/rows/"
    detail = f"/api/v1/resources/{resource.pk}/"
    assert client.get(rows)["X-Cache"] == "miss"
    assert client.get(rows)["X-Cache"] == "hit"
    assert client.get(detail).json()["may_download"] is True
    assert client.get(detail)["X-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        uphold_complaint(world, resource)
    assert callbacks
    refused = client.get(rows, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403
    assert "suspended pending a rights complaint" in refused.json()["detail"]
    fresh = client.get(detail)
    assert fresh["X-Cache"] == "miss" and fresh.json()["may_download"] is False
