"""Keyset pagination for the API and the catalogue pages: no OFFSET, however deep the page.

The cursor carries the ordering values of the row at the page boundary; the next page asks for
rows strictly after it in the (unique, NULL-free) ordering, so every page costs the same.
"""

import base64
import binascii
import json
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import BooleanField, Expression, F, Q, Value
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.utils.urls import replace_query_param

from portal import links


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _flip(field: str) -> str:
    return field[1:] if field.startswith("-") else "-" + field


def _columns(model, ordering) -> list | None:
    """The model fields behind ``ordering``, or None if any of them is not a plain column."""
    fields = []
    for name in (field.lstrip("-") for field in ordering):
        try:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        except FieldDoesNotExist:
            return None  # an annotation, not a column
        if not field.concrete or field.is_relation or field.null:
            return None
        fields.append(field)
    return fields


def _page(queryset, size: int):
    """The first ``size`` rows of ``queryset``, in two queries: the ids are chosen and sorted
    with only the ordering columns (an index holds them), then just those rows are read whole
    and their per-row expressions (the caller's permissions) computed. Sorting thousands of
    search matches with every column and permission attached is what this avoids."""
    ids = list(queryset.values_list("pk", flat=True)[:size])
    return queryset.filter(pk__in=ids)


def _checked(field, raw):
    """``raw`` as a value ``field`` can hold; a cursor naming NULL or an out-of-range value was
    not made by this paginator."""
    value = field.to_python(raw)
    if value is None:
        raise DjangoValidationError("null in cursor")
    field.run_validators(value)
    return value


class RowCompare(Expression):
    """``(col_1, col_2, …) < (value_1, value_2, …)`` (or ``>``): SQL row values, supported by
    SQLite and PostgreSQL."""

    output_field = BooleanField()

    def __init__(self, fields, operator: str, values: list):
        super().__init__()
        if operator not in ("<", ">"):
            raise ValueError(operator)
        self.operator = operator
        self.lhs = [F(field.name) for field in fields]
        self.rhs = [
            Value(_checked(field, value), output_field=field)
            for field, value in zip(fields, values, strict=True)
        ]

    def get_source_expressions(self):
        return [*self.lhs, *self.rhs]

    def set_source_expressions(self, expressions):
        self.lhs, self.rhs = expressions[: len(self.lhs)], expressions[len(self.lhs) :]

    def as_sql(self, compiler, connection):
        left = [compiler.compile(expression) for expression in self.lhs]
        right = [compiler.compile(expression) for expression in self.rhs]
        sql = "({}) {} ({})".format(
            ", ".join(part for part, _ in left), self.operator, ", ".join(part for part, _ in right)
        )
        return sql, [param for _, params in left + right for param in params]


class CatalogCursorPagination(CursorPagination):
    page_size = settings.CATALOG_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = settings.CATALOG_MAX_PAGE_SIZE
    ordering = ("-modified", "-id")
    invalid_cursor_message = _("Invalid cursor: use the “next” or “previous” link as given.")

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        valid = raw is not None and raw.isascii() and raw.isdigit()
        if raw is not None and not (valid and 0 < int(raw) <= self.max_page_size):
            message = _("Must be a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
            raise ValidationError({"page_size": message})
        return super().get_page_size(request)

    def get_ordering(self, request, queryset, view):
        ordering = tuple(super().get_ordering(request, queryset, view))
        if ordering[-1].lstrip("-") not in ("id", "pk"):
            ordering = (*ordering, "-id")
        return ordering

    # -- cursor encoding ------------------------------------------------------------------

    def _decode(self, request) -> tuple[list, bool] | None:
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")).decode("utf-8"))
            values, reverse = data["v"], bool(data.get("r"))
        except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error) as exc:
            raise ValidationError({"cursor": self.invalid_cursor_message}) from exc
        if not isinstance(values, list) or len(values) != len(self.ordering):
            raise ValidationError({"cursor": self.invalid_cursor_message})
        return values, reverse

    def _link(self, values: list, reverse: bool) -> str:
        payload = json.dumps({"v": [_plain(v) for v in values], "r": int(reverse)})
        token = base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii")
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    # -- the keyset condition -------------------------------------------------------------

    def _after(self, queryset, values: list, reverse: bool) -> Q | RowCompare:
        """Rows strictly after ``values`` in the ordering (before, when ``reverse``)."""
        columns = _columns(queryset.model, self.ordering)
        directions = {field.startswith("-") for field in self.ordering}
        if columns is not None and len(directions) == 1:
            # One direction over plain columns: a row-value comparison, which an index on those
            # columns answers as a range scan.
            operator = "<" if directions.pop() != reverse else ">"
            return RowCompare(columns, operator, values)
        condition = Q(pk__in=[])
        equal = Q()
        for field, value in zip(self.ordering, values, strict=True):
            name, descending = field.lstrip("-"), field.startswith("-")
            lookup = "lt" if descending != reverse else "gt"
            condition |= equal & Q(**{f"{name}__{lookup}": value})
            equal &= Q(**{name: value})
        return condition

    def _values(self, row) -> list:
        return [getattr(row, field.lstrip("-")) for field in self.ordering]

    # -- paging ---------------------------------------------------------------------------

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return None
        self.base_url = links.absolute_current(request)
        self.ordering = self.get_ordering(request, queryset, view)
        cursor = self._decode(request)
        values, reverse = cursor if cursor else (None, False)
        order = [_flip(f) for f in self.ordering] if reverse else list(self.ordering)
        queryset = queryset.order_by(*order)
        try:
            if values is not None:
                queryset = queryset.filter(self._after(queryset, values, reverse))
            rows = list(_page(queryset, self.page_size + 1))
        except (DjangoValidationError, ValueError, TypeError, OverflowError) as exc:
            # A cursor can decode cleanly and still hold a value of the wrong type.
            raise ValidationError({"cursor": self.invalid_cursor_message}) from exc
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if reverse:
            rows.reverse()
        self._set_links(rows, more, values is not None, reverse)
        self.page = rows
        return rows

    def _set_links(self, rows: list, more: bool, has_cursor: bool, reverse: bool) -> None:
        self._next = self._previous = None
        if not rows:
            return
        forward_more, backward_more = (has_cursor, more) if reverse else (more, has_cursor)
        if forward_more:
            self._next = self._link(self._values(rows[-1]), False)
        if backward_more:
            self._previous = self._link(self._values(rows[0]), True)

    def get_next_link(self):
        return self._next

    def get_previous_link(self):
        return self._previous


class SearchPagination(CatalogCursorPagination):
    """The page size and response shape of lists answered by the search engine
    (``catalog/search/catalogue.py`` pages them): ``count`` (every match the caller may see),
    ``next``, ``previous`` and ``results``."""

    def get_paginated_response_schema(self, schema):
        found = super().get_paginated_response_schema(schema)
        found["properties"] = {
            "count": {"type": "integer", "example": 123},
            **found["properties"],
        }
        found["required"] = ["count", *found.get("required", [])]
        return found


class ProductCursorPagination(CatalogCursorPagination):
    # Newest first; ``id`` never is NULL, so unlisted products stay reachable for their staff.
    ordering = ("-id",)


class QualityCursorPagination(CatalogCursorPagination):
    """Best quality score first (the catalogue page's "sort by quality"), even with a search:
    the visitor asked for this order rather than relevance."""

    ordering = ("-quality_score", "-id")

    def get_ordering(self, request, queryset, view):
        return self.ordering


class DownloadsCursorPagination(QualityCursorPagination):
    """Most downloaded first (the catalogue page's "most downloaded"), over the index on
    ``(-download_count, -id)``."""

    ordering = ("-download_count", "-id")


class NameCursorPagination(CatalogCursorPagination):
    ordering = ("code",)
