"""package_search answered by the search engine, checked against the rule-book's SQL: the count
and every facet for every kind of caller, negated filters and date ranges, include_private and
the states, paging by start/rows in every sort, and restricted entries never counted for the
public."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from catalog.interop.ckan.params import MAX_INTEGER
from catalog.interop.ckan.serializers import STATES, license_for
from catalog.models import Resource
from catalog.search import outbox
from catalog.search.engine import RESOURCES
from grading import policy
from tests import factories as f
from tests.catalog.interop.ckan.conftest import result
from tests.conftest import USER_KINDS, VARIANTS

pytestmark = pytest.mark.django_db

FACETS = ["organization", "groups", "tags", "res_format", "license_id", "tier", "update_cycle"]
GRADE_VIEWERS = {"agency_staff", "other_agency_staff", "platform_admin", "auditor"}


@pytest.fixture
def mixed(world, make_resource):
    """Every variant published, as a draft and withdrawn, in a sub-theme, with two tags (one
    shared) and licences; plus entries of another agency, one restricted."""
    parent = f.ThemeFactory(code="env", name="环境")
    air = f.ThemeFactory(code="air", name="空气", parent=parent)
    made = {}
    for variant in VARIANTS:
        for status in ("published", "draft", "withdrawn"):
            made[f"{variant}-{status}"] = make_resource(
                variant,
                code=f"m-{variant}-{status}",
                status=status,
                theme=air,
                keywords=f"共享, {variant}-tag",
                license="CC BY 4.0" if status == "published" else "",
                format="CSV" if variant.startswith("open") else "JSON",
            )
    traffic = f.ThemeFactory(code="traffic", name="交通")
    made["other"] = f.ResourceFactory(
        provider=world.other_agency, theme=traffic, code="m-other", keywords="交通,共享"
    )
    made["other-restricted"] = f.ResourceFactory(
        provider=world.other_agency,
        theme=traffic,
        code="m-other-restricted",
        tier="restricted",
        grade="L2",
        keywords="机密标签",
        format="XML",
        update_cycle="daily",
        license="内部许可",
    )
    return made


def _search(client, ckan, kind, world, **data):
    if kind != "anonymous":
        client.force_login(world.users[kind])
    return result(ckan("package_search", {"rows": 1000, "facet.limit": -1, **data}))


def _expected_rows(user, *, include_private: bool, states):
    rows = policy.viewable(user).select_related("provider", "theme__parent")
    rows = rows.filter(status__in=[s for s, state in STATES.items() if state in states])
    if not include_private:
        rows = rows.filter(policy.public_q())
    return list(rows)


def _expected_facets(rows, *, grades: bool) -> dict:
    counts = {name: Counter() for name in FACETS}
    for row in rows:
        counts["organization"][row.provider.code] += 1
        counts["groups"].update(t.code for t in (row.theme, row.theme.parent) if t)
        counts["tags"].update(set(row.keyword_list))
        counts["res_format"][row.format] += 1
        counts["license_id"][license_for(row.license).id] += 1
        counts["tier"][row.tier] += 1
        counts["update_cycle"][row.update_cycle] += 1
        if grades:
            counts.setdefault("security_grade", Counter())[row.grade] += 1
    return {name: dict(counter) for name, counter in counts.items()}


@pytest.mark.parametrize("kind", USER_KINDS)
@pytest.mark.parametrize(
    ("include_private", "include_drafts", "include_deleted"),
    [(False, False, False), (True, False, False), (True, True, True)],
)
def test_count_and_facets_equal_the_policys_sql_for_every_caller(
    client, ckan, world, mixed, kind, include_private, include_drafts, include_deleted
):
    user = world.users[kind]
    grades = kind in GRADE_VIEWERS
    states = ["active"] + ["draft"] * include_drafts + ["deleted"] * include_deleted
    expected = _expected_rows(user, include_private=include_private, states=states)
    fields = FACETS + ["security_grade"] * grades
    answer = _search(
        client,
        ckan,
        kind,
        world,
        **{"facet.field": fields},
        include_private=include_private,
        include_drafts=include_drafts,
        include_deleted=include_deleted,
    )
    assert answer["count"] == len(expected)
    assert sorted(r["name"] for r in answer["results"]) == sorted(r.code for r in expected)
    assert answer["facets"] == _expected_facets(expected, grades=grades)


def _names(client, ckan, kind, world, **data):
    answer = _search(client, ckan, kind, world, **data)
    names = sorted(r["name"] for r in answer["results"])
    assert answer["count"] == len(names)
    return names


def _codes(rows) -> list[str]:
    return sorted(row.code for row in rows)


@pytest.mark.parametrize(
    ("fq", "keep"),
    [
        ("-tags:open_L1-tag", lambda r: "open_L1-tag" not in r.keyword_list),
        ("-tags:(共享 OR 交通)", lambda r: not {"共享", "交通"} & set(r.keyword_list)),
        ("-tier:open", lambda r: r.tier != "open"),
        ("-organization:provider", lambda r: r.provider.code != "provider"),
        ("-groups:env", lambda r: r.theme.code == "traffic"),
        ("-license_id:cc-by", lambda r: r.license != "CC BY 4.0"),
        ("-res_format:csv", lambda r: r.format != "CSV"),
        ("-capacity:public", lambda r: not policy.can_view(None, r)),
        ("-state:draft", lambda r: r.status != "draft"),
        ("-name:m-other", lambda r: r.code != "m-other"),
        ("tier:* -tags:*", lambda r: True),  # "any value" filters nothing, negated or not
        ("-dataset_type:dataset", lambda r: True),
        ("-tags:no-such-tag", lambda r: True),
        (
            "tags:共享 -tier:conditional",
            lambda r: "共享" in r.keyword_list and r.tier != "conditional",
        ),
    ],
)
@pytest.mark.parametrize("kind", ["anonymous", "agency_staff", "platform_admin"])
def test_negated_filters(client, ckan, world, mixed, kind, fq, keep):
    visible = _expected_rows(
        world.users[kind], include_private=True, states=["active", "draft", "deleted"]
    )
    names = _names(
        client,
        ckan,
        kind,
        world,
        fq=fq,
        include_private=True,
        include_drafts=True,
        include_deleted=True,
    )
    assert names == _codes(r for r in visible if keep(r))


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _set_times(code: str, **values):
    rows = Resource.objects.filter(code=code)
    rows.update(**values)
    outbox.record(RESOURCES, rows.values_list("pk", flat=True))


def test_ranges_on_modified_and_created_are_exact_and_negatable(client, ckan, world, mixed):
    # An hour ahead, so that no other entry was written in the same microsecond.
    now = (timezone.now() + dt.timedelta(hours=1)).replace(microsecond=500_000)
    _set_times("m-other", updated_at=now - dt.timedelta(days=10), created_at=now)
    _set_times("m-open_L1-published", updated_at=now, created_at=now - dt.timedelta(days=400))
    since = _stamp(now)
    just_after = _stamp(now + dt.timedelta(microseconds=1))
    public = _names(client, ckan, "anonymous", world)
    assert _names(
        client, ckan, "anonymous", world, fq=f"metadata_modified:[{since} TO {since}]"
    ) == ["m-open_L1-published"]
    assert _names(client, ckan, "anonymous", world, fq=f"metadata_created:[{since} TO *]") == [
        "m-other"
    ]
    assert (
        _names(client, ckan, "anonymous", world, fq=f"metadata_created:[{just_after} TO *]") == []
    )
    year_ago = _stamp(now - dt.timedelta(days=365))
    assert _names(client, ckan, "anonymous", world, fq=f"metadata_created:[* TO {year_ago}]") == [
        "m-open_L1-published"
    ]
    week_ago = _stamp(now - dt.timedelta(days=7))
    assert _names(client, ckan, "anonymous", world, fq=f"-metadata_modified:[{week_ago} TO *]") == [
        "m-other"
    ]
    assert _names(client, ckan, "anonymous", world, q=f"-metadata_created:[* TO {year_ago}]") == [
        name for name in public if name != "m-open_L1-published"
    ]
    bad = ckan("package_search", {"fq": "metadata_modified:[yesterday TO *]"})
    assert bad.status_code == 400


def test_include_private_and_capacity(client, ckan, world, mixed):
    public = [f"m-{v}-published" for v in VARIANTS if v.startswith(("open", "conditional"))]
    public = sorted([*public, "m-other"])
    assert _names(client, ckan, "agency_staff", world) == public
    private = _names(client, ckan, "agency_staff", world, include_private=True)
    assert private == sorted([*public, "m-restricted_L2-published", "m-restricted_L4-published"])
    assert _names(
        client, ckan, "agency_staff", world, fq="capacity:private", include_private=True
    ) == ["m-restricted_L2-published", "m-restricted_L4-published"]
    assert _names(client, ckan, "agency_staff", world, fq="capacity:private") == []
    # Drafts are never public: without include_private they stay out even when asked for.
    assert _names(client, ckan, "agency_staff", world, include_drafts=True) == public
    drafts = _names(client, ckan, "agency_staff", world, include_private=True, fq="state:draft")
    assert drafts == sorted(f"m-{v}-draft" for v in VARIANTS)


@pytest.mark.parametrize(
    ("sort", "q"),
    [
        ("name asc", ""),
        ("name desc", ""),
        ("title_string asc", ""),
        ("title_string desc", ""),
        ("metadata_modified desc", ""),
        ("metadata_created asc", ""),
        ("score desc, metadata_modified desc", "独特标题"),
        ("score asc, name asc", "独特标题"),
        ("score desc, name desc", "共享"),
    ],
)
def test_start_and_rows_page_through_every_sort_once(client, ckan, world, mixed, sort, q):
    client.force_login(world.users["platform_admin"])
    base = {"sort": sort, "q": q, "include_private": True, "include_drafts": True}
    whole = result(ckan("package_search", {**base, "rows": 1000}))
    assert whole["count"] == len(whole["results"]) > 6
    names = [r["name"] for r in whole["results"]]
    assert len(set(names)) == len(names)
    paged = []
    for start in range(0, whole["count"] + 3, 3):
        page = result(ckan("package_search", {**base, "rows": 3, "start": start}))
        assert page["count"] == whole["count"]
        paged += [r["name"] for r in page["results"]]
    assert paged == names
    if sort == "name asc":
        assert names == sorted(names)
    beyond = result(ckan("package_search", {**base, "rows": 10, "start": MAX_INTEGER}))
    assert (beyond["count"], beyond["results"]) == (whole["count"], [])


def test_score_puts_title_matches_first_across_pages(client, ckan, world, mixed):
    for i in range(4):
        f.ResourceFactory(
            provider=world.provider, code=f"m-body-{i}", title="别的", abstract="独特标题在正文"
        )
    base = {"q": "独特标题", "sort": "score desc, name asc"}
    names = []
    for start in range(0, 12, 5):
        page = result(ckan("package_search", {**base, "rows": 5, "start": start}))
        names += [r["name"] for r in page["results"]]
    in_title = sorted(f"m-{v}-published" for v in VARIANTS if v.startswith(("open", "cond")))
    assert names == in_title + [f"m-body-{i}" for i in range(4)]


@pytest.mark.parametrize("kind", ["anonymous", "citizen", "grantee", "expired_grantee"])
def test_a_restricted_entry_is_never_counted_in_a_facet_for_the_public(
    client, ckan, world, mixed, kind
):
    fields = [*FACETS]
    for data in (
        {},
        {"include_private": True, "include_drafts": True, "include_deleted": True},
        {"fq": "tags:机密标签", "include_private": True},
        {"fq": "-tier:open -tier:conditional", "include_private": True},
        {"fq": "license_id:内部许可", "include_private": True},
        {"fq": "res_format:xml update_cycle:daily", "include_private": True},
    ):
        answer = _search(client, ckan, kind, world, **{"facet.field": fields}, **data)
        names = [r["name"] for r in answer["results"]]
        assert not any("restricted" in name for name in names)
        facets = answer["facets"]
        assert "机密标签" not in facets["tags"]
        assert "XML" not in facets["res_format"] and "内部许可" not in facets["license_id"]
        assert "restricted" not in facets["tier"] and "daily" not in facets["update_cycle"]
        assert facets["organization"].get("other-agency", 0) <= 1
        single = [name for name in facets if name not in ("groups", "tags")]
        assert all(sum(facets[name].values()) == answer["count"] for name in single)
