"""CSV export of a supervision table: UTF-8 with a byte-order mark (so spreadsheet programs
read Chinese correctly), a header row, and text cells that a spreadsheet would run as a
formula made inert."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext as _

from grading.supervision.sections import Section
from portal.links import absolute

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """``value`` as a CSV cell; text beginning with ``= + - @`` (or a tab or carriage return)
    gets a leading apostrophe so no spreadsheet evaluates it. Numbers are written as they are."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def section_csv(section: Section) -> str:
    """The section as CSV text, byte-order mark first; each row ends with the absolute links
    to its item and to its audit rows."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    headers = [*section.headers, _("Link"), _("Audit rows")]
    writer.writerow([safe_cell(str(h)) for h in headers])
    for row in section.rows:
        links = [absolute(row.link) if row.link else "", absolute(row.audit)]
        writer.writerow([safe_cell(cell) for cell in [*row.cells, *links]])
    return out.getvalue()
