"""Reads of the rows of tabular distributions (the row API and the resource page's preview);
the policy decides which rows and columns the caller sees."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from catalog.models import (
    Field,
    Resource,
    Row,
    RowTable,
)
from catalog.rows.reader import RowQuery, next_link
from catalog.selectors import resource_queryset
from grading import policy

# ---------------------------------------------------------------------------------------------
# Rows of tabular distributions (the row API and the resource page's preview)
# ---------------------------------------------------------------------------------------------


@dataclass
class RowPage:
    """One page of a resource's rows as ``user`` may see them."""

    resource: Resource
    table: RowTable
    fields: list[Field]
    visible: list[Field]
    rows: list[dict]  # {"row": number, "data": {name_en: value or None}}
    next: str | None

    @property
    def masked(self) -> list[Field]:
        return [f for f in self.fields if f not in self.visible]


def resource_rows(
    *, user, pk: int, params: Mapping | None = None, base_url: str = "", export: bool = False
) -> RowPage:
    """A page of the rows of resource ``pk``: 404 if ``user`` may not see it or no rows are
    loaded, ``PermissionDenied`` (how to get access) if ``user`` may not query it,
    ``ValidationError`` naming each bad parameter. Values of fields above what the policy lets
    ``user`` see are ``None`` and those fields cannot be filtered or sorted."""
    try:
        resource = resource_queryset(user=user).get(pk=pk)
    except (Resource.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc
    return rows_of(user=user, resource=resource, params=params, base_url=base_url, export=export)


def rows_of(
    *,
    user,
    resource: Resource,
    params: Mapping | None = None,
    base_url: str = "",
    export: bool = False,
    page_size: int | None = None,
) -> RowPage:
    """:func:`resource_rows` for a resource already fetched by a selector (with ``may_query``);
    ``page_size`` sets the default size (the preview's)."""
    if not resource.may_query:
        raise PermissionDenied(policy.denial_message(user, resource, "query"))
    table = RowTable.objects.filter(resource=resource).first()
    if table is None:
        raise Http404(_("No rows of this resource are loaded."))
    fields = list(Field.objects.filter(resource=resource).order_by("position", "id"))
    grades = policy.visible_field_grades(user, resource, export=export)
    visible = [f for f in fields if f.grade in grades]
    query = RowQuery.parse(
        params if params is not None else QueryDict(),
        fields,
        {f.name_en for f in visible},
        page_size=page_size or settings.ROWS_PAGE_SIZE,
        max_size=settings.ROWS_MAX_PAGE_SIZE,
    )
    query.decode_cursor()
    found = list(query.apply(Row.objects.filter(table=table))[: query.page_size + 1])
    page = found[: query.page_size]
    shown = {f.name_en for f in visible}
    rows = [
        {"row": row.number, "data": {f.name_en: _shown(row, f, shown) for f in fields}}
        for row in page
    ]
    link = next_link(base_url, query, page, len(found) > len(page)) if base_url else None
    return RowPage(resource, table, fields, visible, rows, link)


def _shown(row: Row, field: Field, shown: set[str]):
    return row.data.get(field.name_en) if field.name_en in shown else None
