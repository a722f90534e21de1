"""CSV and XLSX exports of a catalogue search: what the caller may see, escaped, streamed."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories as f
from tests.search_index import indexed

pytestmark = pytest.mark.django_db

MALICIOUS = '=HYPERLINK("http://evil.example/","点我")'


def _url(fmt: str) -> str:
    return reverse("catalog:resource-export", args=[fmt])


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs for UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx_rows(response, sheet: int = 0) -> list[list]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in workbook.worksheets[sheet].iter_rows(values_only=True)]


def _rows(response, fmt: str):
    return _csv_rows(response) if fmt == "csv" else _xlsx_rows(response)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("anonymous", {"open_L1", "conditional_L1"}),
        ("agency_staff", {"open_L1", "conditional_L1", "restricted_L4", "draft"}),
        ("other_agency_staff", {"open_L1", "conditional_L1"}),
        ("platform_admin", {"open_L1", "conditional_L1", "restricted_L4", "draft"}),
    ],
)
def test_export__contents_by_kind_of_user(as_user, make_resource, fmt, kind, expected):
    for variant in ("open_L1", "conditional_L1", "restricted_L4"):
        make_resource(variant, code=variant)
    make_resource("open_L1", code="draft", status="draft")
    response = as_user(kind).get(_url(fmt))
    assert response.status_code == 200
    rows = _rows(response, fmt)
    assert {row[0] for row in rows[1:]} == expected
    # The grade column is there only for callers the policy lets see grades.
    grades = kind in ("agency_staff", "other_agency_staff", "platform_admin")
    assert len(rows[0]) == (14 if grades else 13)


def test_export__csv_columns_in_chinese_by_default(client, world, make_resource):
    resource = make_resource(
        "open_L1",
        title_en="Air quality",
        keywords="空气, 监测",
        license="CC BY 4.0",
        format="CSV",
        update_cycle="daily",
    )
    response = client.get(_url("csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="resources-')
    assert response["Content-Disposition"].endswith('.csv"')
    header, row = _csv_rows(response)
    assert header[:3] == ["目录编码", "标题", "英文标题"]
    assert row[0] == resource.code and row[1] == resource.title and row[2] == "Air quality"
    assert row[3] == "提供机构" and row[4] == resource.theme.name
    assert row[5:8] == ["无条件开放", "CSV", "每日"]
    assert row[9] == resource.modified.isoformat()
    assert row[10:12] == ["空气, 监测", "CC BY 4.0"]
    assert row[12] == f"http://testserver/resources/{resource.pk}/"
    assert client.get(row[12]).status_code == 200


def test_export__english_headers_and_names(client, world, make_resource):
    world.provider.name_en = "The Provider"
    world.provider.save()
    make_resource("conditional_L1")
    response = client.get(_url("xlsx"), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].endswith('.xlsx"')
    header, row = _xlsx_rows(response)
    assert header[:6] == ["Catalogue code", "Title", "English title", "Provider", "Theme",
                          "Openness tier"]  # fmt: skip
    assert row[3] == "The Provider" and row[5] == "Conditional"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export__formula_injection_escaped(client, make_resource, fmt):
    make_resource("open_L1", title=MALICIOUS, title_en="+cmd", keywords="@x, -y")
    header, row = _rows(client.get(_url(fmt)), fmt)
    assert row[1] == "'" + MALICIOUS
    assert row[2] == "'+cmd"
    assert row[10] == "'@x, -y"


def test_export__xlsx_cells_are_text_not_formulas(client, make_resource):
    make_resource("open_L1", title=MALICIOUS)
    response = client.get(_url("xlsx"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    assert sheet["B2"].data_type == "s"
    assert sheet["B2"].value == "'" + MALICIOUS
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export__filters_search_and_ordering_respected(client, world, make_resource, fmt):
    make_resource("open_L1", code="a-open", title="A 空气质量", format="CSV")
    make_resource("conditional_L1", code="b-cond", title="B 空气监测", format="XLSX")
    make_resource("open_L1", code="c-other", title="C 道路交通", format="CSV")
    by_tier = _rows(client.get(_url(fmt), {"tier": "open", "ordering": "title"}), fmt)
    assert [r[0] for r in by_tier[1:]] == ["a-open", "c-other"]
    searched = _rows(client.get(_url(fmt), {"q": "空气", "ordering": "-title"}), fmt)
    assert [r[0] for r in searched[1:]] == ["b-cond", "a-open"]
    formatted = _rows(client.get(_url(fmt), {"res_format": "xlsx"}), fmt)
    assert [r[0] for r in formatted[1:]] == ["b-cond"]
    other = _rows(client.get(_url(fmt), {"provider": world.other_agency.code}), fmt)
    assert other[1:] == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "params",
    [
        {"tier": "secret"},
        {"theme": "no-such-theme"},
        {"update_cycle": "hourly"},
        {"modified_after": "yesterday"},
        {"ordering": "grade"},
        {"ordering": "title,-password"},
        {"q": "长" * 500},
    ],
)
def test_export__bad_filter_is_400(client, make_resource, fmt, params):
    make_resource("open_L1")
    response = client.get(_url(fmt), params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response


@pytest.mark.parametrize("kind", ["anonymous", "citizen", "grantee", "operator"])
def test_export__grade_filter_is_403_for_callers_who_may_not_see_grades(as_user, kind):
    response = as_user(kind).get(_url("csv"), {"grade": "L1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert (
        "Only agency and platform staff may filter by security grade." in response.content.decode()
    )


def test_export__grade_filter_for_staff(as_user, make_resource):
    make_resource("conditional_L2", code="two")
    make_resource("conditional_L3", code="three")
    response = as_user("agency_staff").get(_url("csv"), {"grade": "L3"})
    header, *rows = _csv_rows(response)
    assert [(row[0], row[-1][:2]) for row in rows] == [("three", "L3")]


def test_export__unknown_format_is_404(client):
    assert client.get("/resources/export.json").status_code == 404


def test_export__capped_with_a_note(client, make_resource, settings):
    settings.EXPORT_MAX_ROWS = 2
    for n in range(3):
        make_resource("open_L1", code=f"e-{n}")
    response = client.get(_url("csv"))
    assert response["X-Export-Truncated"] == "2"
    assert len(_csv_rows(response)) == 3
    response = client.get(_url("xlsx"), HTTP_ACCEPT_LANGUAGE="en")
    assert response["X-Export-Truncated"] == "2"
    assert len(_xlsx_rows(response)) == 3
    response = client.get(_url("xlsx"), HTTP_ACCEPT_LANGUAGE="en")
    assert _xlsx_rows(response, 1) == [["Only the first 2 matching entries are exported."]]
    settings.EXPORT_MAX_ROWS = 3
    assert "X-Export-Truncated" not in client.get(_url("csv"))


def _count_export_queries(client, fmt: str) -> int:
    indexed()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(fmt))
        rows = _rows(response, fmt)
    return len(queries), len(rows)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ["anonymous", "agency_staff"])
def test_export__query_count_does_not_grow_with_rows(as_user, world, fmt, kind, settings):
    settings.ANONYMOUS_CACHE_SECONDS = 0
    client = as_user(kind)
    theme = f.ThemeFactory()
    for _ in range(3):
        f.ResourceFactory(provider=world.provider, theme=theme, tier="open")
    few, rows = _count_export_queries(client, fmt)
    assert rows == 4
    for _ in range(30):
        f.ResourceFactory(provider=world.other_agency, tier="open")
    many, rows = _count_export_queries(client, fmt)
    assert rows == 34
    assert many == few
    # Chunks: one more query per EXPORT_CHUNK_SIZE entries, never one per entry.
    settings.EXPORT_CHUNK_SIZE = 10
    chunked, rows = _count_export_queries(client, fmt)
    assert (chunked, rows) == (few + 3, 34)


def test_search_page_links_the_exports_with_its_query(client, make_resource):
    make_resource("open_L1", title="空气质量")
    page = client.get(reverse("catalog:resource-list"), {"q": "空气", "tier": "open"})
    text = page.content.decode()
    csv_link = f"{_url('csv')}?q=%E7%A9%BA%E6%B0%94&amp;tier=open"
    assert f'href="{csv_link}"' in text
    assert f'href="{_url("xlsx")}?q=%E7%A9%BA%E6%B0%94&amp;tier=open"' in text
    following = client.get(csv_link.replace("&amp;", "&"))
    assert len(_csv_rows(following)) == 2


@pytest.mark.parametrize("query", [{"sort": "quality"}, {"ordering": "-quality_score"}])
def test_export__ordered_by_quality_like_the_page_and_the_api(client, make_resource, query):
    for code, score in (("low", 20), ("high", 90), ("mid", 55)):
        make_resource("open_L1", code=code, quality_score=score)
    response = client.get(_url("csv"), query)
    assert [row[0] for row in _csv_rows(response)[1:]] == ["high", "mid", "low"]


SNEAKY_TITLES = [
    ("\x01" + MALICIOUS, "'" + MALICIOUS),
    ("\x0b\x1f" + MALICIOUS, "'" + MALICIOUS),
    (" " + MALICIOUS, "' " + MALICIOUS),
    ("\t" + MALICIOUS, "'\t" + MALICIOUS),
    ("\r\n" + MALICIOUS, "'\r\n" + MALICIOUS),
    ("\uff1dSUM(1,2)", "'\uff1dSUM(1,2)"),
    ("\x01-2+3", "'-2+3"),
]


@pytest.mark.parametrize(("title", "expected"), SNEAKY_TITLES)
def test_export__xlsx_control_character_cannot_hide_a_formula(
    client, make_resource, title, expected
):
    make_resource("open_L1", title=title)
    response = client.get(_url("xlsx"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cell = workbook.worksheets[0]["B2"]
    assert cell.data_type != "f"
    assert cell.value == expected
    assert cell.value.startswith("'")


@pytest.mark.parametrize(("title", "expected"), SNEAKY_TITLES)
def test_export__csv_control_character_cannot_hide_a_formula(
    client, make_resource, title, expected
):
    make_resource("open_L1", title=title)
    _header, row = _csv_rows(client.get(_url("csv")))
    assert row[1] == expected
