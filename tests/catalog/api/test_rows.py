"""The row API: who gets rows (404/403/200 as the truth table says), masking by field grade,
filters, ordering, keyset pages, CSV output, bad parameters and fixed query counts."""

import base64
import csv
import io
import json
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.access_truth import CASES, QUERY, VIEW
from tests.conftest import DISTRICTS

pytestmark = pytest.mark.django_db


def url(resource, **params):
    query = urlencode(params)
    return f"/api/v1/resources/{resource.pk}/rows/" + (f"?{query}" if query else "")


def walk(client, first_url):
    """Every row number met following ``next`` from ``first_url``, page by page."""
    pages, link = [], first_url
    while link:
        body = client.get(link).json()
        pages.append([row["row"] for row in body["results"]])
        link = body["next"]
    return pages


def expected_visible(kind: str, variant: str) -> set[str]:
    """Written out from DESIGN §2 and the policy's docstring, not from the code."""
    if kind == "agency_staff":
        return {"L1", "L2", "L3", "L4"}
    if kind in ("grantee", "operator"):  # both hold a grant or agreement on every variant
        return {"L1", "L2", "L3"}
    return {"L1", "L2"}


# -- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("variant", "kind"), CASES)
def test_rows__status_follows_the_truth_table(as_user, make_table, variant, kind):
    resource = make_table(variant, n=3)
    response = as_user(kind).get(url(resource), HTTP_ACCEPT_LANGUAGE="en")
    if kind not in VIEW[variant]:
        assert response.status_code == 404
        assert resource.title not in response.content.decode()
        assert "浦东新区" not in response.content.decode()
    elif kind not in QUERY[variant]:
        assert response.status_code == 403
        detail = response.json()["detail"]
        assert "apply" in detail.lower() or "not open to the public" in detail
        assert "浦东新区" not in response.content.decode()
    else:
        assert response.status_code == 200
        body = response.json()
        assert [row["row"] for row in body["results"]] == [1, 2, 3]


@pytest.mark.parametrize(("variant", "kind"), [c for c in CASES if c[1] in QUERY[c[0]]])
def test_rows__fields_above_the_callers_grade_are_masked(as_user, make_table, variant, kind):
    resource = make_table(variant, n=2)
    body = as_user(kind).get(url(resource)).json()
    allowed = expected_visible(kind, variant)
    fields = {f["name_en"]: f for f in body["fields"]}
    # The grades come from the dictionary: the API shows them to staff only.
    graded = dict(resource.fields.values_list("name_en", "grade"))
    for name, field in fields.items():
        assert field["visible"] is (graded[name] in allowed), name
        values = [row["data"][name] for row in body["results"]]
        if not field["visible"]:
            assert values == [None, None], name
    if "id_number" in fields and fields["id_number"]["visible"]:
        assert body["results"][0]["data"]["id_number"] == "310101199001000001"


def test_rows__403_says_how_to_get_access(client, make_table):
    resource = make_table("conditional_L1", n=2)
    response = client.get(url(resource), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "Log in, then apply for access" in response.json()["detail"]


def test_rows__resource_without_loaded_rows_is_404(client, make_resource):
    resource = make_resource("open_L1")
    response = client.get(url(resource))
    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.parametrize("pk", ["abc", "0", "99999999999999999999999", "-1", "1.5", "%E4%B8%80"])
def test_rows__malformed_or_unknown_ids_are_json_404(client, make_table, pk):
    make_table("open_L1", n=1)
    response = client.get(f"/api/v1/resources/{pk}/rows/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


# -- filters and ordering -------------------------------------------------------------------


@pytest.fixture
def table(make_table):
    return make_table("open_L1", n=25)


def rows(client, resource, **params):
    response = client.get(url(resource, page_size=100, **params))
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_filter__equality_on_text_and_integer(client, table):
    found = rows(client, table, district="黄浦区")
    assert {row["data"]["district"] for row in found} == {"黄浦区"}
    assert [row["row"] for row in found] == [i for i in range(1, 26) if i % 3 == 1]
    threes = rows(client, table, count="3")
    assert [row["row"] for row in threes] == [3, 17, 24]
    assert all(row["data"]["count"] == 3 for row in threes)


def test_filter__ranges_on_integer_decimal_and_date(client, table):
    found = rows(client, table, count__gte="2", count__lte="3")
    assert [row["row"] for row in found] == [2, 3, 9, 16, 17, 23, 24]
    cheap = rows(client, table, ratio__lte="1.5")
    assert [row["row"] for row in cheap] == [1, 2, 3, 4, 5, 6]
    days = rows(client, table, day__gte="2026-01-20", day__lte="2026-01-22")
    assert [row["data"]["day"] for row in days] == ["2026-01-20", "2026-01-21", "2026-01-22"]


def test_filter__conditions_combine(client, table):
    found = rows(client, table, district="徐汇区", count__gte="2")
    assert [row["row"] for row in found] == [2, 11, 17, 23]
    assert rows(client, table, district="徐汇区", count="99") == []


def test_ordering__ascending_and_descending_with_empty_values_last(client, table):
    up = rows(client, table, ordering="count")
    down = rows(client, table, ordering="-count")
    numbers = [row["data"]["count"] for row in up]
    assert numbers == sorted(n for n in numbers if n is not None) + [None] * 5
    assert [row["data"]["count"] for row in down][:20] == sorted(numbers[:20], reverse=True)
    assert [row["data"]["count"] for row in down][20:] == [None] * 5
    # Ties keep the file order.
    zeros = [row["row"] for row in up if row["data"]["count"] == 0]
    assert zeros == sorted(zeros) == [7, 14, 21]


def test_ordering__by_text(client, table):
    names = [row["data"]["district"] for row in rows(client, table, ordering="-district")]
    assert names == sorted(names, reverse=True)


@pytest.mark.parametrize("ordering", [None, "count", "-count", "ratio", "-day", "district"])
def test_cursor_pages_cover_every_row_once_in_order(client, table, ordering):
    params = {"page_size": 4} | ({"ordering": ordering} if ordering else {})
    pages = walk(client, url(table, **params))
    flat = [number for page in pages for number in page]
    whole = [
        row["row"] for row in rows(client, table, **({"ordering": ordering} if ordering else {}))
    ]
    assert [len(page) for page in pages] == [4, 4, 4, 4, 4, 4, 1]
    assert len(flat) == len(set(flat)) == 25
    assert flat == whole


def test_cursor_pages_with_a_filter(client, table):
    pages = walk(client, url(table, page_size=2, count__gte=3, ordering="-count"))
    flat = [number for page in pages for number in page]
    assert flat == [row["row"] for row in rows(client, table, count__gte=3, ordering="-count")]
    assert len(flat) == len(set(flat)) == 10


# -- bad parameters ---------------------------------------------------------------------------


def _cursor(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"colour": "red"}, "colour"),
        ({"colour__gte": "1"}, "colour__gte"),
        ({"count": "many"}, "count"),
        ({"count": "1.5"}, "count"),
        ({"count__gte": "99999999999999999999"}, "count__gte"),
        ({"ratio__lte": "inf"}, "ratio__lte"),
        ({"ratio": "NaN"}, "ratio"),
        ({"day__gte": "2026-13-01"}, "day__gte"),
        ({"count__between": "1"}, "count__between"),
        ({"ordering": "colour"}, "ordering"),
        ({"ordering": ""}, "ordering"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "1001"}, "page_size"),
        ({"page_size": "²"}, "page_size"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": _cursor({"v": 1, "n": 3, "o": "-count"})}, "cursor"),  # other ordering
        ({"cursor": _cursor({"v": [1], "n": 3, "o": ""})}, "cursor"),
        ({"cursor": _cursor({"v": None, "n": "3", "o": ""})}, "cursor"),
        ({"cursor": _cursor({"v": 2**60, "n": 3, "o": "count"}), "ordering": "count"}, "cursor"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(client, table, params, name):
    response = client.get(url(table, **params))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert name in body and body[name]
    assert name in body["detail"]


def test_a_parameter_given_twice_is_a_400(client, table):
    response = client.get(f"{url(table)}?count=1&count=2")
    assert response.status_code == 400
    assert "count" in response.json()


def test_masked_field_cannot_be_filtered_or_sorted(as_user, make_table):
    resource = make_table("restricted_L4", n=3)
    client = as_user("operator")  # sees up to L3 of in-scope data
    for params in ({"core": "核心1"}, {"core__gte": "a"}, {"ordering": "-core"}):
        response = client.get(url(resource, **params))
        assert response.status_code == 400
        assert list(params)[0] in response.json()
    assert client.get(url(resource, id_number="310101199001000001")).status_code == 200


def test_errors_are_json_even_when_csv_was_asked_for(client, table):
    response = client.get(url(table, format="csv", colour="red"))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "colour" in response.json()


@pytest.mark.parametrize("ask", [{"format": "csv"}, {"HTTP_ACCEPT": "text/csv"}])
def test_options_asking_for_csv_is_described_in_json(client, table, ask):
    # Found by the fuzz test: the OPTIONS description went to the CSV renderer (500).
    params = {"format": ask["format"]} if "format" in ask else {}
    headers = {k: v for k, v in ask.items() if k.startswith("HTTP_")}
    response = client.options(url(table, **params), **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["name"]


def test_unacceptable_accept_header_is_406(client, table):
    response = client.get(url(table), HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"


# -- CSV --------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv__header_rows_and_formula_escaping(client, table):
    lines = read_csv(client.get(url(table, format="csv", page_size=7)))
    header = lines[0]
    # The open L1 table: its L1 fields in dictionary order (the first has no column in the file).
    assert header[0].startswith("field_")
    assert header[1:] == ["district", "count", "day", "note", "ratio"]
    notes = [line[header.index("note")] for line in lines[1:]]
    assert notes == ["'+1", "'-2", "'@cmd", "'\tx", "普通", 'say "hi", ok', "'=SUM(A1:A2)"]
    counts = [line[header.index("count")] for line in lines[1:]]
    assert counts == ["1", "2", "3", "4", "", "6", "0"]
    assert [line[1] for line in lines[1:]] == [DISTRICTS[i % 3] for i in range(1, 8)]
    assert [line[0] for line in lines[1:]] == [""] * 7


def test_csv__negative_numbers_are_escaped_too(client, make_resource):
    from django.core.files.base import ContentFile

    from catalog.rows.services import rows_load
    from tests import factories as f

    resource = make_resource("open_L1")
    f.FieldFactory(resource=resource, name="变化", name_en="change", data_type="integer")
    data = "变化\n-5\n7\n".encode()
    rows_load(
        distribution=f.DistributionFactory(resource=resource, file=ContentFile(data, name="c.csv"))
    )
    lines = read_csv(client.get(url(resource, format="csv")))
    column = lines[0].index("change")
    assert [line[column] for line in lines[1:]] == ["'-5", "7"]
    assert client.get(url(resource)).json()["results"][0]["data"]["change"] == -5


def test_csv__by_accept_header_with_next_page_in_link(client, table):
    response = client.get(url(table, page_size=10), HTTP_ACCEPT="text/csv")
    lines = read_csv(response)
    assert len(lines) == 11
    link = response["Link"]
    assert link.startswith("<http://testserver/api/v1/resources/") and link.endswith('rel="next"')
    following = client.get(link[1 : link.index(">")], HTTP_ACCEPT="text/csv")
    assert read_csv(following)[1][1] == DISTRICTS[11 % 3]
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("kind", ["grantee", "operator", "agency_staff"])
def test_csv__never_carries_fields_above_L2(as_user, make_table, kind):
    resource = make_table("restricted_L4" if kind != "grantee" else "conditional_L3", n=3)
    client = as_user(kind)
    json_fields = {f["name_en"] for f in client.get(url(resource)).json()["fields"] if f["visible"]}
    assert "id_number" in json_fields  # the caller may query it...
    header = read_csv(client.get(url(resource, format="csv")))[0]
    assert "id_number" not in header and "core" not in header  # ...but not export it
    assert "age" in header and "district" in header
    assert "3101011990" not in client.get(url(resource, format="csv")).content.decode()


# -- truncation and query counts --------------------------------------------------------------


def test_truncated_table_says_so(client, make_table, settings):
    settings.ROWS_MAX_LOADED = 5
    resource = make_table("open_L1", n=8)
    body = client.get(url(resource, page_size=100)).json()
    assert body["row_count"] == 5 and body["truncated"] is True
    assert "5" in body["notice"]
    assert [row["row"] for row in body["results"]] == [1, 2, 3, 4, 5]


def test_complete_table_has_no_notice(client, table):
    body = client.get(url(table)).json()
    assert body["row_count"] == 25 and body["truncated"] is False and body["notice"] is None


@pytest.mark.parametrize("kind", ["anonymous", "grantee", "agency_staff"])
def test_query_count_does_not_grow_with_page_size(as_user, make_table, kind):
    resource = make_table("open_L1", n=60)
    client = as_user(kind)

    def count(page_size):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(
                url(resource, page_size=page_size, ordering="-count", count__gte=1)
            )
        assert response.status_code == 200
        return len(ctx.captured_queries)

    # At most 10, plus the two writes that count the call (catalog.engagement.services)
    assert count(5) == count(50) <= 12


def test_query_count_of_a_csv_page_is_fixed_too(client, table, django_assert_max_num_queries):
    # 6, plus the two writes that count the call
    with django_assert_max_num_queries(8):
        assert client.get(url(table, format="csv", page_size=25)).status_code == 200
