"""Files that are small on disk but costly to read: a sheet declaring 16,384 columns, a ZIP
bomb, a CSV of 20,000 columns. Each is refused with 413 and its reason through every path that
reads files (the workspace upload page, the upload API, the bulk import page and command, and
the loading of rows), before the costly step, and nothing is written."""

import io
import os
import struct
import zipfile

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation
from openpyxl import Workbook
from rest_framework.test import APIClient

from catalog.models import (
    Distribution,
    DistributionVersion,
    Resource,
    ResourceVersion,
    Row,
    RowTable,
)
from catalog.publishing import filelimits, importer
from grading.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
IMPORT_URL = "/workspace/import/"
SHEET = "xl/worksheets/sheet1.xml"


# ---------------------------------------------------------------------------------------------
# The files
# ---------------------------------------------------------------------------------------------


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xlsx(header: list[str], rows: list[list[str]], dimension: str | None) -> bytes:
    """An XLSX workbook whose first sheet holds ``header`` and ``rows`` and declares
    ``dimension`` (``None``: no dimension at all), written part by part."""
    book = Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(buffer)
    letters = [chr(ord("A") + i) for i in range(26)]
    lines = []
    for number, cells in enumerate([header, *rows], start=1):
        xml = "".join(_inline(f"{letters[i]}{number}", text) for i, text in enumerate(cells))
        lines.append(f'<row r="{number}">{xml}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "")
        + f"<sheetData>{''.join(lines)}</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = sheet.encode() if info.filename == SHEET else source.read(info)
            target.writestr(info.filename, data)
    return out.getvalue()


def wide_xlsx(header: list[str], rows: int = 2000) -> bytes:
    """The attack: a few kilobytes declaring ``rows`` rows by 16,384 columns (A1:XFD…)."""
    body = [["x"] + [""] * (len(header) - 1) for _ in range(rows - 1)]
    return sheet_xlsx(header, body, f"A1:XFD{rows}")


def bomb_zip(mebibytes: int, name: str = "zeros.bin", extra: dict | None = None) -> bytes:
    """A ZIP archive holding ``mebibytes`` MiB of zero bytes (about a thousandfold smaller),
    and any ``extra`` members."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        zeros = bytes(2**20)
        with archive.open(info, "w", force_zip64=True) as member:
            for _ in range(mebibytes):
                member.write(zeros)
        for extra_name, data in (extra or {}).items():
            archive.writestr(extra_name, data)
    return out.getvalue()


def declaring(data: bytes, size: int) -> bytes:
    """``data`` (a one-member ZIP archive) with the member's uncompressed size given as
    ``size`` in the central directory: a reader that inflated it would find it damaged."""
    at = data.rindex(b"PK\x01\x02")
    return data[: at + 24] + struct.pack("<I", size) + data[at + 28 :]


def wide_csv(columns: int = 20_000, names: tuple[str, ...] = ()) -> bytes:
    header = [*names, *(f"c{i}" for i in range(columns - len(names)))]
    return (",".join(header) + "\n" + ",".join("1" for _ in header) + "\n").encode()


# ---------------------------------------------------------------------------------------------
# Fixtures and what was written
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def theme(db):
    return f.ThemeFactory(code="env")


@pytest.fixture
def editor(world):
    return world.users["agency_staff"]


@pytest.fixture
def draft(world, theme):
    """A draft of the provider with a two-field dictionary (区 text, 数值 integer)."""
    resource = f.ResourceFactory(
        provider=world.provider, theme=theme, status=Resource.Status.DRAFT, tier="open"
    )
    f.FieldFactory(resource=resource, name="区", name_en="district", grade="L1", position=1)
    f.FieldFactory(
        resource=resource,
        name="数值",
        name_en="value",
        data_type="integer",
        grade="L1",
        position=2,
    )
    return resource


def stored_files() -> set[str]:
    found = set()
    for root, _dirs, files in os.walk(django_settings.MEDIA_ROOT):
        found.update(os.path.join(root, name) for name in files)
    return found


def written() -> tuple:
    return (
        Resource.objects.count(),
        Distribution.objects.count(),
        DistributionVersion.objects.count(),
        ResourceVersion.objects.count(),
        Row.objects.count(),
        RowTable.objects.count(),
        AuditEvent.objects.count(),
        stored_files(),
    )


def page_upload(user, resource, name: str, data: bytes):
    client = Client(**EN)
    client.force_login(user)
    url = f"/workspace/resources/{resource.pk}/files/new/"
    return client.post(url, {"title": "数据", "file": SimpleUploadedFile(name, data)})


def api_upload(user, resource, name: str, data: bytes):
    client = APIClient(**EN)
    client.force_authenticate(user)
    return client.post(
        f"/api/v1/resources/{resource.pk}/distributions/",
        {"file": SimpleUploadedFile(name, data)},
        format="multipart",
    )


def import_page(user, name: str, data: bytes):
    client = Client(**EN)
    client.force_login(user)
    body = {"organization": "provider", "file": SimpleUploadedFile(name, data)}
    return client.post(IMPORT_URL, body)


def import_command(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CommandError) as raised, translation.override("en"):
        call_command("import_catalog", str(path), "--org", "provider", stdout=io.StringIO())
    return str(raised.value)


TEMPLATE = list(importer.COLUMNS)
COLUMNS_REFUSED = "The file has more than 1000 columns."


# ---------------------------------------------------------------------------------------------
# A sheet declaring 16,384 columns
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("send", [page_upload, api_upload], ids=["page", "api"])
def test_upload__xlsx_declaring_16384_columns_is_413_before_reading(send, draft, editor):
    data = wide_xlsx(["区", "数值"])
    assert len(data) < 20_000
    before = written()
    response = send(editor, draft, "wide.xlsx", data)
    assert response.status_code == 413
    assert COLUMNS_REFUSED in response.content.decode()
    assert written() == before


def test_import__xlsx_declaring_16384_columns_is_413_page_and_command(tmp_path, editor, theme):
    data = wide_xlsx(TEMPLATE)
    before = written()
    response = import_page(editor, "wide.xlsx", data)
    assert response.status_code == 413
    assert COLUMNS_REFUSED in response.content.decode()
    assert COLUMNS_REFUSED in import_command(tmp_path, "wide.xlsx", data)
    assert written() == before


def test_upload__sheet_past_the_cell_limit_is_413(draft, editor, settings):
    settings.UPLOAD_MAX_CELLS = 1000
    data = sheet_xlsx(["区", "数值"], [["浦东", "1"]] * 600, "A1:B601")
    before = written()
    response = page_upload(editor, draft, "cells.xlsx", data)
    assert response.status_code == 413
    assert "The sheet has more than 1,000 cells." in response.content.decode()
    assert written() == before


@pytest.mark.parametrize("dimension", ["A1:B2", None], ids=["understated", "absent"])
def test_upload__sheet_wider_than_it_declares_is_refused_while_read(
    dimension, draft, editor, settings
):
    # The declared range is not trusted: the rows are read as stored, and counted.
    settings.UPLOAD_MAX_COLUMNS = 5
    rows = [["浦东", "1", "a", "b", "c", "d", "e", "f"]]
    data = sheet_xlsx(["区", "数值"], rows, dimension)
    before = written()
    response = api_upload(editor, draft, "liar.xlsx", data)
    assert response.status_code == 413
    assert "The file has more than 5 columns." in response.json()["detail"]
    assert written() == before


def test_import__sheet_with_more_entries_than_allowed_stops_reading(
    tmp_path, world, theme, settings
):
    settings.IMPORT_MAX_ROWS = 3
    data = sheet_xlsx(TEMPLATE, [["x"] * len(TEMPLATE)] * 10, None)
    before = written()
    assert "The file has more than 3 entries." in import_command(tmp_path, "many.xlsx", data)
    assert written() == before


def test_upload__xlsx_within_the_limits_is_accepted(draft, editor):
    data = sheet_xlsx(["区", "数值"], [["浦东", "1"], ["黄浦", "2"]], "A1:B3")
    assert page_upload(editor, draft, "ok.xlsx", data).status_code == 302
    assert draft.distributions.get().format == "XLSX"


# ---------------------------------------------------------------------------------------------
# ZIP bombs
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def no_inflating(monkeypatch):
    """Fail the test if any ZIP member is opened for reading (writing, to build the files, is
    allowed)."""
    real_open = zipfile.ZipFile.open

    def refuse(self, name, mode="r", *args, **kwargs):
        if mode == "r":
            raise AssertionError("a ZIP member was inflated")
        return real_open(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)


def test_upload__zip_declaring_1_gib_is_413_with_the_default_limits_before_inflating(
    draft, editor, no_inflating
):
    data = declaring(bomb_zip(1), 2**30)
    assert len(data) < 10_000
    before = written()
    response = page_upload(editor, draft, "bomb.zip", data)
    assert response.status_code == 413
    assert "The archive unpacks to more than 512 MB." in response.content.decode()
    assert written() == before


@pytest.mark.parametrize("send", [page_upload, api_upload], ids=["page", "api"])
def test_upload__zip_bomb_ratio_is_413_with_the_default_limits_before_inflating(
    send, draft, editor, no_inflating
):
    data = bomb_zip(64)  # 64 MiB of zeros in about 64 KB
    before = written()
    response = send(editor, draft, "bomb.zip", data)
    assert response.status_code == 413
    assert "compressed more than 100 to 1" in response.content.decode()
    assert written() == before


def test_upload__zip_past_the_unpacked_size_is_413(draft, editor, settings):
    settings.UPLOAD_MAX_UNZIPPED_BYTES = 32 * 2**20
    settings.UPLOAD_MAX_ZIP_RATIO = 10**6
    before = written()
    response = api_upload(editor, draft, "bomb.zip", bomb_zip(64))
    assert response.status_code == 413
    assert "The archive unpacks to more than 32 MB." in response.json()["detail"]
    assert written() == before


def test_upload__inflating_stops_at_the_limit_whatever_was_declared(
    draft, editor, settings, monkeypatch
):
    # Were the declared sizes wrong (or their check fooled), the bytes actually produced are
    # counted: inflating stops just past the limit, not at the end of the member.
    settings.UPLOAD_MAX_UNZIPPED_BYTES = 8 * 2**20
    monkeypatch.setattr(filelimits, "_check_declared", lambda infos, limits: None)
    produced = []
    real_open = zipfile.ZipFile.open

    def counting(self, *args, **kwargs):
        member = real_open(self, *args, **kwargs)
        real_read = member.read

        def read(size=-1):
            chunk = real_read(size)
            produced.append(len(chunk))
            return chunk

        member.read = read
        return member

    monkeypatch.setattr(zipfile.ZipFile, "open", counting)
    before = written()
    response = page_upload(editor, draft, "bomb.zip", bomb_zip(64))
    assert response.status_code == 413
    assert "unpacks to more than 8 MB" in response.content.decode()
    assert sum(produced) <= 9 * 2**20
    assert written() == before


def test_upload__zip_with_too_many_members_is_413(draft, editor, settings):
    settings.UPLOAD_MAX_ZIP_MEMBERS = 3
    data = bomb_zip(0, extra={f"f{i}.txt": b"x" for i in range(5)})
    before = written()
    response = page_upload(editor, draft, "many.zip", data)
    assert response.status_code == 413
    assert "The archive holds more than 3 files." in response.content.decode()
    assert written() == before


def bomb_xlsx(header: list[str]) -> bytes:
    """A workbook carrying 64 MiB of zero bytes in about 64 KB."""
    book = io.BytesIO(sheet_xlsx(header, [], None))
    with zipfile.ZipFile(book, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", bytes(64 * 2**20))
    return book.getvalue()


def test_upload__xlsx_carrying_a_bomb_is_413(draft, editor, request):
    data = bomb_xlsx(["区", "数值"])
    request.getfixturevalue("no_inflating")
    before = written()
    response = api_upload(editor, draft, "bomb.xlsx", data)
    assert response.status_code == 413
    assert "compressed more than 100 to 1" in response.json()["detail"]
    assert written() == before


def test_import__xlsx_bomb_is_413_page_and_command(tmp_path, editor, theme, request):
    data = bomb_xlsx(TEMPLATE)
    request.getfixturevalue("no_inflating")
    before = written()
    response = import_page(editor, "bomb.xlsx", data)
    assert response.status_code == 413
    assert "compressed more than 100 to 1" in response.content.decode()
    assert "compressed more than 100 to 1" in import_command(tmp_path, "bomb.xlsx", data)
    assert written() == before


def test_upload__ordinary_zip_is_accepted(draft, editor):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("readme.txt", "说明" * 100)
    assert page_upload(editor, draft, "docs.zip", out.getvalue()).status_code == 302


# ---------------------------------------------------------------------------------------------
# A CSV of 20,000 columns, and the error cap
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("send", [page_upload, api_upload], ids=["page", "api"])
def test_upload__csv_of_20000_columns_is_413(send, draft, editor):
    before = written()
    response = send(editor, draft, "wide.csv", wide_csv(names=("区", "数值")))
    assert response.status_code == 413
    assert COLUMNS_REFUSED in response.content.decode()
    assert written() == before


def test_import__csv_of_20000_columns_is_413_page_and_command(tmp_path, editor, theme):
    data = wide_csv(names=tuple(TEMPLATE))
    before = written()
    response = import_page(editor, "wide.csv", data)
    assert response.status_code == 413
    assert COLUMNS_REFUSED in response.content.decode()
    assert COLUMNS_REFUSED in import_command(tmp_path, "wide.csv", data)
    assert written() == before


def test_import__unknown_columns_are_named_up_to_twenty(tmp_path, world, theme):
    data = wide_csv(columns=len(TEMPLATE) + 500, names=tuple(TEMPLATE))
    message = import_command(tmp_path, "unknown.csv", data)
    assert "c0, c1," in message and "c19 (and 480 more)" in message
    assert "c20," not in message


def test_upload__header_errors_are_capped_with_a_count_of_the_rest(draft, editor):
    data = wide_csv(columns=152, names=("区", "数值"))  # 150 columns not in the dictionary
    before = written()
    response = api_upload(editor, draft, "extra.csv", data)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "The file does not match the data dictionary: 150 errors."
    assert len(body["file"]) == 1 + 100 + 1
    assert body["file"][-1].endswith("… and 50 more errors.")
    assert written() == before


def test_upload__row_errors_past_the_cap_say_there_are_more(draft, editor, settings):
    settings.UPLOAD_MAX_ERRORS = 5
    data = ("区,数值\n" + "浦东,七\n" * 20).encode()
    response = page_upload(editor, draft, "bad.csv", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "more than 5 errors" in page and "… and more errors." in page
    assert page.count("is not an integer") == 5


def test_load_rows__csv_of_20000_columns_is_refused_and_nothing_loaded(draft):
    Resource.objects.filter(pk=draft.pk).update(status=Resource.Status.PUBLISHED)
    data = wide_csv(names=("区", "数值"))
    f.DistributionFactory(resource=draft, file=ContentFile(data, name="wide.csv"))
    err = io.StringIO()
    with pytest.raises(SystemExit), translation.override("en"):
        call_command("load_rows", draft.code, stdout=io.StringIO(), stderr=err)
    assert COLUMNS_REFUSED in err.getvalue()
    assert not RowTable.objects.exists() and not Row.objects.exists()


def test_load_rows__a_data_row_past_the_column_limit_is_refused(draft, settings):
    settings.UPLOAD_MAX_COLUMNS = 3
    Resource.objects.filter(pk=draft.pk).update(status=Resource.Status.PUBLISHED)
    data = "区,数值\n浦东,1\n黄浦,2,3,4,5\n".encode()
    f.DistributionFactory(resource=draft, file=ContentFile(data, name="rows.csv"))
    err = io.StringIO()
    with pytest.raises(SystemExit), translation.override("en"):
        call_command("load_rows", draft.code, stdout=io.StringIO(), stderr=err)
    assert "The file has more than 3 columns." in err.getvalue()
    assert not RowTable.objects.exists()


# ---------------------------------------------------------------------------------------------
# The time limit
# ---------------------------------------------------------------------------------------------


def test_upload__checks_past_the_time_limit_are_413(draft, editor, settings):
    settings.UPLOAD_CHECK_SECONDS = 0
    before = written()
    response = page_upload(editor, draft, "ok.csv", "区,数值\n浦东,1\n".encode())
    assert response.status_code == 413
    assert "took longer than 0 seconds" in response.content.decode()
    assert written() == before


def test_import__reading_past_the_time_limit_is_413(tmp_path, editor, theme, settings):
    settings.UPLOAD_CHECK_SECONDS = 0
    data = sheet_xlsx(TEMPLATE, [["x"] * len(TEMPLATE)], None)
    before = written()
    response = import_page(editor, "slow.xlsx", data)
    assert response.status_code == 413
    assert "took longer than 0 seconds" in response.content.decode()
    assert written() == before


@pytest.mark.parametrize("send", [page_upload, api_upload], ids=["page", "api"])
def test_upload__csv_row_of_20000_cells_is_413_before_the_row_is_parsed(send, draft, editor):
    data = "区,数值\n浦东,1\n".encode() + b"," * 20_000 + b"\n"
    before = written()
    response = send(editor, draft, "long.csv", data)
    assert response.status_code == 413
    assert COLUMNS_REFUSED in response.content.decode()
    assert written() == before


def test_upload__delimiters_inside_quotes_are_not_counted(draft, editor, settings):
    settings.UPLOAD_MAX_COLUMNS = 3
    cell = '"' + "a,b;c|d\n" * 50 + '"'
    data = f"区,数值\n{cell},1\n".encode()
    assert page_upload(editor, draft, "quoted.csv", data).status_code == 302


def test_upload__long_lines_with_few_delimiters_are_accepted(draft, editor, settings):
    # Lines longer than the column limit (and than a read chunk) are fine: delimiters count.
    settings.UPLOAD_MAX_COLUMNS = 3
    data = ("区,数值\n" + "".join(f"{'浦' * 700_000},{n}\n" for n in range(3))).encode()
    assert page_upload(editor, draft, "long-lines.csv", data).status_code == 302
