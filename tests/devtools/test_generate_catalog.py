"""The synthetic catalogue generator: counts, grades under the ceiling, determinism, search
columns, re-runs, and a 2-character search through the API."""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Distribution, Field, Organization, Product, Resource, Theme
from catalog.search.query import product_search_columns, resource_search_columns
from grading.policy import check_ceiling, derive_grade

pytestmark = pytest.mark.django_db

SEED = 7
RESOURCES, PRODUCTS = 300, 20
TWO_CHARACTER_WORDS = ["空气", "交通", "北京", "医院", "学校", "人口", "企业", "港口"]


def generate(**options) -> str:
    arguments = {
        "resources": RESOURCES,
        "products": PRODUCTS,
        "seed": SEED,
        "workers": 0,
        "interactive": False,
        "no_progress": True,
        **options,
    }
    out = io.StringIO()
    call_command("generate_catalog", stdout=out, stderr=io.StringIO(), **arguments)
    return out.getvalue()


def snapshot() -> dict:
    """Everything generated, keyed by codes instead of database ids and timestamps."""
    skip = {"id", "created_at", "updated_at", "provider_id", "theme_id"}
    resource_columns = [f.attname for f in Resource._meta.concrete_fields if f.attname not in skip]
    product_columns = [f.attname for f in Product._meta.concrete_fields if f.attname not in skip]
    return {
        "resources": list(
            Resource.objects.order_by("code").values_list(
                *resource_columns, "provider__code", "theme__code"
            )
        ),
        "fields": list(
            Field.objects.order_by("resource__code", "position").values_list(
                "resource__code", "name", "name_en", "data_type", "description", "grade"
            )
        ),
        "distributions": list(
            Distribution.objects.order_by("resource__code").values_list(
                "resource__code",
                "title",
                "kind",
                "format",
                "media_type",
                "file",
                "url",
                "byte_size",
                "sha256",
            )
        ),  # fmt: skip
        "products": list(
            Product.objects.order_by("code").values_list(
                *product_columns, "provider__code", "theme__code"
            )
        ),
        "sources": sorted(
            Product.source_resources.through.objects.values_list("product__code", "resource__code")
        ),
    }


def wipe() -> None:
    Product.objects.all().delete()
    Resource.objects.all().delete()


def test_creates_the_catalogue():
    output = generate()

    assert Resource.objects.count() == RESOURCES
    assert Product.objects.count() == PRODUCTS
    assert f"Created {RESOURCES} resources" in output
    assert Organization.objects.filter(code__startswith="gen-agency-", kind="agency").count() == 40
    assert Organization.objects.filter(code__startswith="gen-enterprise-").count() == 5
    assert Theme.objects.filter(code__startswith="gen-theme-").count() == 12
    codes = list(Resource.objects.order_by("code").values_list("code", flat=True))
    assert codes[0] == "GEN-7-000000001" and codes[-1] == "GEN-7-000000300"

    for resource in Resource.objects.prefetch_related("fields", "distributions"):
        assert resource.provider.code.startswith("gen-agency-")
        assert 3 <= len(resource.fields.all()) <= 6
        (distribution,) = resource.distributions.all()
        assert distribution.kind == Distribution.Kind.LINK and not distribution.file
        assert distribution.url.startswith(f"https://data.example.gov.cn/dl/{resource.code}.")
        assert distribution.format == resource.format
        assert distribution.sha256 == hashlib.sha256(resource.code.encode()).hexdigest()
        assert resource.title and resource.title_en and resource.abstract and resource.keywords
        assert 2015 <= resource.modified.year <= 2026
        assert resource.issued is None or resource.issued <= resource.modified

    for product in Product.objects.prefetch_related("source_resources"):
        assert product.status == Product.Status.LISTED and product.listed_at
        assert product.registration_code and len(product.evidence_hash) == 64
        assert product.scenarios and 1 <= len(product.source_resources.all()) <= 3
        assert all(r.status == "published" for r in product.source_resources.all())


def test_grades_follow_the_fields_and_the_ceiling():
    generate()
    tiers, grades, statuses = set(), set(), []
    for resource in Resource.objects.prefetch_related("fields"):
        field_grades = [field.grade for field in resource.fields.all()]
        assert resource.grade == derive_grade(field_grades)
        check_ceiling(grade=resource.grade, tier=resource.tier)  # raises if broken
        if resource.tier == "open":
            assert set(field_grades) == {"L1"}
        tiers.add(resource.tier)
        grades.add(resource.grade)
        statuses.append(resource.status)

    assert tiers == {"open", "conditional", "restricted"}
    assert grades == {"L1", "L2", "L3", "L4"}
    assert set(statuses) == {"published", "draft"}
    assert statuses.count("published") > 0.9 * len(statuses)
    open_share = Resource.objects.filter(tier="open").count() / RESOURCES
    assert 0.4 < open_share < 0.6


def test_search_columns_equal_the_search_module():
    generate()
    resources = list(Resource.objects.order_by("code"))
    assert all(r.search_title and r.search_body for r in resources)
    for resource in resources[::7]:
        expected = resource_search_columns(resource)
        assert resource.search_title == expected["search_title"]
        assert resource.search_body == expected["search_body"]
    for product in Product.objects.all():
        expected = product_search_columns(product)
        assert product.search_title == expected["search_title"]
        assert product.search_body == expected["search_body"]


def test_same_rows_for_a_seed_whatever_the_write_path_batches_and_workers():
    generate()
    first = snapshot()
    assert len(first["resources"]) == RESOURCES and first["sources"]

    wipe()
    generate(orm=True, batch=128)  # QuerySet.bulk_create instead of the multi-row INSERTs
    assert snapshot() == first

    wipe()
    generate(workers=2, batch=1000)  # forked generating processes
    assert snapshot() == first

    wipe()
    generate(resources=120, products=0)  # interrupted while writing resources …
    generate(batch=64)  # … and resumed
    assert snapshot() == first

    wipe()
    generate(products=5)  # interrupted while writing products …
    generate()  # … and resumed
    assert snapshot() == first

    wipe()
    generate(seed=SEED + 1)
    other = snapshot()
    assert [r[1] for r in other["resources"]] != [r[1] for r in first["resources"]]


def test_running_again_adds_nothing_and_a_larger_count_extends():
    generate()
    before = snapshot()

    output = generate()
    assert "Nothing to add" in output
    assert snapshot() == before

    generate(resources=RESOURCES + 40, products=PRODUCTS)
    after = snapshot()
    assert len(after["resources"]) == RESOURCES + 40
    assert after["resources"][:RESOURCES] == before["resources"]
    assert Organization.objects.filter(code__startswith="gen-").count() == 45


def test_bad_arguments_are_refused():
    with pytest.raises(CommandError):
        generate(resources=-1)
    with pytest.raises(CommandError, match="published resources"):
        generate(resources=0, products=3)


def test_two_character_search_through_the_api(client):
    generate()
    public = Resource.objects.filter(status="published", tier__in=["open", "conditional"])
    word = next(w for w in TWO_CHARACTER_WORDS if public.filter(title__contains=w).exists())

    response = client.get("/api/v1/resources/", {"q": word, "page_size": 100})

    assert response.status_code == 200
    results = response.json()["results"]
    assert results
    for row in results:
        assert row["code"].startswith("GEN-7-")
        text = row["title"] + row.get("abstract", "") + "".join(row["keywords"])
        stored = Resource.objects.get(code=row["code"])
        assert word in text or word in stored.abstract
