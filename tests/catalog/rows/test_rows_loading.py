"""Loading CSV files into row tables: encodings, header matching, typed values, the row cap,
and the paths that load (publication, a new file on a published resource, ``load_rows``)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command

from catalog.models import Distribution, Row, RowTable
from catalog.publishing.distributions import distribution_add_file
from catalog.publishing.resources import resource_publish
from catalog.rows.services import rows_load
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADER = "行政区,人口（万人）,统计日期,是否沿海"
LINES = ["浦东新区,578.2,2025-12-31,是", "黄浦区,,2025-12-31,否", "徐汇区,111.3,2025-12-31,否"]


@pytest.fixture
def resource(make_resource):
    resource = make_resource("open_L1")
    for position, (name, name_en, data_type) in enumerate(
        [
            ("行政区", "district", "string"),
            ("人口（万人）", "population", "decimal"),
            ("统计日期", "as_of", "date"),
            ("是否沿海", "coastal", "boolean"),
        ],
        start=1,
    ):
        f.FieldFactory(
            resource=resource, name=name, name_en=name_en, data_type=data_type, position=position
        )
    return resource


def load(resource, data: bytes, name="rows.csv"):
    distribution = f.DistributionFactory(resource=resource, file=ContentFile(data, name=name))
    return rows_load(distribution=distribution)


def stored(resource) -> list[dict]:
    return list(
        Row.objects.filter(table__resource=resource)
        .order_by("number")
        .values_list("data", flat=True)
    )


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"], ids=["utf8", "bom", "gbk", "gb18030"]
)
def test_encodings_are_decoded(resource, encoding):
    text = "\r\n".join([HEADER, *LINES]) + "\r\n"
    table = load(resource, text.encode(encoding))
    assert table.row_count == 3 and table.truncated is False
    assert stored(resource) == [
        {"district": "浦东新区", "population": 578.2, "as_of": "2025-12-31", "coastal": True},
        {"district": "黄浦区", "as_of": "2025-12-31", "coastal": False},
        {"district": "徐汇区", "population": 111.3, "as_of": "2025-12-31", "coastal": False},
    ]


def test_gbk_file_is_served_by_the_row_api(client, resource):
    load(resource, "\n".join([HEADER, *LINES]).encode("gbk"))
    body = client.get(f"/api/v1/resources/{resource.pk}/rows/", {"coastal": "是"}).json()
    assert [row["data"]["district"] for row in body["results"]] == ["浦东新区"]
    body = client.get(f"/api/v1/resources/{resource.pk}/rows/", {"coastal": "false"}).json()
    assert [row["data"]["district"] for row in body["results"]] == ["黄浦区", "徐汇区"]


def test_header_matches_english_names_and_drops_columns_not_in_the_dictionary(resource):
    data = "DISTRICT,secret_column,population\n浦东新区,机密,1\n".encode()
    load(resource, data)
    assert stored(resource) == [{"district": "浦东新区", "population": 1.0}]


def test_cells_that_do_not_fit_their_type_are_kept_as_text(resource):
    load(resource, f"{HEADER}\n浦东新区,约578,2025年底,未知\n".encode())
    assert stored(resource) == [
        {"district": "浦东新区", "population": "约578", "as_of": "2025年底", "coastal": "未知"}
    ]


def test_quoted_cells_with_commas_and_line_breaks(resource):
    load(resource, f'{HEADER}\n"浦东新区,\n临港",1,2025-12-31,是\n\n'.encode())
    assert stored(resource)[0]["district"] == "浦东新区,\n临港"
    assert len(stored(resource)) == 1  # the blank line is not a row


def test_a_file_without_any_dictionary_column_loads_nothing(resource):
    assert load(resource, "区,数值\n浦东新区,42\n".encode()) is None
    assert not RowTable.objects.filter(resource=resource).exists()


@pytest.mark.parametrize(
    "data",
    [b"\xff\xfe\xff\xfe district\n\xff\xff\n", f"{HEADER}\n".encode() + b"\xff\xff,1\n"],
    ids=["neither-encoding", "bad-bytes-later"],
)
def test_undecodable_file_is_refused(resource, data):
    with pytest.raises(ValidationError) as excinfo:
        load(resource, data)
    assert "GB18030" in " ".join(excinfo.value.messages)
    assert not RowTable.objects.filter(resource=resource).exists()


def test_row_cap_truncates_and_says_so(resource, settings):
    settings.ROWS_MAX_LOADED = 2
    table = load(resource, "\n".join([HEADER, *LINES]).encode())
    assert (table.row_count, table.truncated) == (2, True)
    assert [row["district"] for row in stored(resource)] == ["浦东新区", "黄浦区"]


def test_exactly_the_cap_is_not_truncated(resource, settings):
    settings.ROWS_MAX_LOADED = 3
    table = load(resource, "\n".join([HEADER, *LINES, "", ""]).encode())
    assert (table.row_count, table.truncated) == (3, False)


def test_loading_again_replaces_the_rows(resource):
    load(resource, "\n".join([HEADER, *LINES]).encode())
    table = load(resource, f"{HEADER}\n静安区,97,2026-06-30,否\n".encode())
    assert RowTable.objects.filter(resource=resource).count() == 1
    assert table.row_count == 1
    assert stored(resource) == [
        {"district": "静安区", "population": 97.0, "as_of": "2026-06-30", "coastal": False}
    ]


# -- the paths that load ------------------------------------------------------------------


@pytest.fixture
def reviewer(world):
    user = f.UserFactory()
    f.membership(user, world.provider, "reviewer")
    return user


def test_publication_loads_the_newest_matching_csv(resource, reviewer):
    resource.status = "submitted"
    resource.save()
    f.DistributionFactory(
        resource=resource,
        file=ContentFile(f"{HEADER}\n旧,1,2020-01-01,否\n".encode(), name="a.csv"),
    )
    f.DistributionFactory(
        resource=resource, file=ContentFile("\n".join([HEADER, *LINES]).encode(), name="b.csv")
    )
    resource_publish(actor=reviewer, resource=resource)
    assert [row["district"] for row in stored(resource)] == ["浦东新区", "黄浦区", "徐汇区"]


def test_publication_is_refused_for_an_unreadable_csv(resource, reviewer):
    resource.status = "submitted"
    resource.save()
    f.DistributionFactory(resource=resource, title="坏文件", file=ContentFile(b"\xff\xff", "x.csv"))
    with pytest.raises(ValidationError) as excinfo:
        resource_publish(actor=reviewer, resource=resource)
    assert "坏文件" in excinfo.value.messages[0]
    resource.refresh_from_db()
    assert resource.status == "submitted"
    assert not RowTable.objects.filter(resource=resource).exists()


def test_new_file_on_a_published_resource_is_loaded(world, resource):
    distribution_add_file(
        actor=world.users["agency_staff"],
        resource=resource,
        title="2026年数据",
        name="2026.csv",
        stream=io.BytesIO("\n".join([HEADER, *LINES]).encode("gbk")),
        fmt="csv",
        media_type="text/csv",
    )
    assert RowTable.objects.get(resource=resource).row_count == 3


def test_unreadable_new_file_is_refused_and_not_stored(world, resource):
    before = Distribution.objects.filter(resource=resource).count()
    with pytest.raises(ValidationError):
        distribution_add_file(
            actor=world.users["agency_staff"],
            resource=resource,
            title="坏文件",
            name="bad.csv",
            stream=io.BytesIO(b"\xff\xfe\xff"),
            fmt="csv",
        )
    assert Distribution.objects.filter(resource=resource).count() == before
    assert not RowTable.objects.filter(resource=resource).exists()


def test_new_file_on_a_draft_is_not_loaded_until_publication(world, resource):
    resource.status = "draft"
    resource.save()
    distribution_add_file(
        actor=world.users["agency_staff"],
        resource=resource,
        title="草稿数据",
        name="draft.csv",
        stream=io.BytesIO("\n".join([HEADER, *LINES]).encode()),
        fmt="csv",
    )
    assert not RowTable.objects.filter(resource=resource).exists()


def test_load_rows_command_loads_published_resources_and_reports(resource, make_resource):
    f.DistributionFactory(
        resource=resource, file=ContentFile("\n".join([HEADER, *LINES]).encode(), name="c.csv")
    )
    broken = make_resource("open_L1", code="BROKEN-1")
    f.FieldFactory(resource=broken, name="行政区", name_en="district")
    f.DistributionFactory(resource=broken, file=ContentFile(b"\xff\xff\xff", name="b.csv"))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("load_rows", stdout=out, stderr=err)
    assert RowTable.objects.get(resource=resource).row_count == 3
    assert "BROKEN-1" in err.getvalue()
    assert "1 failed" in out.getvalue()
    call_command("load_rows", resource.code, stdout=io.StringIO())
    assert RowTable.objects.filter(resource=resource).count() == 1
