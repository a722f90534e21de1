"""Every write path of the catalogue refuses text holding control characters and addresses
that are not clean http(s) IRIs, with a 400 (or a failed row or entry) naming the field, and
writes nothing: the workspace forms, the write API, products, bulk import and harvest."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from catalog.models import Distribution, HarvestRecord, Product, Resource
from catalog.publishing import importer
from grading.models import Membership
from tests import factories as f

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
BAD_TEXTS = ["空气\x0b质量", "\x01=1+1", "报\x1f告", "C1\x85控制", "DEL\x7f"]
BAD_URLS = [
    'https://data.example.cn/x">',
    "https://data.example.cn/a b",
    "https://data.example.cn/<script>",
    "https://data.example.cn/\x01",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "http://data.example.cn:99999/",
]


def api(user) -> APIClient:
    client = APIClient(**EN)
    client.force_authenticate(user)
    return client


def login(user) -> Client:
    client = Client(**EN)
    client.force_login(user)
    return client


@pytest.fixture
def theme(db):
    return f.ThemeFactory(code="env")


@pytest.fixture
def draft(world, theme):
    return f.ResourceFactory(provider=world.provider, theme=theme, tier="open", title="原标题")


def _resource_body(world, theme, **extra) -> dict:
    return {
        "provider": world.provider.code,
        "code": "API-0001",
        "title": "道路流量",
        "abstract": "主要道路的小时流量。",
        "theme": theme.code,
        "format": "CSV",
        "update_cycle": "daily",
        "tier": "open",
        **extra,
    }


@pytest.mark.parametrize("text", BAD_TEXTS)
@pytest.mark.parametrize("field", ["title", "abstract", "keywords", "license", "open_conditions"])
def test_api_create__control_characters_are_400_naming_the_field(world, theme, field, text):
    response = api(world.users["agency_staff"]).post(
        "/api/v1/resources/", _resource_body(world, theme, **{field: text}), format="json"
    )
    assert response.status_code == 400
    assert "control characters" in response.json()[field][0]
    assert not Resource.objects.exists()


def test_api_update__control_characters_are_400_and_change_nothing(world, draft):
    response = api(world.users["agency_staff"]).patch(
        f"/api/v1/resources/{draft.pk}/", {"title_en": "Air\x0bquality"}, format="json"
    )
    assert response.status_code == 400 and "title_en" in response.json()
    draft.refresh_from_db()
    assert draft.title_en == ""


def test_api_field__control_characters_are_400(world, draft):
    body = {"name": "区\x0c名", "name_en": "district", "data_type": "string", "grade": "L1"}
    response = api(world.users["agency_staff"]).post(
        f"/api/v1/resources/{draft.pk}/fields/", body, format="json"
    )
    assert response.status_code == 400 and "control characters" in response.content.decode()
    assert not draft.fields.exists()


@pytest.mark.parametrize("field", ["title", "abstract", "spatial"])
def test_workspace_edit__control_characters_are_400_naming_the_field(world, draft, field):
    data = {
        "title": "新标题",
        "abstract": "摘要。",
        "theme": draft.theme_id,
        "format": "CSV",
        "update_cycle": "daily",
        "tier": "open",
        "record_count": 0,
        field: "坏\x0b值",
    }
    response = login(world.users["agency_staff"]).post(
        f"/workspace/resources/{draft.pk}/edit/", data
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    draft.refresh_from_db()
    assert draft.title == "原标题"


@pytest.mark.parametrize("url", BAD_URLS)
def test_workspace_link__bad_address_is_400(world, draft, url):
    response = login(world.users["agency_staff"]).post(
        f"/workspace/resources/{draft.pk}/links/new/",
        {"title": "接口", "kind": "api", "url": url, "fmt": "JSON"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Distribution.objects.exists()


def test_workspace_link__control_character_in_title_is_400(world, draft):
    response = login(world.users["agency_staff"]).post(
        f"/workspace/resources/{draft.pk}/links/new/",
        {"title": "接\x0b口", "kind": "link", "url": "https://data.example.cn/x", "fmt": "JSON"},
    )
    assert response.status_code == 400
    assert not Distribution.objects.exists()


def test_workspace_return__control_character_in_reason_is_400(world, draft):
    Resource.objects.filter(pk=draft.pk).update(status=Resource.Status.SUBMITTED)
    reviewer = f.UserFactory(username="reviewer")
    f.membership(reviewer, world.provider, Membership.Role.REVIEWER)
    response = login(reviewer).post(
        f"/workspace/resources/{draft.pk}/return/", {"reason": "摘要\x0b太短"}
    )
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.status == Resource.Status.SUBMITTED and draft.status_reason == ""


@pytest.fixture
def in_scope(make_resource):
    return make_resource("restricted_L2")  # in the operator's agreement


def _product(resource, **extra) -> dict:
    return {
        "provider": "operator",
        "code": "traffic-index",
        "name": "交通拥堵指数服务",
        "product_type": "index",
        "source_resources": [resource.pk],
        "scenarios": ["城市交通治理"],
        "delivery": "api",
        "update_frequency": "daily",
        "purpose": "industry",
        "price_terms": "按年订阅",
        "price": "50000.00",
        **extra,
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "指\x0b数"}, "name"),
        ({"description": "说明\x01"}, "description"),
        ({"scenarios": ["治理", "场\x1f景"]}, "scenarios"),
        ({"price_terms": "按\x0c年"}, "price_terms"),
    ],
)
def test_product_api__control_characters_are_400_naming_the_field(world, in_scope, change, field):
    response = api(world.users["operator"]).post(
        "/api/v1/products/", _product(in_scope, **change), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Product.objects.exists()


def _import(tmp_path, **changes) -> tuple[str, str]:
    row = {**importer.EXAMPLE_ROW, **changes}
    path = tmp_path / "import.csv"
    out = io.StringIO()
    import csv

    writer = csv.writer(out)
    writer.writerow(importer.COLUMNS)
    writer.writerow([row[c] for c in importer.COLUMNS])
    path.write_bytes(out.getvalue().encode("utf-8"))
    stdout, stderr = io.StringIO(), io.StringIO()
    with translation.override("en"):
        try:
            call_command(
                "import_catalog", str(path), "--org", "provider", stdout=stdout, stderr=stderr
            )
        except Exception as exc:  # noqa: BLE001 (the command reports refused rows so)
            return stdout.getvalue(), f"{stderr.getvalue()}\n{exc}"
    return stdout.getvalue(), stderr.getvalue()


@pytest.mark.parametrize("field", ["title", "abstract", "keywords"])
def test_import__control_characters_fail_the_row_naming_the_column(world, tmp_path, field):
    f.ThemeFactory(code=importer.EXAMPLE_ROW["theme"])
    # A real code: the template's example row (code starting with "#") is skipped on import.
    _out, err = _import(tmp_path, **{"code": "T-CTRL-1", field: "坏\x0b值"})
    assert field in err and "control characters" in err
    assert not Resource.objects.exists()


PAGE = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<http://x.example/catalog> a dcat:Catalog ; dcat:dataset <http://x.example/ds/1> .
<http://x.example/ds/1> a dcat:Dataset ; dct:title "{title}"@zh ; dct:identifier "one" ;
    dcat:distribution <http://x.example/ds/1/d> .
<http://x.example/ds/1/d> a dcat:Distribution ; dcat:accessURL "{url}" .
"""


def _harvest(tmp_path, *, title: str, url: str) -> str:
    path = tmp_path / "catalog.ttl"
    path.write_text(PAGE.replace("{title}", title).replace("{url}", url))
    out = io.StringIO()
    with translation.override("en"):
        try:
            call_command("harvest", dcat=[str(path)], org="provider", theme="env", stdout=out)
        except Exception as exc:  # noqa: BLE001 (every entry failing is a CommandError)
            return f"{out.getvalue()}\n{exc}"
    return out.getvalue()


def test_harvest__control_character_title_fails_the_entry_naming_the_field(world, theme, tmp_path):
    text = _harvest(tmp_path, title="空气\\u000B质量", url="https://data.example.cn/x")
    assert "failed 1" in text and "title: Remove the control characters" in text
    assert not Resource.objects.exists() and not HarvestRecord.objects.exists()


def test_harvest__bad_link_address_is_left_out(world, theme, tmp_path):
    text = _harvest(tmp_path, title="空气质量", url='https://data.example.cn/x\\">')
    assert "created 1" in text
    assert Resource.objects.get().title == "空气质量"
    assert not Distribution.objects.exists()


def test_api_create__lone_surrogate_is_400(world, theme):
    body = json.dumps(_resource_body(world, theme), ensure_ascii=True)
    body = body.replace("\\u9053\\u8def", "\\ud800\\u8def")  # "道路" with a lone surrogate
    response = api(world.users["agency_staff"]).post(
        "/api/v1/resources/", body, content_type="application/json"
    )
    assert response.status_code == 400 and "title" in response.json()
    assert not Resource.objects.exists()
