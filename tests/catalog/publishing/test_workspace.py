"""The agency workspace through HTTP: drafting, the data dictionary, uploads, the publishing
workflow, versions, and every refusal (with nothing written)."""

import datetime as dt
import io
import os

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Distribution, DistributionVersion, Resource, ResourceVersion
from catalog.publishing.dictionary import field_remove
from catalog.publishing.resources import resource_create, resource_update
from catalog.quality.services import resource_refresh_quality
from grading.models import AuditEvent, Membership
from portal.actors import SYSTEM
from tests import factories as f

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
GOOD_CSV = "区,数值\n浦东新区,42\n黄浦区,7\n".encode()
GOOD_CSV_V2 = "区,数值\n浦东新区,43\n黄浦区,8\n徐汇区,9\n".encode()


def login(user) -> Client:
    client = Client(**EN)
    client.force_login(user)
    return client


def stored_files() -> set[str]:
    found = set()
    for root, _dirs, files in os.walk(settings.MEDIA_ROOT):
        found.update(os.path.join(root, name) for name in files)
    return found


@pytest.fixture
def theme(db):
    return f.ThemeFactory(code="env")


@pytest.fixture
def editor(world):
    return world.users["agency_staff"]


@pytest.fixture
def reviewer(world):
    user = f.UserFactory(username="reviewer")
    f.membership(user, world.provider, Membership.Role.REVIEWER)
    return user


@pytest.fixture
def draft(world, theme):
    """A draft of the provider with a two-field dictionary (区 text, 数值 integer)."""
    resource = f.ResourceFactory(
        provider=world.provider, theme=theme, status=Resource.Status.DRAFT, tier="open"
    )
    f.FieldFactory(resource=resource, name="区", name_en="district", grade="L1")
    f.FieldFactory(resource=resource, name="数值", name_en="value", data_type="integer", grade="L1")
    return resource


def upload(client, resource, name, data, distribution=None):
    url = f"/workspace/resources/{resource.pk}/files/"
    url += f"{distribution.pk}/" if distribution else "new/"
    return client.post(url, {"title": "数据", "file": SimpleUploadedFile(name, data)})


def test_full_path__draft_upload_submit_return_fix_publish_download_version(
    world, theme, editor, reviewer
):
    ed, rv = login(editor), login(reviewer)
    response = ed.post(
        "/workspace/resources/new/",
        {
            "provider": world.provider.pk,
            "code": "WS-0001",
            "title": "空气质量日报",
            "abstract": "各区空气质量。",
            "theme": theme.pk,
            "format": "CSV",
            "update_cycle": "daily",
            "tier": "open",
            "record_count": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    resource = Resource.objects.get(code="WS-0001")
    assert resource.status == "draft"
    for name, name_en, data_type in [("区", "district", "string"), ("数值", "value", "integer")]:
        response = ed.post(
            f"/workspace/resources/{resource.pk}/fields/new/",
            {"name": name, "name_en": name_en, "data_type": data_type, "grade": "L1"},
        )
        assert response.status_code == 302
    assert upload(ed, resource, "air.csv", GOOD_CSV).status_code == 302
    distribution = resource.distributions.get()
    assert distribution.sha256 and distribution.byte_size == len(GOOD_CSV)
    assert ed.post(f"/workspace/resources/{resource.pk}/submit/").status_code == 302

    response = rv.post(f"/workspace/resources/{resource.pk}/return/", {"reason": "摘要太短"})
    assert response.status_code == 302
    resource.refresh_from_db()
    assert (resource.status, resource.status_reason) == ("draft", "摘要太短")
    assert "摘要太短" in ed.get(f"/workspace/resources/{resource.pk}/").content.decode()

    data = {
        "title": "空气质量日报",
        "abstract": "全市各区每日空气质量指数。",
        "theme": theme.pk,
        "format": "CSV",
        "update_cycle": "daily",
        "tier": "open",
        "record_count": 2,
    }
    assert ed.post(f"/workspace/resources/{resource.pk}/edit/", data).status_code == 302
    assert ed.post(f"/workspace/resources/{resource.pk}/submit/").status_code == 302
    assert rv.post(f"/workspace/resources/{resource.pk}/publish/").status_code == 302
    resource.refresh_from_db()
    assert resource.status == "published"
    assert resource.row_table.row_count == 2

    citizen = login(world.users["citizen"])
    page = citizen.get(f"/resources/{resource.pk}/").content.decode()
    assert "全市各区每日空气质量指数。" in page
    download = f"/resources/{resource.pk}/distributions/{distribution.pk}/download/"
    assert b"".join(citizen.get(download).streaming_content) == GOOD_CSV

    assert upload(ed, resource, "air-v2.csv", GOOD_CSV_V2, distribution).status_code == 302
    distribution.refresh_from_db()
    assert distribution.version == 2
    assert b"".join(citizen.get(download).streaming_content) == GOOD_CSV_V2
    old = f"/resources/{resource.pk}/distributions/{distribution.pk}/versions/1/download/"
    assert b"".join(Client().get(old).streaming_content) == GOOD_CSV
    resource.refresh_from_db()
    assert resource.row_table.row_count == 3  # the newest CSV feeds the row API

    page = citizen.get(f"/resources/{resource.pk}/").content.decode()
    assert "Version history" in page and "File uploaded" in page
    assert "version 1" in page and "/versions/1/download/" in page
    actions = list(
        AuditEvent.objects.filter(object_id=str(resource.pk)).values_list("action", flat=True)
    )
    for action in ("resource.submit", "resource.return", "resource.publish"):
        assert action in actions


def test_history__metadata_diff_and_grade_changes_hidden_from_the_public(
    world, draft, editor, reviewer
):
    draft.status = "published"
    draft.tier = "conditional"
    draft.save()
    ed = login(editor)
    field = draft.fields.get(name_en="value")
    response = ed.post(
        f"/workspace/resources/{draft.pk}/fields/{field.pk}/",
        {"name": "数值", "name_en": "value", "data_type": "integer", "grade": "L2"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.grade == "L2"
    data = {
        "title": "新标题",
        "abstract": draft.abstract,
        "theme": draft.theme_id,
        "format": "CSV",
        "update_cycle": "monthly",
        "tier": "conditional",
        "record_count": 0,
    }
    assert ed.post(f"/workspace/resources/{draft.pk}/edit/", data).status_code == 302
    versions = list(ResourceVersion.objects.filter(resource=draft).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert {"part": "metadata", "name": "title"}.items() <= versions[1].changes[0].items()
    assert versions[1].changes[0]["after"] == "新标题"
    assert versions[1].actor == editor

    public = Client(**EN).get(f"/resources/{draft.pk}/").content.decode()
    assert "新标题" in public and "value.grade" not in public
    assert editor.username not in public
    staff = ed.get(f"/resources/{draft.pk}/").content.decode()
    assert "value.grade" in staff


def test_gbk_csv_is_accepted(draft, editor):
    data = "区,数值\n浦东新区,42\n".encode("gbk")
    assert upload(login(editor), draft, "gbk.csv", data).status_code == 302
    assert draft.distributions.get().sha256


def test_xlsx_is_validated_and_accepted(draft, editor):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["区", "数值"])
    sheet.append(["浦东新区", 42])
    out = io.BytesIO()
    book.save(out)
    response = upload(login(editor), draft, "t.xlsx", out.getvalue())
    assert response.status_code == 302
    assert draft.distributions.get().format == "XLSX"


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


BAD_UPLOADS = {
    # Latin-1 "café" before a comma: neither UTF-8 nor GB18030.
    "wrong_encoding": (
        "latin.csv",
        "区,数值\n".encode() + "café,1\n".encode("latin-1"),
        400,
        "encoding",
    ),
    "truncated_xlsx": ("t.xlsx", None, 400, "damaged or incomplete"),
    "png_named_csv": ("img.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, 415, "does not match"),
    "not_allowed_format": ("run.exe", b"MZ\x90\x00", 415, "not accepted"),
    "fails_dictionary": ("bad.csv", "区,数值\n浦东,1\n黄浦,七\n".encode(), 400, "not an integer"),
    "missing_column": ("bad.csv", "区\n浦东\n".encode(), 400, "has no column"),
    "undeclared_column": (
        "extra.csv",
        "区,数值,身份证号\n浦东,1,310101199001010000\n".encode(),
        400,
        "is not in the data dictionary",
    ),
}


@pytest.mark.parametrize("case", BAD_UPLOADS)
def test_upload__bad_file_is_refused_and_nothing_is_written(case, draft, editor):
    name, data, status, message = BAD_UPLOADS[case]
    if data is None:
        data = xlsx_bytes()[:-200]
    before_files, before_events = stored_files(), AuditEvent.objects.count()
    response = upload(login(editor), draft, name, data)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not Distribution.objects.filter(resource=draft).exists()
    assert stored_files() == before_files
    assert AuditEvent.objects.count() == before_events


def test_upload__failing_rows_are_listed_by_row_and_field(draft, editor):
    data = "区,数值\n浦东,1\n黄浦,七\n徐汇,8.5\n".encode()
    page = upload(login(editor), draft, "bad.csv", data).content.decode()
    assert "Errors in the file" in page
    assert "<td>3</td><td>数值</td>" in page and "<td>4</td><td>数值</td>" in page


def test_upload__oversized_file_is_413_and_nothing_written(draft, editor, settings):
    settings.UPLOAD_MAX_BYTES = 10
    before = stored_files()
    response = upload(login(editor), draft, "big.csv", GOOD_CSV)
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert not Distribution.objects.exists() and stored_files() == before


def test_upload__new_version_refused_keeps_the_old_file(draft, editor):
    ed = login(editor)
    assert upload(ed, draft, "a.csv", GOOD_CSV).status_code == 302
    distribution = draft.distributions.get()
    before = stored_files()
    response = upload(ed, draft, "b.csv", "区,数值\nx,y\n".encode(), distribution)
    assert response.status_code == 400
    distribution.refresh_from_db()
    assert distribution.version == 1 and not DistributionVersion.objects.exists()
    assert stored_files() == before


def test_ceiling_breaking_grade_change_is_refused_with_the_rule(draft, editor):
    field = draft.fields.get(name_en="value")
    response = login(editor).post(
        f"/workspace/resources/{draft.pk}/fields/{field.pk}/",
        {"name": "数值", "name_en": "value", "data_type": "integer", "grade": "L3"},
    )
    assert response.status_code == 400
    assert "Grade ceiling" in response.content.decode()
    field.refresh_from_db()
    draft.refresh_from_db()
    assert (field.grade, draft.grade) == ("L1", "L1")


def test_ceiling_breaking_tier_is_refused(draft, editor):
    draft.fields.filter(name_en="value").update(grade="L2")
    Resource.objects.filter(pk=draft.pk).update(grade="L2", tier="conditional")
    data = {
        "title": "t",
        "abstract": "a",
        "theme": draft.theme_id,
        "format": "CSV",
        "update_cycle": "monthly",
        "tier": "open",
        "record_count": 0,
    }
    response = login(editor).post(f"/workspace/resources/{draft.pk}/edit/", data)
    assert response.status_code == 400 and "Grade ceiling" in response.content.decode()
    draft.refresh_from_db()
    assert draft.tier == "conditional"


def test_double_submission_is_409(draft, editor):
    ed = login(editor)
    assert ed.post(f"/workspace/resources/{draft.pk}/submit/").status_code == 302
    response = ed.post(f"/workspace/resources/{draft.pk}/submit/")
    assert response.status_code == 409
    assert "Not possible in the current state (Submitted)" in response.content.decode()


def test_publishing_a_draft_is_409(draft, reviewer):
    response = login(reviewer).post(f"/workspace/resources/{draft.pk}/publish/")
    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_return_without_reason_is_400(draft, editor, reviewer):
    login(editor).post(f"/workspace/resources/{draft.pk}/submit/")
    response = login(reviewer).post(f"/workspace/resources/{draft.pk}/return/", {"reason": ""})
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.status == "submitted"


def test_withdraw_keeps_a_version_and_hides_the_entry(draft, reviewer):
    Resource.objects.filter(pk=draft.pk).update(status="published")
    response = login(reviewer).post(
        f"/workspace/resources/{draft.pk}/withdraw/", {"reason": "数据停止更新"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "withdrawn"
    assert draft.versions.get().changes[0]["after"] == "withdrawn"
    assert Client().get(f"/resources/{draft.pk}/").status_code == 404


def test_editor_may_not_publish_and_is_told_why(draft, editor):
    Resource.objects.filter(pk=draft.pk).update(status="submitted")
    response = login(editor).post(f"/workspace/resources/{draft.pk}/publish/")
    assert response.status_code == 403
    assert "reviewer role" in response.content.decode()


def test_other_agency__draft_is_404_published_is_403(world, draft):
    other = login(world.users["other_agency_staff"])
    assert other.get(f"/workspace/resources/{draft.pk}/").status_code == 404
    assert upload(other, draft, "a.csv", GOOD_CSV).status_code == 404
    Resource.objects.filter(pk=draft.pk).update(status="published")
    response = other.get(f"/workspace/resources/{draft.pk}/")
    assert response.status_code == 403
    assert "editor role" in response.content.decode()
    assert upload(other, draft, "a.csv", GOOD_CSV).status_code == 403
    assert not Distribution.objects.exists()


def test_workspace_home__citizen_403_anonymous_to_login(world):
    response = login(world.users["citizen"]).get("/workspace/")
    assert response.status_code == 403
    assert "workspace is for editors and reviewers" in response.content.decode()
    assert Client().get("/workspace/").status_code == 302


def test_workspace_home__lists_by_state_with_pages_and_nav_link(world, theme, editor, settings):
    settings.WORKSPACE_PAGE_SIZE = 2
    for _ in range(3):
        f.ResourceFactory(provider=world.provider, theme=theme, status="draft")
    f.ResourceFactory(provider=world.other_agency, theme=theme, status="draft", title="别家草稿")
    ed = login(editor)
    page = ed.get("/workspace/").content.decode()
    assert "Draft (3)" in page and "Page 1 of 2" in page and "别家草稿" not in page
    assert 'href="/workspace/"' in page
    assert ed.get("/workspace/?state=draft&page=2").status_code == 200
    assert ed.get("/workspace/?state=nonsense").status_code == 400
    assert 'href="/workspace/"' not in login(world.users["citizen"]).get("/").content.decode()


def test_workspace_home__query_count_does_not_grow_with_page_size(world, theme, editor, settings):
    for _ in range(30):
        f.ResourceFactory(provider=world.provider, theme=theme, status="submitted")
    ed = login(editor)
    ed.get("/workspace/?state=submitted")  # warm the session
    counts = []
    for size in (5, 25):
        settings.WORKSPACE_PAGE_SIZE = size
        with CaptureQueriesContext(connection) as ctx:
            assert ed.get("/workspace/?state=submitted").status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_old_version_download_follows_the_policy(world, make_resource):
    resource = make_resource("conditional_L1")
    distribution = resource.distributions.get()
    DistributionVersion.objects.create(
        distribution=distribution,
        number=1,
        file=distribution.file.name,
        format="CSV",
        created_at=timezone.now(),
    )
    url = f"/resources/{resource.pk}/distributions/{distribution.pk}/versions/1/download/"
    assert Client().get(url).status_code == 403
    assert login(world.users["grantee"]).get(url).status_code == 200
    assert Client().get(url.replace("/1/", "/9/")).status_code == 404


def test_submitted_entry_is_frozen_for_editors_but_not_platform_admins(world, draft, editor):
    Resource.objects.filter(pk=draft.pk).update(status="submitted")
    field = draft.fields.get(name_en="value")
    body = {"name": "数值", "name_en": "value", "data_type": "integer", "grade": "L1"}
    body["description"] = "改"
    response = login(editor).post(f"/workspace/resources/{draft.pk}/fields/{field.pk}/", body)
    assert response.status_code == 409
    assert upload(login(editor), draft, "a.csv", GOOD_CSV).status_code == 409
    field.refresh_from_db()
    assert field.description == "" and not Distribution.objects.exists()
    admin = world.users["platform_admin"]
    resource_update(actor=admin, resource=draft, data={"title": "平台更正"})
    draft.refresh_from_db()
    assert draft.title == "平台更正"


def test_file_graded_above_the_entry_stays_with_the_agency(world, theme, editor):
    resource = f.ResourceFactory(
        provider=world.provider, theme=theme, status="published", tier="conditional", grade="L2"
    )
    f.FieldFactory(resource=resource, name="区", name_en="district", grade="L1")
    age = f.FieldFactory(resource=resource, name="年龄", name_en="age", grade="L2")
    ed = login(editor)
    assert upload(ed, resource, "p.csv", "区,年龄\n浦东,30\n".encode()).status_code == 302
    distribution = resource.distributions.get()
    assert distribution.content_grade == "L2"
    # Opening published data further is a reviewer's decision; an operator stands in here.
    field_remove(actor=SYSTEM, field=age)
    resource_update(actor=SYSTEM, resource=resource, data={"tier": "open"})
    resource.refresh_from_db()
    assert (resource.grade, resource.tier) == ("L1", "open")
    url = f"/resources/{resource.pk}/distributions/{distribution.pk}/download/"
    response = Client(**EN).get(url)
    assert response.status_code == 403
    assert "only the providing agency" in response.content.decode()
    assert ed.get(url).status_code == 200
    page = Client(**EN).get(f"/resources/{resource.pk}/").content.decode()
    assert f'href="{url}"' not in page
    assert f'href="{url}"' in ed.get(f"/resources/{resource.pk}/").content.decode()


def test_workspace_home__reviewers_start_at_the_review_queue(world, theme, reviewer):
    f.ResourceFactory(provider=world.provider, theme=theme, status="submitted", title="待审条目")
    page = login(reviewer).get("/workspace/").content.decode()
    assert "待审条目" in page and 'aria-current="page" class="current">Submitted' in page


def test_links__api_added_and_bad_url_refused(draft, editor):
    ed = login(editor)
    url = f"/workspace/resources/{draft.pk}/links/new/"
    bad = ed.post(url, {"title": "接口", "kind": "api", "url": "not a url", "fmt": "JSON"})
    assert bad.status_code == 400 and not draft.distributions.exists()
    good = {"title": "接口", "kind": "api", "url": "https://api.example.gov.cn/air", "fmt": "JSON"}
    assert ed.post(url, good).status_code == 302
    assert draft.distributions.get().url == "https://api.example.gov.cn/air"


def test_field_removal_lowers_the_grade(draft, editor):
    field = draft.fields.get(name_en="value")
    Resource.objects.filter(pk=draft.pk).update(grade="L2", tier="conditional")
    draft.fields.filter(pk=field.pk).update(grade="L2")
    url = f"/workspace/resources/{draft.pk}/fields/{field.pk}/remove/"
    assert login(editor).post(url).status_code == 302
    draft.refresh_from_db()
    assert draft.grade == "L1" and not draft.fields.filter(pk=field.pk).exists()


def test_new_entry__duplicate_code_and_foreign_agency_are_refused(world, theme, draft, editor):
    body = {
        "provider": world.provider.pk,
        "code": draft.code,
        "title": "重复",
        "abstract": "摘要",
        "theme": theme.pk,
        "format": "CSV",
        "update_cycle": "daily",
        "tier": "open",
        "record_count": 0,
    }
    ed = login(editor)
    response = ed.post("/workspace/resources/new/", body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "This code is already in use; choose another." in response.content.decode()
    body.update(code="NEW-1", provider=world.other_agency.pk)
    assert ed.post("/workspace/resources/new/", body).status_code == 400
    assert not Resource.objects.filter(code="NEW-1").exists()


def test_home__links_the_agency_tools_the_policy_allows(client, world):
    client.force_login(world.users["agency_staff"])
    page = client.get(reverse("workspace:home")).content.decode()
    for name in ("quality:import", "quality:dashboard", "grading:feedback-inbox"):
        assert f'href="{reverse(name)}"' in page
    # Platform staff have no workspace, but the header leads them to quality and feedback.
    client.force_login(world.users["platform_admin"])
    header = client.get("/").content.decode()
    assert f'href="{reverse("workspace:home")}"' not in header
    assert f'href="{reverse("quality:dashboard")}"' in header
    assert f'href="{reverse("grading:feedback-inbox")}"' in header
    assert client.get(reverse("quality:dashboard")).status_code == 200
    assert client.get(reverse("grading:feedback-inbox")).status_code == 200


@pytest.fixture
def editor_reviewer(world):
    user = f.UserFactory(username="editor-reviewer")
    f.membership(user, world.provider, Membership.Role.ADMIN)
    return user


def _published(world, theme, tier="restricted", grade="L2"):
    resource = f.ResourceFactory(
        provider=world.provider, theme=theme, status="published", tier=tier, grade=grade
    )
    f.FieldFactory(resource=resource, name="区", name_en="district", grade="L1")
    f.FieldFactory(resource=resource, name="年龄", name_en="age", grade=grade)
    return resource


def test_opening_published_data__editor_alone_is_403_and_nothing_changes(world, theme, editor):
    resource = _published(world, theme)
    before = AuditEvent.objects.count()
    api = login(editor)
    response = api.patch(
        f"/api/v1/resources/{resource.pk}/",
        {"tier": "conditional"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "reviewer's decision" in response.json()["detail"]
    age = resource.fields.get(name_en="age")
    page = api.post(f"/workspace/resources/{resource.pk}/fields/{age.pk}/remove/")
    assert page.status_code == 403
    resource.refresh_from_db()
    assert (resource.tier, resource.grade, resource.fields.count()) == ("restricted", "L2", 2)
    assert AuditEvent.objects.count() == before
    assert anonymous_status(resource) == 404


def anonymous_status(resource) -> int:
    return Client().get(f"/resources/{resource.pk}/").status_code


def test_closing_published_data__any_editor_may(world, theme, editor):
    resource = _published(world, theme, tier="conditional", grade="L2")
    response = login(editor).patch(
        f"/api/v1/resources/{resource.pk}/", {"tier": "restricted"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert anonymous_status(resource) == 404


def test_opening_published_data__a_reviewer_who_edits_may(world, theme, editor_reviewer):
    resource = _published(world, theme, grade="L1")
    response = login(editor_reviewer).patch(
        f"/api/v1/resources/{resource.pk}/", {"tier": "open"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert anonymous_status(resource) == 200
    assert AuditEvent.objects.filter(action="resource.grading").exists()


def test_enterprise_members_cannot_create_catalogue_entries(world, theme):
    member = world.users["operator"]  # ADMIN of an enterprise: editor and reviewer there
    api = login(member)
    body = {
        "provider": world.operator_org.code,
        "theme": theme.code,
        "code": "ENT-1",
        "title": "企业条目",
        "abstract": "企业不持有公共数据目录条目。" * 5,
        "tier": "open",
        "format": "CSV",
        "update_cycle": "monthly",
    }
    response = api.post("/api/v1/resources/", body, content_type="application/json")
    assert response.status_code in (400, 403)
    assert not Resource.objects.filter(code="ENT-1").exists()
    assert api.get("/workspace/").status_code == 403
    with pytest.raises(PermissionDenied):
        resource_create(
            actor=member,
            provider=world.operator_org,
            theme=theme,
            code="ENT-2",
            title="企业条目",
            abstract="x" * 80,
            tier="open",
        )
    assert not Resource.objects.filter(code__startswith="ENT-").exists()


def test_upload__dates_the_data_as_updated_and_clears_the_overdue_flag(world, theme, editor):
    long_ago = timezone.localdate() - dt.timedelta(days=90)
    resource = f.ResourceFactory(
        provider=world.provider,
        theme=theme,
        status="published",
        tier="open",
        update_cycle="monthly",
        modified=long_ago,
    )
    f.FieldFactory(resource=resource, name="区", name_en="district", grade="L1")
    resource_refresh_quality(resource=resource)
    resource.refresh_from_db()
    assert resource.update_due < timezone.localdate()  # overdue before the new data
    assert upload(login(editor), resource, "m.csv", "区\n浦东\n".encode()).status_code == 302
    resource.refresh_from_db()
    assert resource.modified == timezone.localdate()
    assert resource.update_due > timezone.localdate()


def test_history__versions_kept_while_restricted_stay_with_the_agency(
    world, theme, editor, editor_reviewer
):
    resource = _published(world, theme, tier="restricted", grade="L2")
    resource_update(actor=editor, resource=resource, data={"title": "最初的机密标题"})
    resource_update(actor=editor, resource=resource, data={"title": "机密时期标题"})
    resource_update(actor=editor_reviewer, resource=resource, data={"tier": "conditional"})
    resource_update(actor=editor, resource=resource, data={"title": "公开后的标题"})
    assert resource.versions.count() == 4
    # The title the entry was opened with is public; what it was called before is not.
    public = Client(**EN).get(f"/resources/{resource.pk}/").content.decode()
    assert "机密时期标题 → 公开后的标题" in public
    assert "最初的机密标题" not in public
    staff = login(editor).get(f"/resources/{resource.pk}/").content.decode()
    assert "最初的机密标题" in staff
    assert list(resource.versions.values_list("public", flat=True)) == [True, False, False, False]
