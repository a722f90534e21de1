"""Helpers of the catalogue's list views: page size, cursor links, filter chips and errors."""

from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param

from catalog.search.catalogue import page_cursor
from portal import links
from portal.page_numbers import PageLink, last_page, numbered
from portal.pagination import CatalogCursorPagination


def filter_errors(filterset) -> str:
    return "; ".join(
        f"{filterset.filters[name].label if name in filterset.filters else name}: {' '.join(errs)}"
        for name, errs in filterset.errors.items()
    )


def active_filters(filterset) -> list[tuple[str, str, str]]:
    """(parameter, filter label, value label) for each filter in use, for the chips above the
    results."""
    chips = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, ""):
            continue
        choices = dict(filterset.filters[name].extra.get("choices") or [])
        shown = getattr(value, "display_name", None) or choices.get(value, value)
        chips.append((name, str(filterset.filters[name].label), str(shown)))
    return chips


def page_size(request) -> int:
    """The ``page_size`` asked for (the API's rule: 1 to the maximum), or the default."""
    return CatalogCursorPagination().get_page_size(Request(request))


def link(request, token: str | None) -> str | None:
    if token is None:
        return None
    return replace_query_param(links.absolute_current(request), "cursor", token)


def page_links(request, *, number: int | None, total: int, size: int) -> list[PageLink]:
    """Numbered links of a search's pages (the first, those around ``number``, the last), each
    page reached by its own cursor; pages too deep for an offset are left out."""

    def href(n: int) -> str | None:
        if n == 1:
            return remove_query_param(links.absolute_current(request), "cursor")
        token = page_cursor(n, size)
        return link(request, token) if token else None

    return numbered(current=number, last=last_page(total, size), href=href)


def without(params, name: str) -> str:
    kept = params.copy()
    for key in (name, "cursor"):
        kept.pop(key, None)
    return kept.urlencode()


def without_paging(params) -> str:
    """The query string of a search without its page position, for the export links."""
    kept = params.copy()
    for name in ("cursor", "page_size"):
        kept.pop(name, None)
    return kept.urlencode()
