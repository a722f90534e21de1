"""Shared fixtures: one of each kind of user, and resources of each tier and grade."""

import csv
import io
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile

from catalog.models import Organization
from grading.grades import GRADE_ORDER
from grading.models import Grant, Membership, PlatformRole
from tests import factories as f


@dataclass
class World:
    provider: Organization
    other_agency: Organization
    operator_org: Organization
    enterprise: Organization
    users: dict


# The kinds of caller every access test runs over.
USER_KINDS = [
    "anonymous",
    "citizen",
    "grantee",
    "expired_grantee",
    "agency_staff",
    "other_agency_staff",
    "operator",
    "platform_admin",
    "auditor",
]


@pytest.fixture
def world(db) -> World:
    provider = f.OrganizationFactory(code="provider", name="提供机构")
    other = f.OrganizationFactory(code="other-agency", name="其他机构")
    operator_org = f.OrganizationFactory(code="operator", kind=Organization.Kind.ENTERPRISE)
    enterprise = f.OrganizationFactory(code="enterprise", kind=Organization.Kind.ENTERPRISE)
    f.verify(operator_org, enterprise)
    users = {"anonymous": AnonymousUser()}
    for kind in USER_KINDS[1:]:
        users[kind] = f.UserFactory(username=kind)
    f.membership(users["grantee"], enterprise, Membership.Role.ADMIN)
    f.membership(users["expired_grantee"], enterprise, Membership.Role.ADMIN)
    f.membership(users["agency_staff"], provider, Membership.Role.EDITOR)
    f.membership(users["other_agency_staff"], other, Membership.Role.EDITOR)
    f.membership(users["operator"], operator_org, Membership.Role.ADMIN)
    f.platform_role(users["platform_admin"], PlatformRole.Role.PLATFORM_ADMIN)
    f.platform_role(users["auditor"], PlatformRole.Role.AUDITOR)
    f.confirm_email(users["citizen"])
    return World(provider, other, operator_org, enterprise, users)


# Resource variants: (tier, grade). Each is covered by a grant for `grantee`, an expired grant
# for `expired_grantee` and an agreement for `operator`, so the tier alone decides.
VARIANTS = {
    "open_L1": ("open", "L1"),
    "conditional_L1": ("conditional", "L1"),
    "conditional_L2": ("conditional", "L2"),
    "conditional_L3": ("conditional", "L3"),
    "restricted_L2": ("restricted", "L2"),
    "restricted_L4": ("restricted", "L4"),
}


@pytest.fixture
def as_user(client, world):
    """``as_user(kind)``: the test client signed in as the ``world`` user of that kind (or
    anonymous for "anonymous")."""

    def login(kind):
        if kind != "anonymous":
            client.force_login(world.users[kind])
        return client

    return login


@pytest.fixture
def make_resource(world):
    def make(variant: str, **extra):
        tier, grade = VARIANTS[variant]
        resource = f.ResourceFactory(
            provider=world.provider,
            tier=tier,
            grade=grade,
            title=extra.pop("title", f"独特标题{variant}"),
            **extra,
        )
        f.FieldFactory(resource=resource, grade=grade)
        f.DistributionFactory(resource=resource)
        f.grant(world.users["grantee"], [resource])
        f.grant(world.users["expired_grantee"], [resource], days=-1, status=Grant.Status.ACTIVE)
        f.agreement(world.operator_org, [resource])
        return resource

    return make


# Dictionary fields of the tables made by ``make_table``: (name, name_en, type, grade). A table
# gets the fields whose grade its resource's grade allows, so the ceiling holds.
TABLE_FIELDS = [
    ("行政区", "district", "string", "L1"),
    ("数量", "count", "integer", "L1"),
    ("日期", "day", "date", "L1"),
    ("备注", "note", "string", "L1"),
    ("比例", "ratio", "decimal", "L1"),
    ("年龄", "age", "integer", "L2"),
    ("身份证号", "id_number", "string", "L3"),
    ("核心字段", "core", "string", "L4"),
]
DISTRICTS = ["浦东新区", "黄浦区", "徐汇区"]


def table_csv(n: int, fields) -> str:
    """``n`` deterministic rows for ``fields``: repeated counts, an empty count every fifth row,
    and notes that a spreadsheet would run as formulas."""
    notes = ["=SUM(A1:A2)", "+1", "-2", "@cmd", "\tx", "普通", 'say "hi", ok']
    values = {
        "district": lambda i: DISTRICTS[i % 3],
        "count": lambda i: "" if i % 5 == 0 else str(i % 7),
        "day": lambda i: f"2026-01-{i % 28 + 1:02d}",
        "note": lambda i: notes[i % len(notes)],
        "ratio": lambda i: f"{i / 4:.2f}",
        "age": lambda i: str(20 + i),
        "id_number": lambda i: f"3101011990010{i:05d}",
        "core": lambda i: f"核心{i}",
    }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([name for name, *_rest in fields])
    for i in range(1, n + 1):
        writer.writerow([values[name_en](i) for _name, name_en, *_rest in fields])
    return out.getvalue()


@pytest.fixture
def make_table(make_resource):
    """A resource of ``variant`` with a graded dictionary and ``n`` rows loaded from a CSV
    file (``encoding`` as given), the way publication loads them."""

    def make(variant: str, n: int = 25, encoding: str = "utf-8", **extra):
        from catalog.rows.services import rows_load

        resource = make_resource(variant, **extra)
        limit = GRADE_ORDER[resource.grade]
        fields = [row for row in TABLE_FIELDS if GRADE_ORDER[row[3]] <= limit]
        for position, (name, name_en, data_type, grade) in enumerate(fields, start=1):
            f.FieldFactory(
                resource=resource,
                name=name,
                name_en=name_en,
                data_type=data_type,
                grade=grade,
                position=position,
            )
        data = table_csv(n, fields).encode(encoding)
        distribution = f.DistributionFactory(
            resource=resource, file=ContentFile(data, name="table.csv")
        )
        rows_load(distribution=distribution)
        return resource

    return make


@pytest.fixture(autouse=True)
def _site_url_is_the_live_server(request):
    """Absolute links are built on SITE_URL; under a live server that is the server's own
    address, so clients that follow them (ckanapi, the harvester, a browser) reach it."""
    if "live_server" not in request.fixturenames:
        yield
        return
    settings = request.getfixturevalue("settings")
    settings.SITE_URL = request.getfixturevalue("live_server").url
    yield


@pytest.fixture(autouse=True)
def _empty_search_index():
    """Each test starts with an empty search index, as its database starts empty."""
    from catalog.search.engine import get_engine

    get_engine().reset()
