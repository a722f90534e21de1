"""The actions, one function each, registered by name. Each takes the caller's context and the
request's parameters and returns the ``result`` of CKAN's envelope, or raises one of CKAN's
errors (``catalog.interop.ckan.errors``). The docstrings are what ``help_show`` answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet

from catalog.interop.ckan import selectors, serializers, solr
from catalog.interop.ckan.errors import NotFound, SearchQueryError, ValidationError
from catalog.interop.ckan.params import Params
from catalog.search.engine import Match
from grading import policy
from portal import links

ROWS_DEFAULT, ROWS_MAX = 10, 1000
FACET_LIMIT_DEFAULT = 50
LIST_MAX, LIST_ALL_FIELDS_MAX = 1000, 25
DEFAULT_SORT = "score desc, metadata_modified desc"
# The CKAN release whose Action API this one follows.
CKAN_API_LEVEL = "2.10.0"
SEARCH_PARAMETERS = frozenset(
    {
        "q", "fq", "fq_list", "rows", "start", "sort", "fl", "facet", "facet.field",
        "facet.limit", "facet.mincount", "include_private", "include_drafts", "include_deleted",
        "use_default_schema", "extras",
        # Solr tuning that has no meaning here; accepted and ignored, as harmless.
        "qf", "wt", "bf", "boost", "tie", "defType", "mm", "df",
    }
)  # fmt: skip


@dataclass
class Context:
    """Who is calling, and the request (for absolute links)."""

    request: Any

    @property
    def user(self):
        return self.request.user

    @cached_property
    def show_grades(self) -> bool:
        return policy.can_see_grades(self.user)

    def package(self, resource) -> dict:
        """``resource`` as a CKAN package dict, as this caller may see it."""
        note = "" if resource.may_download else policy.denial_message(self.user, resource)
        return serializers.package_dict(
            resource, request=self.request, show_grade=self.show_grades, access_note=note
        )


ACTIONS: dict[str, Callable[[Context, dict], Any]] = {}


def action(function):
    """Register ``function`` as the action of the same name."""
    ACTIONS[function.__name__] = function
    return function


def _states(params: Params) -> list[str]:
    states = ["active"]
    if params.boolean("include_drafts"):
        states.append("draft")
    if params.boolean("include_deleted"):
        states.append("deleted")
    return states


# ---------------------------------------------------------------------------------------------
# Site
# ---------------------------------------------------------------------------------------------


@action
def status_show(context: Context, data: dict) -> dict:
    """Return a dictionary with information about the site.

    :rtype: dictionary (site_title, site_url, locale_default, ckan_version, extensions)
    """
    return {
        "site_title": str(settings.PORTAL_NAME),
        "site_description": "",
        "site_url": links.site_origin(),
        "error_emails_to": None,
        "locale_default": "zh_Hans",
        "ckan_version": CKAN_API_LEVEL,
        "extensions": [],
    }


@action
def site_read(context: Context, data: dict) -> bool:
    """Return ``True``: the catalogue may be read."""
    return True


@action
def help_show(context: Context, data: dict) -> str | None:
    """Return the help string for a particular API action.

    :param name: action function name (e.g. ``package_search``)
    :type name: string
    """
    params = Params(data)
    name = params.required("name")
    params.check()
    if name not in ACTIONS:
        raise NotFound("Action function not found")
    return ACTIONS[name].__doc__


# ---------------------------------------------------------------------------------------------
# Packages (data resources) and resources (distributions)
# ---------------------------------------------------------------------------------------------


@action
def package_list(context: Context, data: dict) -> list[str]:
    """Return the names (catalogue codes) of the site's public, active datasets, sorted.

    :param limit: at most this many names (optional)
    :type limit: int
    :param offset: when ``limit`` is given, the offset to start from (optional)
    :type offset: int
    :param include_private: also list the non-public entries the caller may see (optional,
        default ``False``); ``include_drafts`` and ``include_deleted`` likewise add the caller's
        visible drafts and withdrawn entries
    :type include_private: bool
    """
    params = Params(data)
    limit, offset = params.natural("limit"), params.natural("offset")
    include_private, states = params.boolean("include_private"), _states(params)
    params.check()
    base = selectors.entries(user=context.user, include_private=include_private, states=states)
    names = base.order_by("code").values_list("code", flat=True)
    if offset:
        names = names[offset:]
    if limit:
        names = names[:limit]
    return list(names)


@action
def package_show(context: Context, data: dict) -> dict:
    """Return the metadata of a dataset (a data resource) and its resources (distributions).

    :param id: the id or name (catalogue code) of the dataset
    :type id: string
    """
    params = Params(data)
    reference = params.required("id", "name_or_id")
    params.check()
    return context.package(selectors.package(user=context.user, reference=reference))


@action
def resource_show(context: Context, data: dict) -> dict:
    """Return the metadata of a resource (a distribution of a data resource).

    The ``url`` of a stored file is its download link, present only when the caller may
    download it; otherwise ``access_note`` says how to get access.

    :param id: the id of the resource
    :type id: string
    """
    params = Params(data)
    reference = params.required("id")
    params.check()
    resource, distribution = selectors.distribution(user=context.user, reference=reference)
    resources = context.package(resource)["resources"]
    return next(item for item in resources if item["id"] == str(distribution.pk))


@dataclass
class _Search:
    q: str
    fq: list[str]
    rows: int
    start: int
    sort: str
    fields: list[str]
    facet_fields: list[str]
    facet_limit: int
    facet_mincount: int
    include_private: bool
    states: list[str]


def _search_params(data: dict) -> _Search:
    unknown = sorted(k for k in data if k not in SEARCH_PARAMETERS and not k.startswith("ext_"))
    params = Params(data)
    fields = params.string_list("fl") or []
    search = _Search(
        q=params.text("q"),
        fq=[params.text("fq"), *(params.string_list("fq_list") or [])],
        rows=min(params.natural("rows", ROWS_DEFAULT), ROWS_MAX),
        start=params.natural("start", 0),
        sort=params.text("sort").strip(),
        fields=[name for item in fields for name in item.replace(",", " ").split()],
        facet_fields=params.string_list("facet.field", json_text=True) or [],
        facet_limit=params.integer("facet.limit", FACET_LIMIT_DEFAULT),
        facet_mincount=params.natural("facet.mincount", 1),
        include_private=params.boolean("include_private"),
        states=_states(params),
    )
    if not params.boolean("facet", True):
        search.facet_fields = []
    params.check()
    if unknown:
        raise SearchQueryError(f"Invalid search parameters: {unknown}")
    return search


def _matching(context: Context, search: _Search) -> Match | None:
    if len(search.q) > settings.CATALOG_MAX_QUERY_LENGTH:
        raise SearchQueryError(f"q is longer than {settings.CATALOG_MAX_QUERY_LENGTH} characters")
    terms, text = solr.parse_query(
        search.q, fields=selectors.FILTER_FIELDS, range_fields=selectors.RANGE_FIELDS
    )
    for fq in search.fq:
        terms += solr.parse_filters(
            fq, fields=selectors.FILTER_FIELDS, range_fields=selectors.RANGE_FIELDS
        )
    # As in CKAN, a state filter in the query replaces the default "active only".
    states = None if any(term.field == "state" for term in terms) else search.states
    return selectors.package_match(
        user=context.user,
        terms=terms,
        text=text,
        include_private=search.include_private,
        states=states,
    )


def _facet_dicts(found: dict[str, list]) -> tuple[dict, dict]:
    flat = {field: {item.name: item.count for item in items} for field, items in found.items()}
    structured = {
        field: {
            "title": field,
            "items": sorted(
                (vars(item) for item in items), key=lambda i: i["display_name"], reverse=True
            ),
        }
        for field, items in found.items()
    }
    return flat, structured


@action
def package_search(context: Context, data: dict) -> dict:
    """Search datasets (data resources) the caller may see.

    :param q: search words; ``*:*`` or empty for all; ``field:value`` words filter as in fq
    :type q: string
    :param fq: filters: ``organization:``, ``groups:``, ``tags:``, ``res_format:``,
        ``license_id:``, ``tier:``, ``update_cycle:``, ``name:``, ``id:``, ``state:``,
        ``capacity:``, ``metadata_modified:[FROM TO UNTIL]``, ``security_grade:`` (staff only);
        values may be quoted or ``(a OR b)``; ``-field:value`` excludes
    :type fq: string
    :param rows: the number of datasets to return (default 10, at most 1000)
    :type rows: int
    :param start: the offset of the first dataset to return
    :type start: int
    :param sort: e.g. ``metadata_modified desc``, ``title_string asc``, ``name asc``,
        ``score desc`` (default ``score desc, metadata_modified desc``)
    :type sort: string
    :param facet.field: the fields to count values of, as a JSON list: ``organization``,
        ``groups``, ``tags``, ``res_format``, ``license_id``, ``tier``, ``update_cycle``,
        ``security_grade`` (staff only)
    :type facet.field: list of strings
    :param facet.limit: values per facet field (default 50; negative for all)
    :type facet.limit: int
    :param include_private: include the non-public entries the caller may see (default False)
    :type include_private: bool

    :rtype: dictionary with ``count``, ``results``, ``facets``, ``search_facets`` and ``sort``
    """
    search = _search_params(data)
    sort = search.sort or DEFAULT_SORT
    orders = solr.parse_sort(sort, fields=selectors.SORT_FIELDS)
    found = selectors.package_search(
        user=context.user,
        match=_matching(context, search),
        sort=orders,
        start=search.start,
        rows=search.rows,
        facet_fields=search.facet_fields,
        facet_limit=search.facet_limit,
        facet_mincount=search.facet_mincount,
    )
    results = [context.package(resource) for resource in found.rows]
    if search.fields:
        results = [{k: r[k] for k in search.fields if k in r} for r in results]
    flat, structured = _facet_dicts(found.facets)
    return {
        "count": found.count,
        "facets": flat,
        "results": results,
        "sort": sort,
        "search_facets": structured,
    }


# ---------------------------------------------------------------------------------------------
# Organizations, groups (themes) and tags
# ---------------------------------------------------------------------------------------------

_LIST_SORTS = {"name": "code", "title": "name", "package_count": "resource_count"}


def _list_order(sort: str) -> tuple[str, bool]:
    sort = sort.strip() or "title"
    if sort in ("packages", "package_count"):
        sort = "package_count desc"
    parts = [part.split() for part in sort.split(",")]
    if len(parts) > 1:
        raise ValidationError({"message": ["Too many sort criteria provided only 1 allowed"]})
    field, direction = parts[0][0], (parts[0][1].lower() if len(parts[0]) > 1 else "asc")
    field = "package_count" if field == "packages" else field
    if field not in _LIST_SORTS:
        raise ValidationError({"message": [f"Cannot sort by field `{field}`"]})
    if direction not in ("asc", "desc"):
        raise ValidationError({"message": [f"Invalid sort direction `{direction}`"]})
    return _LIST_SORTS[field], direction == "desc"


def _group_list(context: Context, data: dict, queryset: QuerySet, names_key: str, to_dict):
    params = Params(data)
    limit, offset = params.natural("limit"), params.natural("offset")
    all_fields, q = params.boolean("all_fields"), params.text("q").strip()
    with_count = params.boolean("include_dataset_count", True)
    with_extras = params.boolean("include_extras")
    names = params.string_list(names_key)
    sort = params.text("sort")
    params.check()
    column, descending = _list_order(sort)
    if q:
        queryset = queryset.filter(
            Q(code__icontains=q) | Q(name__icontains=q) | Q(description__icontains=q)
        )
    if names:
        queryset = queryset.filter(code__in=names)
    ordering = F(column).desc() if descending else F(column).asc()
    queryset = queryset.order_by(ordering, "code")
    maximum = LIST_ALL_FIELDS_MAX if all_fields else LIST_MAX
    rows = queryset[offset or 0 :][: min(limit or maximum, maximum)]
    if not all_fields:
        return [row.code for row in rows]
    return [to_dict(row, with_count=with_count, with_extras=with_extras) for row in rows]


def _organization(row, *, with_count: bool, with_extras: bool) -> dict:
    result = serializers.organization_dict(
        row, package_count=row.resource_count if with_count else None
    )
    if with_extras:
        result["extras"] = serializers.organization_extras(row)
    return result


def _group(row, *, with_count: bool, with_extras: bool) -> dict:
    result = serializers.group_dict(row, package_count=row.resource_count if with_count else None)
    if with_extras:
        result["extras"] = serializers.group_extras(row)
    return result


_LIST_DOC = """

    :param sort: ``name``, ``title`` or ``package_count``, with ``asc`` or ``desc``
        (default ``title asc``)
    :type sort: string
    :param limit: at most this many (default and maximum 1000, or 25 with all_fields)
    :type limit: int
    :param offset: skip this many
    :type offset: int
    :param q: only those whose name, title or description contains this text
    :type q: string
    :param all_fields: return dictionaries (with ``package_count``: the entries the caller may
        see) instead of names
    :type all_fields: bool
"""


@action
def organization_list(context: Context, data: dict) -> list:
    return _group_list(
        context, data, selectors.organizations(user=context.user), "organizations", _organization
    )


organization_list.__doc__ = "Return the names of the site's organizations." + _LIST_DOC


@action
def group_list(context: Context, data: dict) -> list:
    return _group_list(context, data, selectors.themes(user=context.user), "groups", _group)


group_list.__doc__ = "Return the names of the site's groups (themes)." + _LIST_DOC


def _show_datasets(context: Context, narrowing: dict) -> list[dict]:
    rows = selectors.newest_packages(user=context.user, **narrowing)
    return [context.package(row) for row in rows]


def _show(context: Context, data: dict, queryset: QuerySet, to_dict, condition) -> dict:
    params = Params(data)
    reference = params.required("id")
    include_datasets = params.boolean("include_datasets")
    with_count = params.boolean("include_dataset_count", True)
    with_extras = params.boolean("include_extras", True)
    params.check()
    row = selectors.by_id_or_name(queryset, reference)
    result = to_dict(row, with_count=with_count, with_extras=with_extras)
    if include_datasets:
        result["packages"] = _show_datasets(context, condition(row))
    return result


@action
def organization_show(context: Context, data: dict) -> dict:
    """Return the details of an organization.

    :param id: the id or name (short code) of the organization
    :type id: string
    :param include_datasets: include its 10 most recently changed datasets the caller may see
        (optional, default ``False``)
    :type include_datasets: bool
    """
    queryset = selectors.organizations(user=context.user)
    return _show(context, data, queryset, _organization, lambda row: {"organization": row})


@action
def group_show(context: Context, data: dict) -> dict:
    """Return the details of a group (a theme).

    :param id: the id or name (code) of the group
    :type id: string
    :param include_datasets: include its 10 most recently changed datasets the caller may see
        (optional, default ``False``)
    :type include_datasets: bool
    """
    queryset = selectors.themes(user=context.user)
    return _show(context, data, queryset, _group, lambda row: {"theme": row})


@action
def tag_list(context: Context, data: dict) -> list:
    """Return the tags (keywords) of the active datasets the caller may see, sorted by name.

    :param query: only tags containing this text (optional)
    :type query: string
    :param all_fields: return tag dictionaries instead of names (optional, default ``False``)
    :type all_fields: bool
    """
    params = Params(data)
    query = (params.text("query") or params.text("q")).strip()
    all_fields = params.boolean("all_fields")
    vocabulary = params.text("vocabulary_id")
    params.check()
    if vocabulary:
        raise NotFound(f"could not find vocabulary '{vocabulary}'")
    visible = selectors.entries(user=context.user, include_private=True, states=["active"])
    names = selectors.tag_names(visible, contains=query)
    return [serializers.tag_dict(name) for name in names] if all_fields else names
