"""Bulk import of catalogue entries from a CSV (UTF-8 or GB18030/GBK) or XLSX file.

The file follows the template (``template_rows``; documented in docs/IMPORT.md): a header row of
column keys, then one entry per row. ``read_table`` turns the upload into rows of text or refuses
the file as a whole; ``run_import`` passes each row through the same services the workspace uses
(``resource_create`` / ``resource_update``), each in a savepoint, so every rule is checked by the
services themselves, and commits all rows or none.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Organization, Resource, Theme
from catalog.publishing import filelimits
from catalog.publishing.importkey import template_codes
from catalog.publishing.importrows import (  # noqa: F401 (parse_fields is part of this API)
    METADATA_COLUMNS,
    _parse_row,
    _Parsed,
    parse_fields,
)
from catalog.publishing.resources import resource_create, resource_update
from catalog.textfiles import NOT_TEXT, decode_text
from portal.transitions import InvalidTransition

COLUMNS = (
    "code",
    "title",
    "title_en",
    "abstract",
    "theme",
    "tier",
    "format",
    "update_cycle",
    "keywords",
    "license",
    "spatial",
    "temporal",
    "open_conditions",
    "high_value",
    "fields",
)
REQUIRED_COLUMNS = ("code", "title", "abstract", "theme", "tier", "format", "update_cycle")
# A row whose code starts with this mark is a comment: the template's example row and its notes
# are such rows, so a template uploaded as it is imports nothing.
COMMENT_MARK = "#"
EXAMPLE_ROW = {
    "code": "#SH-ENV-AIR-001",
    "title": "空气质量监测站点小时数据",
    "title_en": "Hourly air quality at monitoring stations",
    "abstract": "全市国控和市控空气质量监测站点逐小时发布的六项污染物浓度和空气质量指数，"
    "含站点编码、名称和监测时间。",
    "theme": "sthj",
    "tier": "open",
    "format": "CSV",
    "update_cycle": "daily",
    "keywords": "空气质量,AQI,PM2.5",
    "license": "CC BY 4.0",
    "spatial": "上海市",
    "temporal": "2020-01-01至今",
    "open_conditions": "",
    "high_value": "yes",
    "fields": "station_code:站点编码:string:L1:监测站点编码;aqi:空气质量指数:integer:L1:AQI",
}
FIELD_TYPES_HELP = "string, integer, decimal, date, datetime, boolean"


class ImportFileError(ValidationError):
    """The file as a whole cannot be read as an import table (``status`` 400), or is past a
    size limit (413)."""

    def __init__(self, message, *, status: int = 400, code: str | None = None):
        super().__init__(message, code=code)
        self.status = status


@dataclass
class RowError:
    row: int  # the row's number in the file; the header is row 1
    column: str
    message: str


@dataclass
class ImportResult:
    total: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False
    dry_run: bool = False
    skipped: int = 0  # comment rows (the code starts with ``COMMENT_MARK``)

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "skipped": self.skipped,
            "created": self.created,
            "updated": self.updated,
            "committed": self.committed,
            "dry_run": self.dry_run,
            "errors": [vars(e) for e in self.errors],
        }


# ---------------------------------------------------------------------------------------------
# Reading the file
# ---------------------------------------------------------------------------------------------


def read_table(*, name: str, data: bytes) -> list[dict[str, str]]:
    """The rows of an uploaded ``.csv`` or ``.xlsx`` file as ``{column: text}``; refuses with
    ``ImportFileError`` a file that is too large, of another kind, unreadable, or whose header
    does not name the template's columns. The limits of ``catalog.publishing.filelimits``
    apply while it is read (columns; cells, unpacked size and compression ratio of a workbook;
    time), and so does ``IMPORT_MAX_ROWS``: reading stops at the first row past a limit (413)."""
    check_size(len(data))
    lower = name.lower()
    if not lower.endswith((".xlsx", ".csv")):
        raise ImportFileError(_("Upload a .csv or .xlsx file made from the template."))
    limits, deadline = filelimits.start()
    try:
        if lower.endswith(".xlsx"):
            grid = _xlsx_grid(data, limits, deadline)
        else:
            grid = _csv_grid(data, limits, deadline)
    except filelimits.FileRefused as exc:
        raise ImportFileError(exc.messages[0], status=exc.status, code=exc.code) from exc
    return _rows_from_grid(grid)


def check_size(size: int) -> None:
    """Refuse a file larger than ``settings.IMPORT_MAX_BYTES`` (413, before reading it, where
    the size is known)."""
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(mb)s MB.") % {"mb": settings.IMPORT_MAX_BYTES // 2**20},
            status=413,
        )


def _bounded(rows, limits, deadline) -> list[list[str]]:
    """The non-empty rows of a table, refusing a row past ``limits.columns`` and a table with
    more than ``IMPORT_MAX_ROWS`` entries as soon as it is met."""
    grid = []
    for row in rows:
        if len(row) > limits.columns:
            raise filelimits.too_many_columns(limits)
        deadline.check()
        if not any(row):
            continue
        if len(grid) > settings.IMPORT_MAX_ROWS:  # the header and one entry too many
            raise ImportFileError(
                _("The file has more than %(max)d entries.") % {"max": settings.IMPORT_MAX_ROWS},
                status=413,
            )
        grid.append(row)
    return grid


def _csv_grid(data: bytes, limits, deadline) -> list[list[str]]:
    if b"\x00" in data:
        raise ImportFileError(_("The file is not a CSV text file (it holds binary data)."))
    text = decode_text(data)
    if text is None:
        raise ImportFileError(str(NOT_TEXT))
    try:
        return _bounded(csv.reader(io.StringIO(text, newline="")), limits, deadline)
    except csv.Error as exc:
        raise ImportFileError(_("The file is not valid CSV: %(error)s") % {"error": exc}) from exc


def _xlsx_grid(data: bytes, limits, deadline) -> list[list[str]]:
    rows = filelimits.xlsx_rows(io.BytesIO(data), limits=limits, deadline=deadline)
    try:
        return _bounded(([_cell_text(v) for v in row] for row in rows), limits, deadline)
    except filelimits.FileRefused as exc:
        if exc.status != 400:
            raise
        # A bad zip, a missing part, a part whose XML is truncated or not XML at all (openpyxl
        # lets each parser's error through as it is): the upload cannot be read.
        raise ImportFileError(
            _("The XLSX file cannot be read: it is damaged, truncated or not an XLSX workbook.")
        ) from exc


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def _rows_from_grid(grid: list[list[str]]) -> list[dict[str, str]]:
    if not grid:
        raise ImportFileError(_("The file is empty."))
    header = [h.strip().lower() for h in grid[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [h for h in header if h and h not in COLUMNS]
    if missing or unknown:
        raise ImportFileError(
            _(
                "The header row does not follow the template. "
                "Missing: %(missing)s; unknown: %(unknown)s."
            )
            % {"missing": ", ".join(missing) or "—", "unknown": _names(unknown)}
        )
    rows = [dict(zip(header, [c.strip() for c in cells], strict=False)) for cells in grid[1:]]
    if not rows:
        raise ImportFileError(_("The file has a header row but no entries."))
    return rows


def _names(names: list[str], limit: int = 20) -> str:
    """At most ``limit`` names, and a count of the others: a header may name thousands."""
    shown, more = filelimits.capped(names, limit)
    text = ", ".join(shown) or "—"
    return f"{text} {filelimits.more_names(more)}" if more else text


# ---------------------------------------------------------------------------------------------
# Running the import
# ---------------------------------------------------------------------------------------------

Progress = Callable[[int, int], None]


def run_import(
    *,
    actor,
    organization: Organization,
    rows: list[dict[str, str]],
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Create or update one entry of ``organization`` per row (see :func:`import_steps`);
    ``progress(done, total)`` is called after each row."""
    result = ImportResult(total=len(rows), dry_run=dry_run)
    steps = import_steps(
        actor=actor, organization=organization, rows=rows, dry_run=dry_run, result=result
    )
    for done in steps:
        if progress:
            progress(done, result.total)
    return result


def import_steps(
    *,
    actor,
    organization: Organization,
    rows: list[dict[str, str]],
    dry_run: bool,
    result: ImportResult,
) -> Iterator[int]:
    """Import ``rows`` through the resource services, yielding the number of rows done after
    each one (a page streams these as progress); the outcome is filled into ``result``.

    Every row is tried in its own savepoint and its errors collected (row, column, message);
    if any row fails, or on a dry run, everything is rolled back, and so it is if the caller
    stops iterating early. A code already used by another organization's entry is an error
    (which organization is not said); a code of ``organization`` updates that entry, which
    keeps its state.
    """
    themes = {t.code: t for t in Theme.objects.all()}
    existing = _existing(rows)
    seen: dict[str, int] = {}
    with transaction.atomic():
        for number, row in enumerate(rows, start=2):
            if row.get("code", "").startswith(COMMENT_MARK):
                result.skipped += 1
                yield number - 1
                continue
            _import_row(actor, organization, row, number, themes, existing, seen, result)
            yield number - 1
        result.committed = not result.errors and not dry_run
        if not result.committed:
            transaction.set_rollback(True)


def _existing(rows: list[dict[str, str]]) -> dict[str, Resource]:
    codes = {row.get("code", "") for row in rows}
    return {r.code: r for r in Resource.objects.filter(code__in=codes)}


def _import_row(actor, organization, row, number, themes, existing, seen, result) -> None:
    problems = _code_problems(organization, row.get("code", ""), number, existing, seen)
    parsed, cell_problems = _parse_row(row, themes)
    problems += cell_problems
    if problems:
        result.errors.extend(RowError(number, column, message) for column, message in problems)
        return
    _save_row(actor, organization, row, number, parsed, existing.get(row["code"]), result)


def _code_problems(organization, code, number, existing, seen) -> list[tuple]:
    if not code:
        return [("code", _("The code is required."))]
    if code in seen:
        message = _("Code “%(code)s” repeats row %(row)d.") % {"code": code, "row": seen[code]}
        return [("code", message)]
    seen[code] = number
    resource = existing.get(code)
    if resource is not None and resource.provider_id != organization.pk:
        # Codes are unique across the catalogue; whose entry holds this one (perhaps a draft
        # or a restricted entry) is not this agency's business, so the message does not say.
        return [("code", _("Code “%(code)s” is already in use; choose another.") % {"code": code})]
    return []


def _save_row(actor, organization, row, number, parsed: _Parsed, resource, result) -> None:
    data = {**parsed.data, "theme": parsed.theme}
    try:
        with transaction.atomic():
            if resource is None:
                resource_create(
                    actor=actor,
                    provider=organization,
                    code=row["code"],
                    abstract=row.get("abstract", ""),
                    fields=parsed.fields or (),
                    **data,
                )
                result.created += 1
            else:
                data["abstract"] = row.get("abstract", "")
                resource_update(actor=actor, resource=resource, data=data, fields=parsed.fields)
                result.updated += 1
    except ValidationError as exc:
        result.errors.extend(_row_errors(number, exc))
    except PermissionDenied as exc:
        result.errors.append(RowError(number, "code", str(exc)))
    except InvalidTransition as exc:
        # An entry under review is frozen until its reviewer returns or publishes it.
        message = _("The entry with this code is %(state)s and cannot be changed now.")
        result.errors.append(RowError(number, "code", message % {"state": exc.label}))


def _row_errors(number: int, exc: ValidationError) -> Iterator[RowError]:
    """One ``RowError`` per message, with the column it is about: a ceiling breach is about
    the tier (against the grades of the fields); a dictionary field's own error names it."""
    if not hasattr(exc, "error_dict"):
        column = "tier" if getattr(exc, "code", "") == "grade_ceiling" else ""
        for message in exc.messages:
            yield RowError(number, column, message)
        return
    for name, messages in exc.message_dict.items():
        for message in messages:
            if name == "__all__":
                yield RowError(number, "", message)
            elif name in COLUMNS:
                yield RowError(number, name, message)
            else:
                yield RowError(number, "fields", f"{name}: {message}")


# ---------------------------------------------------------------------------------------------
# The template
# ---------------------------------------------------------------------------------------------


def template_rows() -> list[list[str]]:
    """The template: the header row and the example row (a comment row, skipped on import)."""
    return [list(COLUMNS), [EXAMPLE_ROW[c] for c in COLUMNS]]


def template_csv() -> bytes:
    """The template as UTF-8 CSV with a byte-order mark (which spreadsheet programs need); the
    key follows as comment rows (their first cell starts with #), skipped on import."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(template_rows())
    width = len(COLUMNS)
    for title, items in template_codes():
        writer.writerow([f"{COMMENT_MARK} {title}"] + [""] * (width - 1))
        for code, meaning in items:
            writer.writerow([COMMENT_MARK, code, meaning] + [""] * (width - 3))
    return out.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    """The template as an XLSX workbook: the entries sheet (imported; the example row is a
    comment row) and a second sheet with the key (never read on import)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "catalogue"
    for row in template_rows():
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    key = book.create_sheet("codes")
    key.column_dimensions["A"].width = 24
    key.column_dimensions["B"].width = 90
    for title, items in template_codes():
        key.append([title])
        key.cell(row=key.max_row, column=1).font = Font(bold=True)
        for code, meaning in items:
            key.append([code, meaning])
        key.append([])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
