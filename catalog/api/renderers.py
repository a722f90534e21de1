"""The row API's CSV output."""

import csv
import io

from rest_framework.renderers import BaseRenderer

from catalog.rows.reader import csv_cell


class RowsCSVRenderer(BaseRenderer):
    """A page of rows as CSV: a header of the English field names the caller may see (masked
    fields are left out), then one line per row. Starts with a byte-order mark so spreadsheet
    programs read the UTF-8 correctly; cells that a spreadsheet would run as a formula are
    prefixed with a single quote."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        columns = [f["name_en"] for f in data["fields"] if f["visible"]]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([csv_cell(name) for name in columns])
        for row in data["results"]:
            writer.writerow([csv_cell(row["data"].get(name)) for name in columns])
        return ("\ufeff" + out.getvalue()).encode("utf-8")
