"""Catalogue exports: the entries of a catalogue search as CSV or XLSX.

The entries come from ``catalog.interop.selectors.resource_export`` (what the caller may see,
already filtered, in the search's order); this module only lays them out. Cells that a
spreadsheet would run as a formula are escaped with the row API's ``csv_cell`` in both
formats, after control characters are stripped (so none can hide a leading ``=``). CSV starts
with a byte-order mark so spreadsheet programs read the UTF-8 (Chinese) correctly.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook

from catalog.models import UpdateCycle
from catalog.rows.reader import csv_cell
from grading.grades import Grade, Tier

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Layout:
    """What one export shows, fixed before the first row is written: the header in the
    caller's language, the labels of coded values, and whether the grade column is there."""

    headers: list[str]
    english: bool
    grades: bool
    base_url: str
    labels: dict[str, str]


def layout(*, english: bool, grades: bool, base_url: str) -> Layout:
    """The layout for the active language (call while the request's language is active)."""
    headers = [
        _("Catalogue code"),
        capfirst(_("title")),
        _("English title"),
        _("Provider"),
        _("Theme"),
        _("Openness tier"),
        _("Format"),
        _("Update cycle"),
        _("Issued"),
        _("Modified"),
        _("Keywords"),
        _("Licence"),
        _("Page URL"),
    ]
    if grades:
        headers.append(_("Security grade"))
    labels = {
        f"{kind}:{value}": str(label)
        for kind, choices in (("tier", Tier), ("cycle", UpdateCycle), ("grade", Grade))
        for value, label in choices.choices
    }
    return Layout(headers, english, grades, base_url.rstrip("/"), labels)


def values(entry: Mapping, shape: Layout) -> list:
    """One entry's cells (``entry`` holds ``selectors.EXPORT_COLUMNS``), typed (dates stay
    dates), not yet escaped."""

    def named(prefix: str) -> str:
        return (shape.english and entry[f"{prefix}__name_en"]) or entry[f"{prefix}__name"]

    row = [
        entry["code"],
        entry["title"],
        entry["title_en"],
        named("provider"),
        named("theme"),
        shape.labels.get(f"tier:{entry['tier']}", entry["tier"]),
        entry["format"],
        shape.labels.get(f"cycle:{entry['update_cycle']}", entry["update_cycle"]),
        entry["issued"],
        entry["modified"],
        ", ".join(k.strip() for k in entry["keywords"].split(",") if k.strip()),
        entry["license"],
        f"{shape.base_url}/resources/{entry['pk']}/",
    ]
    if shape.grades:
        row.append(shape.labels.get(f"grade:{entry['grade']}", entry["grade"]))
    return row


class _Echo:
    """A file-like object whose ``write`` hands back what it was given, for ``csv.writer``."""

    def write(self, text: str) -> str:
        return text


def csv_lines(entries: Iterable[Mapping], shape: Layout) -> Iterator[str]:
    """The export as CSV lines, header first, the first one led by a byte-order mark."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([csv_cell(h) for h in shape.headers])
    for entry in entries:
        yield writer.writerow([csv_cell(value) for value in values(entry, shape)])


def _xlsx_cell(value):
    if isinstance(value, dt.date):
        return value
    # ``csv_cell`` strips the control characters openpyxl refuses before it escapes.
    return csv_cell(value)


def xlsx_file(entries: Iterable[Mapping], shape: Layout, note: str = ""):
    """The export as an XLSX workbook in a temporary file (rewound), written row by row with a
    write-only workbook so memory stays flat; ``note`` (e.g. that the export was cut short)
    goes on a second sheet."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Data resources"))
    sheet.append([_xlsx_cell(h) for h in shape.headers])
    for entry in entries:
        sheet.append([_xlsx_cell(value) for value in values(entry, shape)])
    if note:
        workbook.create_sheet(_("Notes")).append([_xlsx_cell(note)])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle
