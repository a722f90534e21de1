"""Bulk import reports every problem of a row in one upload, naming the valid values, and its
template explains itself (issue 17, item 3)."""

import csv
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from catalog.models import Resource
from catalog.publishing import importer
from tests import factories as f
from tests.catalog.publishing.test_import import csv_bytes, entry, upload, written

pytestmark = pytest.mark.django_db


@pytest.fixture
def theme(db):
    return f.ThemeFactory(code="env", name="生态环境")


def run(world, rows):
    with translation.override("en"):
        return importer.run_import(
            actor=world.users["agency_staff"], organization=world.provider, rows=rows
        )


def test_one_row_with_eight_problems_is_reported_in_one_upload(world, theme):
    bad = entry(
        "",
        title="",
        theme="nope",
        tier="public",
        update_cycle="hourly",
        high_value="maybe",
        fields="a:甲:colour:L9;only:two;:乙:string:L1",
    )
    before = written()
    result = run(world, [{k: str(v) for k, v in bad.items()}])
    assert written() == before and not result.committed
    found = {(e.column, e.message.split(" ")[0]) for e in result.errors}
    columns = [e.column for e in result.errors]
    assert {"code", "title", "theme", "tier", "update_cycle", "high_value"} <= set(columns)
    assert columns.count("fields") == 4, found  # type, grade, malformed item, missing name
    assert len(result.errors) >= 10
    by_column = {e.column: e.message for e in result.errors}
    # An unknown tier is a choice error with the valid values, not a ceiling violation.
    assert "Grade ceiling" not in by_column["tier"]
    assert "open" in by_column["tier"] and "conditional" in by_column["tier"]
    assert "restricted" in by_column["tier"]
    assert "monthly" in by_column["update_cycle"] and "irregular" in by_column["update_cycle"]
    assert "env (生态环境)" in by_column["theme"]
    fields = " ".join(e.message for e in result.errors if e.column == "fields")
    assert "boolean" in fields and "L4" in fields


def test_ceiling_is_told_with_the_other_problems(world, theme):
    row = entry("IMP-1", tier="open", fields="id:证件号:string:L3:", update_cycle="hourly")
    result = run(world, [row])
    columns = sorted(e.column for e in result.errors)
    assert columns == ["tier", "update_cycle"]
    assert "Grade ceiling" in next(e.message for e in result.errors if e.column == "tier")


def test_page_lists_every_problem_of_the_row(client, world, theme):
    client.force_login(world.users["agency_staff"])
    rows = [entry("P-1", tier="public", update_cycle="hourly", theme="nope")]
    data = {"organization": "provider", "file": upload("a.csv", csv_bytes(rows))}
    page = client.post("/workspace/import/", data, HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert page.status_code == 400 and "3 errors; nothing was written." in body
    assert not Resource.objects.exists()


def test_template_key_lists_the_codes_and_the_example_is_skipped(client, world, theme):
    client.force_login(world.users["agency_staff"])
    response = client.get("/workspace/import/template.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["catalogue", "codes"]
    key = [[c.value for c in row] for row in book["codes"].iter_rows()]
    text = "\n".join(" ".join(str(v) for v in row if v) for row in key)
    for expected in (
        "env 生态环境",
        "open",
        "conditional",
        "restricted",
        "L4",
        "monthly",
        "decimal",
        "provider",
        "Rows whose code starts with # are notes",
    ):
        assert expected in text, expected
    example = [c.value for c in book["catalogue"][2]]
    assert example[0].startswith("#")

    csv_text = client.get("/workspace/import/template.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert any(row[1] == "env" for row in rows[2:])
    result = run(world, importer.read_table(name="t.csv", data=csv_text.encode()))
    assert result.errors == [] and result.skipped == len(rows) - 1
    assert not Resource.objects.exists()
