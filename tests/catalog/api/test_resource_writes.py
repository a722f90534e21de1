"""Resource writes through the API: editors draft, describe and upload; reviewers return,
publish and withdraw; every refusal with its status and nothing written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from catalog.models import Distribution, Resource
from grading.models import Membership
from tests import factories as f

CSV = "区,数值\n浦东新区,42\n".encode()


def api(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def reviewer(world):
    user = f.UserFactory(username="api-reviewer")
    f.membership(user, world.provider, Membership.Role.REVIEWER)
    return user


@pytest.fixture
def theme(db):
    return f.ThemeFactory(code="traffic")


def create(client, provider, theme, **extra):
    body = {
        "provider": provider.code,
        "code": "API-0001",
        "title": "道路流量",
        "abstract": "主要道路的小时流量。",
        "theme": theme.code,
        "format": "CSV",
        "update_cycle": "daily",
        "tier": "open",
        **extra,
    }
    return client.post("/api/v1/resources/", body, format="json")


def test_api_path__create_fields_upload_submit_return_publish_withdraw(world, theme, reviewer):
    editor = api(world.users["agency_staff"])
    response = create(editor, world.provider, theme)
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["status"] == "draft"
    for name, name_en, data_type in [("区", "district", "string"), ("数值", "value", "integer")]:
        body = {"name": name, "name_en": name_en, "data_type": data_type, "grade": "L1"}
        assert (
            editor.post(f"/api/v1/resources/{pk}/fields/", body, format="json").status_code == 201
        )
    response = editor.post(
        f"/api/v1/resources/{pk}/distributions/",
        {"file": SimpleUploadedFile("road.csv", CSV), "title": "流量"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["distributions"][0]["byte_size"] == len(CSV)
    assert editor.post(f"/api/v1/resources/{pk}/submit/").status_code == 200
    again = editor.post(f"/api/v1/resources/{pk}/submit/")
    assert again.status_code == 409 and again.json()["current_state"] == "submitted"

    rv = api(reviewer)
    assert rv.post(f"/api/v1/resources/{pk}/return/", {}, format="json").status_code == 400
    response = rv.post(f"/api/v1/resources/{pk}/return/", {"reason": "补充说明"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "draft"
    patch = editor.patch(f"/api/v1/resources/{pk}/", {"title": "道路小时流量"}, format="json")
    assert patch.status_code == 200 and patch.json()["title"] == "道路小时流量"
    editor.post(f"/api/v1/resources/{pk}/submit/")
    assert editor.post(f"/api/v1/resources/{pk}/publish/").status_code == 403
    assert rv.post(f"/api/v1/resources/{pk}/publish/").status_code == 200
    published = api().get(f"/api/v1/resources/{pk}/").json()
    assert published["may_download"] is True
    distribution = published["distributions"][0]["id"]
    v2 = "区,数值\n浦东新区,43\n黄浦区,8\n".encode()
    response = editor.post(
        f"/api/v1/resources/{pk}/distributions/",
        {"file": SimpleUploadedFile("road-2.csv", v2), "distribution": distribution},
        format="multipart",
    )
    assert response.status_code == 201
    assert [d["version"] for d in response.json()["distributions"]] == [2]
    old = f"/resources/{pk}/distributions/{distribution}/versions/1/download/"
    assert b"".join(api().get(old).streaming_content) == CSV
    response = rv.post(f"/api/v1/resources/{pk}/withdraw/", {"reason": "停更"}, format="json")
    assert response.status_code == 200
    assert api().get(f"/api/v1/resources/{pk}/").status_code == 404
    summaries = [v.summary for v in Resource.objects.get(pk=pk).versions.order_by("number")]
    assert summaries == ["File uploaded", "停更"]


def test_api__ceiling_breaking_field_is_400_with_the_rule(world, theme):
    editor = api(world.users["agency_staff"])
    pk = create(editor, world.provider, theme).json()["id"]
    body = {"name": "身份证号", "name_en": "id_number", "data_type": "string", "grade": "L3"}
    response = editor.post(f"/api/v1/resources/{pk}/fields/", body, format="json")
    assert response.status_code == 400
    assert "Grade ceiling" in response.json()["detail"]
    assert not Resource.objects.get(pk=pk).fields.exists()


@pytest.mark.parametrize(
    "name, data, status",
    [
        ("a.png", b"\x89PNG\r\n\x1a\n\x00\x00", 415),
        ("a.csv", b"\x89PNG\r\n\x1a\n\x00\x00", 415),
        ("a.csv", "数值\n1\nx\n".encode(), 400),
    ],
)
def test_api__bad_upload_is_refused_and_nothing_written(world, theme, name, data, status):
    editor = api(world.users["agency_staff"])
    pk = create(editor, world.provider, theme).json()["id"]
    body = {"name": "数值", "name_en": "value", "data_type": "integer", "grade": "L1"}
    editor.post(f"/api/v1/resources/{pk}/fields/", body, format="json")
    response = editor.post(
        f"/api/v1/resources/{pk}/distributions/",
        {"file": SimpleUploadedFile(name, data)},
        format="multipart",
    )
    assert response.status_code == status
    if status == 400:
        assert any("row 3, 数值" in line for line in response.json()["file"])
    assert not Distribution.objects.filter(resource_id=pk).exists()


def test_api__oversized_upload_is_413(world, theme, settings):
    settings.UPLOAD_MAX_BYTES = 5
    editor = api(world.users["agency_staff"])
    pk = create(editor, world.provider, theme).json()["id"]
    response = editor.post(
        f"/api/v1/resources/{pk}/distributions/",
        {"file": SimpleUploadedFile("a.csv", CSV)},
        format="multipart",
    )
    assert response.status_code == 413
    assert not Distribution.objects.exists()


def test_api__others_drafts_are_404_and_strangers_403(world, theme):
    editor = api(world.users["agency_staff"])
    pk = create(editor, world.provider, theme).json()["id"]
    other = api(world.users["other_agency_staff"])
    assert other.patch(f"/api/v1/resources/{pk}/", {"title": "x"}, format="json").status_code == 404
    assert create(other, world.provider, theme, code="API-2").status_code == 403
    assert not Resource.objects.filter(code="API-2").exists()
    assert api().post(f"/api/v1/resources/{pk}/submit/").status_code in (401, 403)
    Resource.objects.filter(pk=pk).update(status="published")
    response = other.patch(f"/api/v1/resources/{pk}/", {"title": "x"}, format="json")
    assert response.status_code == 403
    assert Resource.objects.get(pk=pk).title == "道路流量"
