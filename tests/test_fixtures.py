"""The demo data loads, obeys the rules, and holds every product named in the seed list."""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import authenticate

from catalog.models import Distribution, Organization, Product, Resource
from grading import policy
from grading.grades import Grade, Tier
from tests.demo_data import demo_loaded  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

SEED_LIST = Path(settings.BASE_DIR).parent / "shared" / "seeds" / "000_031b9287129f6624.txt"
IMAGERY_LINE = 5  # the satellite imagery products; lines 1–4 list data services


@pytest.fixture
def demo(demo_loaded, db):  # noqa: F811
    """The demo data, loaded once for this module (see ``tests.demo_data``)."""


def _seed_product_names() -> list[str]:
    lines = SEED_LIST.read_text(encoding="utf-8").splitlines()
    names = []
    for line in lines[: IMAGERY_LINE - 1]:
        names += [part.strip() + "数据服务" for part in line.split("数据服务") if part.strip()]
    # Imagery names may contain spaces ("Landsat TM"), so match them against the line instead.
    return names, lines[IMAGERY_LINE - 1]


def test_demo_covers_every_tier_and_grade_within_the_ceiling(demo):
    resources = list(Resource.objects.prefetch_related("fields"))
    assert len(resources) >= 60
    assert {r.tier for r in resources} == set(Tier.values)
    assert {r.grade for r in resources} == set(Grade.values)
    for resource in resources:
        assert resource.grade == policy.derive_grade(f.grade for f in resource.fields.all())
        policy.check_ceiling(grade=resource.grade, tier=resource.tier)
        assert resource.fields.count() >= 3


def test_demo_has_a_dozen_agencies_and_themes(demo):
    assert Organization.objects.filter(kind="agency").count() >= 12
    from catalog.models import Theme

    assert Theme.objects.count() >= 12


@pytest.mark.skipif(not SEED_LIST.exists(), reason="the seed documents are not beside the repo")
def test_demo_lists_every_seed_product(demo):
    services, imagery_line = _seed_product_names()
    # A listing suspended while a complaint is upheld (one in the demo) is still a listing.
    in_market = Product.objects.filter(status__in=("listed", "suspended"))
    listed = set(in_market.values_list("name", flat=True))
    assert len(services) == 54
    assert not set(services) - listed
    imagery = Product.objects.filter(product_type="imagery", status="listed")
    assert imagery.count() >= 14
    assert all(name in imagery_line for name in imagery.values_list("name", flat=True))
    assert Product.objects.count() >= 69
    for product in Product.objects.filter(status="listed"):
        assert product.scenarios and product.delivery and product.update_frequency
        assert product.registration_code and len(product.evidence_hash) == 64


def test_demo_files_match_their_checksums(demo):
    files = Distribution.objects.filter(kind="file").exclude(file="")
    assert files.count() >= 60
    for distribution in files:
        with distribution.file.open("rb") as handle:
            data = handle.read()
        assert hashlib.sha256(data).hexdigest() == distribution.sha256
        assert len(data) == distribution.byte_size


@pytest.mark.parametrize(
    "username",
    ["admin", "auditor", "ghzy_editor", "ghzy_reviewer", "operator", "enterprise", "citizen"]
    + ["geotech", "lgxpq_editor", "jtw_reviewer", "scjgj_reviewer"],
)
def test_demo_users_log_in_with_the_readme_password(demo, username):
    assert authenticate(username=username, password="Portal-Demo-2026") is not None


def test_demo_roles_see_what_the_readme_says(demo, client):
    restricted = Resource.objects.filter(tier="restricted", status="published")
    anonymous_ids = {
        r["id"] for r in client.get("/api/v1/resources/?page_size=100").json()["results"]
    }
    assert not anonymous_ids & set(restricted.values_list("pk", flat=True))
    client.login(username="ghzy_editor", password="Portal-Demo-2026")
    own = client.get("/api/v1/resources/?tier=restricted&page_size=100").json()["results"]
    assert own and all(row["provider"]["code"] == own[0]["provider"]["code"] for row in own)
    client.login(username="enterprise", password="Portal-Demo-2026")
    granted = client.get("/api/v1/resources/?tier=conditional&page_size=100").json()["results"]
    assert any(row["may_download"] for row in granted)


def test_demo_resources_have_rows_and_previews(demo, client):
    from catalog.models import RowTable

    published = Resource.objects.filter(status="published")
    assert RowTable.objects.filter(resource__in=published).count() == published.count() == 62
    open_one = published.filter(tier="open").order_by("code").first()
    page = client.get(f"/resources/{open_one.pk}/").content.decode()
    assert 'class="preview-table"' in page
    client.login(username="enterprise", password="Portal-Demo-2026")
    granted = [
        row["id"]
        for row in client.get("/api/v1/resources/?tier=conditional&page_size=100").json()["results"]
        if row["may_query"]
    ]
    assert granted
    body = client.get(f"/api/v1/resources/{granted[0]}/rows/").json()
    assert body["results"] and body["row_count"] == len(body["results"])
