"""Bulk import: the command and the workspace page, every bad input refused with nothing
written, re-imports updating, and the 1,000-row all-or-nothing case."""

import csv
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from catalog.models import Field, Resource
from catalog.publishing import importer
from grading.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

LONG_ABSTRACT = 2 * (
    "本数据集记录全市各监测点位的逐日观测结果，"
    "包含点位编码、名称、观测时间和观测值，供公众查询和研究使用。"
)


@pytest.fixture
def theme(db):
    return f.ThemeFactory(code="env", name="生态环境")


def entry(code: str, **changes) -> dict:
    row = {
        "code": code,
        "title": f"导入数据{code}",
        "title_en": f"Imported {code}",
        "abstract": LONG_ABSTRACT,
        "theme": "env",
        "tier": "open",
        "format": "CSV",
        "update_cycle": "monthly",
        "keywords": "环境,监测",
        "license": "CC BY 4.0",
        "spatial": "上海市",
        "temporal": "2020-01-01至今",
        "open_conditions": "",
        "high_value": "no",
        "fields": "site:点位:string:L1:监测点位编码;value:观测值:decimal:L1:当日均值",
    }
    row.update(changes)
    return row


def csv_bytes(rows: list[dict], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=importer.COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[dict]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(importer.COLUMNS))
    for row in rows:
        sheet.append([row[c] for c in importer.COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def written() -> tuple[int, int, int]:
    return Resource.objects.count(), Field.objects.count(), AuditEvent.objects.count()


def run_command(tmp_path, name: str, data: bytes, org: str = "provider", *args):
    path = tmp_path / name
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_catalog", str(path), "--org", org, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing_command(tmp_path, name: str, data: bytes, org: str = "provider") -> str:
    """Run the command expecting a refusal; the messages (CommandError and stderr)."""
    before = written()
    path = tmp_path / name
    path.write_bytes(data)
    err = io.StringIO()
    with pytest.raises(CommandError) as raised, translation.override("en"):
        call_command("import_catalog", str(path), "--org", org, stdout=io.StringIO(), stderr=err)
    assert written() == before
    return f"{raised.value}\n{err.getvalue()}"


# ---------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------


def test_command__imports_drafts_through_the_services(tmp_path, world, theme):
    rows = [entry("IMP-1", high_value="yes"), entry("IMP-2", tier="conditional")]
    out, _err = run_command(tmp_path, "entries.csv", csv_bytes(rows))
    assert "2 rows imported: 2 new, 0 updated" in out
    assert "validated 2/2" in out
    first = Resource.objects.get(code="IMP-1")
    assert first.provider == world.provider and first.status == Resource.Status.DRAFT
    assert first.high_value is True and first.theme == theme
    assert [(x.name_en, x.data_type, x.description) for x in first.fields.all()] == [
        ("site", "string", "监测点位编码"),
        ("value", "decimal", "当日均值"),
    ]
    # Scored by the services: no distribution yet; the conditional one states no conditions.
    assert first.quality_missing == ["distributions"] and first.quality_score == 80
    second = Resource.objects.get(code="IMP-2")
    assert second.quality_missing == ["distributions", "conditions"]


def test_command__reimport_updates_and_keeps_the_state(tmp_path, world, theme):
    run_command(tmp_path, "a.csv", csv_bytes([entry("IMP-1"), entry("IMP-2")]))
    Resource.objects.filter(code="IMP-1").update(status=Resource.Status.PUBLISHED)
    changed = [
        entry("IMP-1", title="新标题", fields="site:点位:string:L1:编码"),
        entry("IMP-2"),
        entry("IMP-3"),
    ]
    out, _err = run_command(tmp_path, "b.csv", csv_bytes(changed))
    assert "1 new, 2 updated" in out
    assert Resource.objects.filter(provider=world.provider).count() == 3
    updated = Resource.objects.get(code="IMP-1")
    assert updated.title == "新标题" and updated.status == Resource.Status.PUBLISHED
    assert list(updated.fields.values_list("name_en", flat=True)) == ["site"]


def csv_without(rows: list[dict], *dropped: str) -> bytes:
    """``rows`` as CSV whose header leaves out the ``dropped`` columns."""
    columns = [c for c in importer.COLUMNS if c not in dropped]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def test_command__reimport_without_the_high_value_column_keeps_the_flag(tmp_path, world, theme):
    run_command(tmp_path, "a.csv", csv_bytes([entry("IMP-1", high_value="yes")]))
    assert Resource.objects.get(code="IMP-1").high_value is True
    rows = [entry("IMP-1", title="新标题"), entry("IMP-2")]
    out, _err = run_command(tmp_path, "b.csv", csv_without(rows, "high_value"))
    assert "1 new, 1 updated" in out
    kept = Resource.objects.get(code="IMP-1")
    assert kept.title == "新标题" and kept.high_value is True
    assert Resource.objects.get(code="IMP-2").high_value is False  # a new entry: the default


def test_command__blank_high_value_cell_in_the_column_means_no(tmp_path, world, theme):
    run_command(tmp_path, "a.csv", csv_bytes([entry("IMP-1", high_value="yes")]))
    run_command(tmp_path, "b.csv", csv_bytes([entry("IMP-1", high_value="")]))
    assert Resource.objects.get(code="IMP-1").high_value is False


def test_command__dry_run_writes_nothing(tmp_path, world, theme):
    before = written()
    out, _err = run_command(tmp_path, "a.csv", csv_bytes([entry("IMP-1")]), "provider", "--dry-run")
    assert "dry run, nothing written" in out
    assert written() == before


def test_command__gbk_file_and_xlsx_file_are_read(tmp_path, world, theme):
    run_command(tmp_path, "gbk.csv", csv_bytes([entry("IMP-GBK")], encoding="gbk"))
    assert Resource.objects.get(code="IMP-GBK").title == "导入数据IMP-GBK"
    run_command(tmp_path, "book.xlsx", xlsx_bytes([entry("IMP-X")]))
    assert Resource.objects.get(code="IMP-X").abstract == LONG_ABSTRACT


def test_command__unknown_organization(tmp_path, world):
    with pytest.raises(CommandError, match="No organization"):
        run_command(tmp_path, "a.csv", csv_bytes([entry("IMP-1")]), "nobody")


def test_command__1000_rows_one_bad_then_fixed(tmp_path, world, theme):
    rows = [entry(f"BULK-{i:05d}") for i in range(1000)]
    rows[736] = entry("BULK-00736", tier="open", fields="age:年龄:integer:L2:")
    message = failing_command(tmp_path, "bulk.csv", csv_bytes(rows))
    # Header is row 1, so entry 736 (0-based) is row 738.
    assert "row 738, tier:" in message and "1 error(s)" in message
    assert not Resource.objects.filter(code__startswith="BULK-").exists()

    rows[736] = entry("BULK-00736")
    out, _err = run_command(tmp_path, "bulk.csv", csv_bytes(rows))
    assert "1000 rows imported: 1000 new" in out
    assert (
        Resource.objects.filter(code__startswith="BULK-", provider=world.provider).count() == 1000
    )
    assert Field.objects.filter(resource__code__startswith="BULK-").count() == 2000


# ---------------------------------------------------------------------------------------------
# Bad input: a clear message each, nothing written
# ---------------------------------------------------------------------------------------------


def test_bad__wrong_encoding(tmp_path, world, theme):
    data = csv_bytes([entry("IMP-1")]) + b"IMP-2,\xff\xfe bad bytes\n"
    assert "neither UTF-8 nor GB18030" in failing_command(tmp_path, "a.csv", data)


def test_bad__truncated_xlsx(tmp_path, world, theme):
    data = xlsx_bytes([entry("IMP-1")])
    message = failing_command(tmp_path, "a.xlsx", data[: len(data) // 2])
    assert "damaged, truncated or not an XLSX" in message


def damaged_xlsx(member: str, keep: float = 0.5) -> bytes:
    """A valid zip of an XLSX workbook whose part ``member`` is cut to ``keep`` of its XML."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([entry("IMP-1")])))
    assert member in source.namelist()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        for name in source.namelist():
            part = source.read(name)
            damaged.writestr(name, part[: int(len(part) * keep)] if name == member else part)
    return out.getvalue()


DAMAGED_PARTS = [
    ("xl/worksheets/sheet1.xml", 0.5),  # xml.etree.ElementTree.ParseError
    ("xl/worksheets/sheet1.xml", 0),
    ("xl/workbook.xml", 0.5),  # lxml.etree.XMLSyntaxError
    ("xl/styles.xml", 0.5),
    ("xl/_rels/workbook.xml.rels", 0.5),
    ("[Content_Types].xml", 0.5),
    ("docProps/core.xml", 0),
]


@pytest.mark.parametrize(("member", "keep"), DAMAGED_PARTS)
def test_bad__xlsx_with_a_truncated_xml_part(tmp_path, world, theme, member, keep):
    """A well-formed zip whose sheet or workbook XML is cut short is refused as unreadable
    (CommandError, nothing written), not a traceback."""
    message = failing_command(tmp_path, "a.xlsx", damaged_xlsx(member, keep))
    assert "The XLSX file cannot be read: it is damaged, truncated" in message


def test_bad__binary_file_named_csv(tmp_path, world, theme):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
    assert "not a CSV text file" in failing_command(tmp_path, "a.csv", png)


def test_bad__text_that_is_not_the_template(tmp_path, world, theme):
    message = failing_command(tmp_path, "a.csv", "姓名,电话\n张三,123\n".encode())
    assert "header row does not follow the template" in message and "code" in message


def test_bad__other_file_kind(tmp_path, world, theme):
    assert "Upload a .csv or .xlsx" in failing_command(tmp_path, "a.pdf", b"%PDF-1.7\n")


def test_bad__oversize(tmp_path, world, theme, settings):
    settings.IMPORT_MAX_BYTES = 2 * 2**20
    data = csv_bytes([entry("IMP-1", abstract="长" * (2 * 2**20))])
    assert "larger than 2 MB" in failing_command(tmp_path, "a.csv", data)


def test_bad__empty_and_header_only(tmp_path, world, theme):
    assert "empty" in failing_command(tmp_path, "a.csv", b"")
    header_only = ",".join(importer.COLUMNS).encode() + b"\n"
    assert "no entries" in failing_command(tmp_path, "a.csv", header_only)


def test_bad__duplicate_codes_in_the_file(tmp_path, world, theme):
    rows = [entry("IMP-1"), entry("IMP-2"), entry("IMP-1")]
    message = failing_command(tmp_path, "a.csv", csv_bytes(rows))
    assert "row 4, code: Code “IMP-1” repeats row 2." in message


def test_bad__unknown_theme_tier_cycle_and_fields(tmp_path, world, theme):
    rows = [
        entry("IMP-1", theme="nope"),
        entry("IMP-2", tier="public"),
        entry("IMP-3", update_cycle="hourly"),
        entry("IMP-4", fields="only:two"),
        entry("IMP-5", fields="x:字段:colour:L1"),
        entry("IMP-6", high_value="maybe"),
        entry("IMP-7", title=""),
    ]
    message = failing_command(tmp_path, "a.csv", csv_bytes(rows))
    assert "row 2, theme: Unknown theme code “nope”." in message
    assert "row 3, tier:" in message and "public" in message
    assert "row 4, update_cycle:" in message
    assert "row 5, fields: “only:two” is not name_en:name:type:grade" in message
    assert "row 6, fields: data_type:" in message
    assert "row 7, high_value: Write yes or no." in message
    assert "row 8, title:" in message
    assert "7 error(s)" in message


def test_bad__grade_ceiling_names_row_and_rule(tmp_path, world, theme):
    rows = [entry("IMP-1"), entry("IMP-2", tier="conditional", fields="id:证件号:string:L4:")]
    message = failing_command(tmp_path, "a.csv", csv_bytes(rows))
    assert "row 3, tier: Grade ceiling: data of security grade L4" in message


@pytest.mark.parametrize(
    "held",
    [
        {"status": Resource.Status.PUBLISHED, "tier": "open", "grade": "L1"},
        {"status": Resource.Status.DRAFT, "tier": "restricted", "grade": "L4"},
    ],
    ids=["published", "restricted-draft"],
)
def test_bad__code_of_another_organization(tmp_path, world, theme, held):
    """Codes are unique across the catalogue; the refusal says the code is taken without
    revealing that another agency holds it (it may be a draft or a restricted entry)."""
    f.ResourceFactory(code="TAKEN-1", provider=world.other_agency, **held)
    message = failing_command(tmp_path, "a.csv", csv_bytes([entry("TAKEN-1")]))
    assert "row 2, code: Code “TAKEN-1” is already in use; choose another." in message
    for revealing in ("organization", "agency", world.other_agency.code, world.other_agency.name):
        assert revealing not in message
    assert Resource.objects.get(code="TAKEN-1").provider == world.other_agency


def test_page__code_of_another_organization_is_a_neutral_row_error(client, world, theme):
    f.ResourceFactory(
        code="TAKEN-1", provider=world.other_agency, status=Resource.Status.DRAFT, tier="restricted"
    )
    client.force_login(world.users["agency_staff"])
    before = written()
    data = {"organization": "provider", "file": upload("a.csv", csv_bytes([entry("TAKEN-1")]))}
    response = client.post(IMPORT_URL, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "<td>2</td><td>code</td><td>Code “TAKEN-1” is already in use; choose another.</td>" in page
    )
    assert "another organization" not in page and world.other_agency.name not in page
    assert written() == before


def test_bad__ceiling_on_update_of_an_existing_entry(tmp_path, world, theme):
    run_command(tmp_path, "a.csv", csv_bytes([entry("IMP-1")]))
    before = Resource.objects.get(code="IMP-1")
    rows = [entry("IMP-1", fields="age:年龄:integer:L2:年龄")]
    assert "row 2, tier: Grade ceiling" in failing_command(tmp_path, "b.csv", csv_bytes(rows))
    after = Resource.objects.get(code="IMP-1")
    assert (after.grade, after.tier) == (before.grade, before.tier) == ("L1", "open")
    assert list(after.fields.values_list("name_en", flat=True)) == ["site", "value"]


# ---------------------------------------------------------------------------------------------
# The workspace page
# ---------------------------------------------------------------------------------------------

IMPORT_URL = "/workspace/import/"


def upload(name: str, data: bytes):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def ndjson(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return [json.loads(line) for line in body.splitlines() if line]


def test_page__access(client, world):
    assert reverse("quality:import") == IMPORT_URL
    response = client.get(IMPORT_URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for kind in ("citizen", "operator", "auditor", "grantee"):
        client.force_login(world.users[kind])
        assert client.get(IMPORT_URL).status_code == 403, kind
    client.force_login(world.users["agency_staff"])
    response = client.get(IMPORT_URL)
    assert response.status_code == 200
    choices = [code for code, _label in response.context["form"].fields["organization"].choices]
    assert [str(c) for c in choices] == ["provider"]


def test_page__editor_cannot_import_for_another_agency(client, world, theme):
    client.force_login(world.users["agency_staff"])
    before = written()
    data = {"organization": "other-agency", "file": upload("a.csv", csv_bytes([entry("X-1")]))}
    response = client.post(IMPORT_URL, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert written() == before


def test_page__form_post_shows_the_outcome(client, world, theme):
    client.force_login(world.users["agency_staff"])
    data = {"organization": "provider", "file": upload("a.csv", csv_bytes([entry("P-1")]))}
    response = client.post(IMPORT_URL, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "1 rows imported: 1 new, 0 updated." in response.content.decode()
    resource = Resource.objects.get(code="P-1")
    assert resource.status == Resource.Status.DRAFT
    # The import is audited like any other write through the services? Creation is not a
    # grading change, so the chain only grows for tier/grade changes; the entry exists.
    assert resource.provider == world.provider


def test_page__form_post_lists_row_errors(client, world, theme):
    client.force_login(world.users["agency_staff"])
    rows = [entry("P-1"), entry("P-2", theme="nope")]
    before = written()
    data = {"organization": "provider", "file": upload("a.csv", csv_bytes(rows))}
    response = client.post(IMPORT_URL, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    page = response.content.decode()
    assert "1 error; nothing was written." in page
    assert (
        "<td>3</td><td>theme</td><td>Unknown theme code “nope”. Valid values: env (生态环境).</td>"
        in page
    )
    assert written() == before


def test_page__bad_file_is_400_with_the_reason(client, world, theme):
    client.force_login(world.users["agency_staff"])
    data = {"organization": "provider", "file": upload("a.xlsx", b"PK\x03\x04 truncated")}
    response = client.post(IMPORT_URL, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "damaged, truncated or not an XLSX" in response.content.decode()
    stream = client.post(
        IMPORT_URL,
        {"organization": "provider", "file": upload("a.xlsx", b"PK\x03\x04")},
        HTTP_ACCEPT="application/x-ndjson",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert stream.status_code == 400
    assert json.loads(stream.content)["event"] == "refused"


@pytest.mark.parametrize(("member", "keep"), DAMAGED_PARTS)
def test_page__xlsx_with_a_truncated_xml_part_is_400(client, world, theme, member, keep):
    client.force_login(world.users["agency_staff"])
    before = written()
    data = {"organization": "provider", "file": upload("a.xlsx", damaged_xlsx(member, keep))}
    response = client.post(IMPORT_URL, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "damaged, truncated or not an XLSX" in response.content.decode()
    stream = client.post(
        IMPORT_URL,
        {"organization": "provider", "file": upload("a.xlsx", damaged_xlsx(member, keep))},
        HTTP_ACCEPT="application/x-ndjson",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert stream.status_code == 400
    assert json.loads(stream.content)["event"] == "refused"
    assert written() == before


def test_page__ndjson_progress_then_commit(client, world, theme):
    client.force_login(world.users["agency_staff"])
    rows = [entry(f"S-{i:03d}") for i in range(250)]
    data = {"organization": "provider", "file": upload("a.csv", csv_bytes(rows))}
    response = client.post(IMPORT_URL, data, HTTP_ACCEPT="application/x-ndjson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    events = ndjson(response)
    assert events[0] == {"event": "start", "total": 250}
    progress = [e["done"] for e in events if e["event"] == "progress"]
    assert progress == sorted(progress) and progress[-1] == 250 and len(progress) <= 101
    assert events[-1]["event"] == "done" and events[-1]["committed"] is True
    assert events[-1]["created"] == 250 and events[-1]["errors"] == []
    assert Resource.objects.filter(code__startswith="S-").count() == 250


def test_page__ndjson_with_an_error_rolls_back(client, world, theme):
    client.force_login(world.users["agency_staff"])
    rows = [entry("S-1"), entry("S-2", tier="open", fields="a:甲:string:L3:")]
    data = {"organization": "provider", "file": upload("a.csv", csv_bytes(rows))}
    before = written()
    events = ndjson(client.post(IMPORT_URL, data, HTTP_ACCEPT="application/x-ndjson"))
    done = events[-1]
    assert done["committed"] is False
    assert [(e["row"], e["column"]) for e in done["errors"]] == [(3, "tier")]
    assert written() == before


def test_page__dry_run(client, world, theme):
    client.force_login(world.users["agency_staff"])
    data = {
        "organization": "provider",
        "file": upload("a.csv", csv_bytes([entry("D-1")])),
        "dry_run": "on",
    }
    response = client.post(IMPORT_URL, data, HTTP_ACCEPT_LANGUAGE="en")
    assert "Dry run: all 1 rows are valid; nothing was written." in response.content.decode()
    assert not Resource.objects.filter(code="D-1").exists()


def test_page__loads_its_script_under_the_csp(client, world):
    client.force_login(world.users["agency_staff"])
    response = client.get(IMPORT_URL)
    page = response.content.decode()
    assert '<script src="/static/catalog/import.js"></script>' in page
    assert "<progress" in page
    assert "script-src 'self'" in response["Content-Security-Policy"]
    script = client.get("/static/catalog/import.js")
    assert script.status_code == 200


# ---------------------------------------------------------------------------------------------
# The template
# ---------------------------------------------------------------------------------------------


def test_template__csv_and_xlsx_have_the_columns_and_import(client, tmp_path, world):
    f.ThemeFactory(code=importer.EXAMPLE_ROW["theme"])
    response = client.get("/workspace/import/template.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    data = b"".join(response)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(importer.COLUMNS)
    # The example row and the key that follows it are comment rows: the template as it is
    # imports nothing.
    assert all(row[0].startswith("#") for row in rows[1:])
    out, _err = run_command(tmp_path, "template.csv", data)
    assert "0 new, 0 updated" in out and not Resource.objects.exists()
    # The example row, its code unmarked, is a valid entry.
    example = dict(zip(rows[0], rows[1], strict=True)) | {"code": "SH-ENV-AIR-001"}
    run_command(tmp_path, "example.csv", csv_bytes([example]))
    assert Resource.objects.get(code="SH-ENV-AIR-001").high_value is True

    response = client.get("/workspace/import/template.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == list(importer.COLUMNS)
    assert sheet.max_row == 2
    out, _err = run_command(tmp_path, "template.xlsx", response.content)
    assert "0 new, 0 updated" in out


def test_sample_command_writes_an_importable_file(tmp_path, world):
    f.ThemeFactory(code=importer.EXAMPLE_ROW["theme"])
    path = tmp_path / "sample.csv"
    call_command("import_sample", "30", str(path), stdout=io.StringIO())
    out, _err = run_command(tmp_path, "sample.csv", path.read_bytes())
    assert "30 rows imported: 30 new" in out
    assert Resource.objects.filter(code__startswith="SAMPLE-").count() == 30


def test_page__oversize_upload_is_refused(client, world, theme, settings):
    settings.IMPORT_MAX_BYTES = 2**20
    client.force_login(world.users["agency_staff"])
    data = csv_bytes([entry("BIG-1", abstract="长" * 2**20)])
    before = written()
    response = client.post(
        IMPORT_URL,
        {"organization": "provider", "file": upload("a.csv", data)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 413
    assert "The file is larger than 1 MB." in response.content.decode()
    assert written() == before


def test_page__entry_under_review_is_a_row_error_and_nothing_is_written(client, world, theme):
    client.force_login(world.users["agency_staff"])
    f.ResourceFactory(code="P-9", provider=world.provider, status=Resource.Status.SUBMITTED)
    before = written()
    rows = [entry("P-1"), entry("P-9")]
    data = {"organization": "provider", "file": upload("a.csv", csv_bytes(rows))}
    response = client.post(IMPORT_URL, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "The entry with this code is Submitted and cannot be changed now." in (
        response.content.decode()
    )
    assert written() == before
    assert Resource.objects.get(code="P-9").status == Resource.Status.SUBMITTED


def test_command__reimport_of_a_published_entry_keeps_the_dictionary_change_as_a_version(
    tmp_path, world, theme
):
    run_command(tmp_path, "a.csv", csv_bytes([entry("V-1", tier="conditional")]))
    resource = Resource.objects.get(code="V-1")
    Resource.objects.filter(pk=resource.pk).update(status=Resource.Status.PUBLISHED)
    raised = "site:点位:string:L1:监测点位编码;value:观测值:decimal:L2:当日均值"
    rows = [entry("V-1", tier="conditional", fields=raised)]
    run_command(tmp_path, "b.csv", csv_bytes(rows))
    resource.refresh_from_db()
    assert resource.grade == "L2"
    version = resource.versions.get()
    graded = {c["name"]: (c["before"], c["after"]) for c in version.changes if c["graded"]}
    assert graded == {"value.grade": ("L1", "L2")}
    payload = json.loads(AuditEvent.objects.get(action="field.grade").payload)
    assert (payload["field"], payload["before"], payload["after"]) == ("value", "L1", "L2")
