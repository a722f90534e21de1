"""``manage.py harvest``: this portal's own DCAT export and a real ``ckanapi`` dump, harvested
back as drafts of another agency; re-runs, changed entries, URL mode with paging, bad input."""

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from catalog.models import Distribution, HarvestRecord, Resource
from catalog.publishing.resources import resource_update
from portal.actors import SYSTEM
from tests import factories as f
from tests.catalog.interop.ckan.test_ckanapi import _ckanapi

pytestmark = pytest.mark.django_db


@pytest.fixture
def remote(world):
    """The entries of ``other-agency`` that the harvest reads back: one of each tier (the
    restricted one never leaves the portal), with distributions, keywords and a licence."""
    theme = f.ThemeFactory(code="air", name="空气", name_en="Air")
    rows = {}
    for tier in ("open", "conditional", "restricted"):
        rows[tier] = f.ResourceFactory(
            provider=world.other_agency,
            theme=theme,
            tier=tier,
            code=f"SRC-{tier}",
            title=f"来源条目 {tier}",
            title_en=f"Source entry {tier}",
            keywords="空气, 监测",
            license="CC BY 4.0",
            update_cycle="daily",
            issued="2025-03-01",
        )
        f.DistributionFactory(resource=rows[tier])
        f.DistributionFactory(
            resource=rows[tier],
            kind=Distribution.Kind.API,
            file=None,
            title="实时接口",
            format="JSON",
            url="https://api.example.cn/air",
        )
    return rows


def harvest(*args, **options) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("harvest", *args, stdout=out, **options)
    return out.getvalue()


def _summary(text: str) -> str:
    return next(line.strip() for line in text.splitlines() if line.strip().startswith("created"))


def _harvested(world) -> dict[str, Resource]:
    drafts = Resource.objects.filter(provider=world.provider).select_related("theme")
    return {r.harvest_record.remote_id: r for r in drafts}


def _dcat_file(client, tmp_path, fmt: str):
    # The exporting portal's links are on its SITE_URL.
    with override_settings(SITE_URL="http://localhost"):
        response = client.get(reverse("catalog:catalog-rdf", args=[fmt]), HTTP_HOST="localhost")
    assert response.status_code == 200
    path = tmp_path / f"catalog.{fmt}"
    path.write_bytes(response.content)
    return path


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "rdf"])
def test_dcat_file__imports_public_entries_as_drafts(client, world, remote, tmp_path, fmt):
    path = _dcat_file(client, tmp_path, fmt)
    text = harvest(dcat=[str(path)], org="provider")
    assert _summary(text) == "created 2, updated 0, unchanged 0, skipped 0, failed 0"
    assert "each in its own transaction" in text
    found = _harvested(world)
    assert sorted(found) == sorted(
        f"http://localhost/resources/{remote[tier].pk}/#dataset" for tier in ("open", "conditional")
    )
    for remote_id, resource in found.items():
        source = remote["open" if f"/{remote['open'].pk}/" in remote_id else "conditional"]
        assert resource.status == Resource.Status.DRAFT
        assert resource.tier == source.tier  # PUBLIC → open, RESTRICTED → conditional
        assert (resource.title, resource.title_en) == (source.title, source.title_en)
        assert resource.theme.code == "air" and resource.update_cycle == "daily"
        assert resource.keyword_list == ["监测", "空气"] and resource.license == "CC BY 4.0"
        assert str(resource.issued) == "2025-03-01" and resource.modified == source.modified
        assert resource.code.startswith("H") and resource.code.endswith(source.code)
        kinds = sorted(resource.distributions.values_list("kind", "format", "url"))
        assert kinds[0] == ("api", "JSON", "https://api.example.cn/air")
        assert all(d.file.name == "" for d in resource.distributions.all())  # nothing downloaded
    (open_copy,) = [r for r in found.values() if r.tier == "open"]
    download = f"http://localhost/resources/{remote['open'].pk}/distributions/"
    assert any(download in d.url for d in open_copy.distributions.filter(kind="link"))


def test_dcat_file__second_run_unchanged_then_changed_entry_updated(
    client, world, remote, tmp_path
):
    path = _dcat_file(client, tmp_path, "ttl")
    harvest(dcat=[str(path)], org="provider")
    codes = sorted(Resource.objects.filter(provider=world.provider).values_list("code", flat=True))
    again = harvest(dcat=[str(path)], org="provider")
    assert _summary(again) == "created 0, updated 0, unchanged 2, skipped 0, failed 0"
    assert Resource.objects.filter(provider=world.provider).count() == 2
    resource_update(
        actor=SYSTEM,
        resource=remote["open"],
        data={"title": "来源条目 改名", "tier": "conditional"},
    )
    path = _dcat_file(client, tmp_path, "ttl")
    changed = harvest(dcat=[str(path)], org="provider")
    assert _summary(changed) == "created 0, updated 1, unchanged 1, skipped 0, failed 0"
    after = sorted(Resource.objects.filter(provider=world.provider).values_list("code", flat=True))
    assert after == codes  # the same entries, same codes: nothing duplicated
    copy = Resource.objects.get(harvest_record__remote_id__contains=f"/{remote['open'].pk}/")
    assert (copy.title, copy.tier, copy.status) == ("来源条目 改名", "conditional", "draft")


def test_changed_entry_no_longer_draft_is_skipped(client, world, remote, tmp_path):
    path = _dcat_file(client, tmp_path, "jsonld")
    harvest(dcat=[str(path)], org="provider")
    copy = Resource.objects.get(harvest_record__remote_id__contains=f"/{remote['open'].pk}/")
    Resource.objects.filter(pk=copy.pk).update(status=Resource.Status.SUBMITTED)
    resource_update(actor=SYSTEM, resource=remote["open"], data={"title": "新标题"})
    text = harvest(dcat=[str(_dcat_file(client, tmp_path, "jsonld"))], org="provider")
    assert _summary(text) == "created 0, updated 0, unchanged 1, skipped 1, failed 0"
    assert "the local entry is Submitted: not overwritten" in text
    copy.refresh_from_db()
    assert copy.title == "来源条目 open"


def test_dry_run_writes_nothing(client, world, remote, tmp_path):
    path = _dcat_file(client, tmp_path, "ttl")
    text = harvest(dcat=[str(path)], org="provider", dry_run=True)
    assert "dry run" in text
    assert _summary(text) == "created 2, updated 0, unchanged 0, skipped 0, failed 0"
    assert not Resource.objects.filter(provider=world.provider).exists()
    assert not HarvestRecord.objects.exists()
    assert Distribution.objects.count() == 6


def test_theme_default_and_no_theme(world, tmp_path):
    path = tmp_path / "ckan.jsonl"
    package = {"id": "abc", "name": "roads", "title": "道路", "groups": [{"name": "nowhere"}]}
    path.write_text(json.dumps(package) + "\n", encoding="utf-8")
    text = harvest(ckan=[str(path)], org="provider")
    assert _summary(text) == "created 0, updated 0, unchanged 0, skipped 1, failed 0"
    assert "no theme of the entry exists here; give --theme" in text
    f.ThemeFactory(code="traffic")
    text = harvest(ckan=[str(path)], org="provider", theme="traffic")
    assert _summary(text) == "created 1, updated 0, unchanged 0, skipped 0, failed 0"
    resource = Resource.objects.get(provider=world.provider)
    assert (resource.theme.code, resource.tier, resource.abstract) == (
        "traffic",
        "conditional",
        "道路",
    )


def test_ckan_tiers_links_and_a_bad_entry(world, tmp_path):
    f.ThemeFactory(code="traffic")
    packages = [
        {"id": "p1", "name": "public-one", "title": "公开", "private": False,
         "resources": [{"url": "https://files.example.cn/a.csv", "format": "csv", "name": "A"},
                       {"url": "", "format": "CSV"}, {"url": "javascript:alert(1)"}]},
        {"id": "p2", "name": "private-one", "title": "私有", "private": True},
        {"id": "p3", "name": "portal-one", "title": "门户", "private": False,
         "extras": [{"key": "tier", "value": "conditional"}]},
        {"id": "p4", "name": "too-long", "title": "长" * 301},
        ["not", "a", "package"],
    ]  # fmt: skip
    path = tmp_path / "ckan.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in packages), encoding="utf-8")
    text = harvest(ckan=[str(path)], org="provider", theme="traffic")
    assert _summary(text) == "created 4, updated 0, unchanged 0, skipped 0, failed 1"
    assert "failed: ?: Not a CKAN package (a JSON object)." in text
    tiers = {r.harvest_record.remote_id: r.tier for r in Resource.objects.all()}
    assert tiers == {"p1": "open", "p2": "restricted", "p3": "conditional", "p4": "conditional"}
    public = Resource.objects.get(harvest_record__remote_id="p1")
    links = list(public.distributions.values_list("kind", "format", "title", "url"))
    assert links == [("link", "CSV", "A", "https://files.example.cn/a.csv")]
    assert public.format == "CSV"


def test_every_entry_failing_exits_non_zero(world, tmp_path):
    path = tmp_path / "ckan.jsonl"
    path.write_text('[1]\n"text"\n{}\n', encoding="utf-8")
    with pytest.raises(CommandError, match="Every entry failed"):
        harvest(ckan=[str(path)], org="provider", theme=f.ThemeFactory().code)
    assert not Resource.objects.filter(provider=world.provider).exists()


@pytest.mark.parametrize(
    ("content", "option", "message"),
    [
        (b'{"id": "a"}\nnot json\n', "ckan", "line 2 is not JSON"),
        (b"\xff\xfe\x00garbage", "ckan", "is not UTF-8 text"),
        (b"<html><body>not rdf<br></body></html>", "dcat", "is not RDF"),
        (b"@prefix x: <http://x/> . x:a x:b x:c .", "dcat", "holds no DCAT catalogue"),
    ],
)
def test_bad_file_is_an_error_and_writes_nothing(world, remote, tmp_path, content, option, message):
    path = tmp_path / ("source.ttl" if option == "dcat" and b"@prefix" in content else "source")
    path.write_bytes(content)
    before = Resource.objects.count()
    with pytest.raises(CommandError, match=message):
        harvest(**{option: [str(path)]}, org="provider", theme="air")
    assert Resource.objects.count() == before and not HarvestRecord.objects.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"dcat": ["/no/such/file.ttl"], "org": "provider"}, "Cannot read the file"),
        ({"ckan": ["http://127.0.0.1:9/"], "org": "provider"}, "Cannot read http://127.0.0.1:9/"),
        ({"dcat": ["http://127.0.0.1:9/catalog.ttl"], "org": "provider"}, "Cannot read"),
        ({"ckan": ["x.jsonl"], "org": "no-such-org"}, "No organization with the code"),
        ({"ckan": ["x.jsonl"], "org": "enterprise"}, "is not a government agency"),
        ({"ckan": ["x.jsonl"], "org": "provider", "theme": "nope"}, "No theme with the code"),
        ({"org": "provider"}, "Name at least one source"),
        ({"ckan": ["x.jsonl"], "org": "provider", "page_size": 0}, "--page-size"),
        ({"ckan": ["a", "b"], "org": "provider", "source": "s"}, "--source names one source"),
    ],
)
def test_bad_arguments_are_errors_and_write_nothing(world, remote, options, message):
    before = Resource.objects.count()
    with pytest.raises(CommandError, match=message):
        harvest(**options)
    assert Resource.objects.count() == before and not HarvestRecord.objects.exists()


def test_org_is_required(world):
    with pytest.raises(CommandError, match="--org"):
        harvest("--ckan", "x.jsonl")


# -- against a running portal ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_ckanapi_dump_file_then_rerun(live_server, world, remote, tmp_path):
    dump = tmp_path / "datasets.jsonl"
    _ckanapi("dump", "datasets", "--all", "-q", "-O", str(dump), "-r", live_server.url)
    text = harvest(ckan=[str(dump)], org="provider")
    assert _summary(text) == "created 2, updated 0, unchanged 0, skipped 0, failed 0"
    found = _harvested(world)
    assert sorted(found) == sorted(str(remote[t].pk) for t in ("open", "conditional"))
    copy = found[str(remote["conditional"].pk)]
    assert (copy.title, copy.title_en, copy.tier) == (
        "来源条目 conditional",
        "Source entry conditional",
        "conditional",
    )
    assert copy.license == "CC BY 4.0" and copy.keyword_list == ["空气", "监测"]
    assert copy.theme.code == "air" and copy.status == "draft"
    # The conditional file has no URL for the public: only the API address is recorded.
    assert list(copy.distributions.values_list("url", flat=True)) == ["https://api.example.cn/air"]
    again = harvest(ckan=[str(dump)], org="provider")
    assert _summary(again) == "created 0, updated 0, unchanged 2, skipped 0, failed 0"
    assert Resource.objects.filter(provider=world.provider).count() == 2


@pytest.mark.django_db(transaction=True)
def test_ckan_url_follows_pages(live_server, world, remote):
    for n in range(3):
        f.ResourceFactory(provider=world.other_agency, theme=remote["open"].theme, code=f"more-{n}")
    text = harvest(ckan=[live_server.url], org="provider", page_size=2)
    assert f"CKAN source {live_server.url}: 5 entries" in text
    assert _summary(text) == "created 5, updated 0, unchanged 0, skipped 0, failed 0"
    again = harvest(ckan=[live_server.url + "/"], org="provider", page_size=2)
    assert _summary(again) == "created 0, updated 0, unchanged 5, skipped 0, failed 0"


@pytest.mark.django_db(transaction=True)
def test_dcat_url_follows_hydra_pages(live_server, world, remote, settings):
    settings.CATALOG_RDF_PAGE_SIZE = 1
    for n in range(2):
        f.ResourceFactory(provider=world.other_agency, theme=remote["open"].theme, code=f"more-{n}")
    url = live_server.url + reverse("catalog:catalog-rdf", args=["ttl"])
    text = harvest(dcat=[url], org="provider")
    assert _summary(text) == "created 4, updated 0, unchanged 0, skipped 0, failed 0"
    codes = sorted(
        r.code.split("-", 1)[1] for r in Resource.objects.filter(provider=world.provider)
    )
    assert codes == ["SRC-conditional", "SRC-open", "more-0", "more-1"]
    again = harvest(dcat=[url], org="provider")
    assert _summary(again) == "created 0, updated 0, unchanged 4, skipped 0, failed 0"


@pytest.mark.django_db(transaction=True)
def test_url_that_is_not_a_catalogue_is_an_error(live_server, world):
    with pytest.raises(CommandError, match="Cannot read .*/about/api/3/action/package_search"):
        harvest(ckan=[live_server.url + "/about/"], org="provider", theme=f.ThemeFactory().code)
    with pytest.raises(CommandError, match="is not RDF|holds no DCAT"):
        harvest(dcat=[live_server.url + "/about/"], org="provider")


@pytest.fixture
def html_site():
    """A web server that answers every GET with an HTML page (status 200)."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the handler's API)
            body = b"<!DOCTYPE html><html><body><p>Hello<br></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_url_answering_html_is_an_error(world, html_site):
    f.ThemeFactory(code="air")
    with pytest.raises(CommandError, match="did not answer as a CKAN Action API"):
        harvest(ckan=[html_site], org="provider", theme="air")
    with pytest.raises(CommandError, match="is not RDF"):
        harvest(dcat=[html_site + "/catalog"], org="provider", theme="air")
    assert not Resource.objects.exists() and not HarvestRecord.objects.exists()
    assert not Resource.objects.filter(provider=world.provider).exists()
