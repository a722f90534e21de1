"""Reads for the CKAN-compatible API. Every read starts from what the rule-book lets the caller
see and only narrows it: by state, by "public" (the rule-book's ``public_q``), by the client's
filters and search text.

``package_search`` is answered by the search engine (``catalog.search``): its documents carry
the permission labels the rule-book gives each entry, so nothing the caller may not see is
matched or counted, and the page's rows are read back through the rule-book's queryset. The
name and tag lists (``package_list``, ``tag_list``) are read from the database."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware

from catalog import selectors
from catalog.interop.ckan import serializers
from catalog.interop.ckan.errors import NotAuthorized, NotFound, SearchQueryError
from catalog.interop.ckan.solr import Term
from catalog.models import Distribution, Organization, Resource, Theme, UpdateCycle
from catalog.search.catalogue import fresh, words_of
from catalog.search.documents import key_id, microseconds
from catalog.search.engine import RESOURCES, Match, Order, get_engine
from grading import policy
from grading.grades import Grade, Tier

GRADE_FIELDS = frozenset({"security_grade", "extras_security_grade"})
# CKAN range field → engine field
RANGE_FIELDS = {"metadata_modified": "updated", "metadata_created": "created"}
# CKAN sort field → engine key (``score``: entries holding every word in the title first)
SORT_FIELDS = {
    "metadata_modified": "by_updated",
    "metadata_created": "by_created",
    "title_string": "title_sort",
    "name": "name_sort",
    "score": None,
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
    ``include_private``, only the public ones. Plain rows, for names and tags."""
    queryset = policy.viewable(user)
    if states is not None:
        statuses = [s for state in states for s in serializers.STATUSES_BY_STATE[state]]
        queryset = queryset.filter(status__in=statuses)
    if not include_private:
        queryset = queryset.filter(policy.public_q())
    return queryset


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
# package_search, answered by the search engine
# ---------------------------------------------------------------------------------------------
#
# The filters become an engine query (``catalog.search.engine.Match``) over the caller's
# permission labels; the engine gives the count, the facet counts and the page's ids in order
# (CKAN pages by offset: ``start``); the page's rows are read back through the rule-book's
# queryset (:func:`packages`), so an entry the index still holds but the caller may no longer
# see is dropped from the page.


def _ids(values: Iterable[str]) -> list[int]:
    return [pk for pk in map(as_id, values) if pk is not None]


def _organization_ids(codes: Iterable[str]) -> tuple[int, ...]:
    rows = Organization.objects.filter(code__in=list(codes)).values_list("pk", flat=True)
    return tuple(rows)


def _theme_ids(codes: Iterable[str]) -> tuple[int, ...]:
    return tuple(Theme.objects.filter(code__in=list(codes)).values_list("pk", flat=True))


def _statuses(states: Iterable[str]) -> tuple[str, ...]:
    return tuple(
        status
        for state in states
        if state in serializers.STATUSES_BY_STATE
        for status in serializers.STATUSES_BY_STATE[state]
    )


def _capacity(values: Iterable[str]) -> tuple[int, ...]:
    values = set(values)
    return (1,) * ("public" in values) + (0,) * ("private" in values)


# CKAN filter field → the engine field and values an entry must hold (one of them), or None
# for a filter every entry passes. No values: no entry passes (or, negated, none is left out).
FILTERS: dict[str, Callable[[tuple[str, ...]], tuple[str, tuple] | None]] = {
    "organization": lambda v: ("provider", _organization_ids(v)),
    "owner_org": lambda v: ("provider", (*_ids(v), *_organization_ids(v))),
    "groups": lambda v: ("theme_path", _theme_ids(v)),
    "tags": lambda v: ("tags", v),
    "res_format": lambda v: ("format_ci", tuple(value.lower() for value in v)),
    "license_id": lambda v: ("license", v),
    "tier": lambda v: ("tier", v),
    "extras_tier": lambda v: ("tier", v),
    "update_cycle": lambda v: ("update_cycle", v),
    "extras_update_cycle": lambda v: ("update_cycle", v),
    "security_grade": lambda v: ("grade", v),
    "extras_security_grade": lambda v: ("grade", v),
    "name": lambda v: ("code", v),
    "id": lambda v: ("id", tuple(_ids(v))),
    "state": lambda v: ("status", _statuses(v)),
    "capacity": lambda v: ("public", _capacity(v)),
    "dataset_type": lambda v: None if "dataset" in v else ("id", ()),
}
FILTER_FIELDS = frozenset({*FILTERS, *RANGE_FIELDS, "text"})


def _moment(value: str | None, term: Term) -> int | None:
    """A range bound as the engine stores times (microseconds since 1970, UTC)."""
    if value is None:
        return None
    try:
        moment = parse_datetime(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        moment = None
    if moment is None:
        raise SearchQueryError(f"Not a date and time in {term.field}: {value!r}")
    return microseconds(make_aware(moment, ZoneInfo("UTC")) if is_naive(moment) else moment)


@dataclass
class _Query:
    """The engine query's parts, collected term by term."""

    words: list[str] = field(default_factory=list)
    terms: list[tuple[str, tuple]] = field(default_factory=list)
    ranges: list[tuple[str, int | None, int | None]] = field(default_factory=list)
    excluded_terms: list[tuple[str, tuple]] = field(default_factory=list)
    excluded_ranges: list[tuple[str, int | None, int | None]] = field(default_factory=list)
    nothing: bool = False  # a filter no entry passes

    def add(self, term: Term, *, user) -> None:
        """Add one filter term; grade filters only for callers the rule-book lets see grades
        (an Authorization Error for the others)."""
        if term.field in GRADE_FIELDS and not policy.can_see_grades(user):
            raise NotAuthorized("Only agency and platform staff may filter by security grade.")
        if term.field in RANGE_FIELDS:
            if not term.is_range:
                raise SearchQueryError(f"{term.field} is filtered with a range: [FROM TO UNTIL]")
            bounds = (RANGE_FIELDS[term.field], _moment(term.low, term), _moment(term.high, term))
            (self.excluded_ranges if term.negated else self.ranges).append(bounds)
            return
        condition = None if term.any_value else FILTERS[term.field](term.values)
        if condition is None:
            return
        name, values = condition[0], tuple(condition[1])
        if values:
            (self.excluded_terms if term.negated else self.terms).append((name, values))
        elif not term.negated:
            self.nothing = True


def package_match(
    *, user, terms: Iterable[Term], text: str, include_private: bool, states: Iterable[str] | None
) -> Match | None:
    """The engine query for the entries ``user`` may see, in ``states`` (CKAN states; ``None``
    for any), only the public ones unless ``include_private``, narrowed by the filter terms and
    the search text (``text:`` terms too); ``None`` when no entry can match."""
    query = _Query(words=[text] if text.strip() else [])
    for term in terms:
        if term.field == "text":
            if term.negated or term.is_range:
                raise SearchQueryError("text: takes words to search for, not -text or a range")
            query.words.extend(v for v in term.values if v != "*")
            continue
        query.add(term, user=user)
    if states is not None:
        query.terms.append(("status", _statuses(states)))
    if not include_private:
        query.terms.append(("public", (1,)))
    words = words_of(" ".join(query.words))
    if words is None or query.nothing or any(not values for _n, values in query.terms):
        return None
    return Match(
        labels=tuple(policy.resource_caller_labels(user)),
        words=words,
        terms=tuple(query.terms),
        ranges=tuple(query.ranges),
        excluded_terms=tuple(query.excluded_terms),
        excluded_ranges=tuple(query.excluded_ranges),
    )


def _ordering(sort: list[tuple[str, bool]]) -> tuple[bool | None, str, bool]:
    """(``score`` descending, or None when not asked; the engine key; descending) for CKAN's
    ``sort``. The first field other than ``score`` decides the order (within each half when
    ranking by score); every key ends with the id, so later fields would change nothing."""
    score = None
    for name, descending in sort:
        key = SORT_FIELDS[name]
        if key is None:
            score = descending if score is None else score
            continue
        return score, key, descending
    return score, "id", True


def _hit_id(key) -> int:
    return int(key.rsplit("\x00", 1)[1]) if isinstance(key, str) else key_id(key)


def _page_ids(match: Match, sort, *, total: int, start: int, rows: int) -> list[int]:
    """The ids of matches ``start`` to ``start + rows`` in CKAN's ``sort``. Ranking by score
    puts the entries holding every word in their title first (or last, ascending)."""
    if rows <= 0 or start >= total:
        return []
    score, key, descending = _ordering(sort)
    phases = [match]
    if score is not None and match.words:
        phases = [match.narrowed(in_title=True), match.narrowed(exclude_words_in_title=True)]
        phases = phases if score else phases[::-1]
    engine, found, offset = get_engine(), [], start
    for position, phase in enumerate(phases):
        if position < len(phases) - 1:
            size = engine.counts(RESOURCES, phase, ()).total
            if offset >= size:
                offset -= size
                continue
        order = Order(key=key, descending=descending, offset=offset)
        found += [
            _hit_id(k) for k in engine.search(RESOURCES, phase, order, rows - len(found)).keys
        ]
        offset = 0
        if len(found) >= rows:
            break
    return found


@dataclass(frozen=True)
class FacetItem:
    name: str
    display_name: str
    count: int


# CKAN facet field → engine field
FACETS = {
    "organization": "provider",
    "groups": "theme_path",
    "tags": "tags",
    "res_format": "format",
    "license_id": "license",
    "tier": "tier",
    "update_cycle": "update_cycle",
    "security_grade": "grade",
}
_CHOICES = {
    "tier": dict(Tier.choices),
    "update_cycle": dict(UpdateCycle.choices),
    "security_grade": dict(Grade.choices),
    "license_id": {item.id: item.title for item in serializers.LICENSES.values()},
}


def check_facets(fields: list[str], *, user) -> None:
    """A Search Query Error for an unknown facet field; grades only for callers the rule-book
    lets see them (an Authorization Error for the others)."""
    unknown = [name for name in fields if name not in FACETS]
    if unknown:
        raise SearchQueryError(f"Unknown facet fields {unknown}; supported: {sorted(FACETS)}")
    if "security_grade" in fields and not policy.can_see_grades(user):
        raise NotAuthorized("Only agency and platform staff may facet by security grade.")


def _facet_items(name: str, counts: dict, *, limit: int, mincount: int) -> list[FacetItem]:
    """Most frequent first, then by value; organizations and groups by code, with their
    names (one query)."""
    if name in ("organization", "groups"):
        model = Organization if name == "organization" else Theme
        rows = model.objects.filter(pk__in=list(counts)).values_list("pk", "code", "name")
        items = [FacetItem(code, label, counts[pk]) for pk, code, label in rows]
    else:
        labels = _CHOICES.get(name, {})
        items = [FacetItem(str(v), str(labels.get(v, v)), n) for v, n in counts.items()]
    items = [item for item in items if item.count >= mincount]
    items.sort(key=lambda item: (-item.count, item.name))
    return items[:limit] if limit >= 0 else items


@dataclass
class Found:
    count: int
    rows: list
    facets: dict[str, list[FacetItem]]


def package_search(
    *, user, match: Match | None, sort, start: int, rows: int, facet_fields: list[str],
    facet_limit: int = -1, facet_mincount: int = 1,
) -> Found:  # fmt: skip
    """The number of entries ``match`` selects, rows ``start`` to ``start + rows`` in CKAN's
    ``sort`` (loaded for package dicts, through the rule-book again) and the facet counts."""
    fields = list(dict.fromkeys(facet_fields))
    check_facets(fields, user=user)
    if match is None:
        return Found(0, [], {name: [] for name in fields})
    fresh()
    counted = get_engine().counts(RESOURCES, match, [FACETS[name] for name in fields])
    ids = _page_ids(match, sort, total=counted.total, start=start, rows=rows)
    # No ORDER BY: the engine's order is kept below, and SQLite would otherwise walk the
    # modified-date index for the ids (20 ms at a million entries instead of 1).
    rows_by_id = packages(user=user).filter(pk__in=ids).order_by() if ids else ()
    loaded = {row.pk: row for row in rows_by_id}
    facets = {
        name: _facet_items(
            name, counted.facets[FACETS[name]], limit=facet_limit, mincount=facet_mincount
        )
        for name in fields
    }
    return Found(counted.total, [loaded[pk] for pk in ids if pk in loaded], facets)


def newest_packages(*, user, organization=None, theme=None, rows: int = 10) -> list:
    """The ``rows`` most recently changed active entries ``user`` may see, of ``organization``
    or in ``theme`` (its sub-themes included), loaded for package dicts."""
    match = package_match(user=user, terms=(), text="", include_private=True, states=["active"])
    if organization is not None:
        match = match.narrowed(terms=(*match.terms, ("provider", (organization.pk,))))
    if theme is not None:
        match = match.narrowed(terms=(*match.terms, ("theme_path", (theme.pk,))))
    newest = [("metadata_modified", True)]
    found = package_search(user=user, match=match, sort=newest, start=0, rows=rows, facet_fields=[])
    return found.rows


# ---------------------------------------------------------------------------------------------
# Tags
# ---------------------------------------------------------------------------------------------


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
