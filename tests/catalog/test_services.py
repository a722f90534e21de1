"""Catalogue writes: the ceiling is enforced on every path, and a refused write changes nothing."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog import services
from catalog.models import Field, Resource
from grading import policy
from portal.transitions import InvalidTransition
from tests import factories as f

pytestmark = pytest.mark.django_db


def _create(world, tier, grades, actor=None, code="NEW-1"):
    return services.resource_create(
        actor=actor,
        provider=world.provider,
        theme=f.ThemeFactory(),
        code=code,
        title="新建资源",
        abstract="摘要",
        tier=tier,
        format="CSV",
        update_cycle="monthly",
        fields=[
            {"name": f"字段{i}", "name_en": f"f{i}", "data_type": "string", "grade": g}
            for i, g in enumerate(grades)
        ],
    )


def test_create__grade_is_the_max_of_the_fields(world):
    resource = _create(world, "conditional", ["L1", "L3", "L2"])
    assert resource.grade == "L3"
    assert resource.fields.count() == 3


def test_create__open_tier_above_the_ceiling_is_refused_and_nothing_is_written(world):
    with pytest.raises(policy.CeilingViolation) as excinfo:
        _create(world, "open", ["L1", "L2"])
    assert "L2" in excinfo.value.messages[0]
    assert not Resource.objects.filter(code="NEW-1").exists()
    assert not Field.objects.exists()


def test_create__only_editors_of_the_provider(world):
    with pytest.raises(PermissionDenied):
        _create(world, "open", ["L1"], actor=world.users["other_agency_staff"])
    resource = _create(world, "open", ["L1"], actor=world.users["agency_staff"])
    assert resource.status == Resource.Status.DRAFT


def test_update__opening_an_L2_resource_is_refused(world, make_resource):
    resource = make_resource("conditional_L2")
    with pytest.raises(policy.CeilingViolation):
        services.resource_update(
            actor=world.users["agency_staff"], resource=resource, data={"tier": "open"}
        )
    resource.refresh_from_db()
    assert resource.tier == "conditional"


def test_update__unknown_field_is_refused(world, make_resource):
    resource = make_resource("open_L1")
    with pytest.raises(ValidationError):
        services.resource_update(actor=None, resource=resource, data={"grade": "L1"})


def test_field_grade_raise_that_breaks_the_ceiling_is_refused(world, make_resource):
    resource = make_resource("open_L1")
    field = resource.fields.get()
    with pytest.raises(policy.CeilingViolation):
        services.field_set_grade(actor=world.users["agency_staff"], field=field, grade="L3")
    field.refresh_from_db()
    resource.refresh_from_db()
    assert (field.grade, resource.grade) == ("L1", "L1")


def test_field_grade_raise_within_the_ceiling_raises_the_resource_grade(world, make_resource):
    resource = make_resource("restricted_L2")
    field = resource.fields.get()
    services.field_set_grade(actor=world.users["agency_staff"], field=field, grade="L4")
    resource.refresh_from_db()
    assert resource.grade == "L4"


def test_distribution_add_file_records_size_and_checksum(world, make_resource):
    resource = make_resource("open_L1")
    data = "名称,数值\n甲,1\n".encode()
    distribution = services.distribution_add_file(
        actor=world.users["agency_staff"],
        resource=resource,
        title="新文件",
        name="new.csv",
        stream=io.BytesIO(data),
        fmt="csv",
        media_type="text/csv",
    )
    import hashlib

    assert distribution.byte_size == len(data)
    assert distribution.sha256 == hashlib.sha256(data).hexdigest()
    with distribution.file.open("rb") as handle:
        assert handle.read() == data


def test_publish__needs_a_reviewer_and_a_submitted_resource(world, make_resource):
    resource = make_resource("open_L1", status="submitted")
    with pytest.raises(PermissionDenied):
        services.resource_publish(actor=world.users["agency_staff"], resource=resource)
    reviewer = f.UserFactory()
    f.membership(reviewer, world.provider, "reviewer")
    published = services.resource_publish(actor=reviewer, resource=resource)
    assert published.status == "published"
    with pytest.raises(InvalidTransition) as excinfo:
        services.resource_publish(actor=reviewer, resource=published)
    assert excinfo.value.current == "published"


def test_publish__refuses_a_file_without_checksum(world, make_resource):
    resource = make_resource("open_L1", status="submitted")
    resource.distributions.update(sha256="")
    with pytest.raises(ValidationError):
        services.resource_publish(actor=None, resource=resource)
    resource.refresh_from_db()
    assert resource.status == "submitted"
