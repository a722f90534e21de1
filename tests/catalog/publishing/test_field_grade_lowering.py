"""Lowering a field's grade on a published entry is a reviewer's decision on every path (the
field API, the workspace form, a dictionary replaced by an import, a removed field declared
again), even when the entry's own grade stays where it was: lower field grades unmask values
for operators and grantees."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from catalog.models import Field
from catalog.publishing import importer
from grading.models import AuditEvent, Membership
from tests import factories as f

ROWS = "/api/v1/resources/{pk}/rows/"


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


@pytest.fixture
def restricted(make_table):
    """A published restricted L4 entry with loaded rows; ``core`` is its L4 field."""
    return make_table("restricted_L4", n=5)


@pytest.fixture
def editor_reviewer(world):
    user = f.UserFactory(username="editor-reviewer")
    f.membership(user, world.provider, Membership.Role.ADMIN)
    return user


def core_values(world, resource) -> list:
    response = api(world.users["operator"]).get(ROWS.format(pk=resource.pk))
    assert response.status_code == 200
    return [row["data"]["core"] for row in response.json()["results"]]


def grades(resource) -> dict[str, str]:
    return dict(resource.fields.values_list("name_en", "grade"))


def test_operator_sees_the_l4_field_masked(world, restricted):
    assert core_values(world, restricted) == [None] * 5


def test_field_api__editor_lowering_an_l4_field_is_403_and_nothing_changes(world, restricted):
    editor = api(world.users["agency_staff"])
    body = {"name": "附加", "name_en": "extra", "data_type": "string", "grade": "L4"}
    assert editor.post(f"/api/v1/resources/{restricted.pk}/fields/", body).status_code == 201
    before, events = grades(restricted), AuditEvent.objects.count()
    body = {"name": "核心字段", "name_en": "core", "data_type": "string", "grade": "L1"}
    response = editor.put(f"/api/v1/resources/{restricted.pk}/fields/core/", body)
    assert response.status_code == 403
    assert "reviewer's decision" in response.json()["detail"]
    assert grades(restricted) == before and AuditEvent.objects.count() == events
    restricted.refresh_from_db()
    assert restricted.grade == "L4"
    assert core_values(world, restricted) == [None] * 5


def test_field_api__editor_may_raise_a_field_grade(world, restricted):
    body = {"name": "行政区", "name_en": "district", "data_type": "string", "grade": "L3"}
    response = api(world.users["agency_staff"]).put(
        f"/api/v1/resources/{restricted.pk}/fields/district/", body
    )
    assert response.status_code == 200
    assert grades(restricted)["district"] == "L3"


def test_field_api__a_reviewer_who_edits_may_lower_and_it_is_audited(
    world, restricted, editor_reviewer
):
    body = {"name": "核心字段", "name_en": "core", "data_type": "string", "grade": "L3"}
    response = api(editor_reviewer).put(f"/api/v1/resources/{restricted.pk}/fields/core/", body)
    assert response.status_code == 200
    assert core_values(world, restricted)[0] is not None
    assert AuditEvent.objects.filter(action="field.grade").exists()


def test_workspace_form__editor_lowering_a_field_is_403(client, world, restricted):
    core = restricted.fields.get(name_en="core")
    client.force_login(world.users["agency_staff"])
    data = {"name": core.name, "name_en": "core", "data_type": "string", "grade": "L2"}
    response = client.post(
        f"/workspace/resources/{restricted.pk}/fields/{core.pk}/", data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    assert grades(restricted)["core"] == "L4"


def test_removed_field_declared_again_lower_is_403(world, restricted):
    """Values loaded under a removed field stay in the rows: declaring the column again at a
    lower grade would unmask them."""
    editor = api(world.users["agency_staff"])
    assert editor.delete(f"/api/v1/resources/{restricted.pk}/fields/core/").status_code == 204
    body = {"name": "核心字段", "name_en": "core", "data_type": "string", "grade": "L1"}
    response = editor.post(f"/api/v1/resources/{restricted.pk}/fields/", body)
    assert response.status_code == 403
    assert not restricted.fields.filter(name_en="core").exists()
    body["grade"] = "L4"
    assert editor.post(f"/api/v1/resources/{restricted.pk}/fields/", body).status_code == 201


def test_renamed_field_onto_the_name_of_a_removed_one_is_403(world, restricted):
    editor = api(world.users["agency_staff"])
    assert editor.delete(f"/api/v1/resources/{restricted.pk}/fields/core/").status_code == 204
    body = {"name": "备注", "name_en": "core", "data_type": "string", "grade": "L1"}
    response = editor.put(f"/api/v1/resources/{restricted.pk}/fields/note/", body)
    assert response.status_code == 403
    assert grades(restricted)["note"] == "L1" and "core" not in grades(restricted)


def test_new_field_without_loaded_values_needs_no_reviewer(world, restricted):
    body = {"name": "新字段", "name_en": "fresh", "data_type": "string", "grade": "L1"}
    response = api(world.users["agency_staff"]).post(
        f"/api/v1/resources/{restricted.pk}/fields/", body
    )
    assert response.status_code == 201


def test_draft__an_editor_may_lower_a_field(world, restricted):
    restricted.status = "draft"
    restricted.save(update_fields=["status"])
    body = {"name": "核心字段", "name_en": "core", "data_type": "string", "grade": "L1"}
    response = api(world.users["agency_staff"]).put(
        f"/api/v1/resources/{restricted.pk}/fields/core/", body
    )
    assert response.status_code == 200


def _import_file(resource) -> bytes:
    """The entry as an import row, its dictionary with every field at L1 but one L4 one."""
    parts = [
        f"{x.name_en}:{x.name}:{x.data_type}:{'L4' if x.name_en == 'extra' else 'L1'}:"
        for x in resource.fields.order_by("position", "id")
    ]
    row = {
        "code": resource.code,
        "title": resource.title,
        "title_en": "",
        "abstract": "本数据集记录全市各监测点位的逐日观测结果，包含点位编码和观测值。" * 2,
        "theme": resource.theme.code,
        "tier": "restricted",
        "format": "CSV",
        "update_cycle": "monthly",
        "keywords": "",
        "license": "",
        "spatial": "",
        "temporal": "",
        "open_conditions": "",
        "high_value": "no",
        "fields": ";".join([*parts, "extra:附加:string:L4:"]),
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=importer.COLUMNS)
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue().encode()


def test_import__dictionary_replacement_lowering_fields_is_refused(client, world, restricted):
    before = grades(restricted)
    client.force_login(world.users["agency_staff"])
    upload = SimpleUploadedFile("a.csv", _import_file(restricted))
    response = client.post(
        "/workspace/import/",
        {"organization": "provider", "file": upload},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code in (400, 403)
    assert "reviewer&#x27;s decision" in response.content.decode()
    assert grades(restricted) == before
    assert not Field.objects.filter(resource=restricted, name_en="extra").exists()
    assert core_values(world, restricted) == [None] * 5
