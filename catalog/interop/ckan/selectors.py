"""Reads for the CKAN-compatible API. Every read starts from what the rule-book lets the caller
see (``Resource.objects.visible_to``, ``catalog.selectors``) and only narrows it: by state, by
"public" (the rule-book's ``public_q``), by the client's filters and search text. Counts, facets
and tag lists are computed over that same narrowed queryset, in SQL, so nothing the caller may
not see is counted."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware

from catalog import selectors
from catalog.interop.ckan import serializers
from catalog.interop.ckan.errors import NotAuthorized, NotFound, SearchQueryError
from catalog.interop.ckan.solr import Term
from catalog.models import Distribution, Organization, Resource, Theme, UpdateCycle
from catalog.search.query import search_resources
from grading import policy
from grading.grades import Grade, Tier

GRADE_FIELDS = frozenset({"security_grade", "extras_security_grade"})
RANGE_FIELDS = {"metadata_modified": "updated_at", "metadata_created": "created_at"}
SORT_FIELDS = {
    "metadata_modified": "updated_at",
    "metadata_created": "created_at",
    "title_string": "title",
    "name": "code",
    "score": "title_match",
}
_SPACE = " \t\r\n\u3000"


# ---------------------------------------------------------------------------------------------
# The base set: what the caller may see, in the states and capacity asked for
# ---------------------------------------------------------------------------------------------


def packages(*, user) -> QuerySet:
    """Every entry ``user`` may see, with what a CKAN package dict shows: the rule-book's
    ``may_download`` and ``is_public``, provider, theme and parent theme, distributions."""
    queryset = selectors.resource_queryset(user=user).select_related("theme__parent")
    return policy.annotate_public(queryset).prefetch_related(
        Prefetch("distributions", queryset=Distribution.objects.order_by("id"))
    )


def entries(*, user, include_private: bool, states: Iterable[str] | None) -> QuerySet:
    """The entries ``user`` may see, in ``states`` (CKAN states; ``None`` for any) and, unless
    ``include_private``, only the public ones. Plain rows, for counting, facets and ordering;
    :func:`page` loads what a package dict shows."""
    queryset = policy.viewable(user)
    if states is not None:
        statuses = [s for state in states for s in serializers.STATUSES_BY_STATE[state]]
        queryset = queryset.filter(status__in=statuses)
    if not include_private:
        queryset = queryset.filter(policy.public_q())
    return queryset


def page(queryset: QuerySet, sort: list[tuple[str, bool]], *, user, start: int, rows: int):
    """Rows ``start`` to ``start + rows`` of ``queryset`` in CKAN's ``sort``, loaded for package
    dicts. The ids are found first over plain rows, so sorting a large match set does not carry
    the permission columns along; then that page alone is loaded (through the rule-book again)."""
    ids = list(order(queryset, sort).values_list("id", flat=True)[start : start + rows])
    loaded = {row.pk: row for row in packages(user=user).filter(pk__in=ids)}
    return [loaded[pk] for pk in ids if pk in loaded]


def as_id(text: str) -> int | None:
    """``text`` as a row id, or None when it cannot be one (not digits, or too large)."""
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


def _id_or_code(reference: str) -> Q:
    pk = as_id(reference)
    return Q(code=reference) | Q(pk=pk) if pk is not None else Q(code=reference)


def package(*, user, reference: str) -> Resource:
    """One entry by id or by name (catalogue code), ids first as in CKAN; NotFound if ``user``
    may not see it."""
    rows = list(packages(user=user).filter(_id_or_code(reference))[:2])
    rows.sort(key=lambda row: str(row.pk) != reference)
    if not rows:
        raise NotFound
    return rows[0]


def distribution(*, user, reference: str) -> tuple[Resource, Distribution]:
    """A distribution by id with its entry; NotFound unless ``user`` may see the entry."""
    pk = as_id(reference)
    if pk is None:
        raise NotFound
    resource_id = Distribution.objects.filter(pk=pk).values_list("resource_id", flat=True).first()
    resource = packages(user=user).filter(pk=resource_id).first() if resource_id else None
    if resource is None:
        raise NotFound
    return resource, next(item for item in resource.distributions.all() if item.pk == pk)


# ---------------------------------------------------------------------------------------------
# Filters (fq and fielded q terms)
# ---------------------------------------------------------------------------------------------


def _ids(values: Iterable[str]) -> list[int]:
    return [pk for pk in map(as_id, values) if pk is not None]


def _tag_q(values: Iterable[str]) -> Q:
    condition = Q(pk__in=[])
    for value in values:
        pattern = rf"(^|,)\s*{re.escape(value)}\s*(,|$)"
        condition |= Q(keywords__regex=pattern)
    return condition


def _format_q(values: Iterable[str]) -> Q:
    condition = Q(pk__in=[])
    for value in values:
        condition |= Q(format__iexact=value)
    return condition


def _license_q(values: Iterable[str]) -> Q:
    return Q(license__in=[text for value in values for text in serializers.license_texts(value)])


def _state_q(values: Iterable[str]) -> Q:
    states = [v for v in values if v in serializers.STATUSES_BY_STATE]
    return Q(status__in=[s for state in states for s in serializers.STATUSES_BY_STATE[state]])


def _capacity_q(values: Iterable[str]) -> Q:
    condition = Q(pk__in=[])
    if "public" in values:
        condition |= policy.public_q()
    if "private" in values:
        condition |= ~policy.public_q()
    return condition


def _dataset_type_q(values: Iterable[str]) -> Q:
    return Q() if "dataset" in values else Q(pk__in=[])


FILTERS: dict[str, Callable[[tuple[str, ...]], Q]] = {
    "organization": lambda v: Q(provider__code__in=v),
    "owner_org": lambda v: Q(provider_id__in=_ids(v)) | Q(provider__code__in=v),
    "groups": lambda v: Q(theme__code__in=v) | Q(theme__parent__code__in=v),
    "tags": _tag_q,
    "res_format": _format_q,
    "license_id": _license_q,
    "tier": lambda v: Q(tier__in=v),
    "extras_tier": lambda v: Q(tier__in=v),
    "update_cycle": lambda v: Q(update_cycle__in=v),
    "extras_update_cycle": lambda v: Q(update_cycle__in=v),
    "security_grade": lambda v: Q(grade__in=v),
    "extras_security_grade": lambda v: Q(grade__in=v),
    "name": lambda v: Q(code__in=v),
    "id": lambda v: Q(pk__in=_ids(v)),
    "state": _state_q,
    "capacity": _capacity_q,
    "dataset_type": _dataset_type_q,
}
FILTER_FIELDS = frozenset({*FILTERS, *RANGE_FIELDS, "text"})


def _moment(value: str | None, term: Term) -> datetime | None:
    if value is None:
        return None
    try:
        moment = parse_datetime(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        moment = None
    if moment is None:
        raise SearchQueryError(f"Not a date and time in {term.field}: {value!r}")
    return make_aware(moment, ZoneInfo("UTC")) if is_naive(moment) else moment


def _range_q(term: Term) -> Q:
    if not term.is_range:
        raise SearchQueryError(f"{term.field} is filtered with a range: [FROM TO UNTIL]")
    column, condition = RANGE_FIELDS[term.field], Q()
    low, high = _moment(term.low, term), _moment(term.high, term)
    if low is not None:
        condition &= Q(**{f"{column}__gte": low})
    if high is not None:
        condition &= Q(**{f"{column}__lte": high})
    return condition


def term_q(term: Term, *, user) -> Q:
    """The condition for one filter term; grade filters only for callers the rule-book lets
    see grades (an Authorization Error for the others)."""
    if term.field in GRADE_FIELDS and not policy.can_see_grades(user):
        raise NotAuthorized("Only agency and platform staff may filter by security grade.")
    if term.field in RANGE_FIELDS:
        condition = _range_q(term)
    elif term.any_value:
        condition = Q()
    else:
        condition = FILTERS[term.field](term.values)
    return ~condition if term.negated else condition


def apply_filters(queryset: QuerySet, terms: Iterable[Term], text: str, *, user) -> QuerySet:
    """Narrow ``queryset`` by the filter terms, then by the search text (``text`` terms too)."""
    words = [text] if text.strip() else []
    for term in terms:
        if term.field == "text":
            if term.negated or term.is_range:
                raise SearchQueryError("text: takes words to search for, not -text or a range")
            words.extend(v for v in term.values if v != "*")
            continue
        queryset = queryset.filter(term_q(term, user=user))
    if words:
        queryset = search_resources(queryset, " ".join(words))
    return queryset


def order(queryset: QuerySet, sort: list[tuple[str, bool]]) -> QuerySet:
    """Order by CKAN sort fields; ``score`` counts only when there was search text. The id
    breaks ties, so pages given by ``start`` do not overlap."""
    fields = []
    for field, descending in sort:
        column = SORT_FIELDS[field]
        if column == "title_match" and column not in queryset.query.annotations:
            continue
        fields.append(F(column).desc() if descending else F(column).asc())
    return queryset.order_by(*fields, "-id")


# ---------------------------------------------------------------------------------------------
# Facets and tags
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetItem:
    name: str
    display_name: str
    count: int


def _grouped(base: QuerySet, key: str, label: str | None, limit: int, mincount: int):
    fields = [key] + ([label] if label else [])
    rows = base.values(*fields).annotate(n=Count("id")).filter(n__gte=mincount)
    rows = rows.exclude(**{f"{key}__isnull": True}).order_by("-n", key)
    return rows[:limit] if limit >= 0 else rows


def _simple_facet(key: str, label: str | None = None, labels: dict | None = None):
    def facet(base: QuerySet, limit: int, mincount: int) -> list[FacetItem]:
        rows = _grouped(base, key, label, limit, mincount)
        return [
            FacetItem(
                str(row[key]),
                str(row[label]) if label else str((labels or {}).get(row[key], row[key])),
                row["n"],
            )
            for row in rows
        ]

    return facet


def _groups_facet(base: QuerySet, limit: int, mincount: int) -> list[FacetItem]:
    counts: dict[str, list] = {}
    levels = (("theme__code", "theme__name"), ("theme__parent__code", "theme__parent__name"))
    for key, label in levels:
        for row in _grouped(base, key, label, -1, 1):
            item = counts.setdefault(row[key], [row[label], 0])
            item[1] += row["n"]
    items = [FacetItem(code, name, n) for code, (name, n) in counts.items() if n >= mincount]
    items.sort(key=lambda item: (-item.count, item.name))
    return items[:limit] if limit >= 0 else items


def _license_facet(base: QuerySet, limit: int, mincount: int) -> list[FacetItem]:
    counts: dict[str, list] = {}
    for row in _grouped(base, "license", None, -1, 1):
        license_ = serializers.license_for(row["license"])
        counts.setdefault(license_.id, [license_.title, 0])[1] += row["n"]
    items = [FacetItem(key, title, n) for key, (title, n) in counts.items() if n >= mincount]
    items.sort(key=lambda item: (-item.count, item.name))
    return items[:limit] if limit >= 0 else items


def _tags_facet(base: QuerySet, limit: int, mincount: int) -> list[FacetItem]:
    return [FacetItem(tag, tag, n) for tag, n in tag_counts(base, limit=limit, mincount=mincount)]


FACETS = {
    "organization": _simple_facet("provider__code", "provider__name"),
    "groups": _groups_facet,
    "tags": _tags_facet,
    "res_format": _simple_facet("format"),
    "license_id": _license_facet,
    "tier": _simple_facet("tier", labels=dict(Tier.choices)),
    "update_cycle": _simple_facet("update_cycle", labels=dict(UpdateCycle.choices)),
    "security_grade": _simple_facet("grade", labels=dict(Grade.choices)),
}


def facets(queryset: QuerySet, fields: list[str], *, limit: int, mincount: int, user):
    """Counts per value of each of ``fields`` over ``queryset`` (already limited by the
    rule-book and narrowed by the search), most frequent first; one query per field."""
    unknown = [field for field in fields if field not in FACETS]
    if unknown:
        raise SearchQueryError(f"Unknown facet fields {unknown}; supported: {sorted(FACETS)}")
    if "security_grade" in fields and not policy.can_see_grades(user):
        raise NotAuthorized("Only agency and platform staff may facet by security grade.")
    base = queryset.order_by()
    return {field: FACETS[field](base, limit, mincount) for field in dict.fromkeys(fields)}


def _split_keywords_sql(queryset: QuerySet) -> tuple[str, list]:
    """A recursive query splitting the ``keywords`` of ``queryset``'s rows into (id, tag) rows,
    trimmed as ``Resource.keyword_list`` trims them."""
    inner, params = queryset.order_by().values("id", "keywords").query.sql_with_params()
    find = "instr(rest, ',')" if connection.vendor == "sqlite" else "strpos(rest, ',')"
    trim = "trim(%s, %%s)" if connection.vendor == "sqlite" else "btrim(%s, %%s)"
    sql = (
        "WITH RECURSIVE base(id, keywords) AS (" + inner + "), "
        "split(id, tag, rest) AS ("
        " SELECT id, CAST('' AS TEXT), keywords || ',' FROM base"
        " UNION ALL"
        f" SELECT id, {trim % f'substr(rest, 1, {find} - 1)'}, substr(rest, {find} + 1)"
        " FROM split WHERE rest <> ''"
        ")"
    )
    return sql, [*params, _SPACE]


def tag_counts(queryset: QuerySet, *, limit: int = -1, mincount: int = 1) -> list[tuple]:
    """(tag, number of entries) over ``queryset``'s rows, most frequent first; one query."""
    sql, params = _split_keywords_sql(queryset)
    sql += (
        " SELECT tag, COUNT(DISTINCT id) AS n FROM split WHERE tag <> ''"
        " GROUP BY tag HAVING COUNT(DISTINCT id) >= %s ORDER BY n DESC, tag"
    )
    params.append(mincount)
    if limit >= 0:
        sql += " LIMIT %s"
        params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(tag, n) for tag, n in cursor.fetchall()]


def tag_names(queryset: QuerySet, *, contains: str = "") -> list[str]:
    """The distinct tags of ``queryset``'s rows, sorted; only those holding ``contains`` (any
    case) when given. One query."""
    sql, params = _split_keywords_sql(queryset)
    sql += " SELECT DISTINCT tag FROM split WHERE tag <> ''"
    if contains:
        escaped = contains.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        sql += " AND lower(tag) LIKE %s ESCAPE '\\'"
        params.append(f"%{escaped}%")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # Sorted here, by code point, so that both databases give the same order.
        return sorted(tag for (tag,) in cursor.fetchall())


# ---------------------------------------------------------------------------------------------
# Organizations and themes
# ---------------------------------------------------------------------------------------------


def organizations(*, user) -> QuerySet:
    """All organizations, each with the number of entries ``user`` may see."""
    return selectors.organization_queryset(user=user)


def themes(*, user) -> QuerySet:
    """All themes, each with the number of entries ``user`` may see (sub-themes included)."""
    return selectors.theme_queryset(user=user)


def by_id_or_name(queryset: QuerySet, reference: str) -> Organization | Theme:
    """One organization or theme by id or name (code); NotFound otherwise."""
    rows = sorted(queryset.filter(_id_or_code(reference))[:2], key=lambda r: str(r.pk) != reference)
    if not rows:
        raise NotFound
    return rows[0]
