"""package_search and the list actions: the supported fq and q forms, sorting, paging, facets,
the package mapping, and query counts that do not grow with the page size."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Organization, Resource
from catalog.search import outbox
from catalog.search.engine import RESOURCES
from tests import factories as f
from tests.catalog.interop.ckan.conftest import PUBLIC_VARIANTS, result
from tests.search_index import indexed

pytestmark = pytest.mark.django_db

PUBLIC_CODES = sorted([f"ckan-{v}" for v in PUBLIC_VARIANTS] + ["ckan-other"])
PROVIDER = [code for code in PUBLIC_CODES if code != "ckan-other"]
CONDITIONAL = ["ckan-conditional_L1", "ckan-conditional_L2", "ckan-conditional_L3"]


def _changed(code, **values):
    """Write ``values`` straight to a row, as a migration or a bulk fix would, and record the
    entry for the search index as those do (``outbox.record``)."""
    rows = Resource.objects.filter(code=code)
    rows.update(**values)
    outbox.record(RESOURCES, rows.values_list("pk", flat=True))


def _names(ckan, **data):
    answer = result(ckan("package_search", {"rows": 100, **data}))
    return sorted(r["name"] for r in answer["results"])


@pytest.mark.parametrize(
    ("fq", "expected"),
    [
        ("organization:other-agency", ["ckan-other"]),
        ("+organization:provider", PROVIDER),
        ("-organization:provider", ["ckan-other"]),
        ("owner_org:provider", PROVIDER),
        ("groups:air", PROVIDER),
        ("groups:environment", PROVIDER),
        ("groups:traffic", ["ckan-other"]),
        ("tags:open_L1-tag", ["ckan-open_L1"]),
        ('tags:"共享标签"', PUBLIC_CODES),
        ("tags:交通", ["ckan-other"]),
        ("tags:(open_L1-tag OR conditional_L3-tag)", ["ckan-conditional_L3", "ckan-open_L1"]),
        ("tags:共享", []),
        ("res_format:xlsx", ["ckan-other"]),
        ("res_format:CSV AND organization:provider", PROVIDER),
        ("license_id:cc-by", ["ckan-open_L1", "ckan-other"]),
        ("license_id:notspecified", CONDITIONAL),
        ("tier:open", ["ckan-open_L1", "ckan-other"]),
        ("extras_tier:conditional", CONDITIONAL),
        ("tier:restricted", []),
        ("update_cycle:daily", ["ckan-other"]),
        ("name:ckan-open_L1", ["ckan-open_L1"]),
        ("dataset_type:dataset", PUBLIC_CODES),
        ("capacity:public", PUBLIC_CODES),
        ("capacity:private", []),
        ("tags:*", PUBLIC_CODES),
        ("text:道路交通", ["ckan-other"]),
        ("metadata_modified:[2000-01-01T00:00:00Z TO *]", PUBLIC_CODES),
        ("metadata_modified:[* TO 2000-01-01T00:00:00Z]", []),
        ("*:*", PUBLIC_CODES),
        ("", PUBLIC_CODES),
    ],
)  # fmt: skip
def test_filter_queries(ckan, catalogue, fq, expected):
    assert _names(ckan, fq=fq) == expected


def test_fq_list_adds_filters(ckan, catalogue):
    assert _names(ckan, fq="tier:open", fq_list=["organization:provider"]) == ["ckan-open_L1"]


def test_query_text_and_fielded_words(ckan, catalogue):
    assert _names(ckan, q="道路交通") == ["ckan-other"]
    assert _names(ckan, q="tags:open_L1-tag") == ["ckan-open_L1"]
    assert _names(ckan, q="独特标题 organization:provider tier:open") == ["ckan-open_L1"]
    assert _names(ckan, q="*:*") == PUBLIC_CODES
    assert _names(ckan, q="没有这样的词") == []


def test_date_range_on_metadata_modified(ckan, catalogue):
    _changed("ckan-other", updated_at=timezone.now() - dt.timedelta(days=30))
    since = (timezone.now() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    recent = _names(ckan, fq=f"metadata_modified:[{since} TO *]")
    assert recent == PROVIDER


def test_states_drafts_and_private_entries(client, ckan, world, catalogue):
    draft = f.ResourceFactory(provider=world.provider, code="ckan-draft", status="draft")
    withdrawn = f.ResourceFactory(provider=world.provider, code="ckan-gone", status="withdrawn")
    client.force_login(world.users["agency_staff"])
    private = _names(ckan, include_private=True)
    assert "ckan-restricted_L2" in private and draft.code not in private
    drafts = _names(ckan, include_private=True, include_drafts=True)
    assert draft.code in drafts and withdrawn.code not in drafts
    assert withdrawn.code in _names(ckan, include_private=True, include_deleted=True)
    assert _names(ckan, fq="state:draft", include_private=True) == [draft.code]
    # Drafts are never public, so without include_private they stay out.
    assert draft.code not in _names(ckan, include_drafts=True)
    shown = result(ckan("package_show", {"id": draft.code}))
    assert (shown["state"], shown["private"]) == ("draft", True)
    client.logout()
    assert ckan("package_show", {"id": draft.code}).status_code == 404


def _order(ckan, sort, **data):
    answer = result(ckan("package_search", {"rows": 100, "sort": sort, **data}))
    assert answer["sort"] == sort
    return [r["name"] for r in answer["results"]]


def test_sorting(ckan, catalogue):
    assert _order(ckan, "name asc") == PUBLIC_CODES
    assert _order(ckan, "name desc") == PUBLIC_CODES[::-1]
    by_title = Resource.objects.filter(code__in=PUBLIC_CODES).order_by("title", "-id")
    assert _order(ckan, "title_string asc") == list(by_title.values_list("code", flat=True))
    for code, days in (("ckan-other", 3), ("ckan-open_L1", 2), ("ckan-conditional_L1", 1)):
        _changed(code, updated_at=timezone.now() - dt.timedelta(days=days))
    newest = _order(ckan, "metadata_modified desc")
    assert newest[-3:] == ["ckan-conditional_L1", "ckan-open_L1", "ckan-other"]
    assert _order(ckan, "metadata_modified asc")[:3] == [
        "ckan-other",
        "ckan-open_L1",
        "ckan-conditional_L1",
    ]
    created = _order(ckan, "metadata_created asc")
    assert created == sorted(PUBLIC_CODES, key=lambda c: Resource.objects.get(code=c).created_at)


def test_score_ranks_title_matches_first(ckan, catalogue, world):
    f.ResourceFactory(
        provider=world.provider,
        code="ckan-mention",
        title="其他数据",
        abstract="道路交通流量统计的说明",
    )
    ranked = _order(ckan, "score desc, name asc", q="道路交通流量统计")
    assert ranked == ["ckan-other", "ckan-mention"]
    assert (
        result(ckan("package_search", {"q": "道路交通"}))["sort"]
        == "score desc, metadata_modified desc"
    )


def test_start_and_rows_page_through_everything_once(ckan, catalogue):
    seen = []
    for start in range(0, 6, 2):
        page = result(ckan("package_search", {"rows": 2, "start": start, "sort": "name asc"}))
        assert page["count"] == 5
        seen += [r["name"] for r in page["results"]]
    assert seen == PUBLIC_CODES
    assert result(ckan("package_search", {"rows": 0}))["results"] == []


def test_facets(ckan, catalogue):
    fields = (
        '["organization", "groups", "tags", "res_format", "license_id", "tier", "update_cycle"]'
    )
    answer = result(ckan("package_search", {"facet.field": fields, "rows": 0}))
    assert answer["facets"] == {
        "organization": {"provider": 4, "other-agency": 1},
        "groups": {"air": 4, "environment": 4, "traffic": 1},
        "tags": {
            "共享标签": 5,
            "conditional_L1-tag": 1,
            "conditional_L2-tag": 1,
            "conditional_L3-tag": 1,
            "open_L1-tag": 1,
            "交通": 1,
        },
        "res_format": {"CSV": 4, "XLSX": 1},
        "license_id": {"notspecified": 3, "cc-by": 2},
        "tier": {"conditional": 3, "open": 2},
        "update_cycle": {"monthly": 4, "daily": 1},
    }
    organizations = answer["search_facets"]["organization"]
    assert organizations["title"] == "organization"
    assert organizations["items"] == [
        {"name": "provider", "display_name": "提供机构", "count": 4},
        {"name": "other-agency", "display_name": "其他机构", "count": 1},
    ]
    licenses = answer["search_facets"]["license_id"]["items"]
    assert {i["name"]: i["display_name"] for i in licenses} == {
        "cc-by": "Creative Commons Attribution",
        "notspecified": "License not specified",
    }
    # CKAN sorts search_facets items by display name, last first.
    for facet in answer["search_facets"].values():
        names = [item["display_name"] for item in facet["items"]]
        assert names == sorted(names, reverse=True)


def test_facet_limit_mincount_and_off(ckan, catalogue):
    data = {"facet.field": ["tags", "organization"], "facet.limit": 1, "rows": 0}
    assert result(ckan("package_search", data))["facets"] == {
        "tags": {"共享标签": 5},
        "organization": {"provider": 4},
    }
    data = {"facet.field": '["organization"]', "facet.mincount": 2}
    assert result(ckan("package_search", data))["facets"] == {"organization": {"provider": 4}}
    data = {"facet.field": '["organization"]', "facet.limit": -1}
    assert len(result(ckan("package_search", data))["facets"]["organization"]) == 2
    data = {"facet.field": '["organization"]', "facet": "false"}
    assert result(ckan("package_search", data))["facets"] == {}


def test_field_list(ckan, catalogue):
    answer = result(ckan("package_search", {"fl": "name,title", "fq": "name:ckan-other"}))
    assert answer["results"] == [{"name": "ckan-other", "title": "道路交通流量统计"}]


def test_package_dict_mapping(ckan, catalogue, world):
    resource = catalogue["open_L1"]
    Resource.objects.filter(pk=resource.pk).update(
        issued=dt.date(2025, 3, 1), spatial="上海市", title_en="Open entry"
    )
    package = result(ckan("package_show", {"id": resource.code}))
    resource.refresh_from_db()
    assert package["id"] == str(resource.pk)
    assert (package["name"], package["title"], package["notes"]) == (
        resource.code,
        resource.title,
        resource.abstract,
    )
    assert package["url"] == f"http://testserver/resources/{resource.pk}/"
    assert (package["type"], package["state"], package["private"]) == ("dataset", "active", False)
    assert (package["license_id"], package["isopen"]) == ("cc-by", True)
    assert package["organization"]["name"] == "provider"
    assert package["organization"]["title"] == "提供机构"
    assert package["owner_org"] == str(world.provider.pk)
    assert [g["name"] for g in package["groups"]] == ["air", "environment"]
    assert [t["name"] for t in package["tags"]] == ["共享标签", "open_L1-tag"]
    assert package["num_tags"] == 2
    assert (
        package["metadata_modified"]
        == resource.updated_at.astimezone(dt.UTC).replace(tzinfo=None).isoformat()
    )
    extras = {e["key"]: e["value"] for e in package["extras"]}
    assert extras == {
        "authorized_operation": "false",
        "issued": "2025-03-01",
        "modified": resource.modified.isoformat(),
        "record_count": "0",
        "spatial_text": "上海市",
        "tier": "open",
        "title_en": "Open entry",
        "update_cycle": "monthly",
    }
    assert [e["key"] for e in package["extras"]] == sorted(extras)
    (file,) = package["resources"]
    distribution = resource.distributions.get()
    assert file == {
        "id": str(distribution.pk),
        "package_id": str(resource.pk),
        "name": distribution.title,
        "description": "",
        "format": "CSV",
        "mimetype": "text/csv",
        "size": distribution.byte_size,
        "hash": distribution.sha256,
        "url": f"http://testserver/resources/{resource.pk}/distributions/{distribution.pk}/download/",
        "url_type": "upload",
        "resource_type": "file",
        "created": distribution.created_at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(),
        "last_modified": None,
        "metadata_modified": file["created"],
        "position": 0,
        "state": "active",
    }


def test_api_distributions_keep_their_access_url(ckan, catalogue):
    resource = catalogue["conditional_L1"]
    f.DistributionFactory(
        resource=resource, kind="api", file="", url="https://example.cn/rows", format="JSON"
    )
    package = result(ckan("package_show", {"id": resource.code}, HTTP_ACCEPT_LANGUAGE="en"))
    file, api = package["resources"]
    assert file["url"] == ""
    assert "Log in, then apply for access" in file["access_note"]
    assert (api["url"], api["resource_type"], api["url_type"]) == (
        "https://example.cn/rows",
        "api",
        None,
    )
    assert "access_note" not in api


def test_package_show_by_id_prefers_the_id(ckan, catalogue, world):
    target = catalogue["open_L1"]
    f.ResourceFactory(provider=world.provider, code=str(target.pk), title="代码像编号的条目")
    assert result(ckan("package_show", {"id": str(target.pk)}))["name"] == target.code
    assert result(ckan("package_show", {"name_or_id": target.code}))["name"] == target.code


def test_organization_and_group_lists(ckan, catalogue):
    by_title = Organization.objects.order_by("name", "code").values_list("code", flat=True)
    assert result(ckan("organization_list")) == list(by_title)
    by_count = result(ckan("organization_list", {"sort": "package_count"}))
    assert by_count[:2] == ["provider", "other-agency"]
    assert result(ckan("organization_list", {"sort": "name asc", "limit": 2, "offset": 1})) == [
        "operator",
        "other-agency",
    ]
    assert result(ckan("organization_list", {"q": "其他"})) == ["other-agency"]
    detailed = result(ckan("organization_list", {"all_fields": True, "sort": "name asc"}))
    assert [(o["name"], o["package_count"]) for o in detailed] == [
        ("enterprise", 0),
        ("operator", 0),
        ("other-agency", 1),
        ("provider", 4),
    ]
    assert result(ckan("group_list", {"sort": "name asc"})) == ["air", "environment", "traffic"]
    groups = result(ckan("group_list", {"all_fields": True, "sort": "package_count desc"}))
    assert [(g["name"], g["package_count"]) for g in groups][:1] == [("air", 4)]


def test_organization_and_group_show(ckan, catalogue, world):
    organization = result(
        ckan("organization_show", {"id": "other-agency", "include_datasets": True})
    )
    assert (organization["name"], organization["title"]) == ("other-agency", "其他机构")
    assert organization["package_count"] == 1
    assert [p["name"] for p in organization["packages"]] == ["ckan-other"]
    by_id = result(ckan("organization_show", {"id": str(world.other_agency.pk)}))
    assert by_id["name"] == "other-agency" and "packages" not in by_id
    assert {e["key"] for e in by_id["extras"]} >= {"kind", "title_en"}
    group = result(ckan("group_show", {"id": "environment"}))
    assert (group["name"], group["package_count"], group["type"]) == ("environment", 4, "group")
    assert ckan("organization_show", {"id": "nobody"}).status_code == 404
    assert ckan("group_show", {"id": "nothing"}).status_code == 404
    assert ckan("resource_show", {"id": "abc"}).status_code == 404


def test_tag_list(ckan, catalogue):
    tags = result(ckan("tag_list"))
    assert tags == sorted(
        ["共享标签", "交通", "open_L1-tag", "conditional_L1-tag", "conditional_L2-tag",
         "conditional_L3-tag"]
    )  # fmt: skip
    assert result(ckan("tag_list", {"query": "OPEN"})) == ["open_L1-tag"]
    assert result(ckan("tag_list", {"query": "%"})) == []
    assert result(ckan("tag_list", {"q": "交通", "all_fields": True})) == [
        {
            "id": "交通",
            "name": "交通",
            "display_name": "交通",
            "state": "active",
            "vocabulary_id": None,
        }
    ]
    missing = ckan("tag_list", {"vocabulary_id": "genre"})
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "Not found: could not find vocabulary 'genre'"


# -- fixed query counts ---------------------------------------------------------------------------


@pytest.fixture
def many(world):
    theme = f.ThemeFactory(code="many")
    for i in range(60):
        resource = f.ResourceFactory(
            provider=world.provider if i % 2 else world.other_agency,
            theme=theme,
            keywords=f"标签{i % 7},共同",
            tier="open" if i % 3 else "conditional",
        )
        f.DistributionFactory(resource=resource)
        f.DistributionFactory(resource=resource, kind="api", file="", url="https://example.cn/a")


def _queries(ckan, data):
    with CaptureQueriesContext(connection) as context:
        answer = result(ckan("package_search", data))
    return len(context.captured_queries), answer


@pytest.mark.parametrize("kind", ["anonymous", "grantee", "agency_staff"])
def test_package_search_query_count_does_not_grow_with_rows(
    client, ckan, world, many, kind, django_assert_num_queries
):
    if kind != "anonymous":
        client.force_login(world.users[kind])
    indexed()
    facets = '["organization", "groups", "tags", "res_format", "tier"]'
    small, few = _queries(ckan, {"rows": 2, "facet.field": facets, "include_private": True})
    large, lots = _queries(ckan, {"rows": 50, "facet.field": facets, "include_private": True})
    assert (len(few["results"]), len(lots["results"])) == (2, 50)
    assert small == large
    # session, user, memberships, platform roles; and the agreements in force of the caller's
    # organization (its permission labels; both kinds here are organization members)
    signed_in = 0 if kind == "anonymous" else 4 + 1
    # the outbox check, the page, its distributions, the names of the organizations and of the
    # groups counted (the count, the ids and the facet counts come from the search engine)
    with django_assert_num_queries(5 + signed_in):
        result(ckan("package_search", {"rows": 50, "facet.field": facets, "q": "测试"}))


@pytest.mark.parametrize(
    ("action", "data", "queries"),
    [
        ("package_list", {}, 1),
        ("tag_list", {}, 1),
        ("organization_list", {"all_fields": True}, 1),
        ("group_list", {"all_fields": True}, 1),
        ("package_show", {"id": "TEST-00001"}, 2),
    ],
)
def test_list_and_show_query_counts(ckan, many, action, data, queries, django_assert_num_queries):
    first = Resource.objects.order_by("id").first()
    data = {"id": first.code} if action == "package_show" else data
    with django_assert_num_queries(queries):
        result(ckan(action, data))
