"""The document fields the CKAN-compatible search uses: ``public`` agrees with the rule-book's
``public_q`` for every variant and state, the other fields with the row, and a Match's excluded
terms and ranges leave entries out."""

import pytest

from catalog.models import Resource
from catalog.search.documents import documents, microseconds
from catalog.search.engine import RESOURCES, Match, Order, get_engine
from grading import policy
from tests import factories as f
from tests.conftest import VARIANTS
from tests.search_index import indexed

pytestmark = pytest.mark.django_db

STATUSES = [status for status, _label in Resource.Status.choices]


@pytest.fixture
def every_state(world, make_resource):
    made = [
        make_resource(variant, status=status, code=f"{variant}-{status}")
        for variant in VARIANTS
        for status in STATUSES
    ]
    made.append(f.ResourceFactory(provider=world.provider, tier="open", grade="L4"))
    made.append(f.ResourceFactory(provider=world.provider, tier="unknown", grade="L1"))
    return made


def test_resource_is_public_agrees_with_public_q_for_every_variant_and_state(every_state):
    public = set(Resource.objects.filter(policy.public_q()).values_list("pk", flat=True))
    assert public  # the published open and conditional variants
    for row in Resource.objects.all():
        expected = row.pk in public
        assert policy.resource_is_public(status=row.status, tier=row.tier, grade=row.grade) is (
            expected
        ), (row.code, row.status)
    found = {d["id"]: d["public"] for d in documents(RESOURCES)}
    assert found == {pk: int(pk in public) for pk in found}


def test_ckan_fields_of_a_document(world):
    resource = f.ResourceFactory(
        provider=world.provider,
        code="doc-fields",
        keywords=" 空气 ,质量,, 空气",
        license="CC BY 4.0",
        status="draft",
    )
    resource.refresh_from_db()
    (document,) = documents(RESOURCES, [resource.pk])
    assert document["tags"] == ["空气", "质量"]
    assert (document["license"], document["status"], document["code"]) == (
        "cc-by",
        "draft",
        "doc-fields",
    )
    assert document["public"] == 0
    assert document["updated"] == microseconds(resource.updated_at)
    assert document["created"] == microseconds(resource.created_at)
    assert document["name_sort"] == f"doc-fields\x00{resource.pk:010d}"
    assert document["by_updated"] & 0xFFFFFFFF == resource.pk


def test_excluded_terms_and_ranges(world):
    rows = [
        f.ResourceFactory(provider=world.provider, keywords=f"t{i % 3}", tier="open")
        for i in range(6)
    ]
    indexed()
    engine = get_engine()
    base = Match(labels=("public",))

    def ids(match):
        return {
            k & 0xFFFFFFFF for k in engine.search(RESOURCES, match, Order("by_updated"), 100).keys
        }

    everything = {row.pk for row in rows}
    assert ids(base) == everything
    assert ids(base.narrowed(excluded_terms=(("tags", ("t0",)),))) == {
        row.pk for i, row in enumerate(rows) if i % 3
    }
    assert ids(base.narrowed(excluded_terms=(("tags", ("t0", "t1")), ("id", (rows[2].pk,))))) == {
        rows[5].pk
    }
    lowest = rows[3].pk
    assert ids(base.narrowed(excluded_ranges=(("id", lowest, None),))) == {
        row.pk for row in rows if row.pk < lowest
    }
    both = base.narrowed(terms=(("tags", ("t1", "t2")),), excluded_ranges=(("id", None, lowest),))
    assert ids(both) == {row.pk for i, row in enumerate(rows) if i % 3 and row.pk > lowest}
    assert engine.counts(RESOURCES, both, ["tags"]).facets["tags"] == {"t1": 1, "t2": 1}
