"""Row tables: reading CSV files into rows, and querying loaded rows (filters, ordering, keyset
pages). Nothing here writes to the database or decides access: ``catalog.rows.services.rows_load``
stores what ``read_csv`` returns, ``catalog.rows.selectors.resource_rows`` asks the policy first and
then runs a ``RowQuery`` over what the caller may see.

Values are stored typed (JSON numbers, booleans, ISO date text) after the dictionary field's
type, so equality and range filters and ordering compare like with like on SQLite and
PostgreSQL alike. A cell that does not parse as its field's type is kept as text.
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime as dt
import io
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.db.models.fields.json import (
    KeyTransform,
    KeyTransformExact,
    KeyTransformGt,
    KeyTransformGte,
    KeyTransformIsNull,
    KeyTransformLt,
    KeyTransformLte,
)
from django.utils.translation import gettext as _
from rest_framework.utils.urls import replace_query_param

from catalog.models import Field, Row
from catalog.publishing import filelimits
from catalog.textfiles import NOT_TEXT, TEXT_ENCODINGS

# Query parameters of the row API that are not field filters.
RESERVED = frozenset({"cursor", "page_size", "ordering", "format"})
RANGES = {"gte": KeyTransformGte, "lte": KeyTransformLte}
# Integers beyond this lose precision in JSON clients and overflow SQLite: kept or refused.
MAX_SAFE_INTEGER = 2**53 - 1
# Cells starting with these are read as formulas by spreadsheets (CSV injection), also after
# leading blanks, and in their full-width forms, which some spreadsheet input methods convert.
FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Control characters no spreadsheet cell holds (tab, newline and carriage return stay).
_CELL_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

_INTEGER = re.compile(r"[+-]?\d{1,16}")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_TRUE = {"true", "1", "yes", "y", "t", "是"}
_FALSE = {"false", "0", "no", "n", "f", "否"}


# -------------------------------------------------------------------------------------------
# Values
# -------------------------------------------------------------------------------------------


def parse_value(data_type: str, text: str):
    """The typed value of ``text`` for a field of ``data_type``; ``ValueError`` if it is not
    one. Dates and times stay ISO text, which sorts in time order; text stays as it is."""
    if data_type == Field.DataType.STRING:
        return text
    text = text.strip()
    if data_type == Field.DataType.INTEGER:
        if not _INTEGER.fullmatch(text) or abs(int(text)) > MAX_SAFE_INTEGER:
            raise ValueError(text)
        return int(text)
    if data_type == Field.DataType.DECIMAL:
        number = float(text) if _DECIMAL.fullmatch(text) else math.nan
        if not math.isfinite(number):
            raise ValueError(text)
        return number
    if data_type == Field.DataType.BOOLEAN:
        if text.lower() not in _TRUE | _FALSE:
            raise ValueError(text)
        return text.lower() in _TRUE
    if data_type == Field.DataType.DATE:
        return dt.date.fromisoformat(text).isoformat()
    if data_type == Field.DataType.DATETIME:
        return dt.datetime.fromisoformat(text).isoformat()
    raise ValueError(data_type)  # an unknown type matches nothing


def cell_value(data_type: str, text: str):
    """A CSV cell as stored: typed when it parses, else the text itself; ``None`` if empty."""
    if not text.strip():
        return None
    try:
        return parse_value(data_type, text)
    except ValueError:
        return text


def csv_cell(value) -> str:
    """A value as a CSV cell that a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    # Strip first, then escape: a control character in front of "=" must not hide it.
    text = _CELL_ILLEGAL.sub("", text)
    leads_blank = text[:1] in ("\t", "\r", "\n")
    return "'" + text if leads_blank or text.lstrip().startswith(FORMULA_STARTS) else text


# -------------------------------------------------------------------------------------------
# Reading files
# -------------------------------------------------------------------------------------------


@dataclass
class ParsedTable:
    rows: list[dict]
    truncated: bool
    columns: list[str]


def read_csv(handle, fields: Iterable[Field], limit: int) -> ParsedTable:
    """Read at most ``limit`` rows of a CSV file (UTF-8 with or without BOM, else GB18030/GBK).

    Header cells are matched to dictionary fields by name or English name; other columns are
    dropped, since only graded fields may ever be served. Raises ``ValidationError`` for a file
    that is not text in either encoding or not CSV, and ``filelimits.FileRefused`` (a
    ``ValidationError``) at the first row past ``UPLOAD_MAX_COLUMNS`` or past the time limit.
    """
    fields = list(fields)
    limits, deadline = filelimits.start()
    for encoding in TEXT_ENCODINGS:
        handle.seek(0)
        try:
            return _read(handle, encoding, fields, limit, limits, deadline)
        except UnicodeDecodeError:
            continue
        except csv.Error as exc:
            raise ValidationError(
                _("The file is not valid CSV: %(error)s") % {"error": exc}
            ) from exc
    raise ValidationError(str(NOT_TEXT))


def _read(handle, encoding: str, fields: list[Field], limit: int, limits, deadline) -> ParsedTable:
    text = io.TextIOWrapper(_binary(handle), encoding=encoding, newline="")
    try:
        reader = _bounded(csv.reader(text), limits, deadline)
        header = next(reader, [])
        columns = _match_columns(header, fields)
        rows, truncated = [], False
        for cells in _non_blank(reader):
            if len(rows) == limit:
                truncated = True
                break
            rows.append(_row(cells, columns))
        return ParsedTable(rows, truncated, [f.name_en for _i, f in columns])
    finally:
        text.detach()


def _binary(handle):
    """The binary stream under Django's ``File`` wrappers, which ``TextIOWrapper`` can read."""
    while not isinstance(handle, io.IOBase) and hasattr(handle, "file"):
        handle = handle.file
    return handle


def _bounded(reader, limits, deadline) -> Iterator[list[str]]:
    for cells in reader:
        if len(cells) > limits.columns:
            raise filelimits.too_many_columns(limits)
        deadline.check()
        yield cells


def _non_blank(reader) -> Iterator[list[str]]:
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield cells


def _match_columns(header: list[str], fields: list[Field]) -> list[tuple[int, Field]]:
    by_name = {f.name.strip(): f for f in fields}
    by_name_en = {f.name_en.strip().lower(): f for f in fields}
    columns, seen = [], set()
    for index, cell in enumerate(header):
        found = by_name.get(cell.strip()) or by_name_en.get(cell.strip().lower())
        if found is not None and found.pk not in seen:
            seen.add(found.pk)
            columns.append((index, found))
    return columns


def _row(cells: list[str], columns: list[tuple[int, Field]]) -> dict:
    data = {}
    for index, found in columns:
        value = cell_value(found.data_type, cells[index]) if index < len(cells) else None
        if value is not None:
            data[found.name_en] = value
    return data


# -------------------------------------------------------------------------------------------
# Querying
# -------------------------------------------------------------------------------------------


@dataclass
class RowQuery:
    """Validated row-API parameters: filters, ordering and a keyset cursor.

    Built by ``RowQuery.parse``, which refuses unknown fields, fields hidden from the caller
    and values that do not fit the field's type, naming the parameter.
    """

    conditions: list = field(default_factory=list)  # (field name, lookup class, value)
    order_field: Field | None = None
    descending: bool = False
    after: tuple | None = None  # (value, row number) of the last row of the previous page
    page_size: int = 50
    cursor: str | None = None  # as sent; decoded by ``decode_cursor`` once ordering is known

    @classmethod
    def parse(
        cls,
        params: Mapping,
        fields: list[Field],
        visible: set[str],
        *,
        page_size: int,
        max_size: int,
    ) -> RowQuery:
        """Parse query ``params`` (a ``QueryDict``) against the dictionary ``fields``; only
        fields named in ``visible`` may be filtered or sorted. ``ValidationError`` lists every
        bad parameter."""
        query, errors = cls(page_size=page_size), {}
        by_name = {f.name_en: f for f in fields}
        for name in params:
            try:
                query._apply(name, params, by_name, visible, max_size)
            except ValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)
        return query

    def _apply(self, name: str, params, by_name: dict, visible: set[str], max_size: int) -> None:
        values = params.getlist(name)
        if len(values) != 1:
            raise ValidationError(_("Give this parameter once."))
        value = values[0]
        if name == "page_size":
            self.page_size = _page_size(value, max_size)
        elif name == "ordering":
            self.order_field = _usable_field(value.removeprefix("-"), by_name, visible)
            self.descending = value.startswith("-")
        elif name == "cursor":
            self.cursor = value
        elif name not in RESERVED:
            self.conditions.append(_condition(name, value, by_name, visible))

    def _order_key(self) -> str:
        if self.order_field is None:
            return ""
        return ("-" if self.descending else "") + self.order_field.name_en

    def decode_cursor(self) -> None:
        """Check and decode the cursor against the ordering it was made for."""
        if self.cursor is None:
            return
        try:
            raw = base64.urlsafe_b64decode(self.cursor.encode("ascii"))
            data = json.loads(raw.decode("utf-8"))
            value, number, order = data["v"], data["n"], data["o"]
        except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error) as exc:
            raise _bad_cursor() from exc
        valid_number = isinstance(number, int) and 0 <= number <= MAX_SAFE_INTEGER
        if not (valid_number and _plain_scalar(value) and order == self._order_key()):
            raise _bad_cursor()
        self.after = (value, number)

    def cursor_for(self, row: Row) -> str:
        key = self.order_field.name_en if self.order_field else None
        payload = {"v": row.data.get(key) if key else None, "n": row.number, "o": self._order_key()}
        text = json.dumps(payload, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii")

    def apply(self, rows: QuerySet) -> QuerySet:
        """Filter, order and start ``rows`` after the cursor; the caller slices the page."""
        for name, lookup, value in self.conditions:
            rows = rows.filter(lookup(_key(rows, name), value))
        if self.order_field is None:
            if self.after is not None:
                rows = rows.filter(number__gt=self.after[1])
            return rows.order_by("number")
        key = _key(rows, self.order_field.name_en)
        if self.after is not None:
            rows = rows.filter(self._after_condition(key))
        direction = key.desc(nulls_last=True) if self.descending else key.asc(nulls_last=True)
        return rows.order_by(direction, "number")

    def _after_condition(self, key) -> Q:
        """Rows after ``(value, number)`` in (key, number) order with empty values last."""
        value, number = self.after
        later_number = Q(number__gt=number)
        empty = Q(KeyTransformIsNull(key, True))
        if value is None:
            return empty & later_number
        beyond = KeyTransformLt(key, value) if self.descending else KeyTransformGt(key, value)
        return Q(beyond) | (Q(KeyTransformExact(key, value)) & later_number) | empty


def _plain_scalar(value) -> bool:
    """A value a row can hold: text, a finite number in the safe range, a boolean or None."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int):
        return abs(value) <= MAX_SAFE_INTEGER
    return value is None or isinstance(value, str)


def _bad_cursor() -> ValidationError:
    return ValidationError(
        {"cursor": _("Invalid cursor: use the “next” or “previous” link as given.")}
    )


def _page_size(value: str, max_size: int) -> int:
    if not (value.isascii() and value.isdigit() and 0 < int(value) <= max_size):
        raise ValidationError(_("Must be a whole number from 1 to %(max)d.") % {"max": max_size})
    return int(value)


def _usable_field(name: str, by_name: dict, visible: set[str]) -> Field:
    found = by_name.get(name)
    if found is None:
        raise ValidationError(_("No such field in the data dictionary."))
    if found.name_en not in visible:
        raise ValidationError(_("This field is masked for you: it cannot be filtered or sorted."))
    return found


def _condition(name: str, text: str, by_name: dict, visible: set[str]):
    base, _sep, suffix = name.rpartition("__")
    lookup = RANGES.get(suffix) if base else None
    found = _usable_field(base if lookup else name, by_name, visible)
    try:
        value = parse_value(found.data_type, text)
    except ValueError as exc:
        raise ValidationError(
            _("Not a valid value for a field of type “%(type)s”.")
            % {"type": found.get_data_type_display()}
        ) from exc
    return found.name_en, lookup or KeyTransformExact, value


def _key(rows: QuerySet, name: str) -> KeyTransform:
    """``data -> name``, resolved against ``rows`` so that lookups on it encode their value as
    JSON (an unresolved one would compare raw values on SQLite). Built as an expression, not a
    ``data__<name>`` keyword, so that no field name can be read as a lookup."""
    return KeyTransform(name, "data").resolve_expression(rows.query)


def next_link(base_url: str, query: RowQuery, rows: list[Row], more: bool) -> str | None:
    """The URL of the next page, or ``None`` on the last one."""
    if not (more and rows):
        return None
    return replace_query_param(base_url, "cursor", query.cursor_for(rows[-1]))
