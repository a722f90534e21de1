"""The real CKAN client against a running portal: ``ckanapi.RemoteCKAN`` with POST and with
``get_only=True`` calling every action and meeting every error type, and the ``ckanapi`` command
line dumping and searching the catalogue."""

import json
import os
import subprocess
import sys
from pathlib import Path

import ckanapi
import pytest
import requests
from django.conf import settings
from django.test import Client

from catalog.interop.ckan import actions
from tests.catalog.interop.ckan.conftest import PUBLIC_VARIANTS
from tests.factories import CSV_BYTES

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_CODES = sorted([f"ckan-{v}" for v in PUBLIC_VARIANTS] + ["ckan-other"])
CKANAPI = Path(sys.executable).with_name("ckanapi")


@pytest.fixture(params=[False, True], ids=["post", "get"])
def remote(request, live_server, catalogue):
    with ckanapi.RemoteCKAN(live_server.url, get_only=request.param) as site:
        yield site


def _facets(remote, fields):
    # A GET carries lists as repeated parameters; CKAN clients send facet.field as JSON text.
    return json.dumps(fields) if remote.get_only else fields


def test_site_actions(remote, live_server):
    status = remote.action.status_show()
    assert status["site_url"] == live_server.url
    assert status["ckan_version"] == actions.CKAN_API_LEVEL
    assert remote.action.site_read() is True
    assert remote.action.help_show(name="package_search") == actions.package_search.__doc__


def test_packages_and_resources(remote, catalogue):
    assert remote.action.package_list() == PUBLIC_CODES
    assert remote.action.package_list(limit=2, offset=1) == PUBLIC_CODES[1:3]
    entry = catalogue["open_L1"]
    by_name = remote.action.package_show(id=entry.code)
    assert by_name == remote.action.package_show(id=str(entry.pk))
    assert by_name["title"] == entry.title and by_name["organization"]["name"] == "provider"
    (file,) = by_name["resources"]
    assert remote.action.resource_show(id=file["id"]) == file
    assert requests.get(file["url"], timeout=10).content == CSV_BYTES
    conditional = remote.action.package_show(id="ckan-conditional_L1")
    assert conditional["resources"][0]["url"] == ""
    assert conditional["resources"][0]["access_note"]


def test_package_search(remote):
    found = remote.call_action(
        "package_search",
        {
            "q": "独特标题",
            "fq": "organization:provider -tier:open",
            "sort": "name desc",
            "rows": 2,
            "facet.field": _facets(remote, ["tier", "tags"]),
        },
    )
    assert found["count"] == 3
    assert [r["name"] for r in found["results"]] == ["ckan-conditional_L3", "ckan-conditional_L2"]
    assert found["facets"]["tier"] == {"conditional": 3}
    assert found["search_facets"]["tags"]["items"][-1] == {
        "name": "conditional_L1-tag",
        "display_name": "conditional_L1-tag",
        "count": 1,
    }
    rest = remote.action.package_search(fq="tier:conditional", sort="name asc", start=2)
    assert (rest["count"], [r["name"] for r in rest["results"]]) == (3, ["ckan-conditional_L3"])


def test_organizations_groups_and_tags(remote):
    assert sorted(remote.action.organization_list()) == [
        "enterprise",
        "operator",
        "other-agency",
        "provider",
    ]
    detailed = remote.action.organization_list(all_fields=True, sort="name asc")
    assert [(o["name"], o["package_count"]) for o in detailed][-2:] == [
        ("other-agency", 1),
        ("provider", 4),
    ]
    provider = remote.action.organization_show(id="provider", include_datasets=True)
    assert provider["package_count"] == 4
    assert sorted(p["name"] for p in provider["packages"]) == PUBLIC_CODES[:4]
    assert remote.action.group_list(sort="name asc") == ["air", "environment", "traffic"]
    groups = remote.action.group_list(all_fields=True, sort="package_count desc")
    assert (groups[0]["name"], groups[0]["package_count"]) == ("air", 4)
    assert remote.action.group_show(id="environment")["package_count"] == 4
    assert "restricted_L4-tag" not in remote.action.tag_list()
    assert remote.action.tag_list(query="open") == ["open_L1-tag"]


def test_error_types(remote):
    with pytest.raises(ckanapi.NotFound):
        remote.action.package_show(id="ckan-restricted_L4")
    with pytest.raises(ckanapi.NotFound):
        remote.action.resource_show(id="999999")
    with pytest.raises(ckanapi.ValidationError) as invalid:
        remote.action.package_search(rows=-1)
    assert invalid.value.error_dict == {
        "__type": "Validation Error",
        "rows": ["Must be a natural number"],
    }
    with pytest.raises(ckanapi.ValidationError) as missing:
        remote.action.package_show()
    assert missing.value.error_dict["name_or_id"] == ["Missing value"]
    with pytest.raises(ckanapi.SearchQueryError) as bad_query:
        remote.action.package_search(fq="organization")
    assert "Cannot parse filter query" in str(bad_query.value)
    with pytest.raises(ckanapi.SearchQueryError):
        remote.action.package_search(sort="popularity")
    with pytest.raises(ckanapi.NotAuthorized) as denied:
        remote.call_action("package_search", {"facet.field": _facets(remote, ["security_grade"])})
    assert denied.value.extra_msg["__type"] == "Authorization Error"
    with pytest.raises(ckanapi.CKANAPIError) as unknown:
        remote.action.package_create(name="x")
    assert "Action name not known: package_create" in str(unknown.value)


def test_signed_in_session_sees_what_the_policy_allows(live_server, world, catalogue):
    browser = Client()
    browser.force_login(world.users["agency_staff"])
    session = requests.Session()
    session.cookies.set(
        settings.SESSION_COOKIE_NAME, browser.cookies[settings.SESSION_COOKIE_NAME].value
    )
    with ckanapi.RemoteCKAN(live_server.url, session=session) as staff:
        _staff_sees_restricted_entries(staff, session)


def _staff_sees_restricted_entries(staff, session):
    assert "ckan-restricted_L4" not in staff.action.package_list()
    assert "ckan-restricted_L4" in staff.action.package_list(include_private=True)
    found = staff.action.package_search(fq="tier:restricted", include_private=True)
    assert sorted(r["name"] for r in found["results"]) == [
        "ckan-restricted_L2",
        "ckan-restricted_L4",
    ]
    restricted = staff.action.package_show(id="ckan-restricted_L4")
    assert restricted["private"] is True
    # Without the session the entry does not exist (404); with it, the file downloads.
    assert requests.get(restricted["resources"][0]["url"], timeout=10).status_code == 404
    assert session.get(restricted["resources"][0]["url"], timeout=10).content == CSV_BYTES


# -- the command line -----------------------------------------------------------------------------


def _ckanapi(*arguments):
    env = {**os.environ, "PATH": f"{CKANAPI.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [str(CKANAPI), *arguments], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.parametrize("options", [[], ["--get-request"]], ids=["post", "get"])
def test_cli_dump_datasets(live_server, catalogue, tmp_path, options):
    out = tmp_path / "datasets.jsonl"
    _ckanapi("dump", "datasets", "--all", "-q", "-O", str(out), "-r", live_server.url, *options)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["name"] for r in records] == PUBLIC_CODES
    with ckanapi.RemoteCKAN(live_server.url) as site:
        shown = [site.action.package_show(id=record["name"]) for record in records]
    assert records == shown
    for record in records:
        assert record["private"] is False and record["state"] == "active"
        tier = next(extra["value"] for extra in record["extras"] if extra["key"] == "tier")
        assert tier in ("open", "conditional")
    by_name = {r["name"]: r for r in records}
    (open_file,) = by_name["ckan-open_L1"]["resources"]
    assert requests.get(open_file["url"], timeout=10).content == CSV_BYTES
    for code in ("ckan-conditional_L1", "ckan-conditional_L2", "ckan-conditional_L3"):
        (file,) = by_name[code]["resources"]
        assert file["url"] == "" and file["access_note"]


def test_cli_search_datasets(live_server, catalogue, tmp_path):
    out = tmp_path / "search.jsonl"
    _ckanapi("search", "datasets", "fq=tier:conditional", "-O", str(out), "-r", live_server.url)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["name"] for r in records) == [
        "ckan-conditional_L1",
        "ckan-conditional_L2",
        "ckan-conditional_L3",
    ]
