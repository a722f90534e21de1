"""CSV export of a supervision table: UTF-8 with a byte-order mark (so spreadsheet programs
read Chinese correctly), a header row, and text cells that a spreadsheet would run as a
formula made inert."""

from __future__ import annotations

import csv
import io

from grading.supervision.sections import Section

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """``value`` as a CSV cell; text beginning with ``= + - @`` (or a tab or carriage return)
    gets a leading apostrophe so no spreadsheet evaluates it. Numbers are written as they are."""
    if value is None:
        return ""
    if isinstance(value, int | float) or type(value).__name__ == "Decimal":
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def section_csv(section: Section) -> str:
    """The section as CSV text, byte-order mark first."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([safe_cell(str(h)) for h in section.headers])
    for row in section.rows:
        writer.writerow([safe_cell(cell) for cell in row.cells])
    return out.getvalue()
