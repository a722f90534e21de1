"""Searching the catalogues through the engine: a filter's cleaned values and the caller in,
a re-checked page, the number of matches and the facet counts out.

The caller's labels come from the policy (``grading/policy/search.py``); the engine returns
ordering keys, the ids are read back through the policy's own querysets (``resource_queryset``,
``product_queryset``), so an entry the index still holds but the caller may no longer see is
dropped from the page. Pages are keyset-paged on the engine's sort keys; the cursor is an opaque
token carrying the key of the row at the page boundary (and, when relevance puts entries with
every word in the title first, which of the two halves it is in).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from catalog.models import Organization, Theme, UpdateCycle
from catalog.search import outbox
from catalog.search.cursors import (  # noqa: F401 (the listings import them from here)
    INVALID_CURSOR,
    MAX_PAGE_OFFSET,
    InvalidCursor,
    _encode,
    _number,
    decode_cursor,
    page_cursor,
)
from catalog.search.documents import key_id
from catalog.search.engine import PRODUCTS, RESOURCES, Match, Order, Word, get_engine
from catalog.search.query import query_terms, word_pieces
from grading import policy
from grading.grades import Grade, Tier

FACETS = ("theme", "provider", "tier", "res_format", "update_cycle")
# facet name → engine field
_FACET_FIELDS = {
    "theme": "theme",
    "provider": "provider",
    "tier": "tier",
    "res_format": "format",
    "update_cycle": "update_cycle",
    "grade": "grade",
}
_CHOICES = {"tier": Tier, "update_cycle": UpdateCycle, "grade": Grade}
# API ``ordering`` values → (engine key, descending)
RESOURCE_ORDERINGS = {
    "modified": ("by_modified", False),
    "-modified": ("by_modified", True),
    "quality_score": ("by_quality", False),
    "-quality_score": ("by_quality", True),
    "record_count": ("by_records", False),
    "-record_count": ("by_records", True),
    "download_count": ("by_downloads", False),
    "-download_count": ("by_downloads", True),
    "title": ("title_sort", False),
    "-title": ("title_sort", True),
}
TEXT_KEYS = {"title_sort"}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class SearchPage:
    rows: list
    total: int
    next_cursor: str | None = None
    previous_cursor: str | None = None
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    number: int | None = 1  # the page's number, when the cursor says it


# -- what the caller asked for ----------------------------------------------------------------


def words_of(text: str | None) -> tuple[Word, ...] | None:
    """The query's words, ``()`` for no query, or ``None`` for a query without searchable
    words (which matches nothing)."""
    if not (text or "").strip():
        return ()
    terms = query_terms(text)
    if not terms:
        return None
    return tuple(Word(t, word_pieces(t)) for t in terms)


def resource_match(user, data: dict) -> Match | None:
    """The engine query for a resource filter's cleaned ``data`` and ``user``'s labels; ``None``
    when nothing can match."""
    words = words_of(data.get("q"))
    if words is None:
        return None
    terms, ranges = [], []
    if data.get("theme"):
        terms.append(("theme_path", (data["theme"].pk,)))
    if data.get("provider"):
        terms.append(("provider", (data["provider"].pk,)))
    for name in ("tier", "update_cycle"):
        if data.get(name):
            terms.append((name, (data[name],)))
    if data.get("grade"):
        if not policy.can_see_grades(user):
            raise PermissionDenied(
                _("Only agency and platform staff may filter by security grade.")
            )
        terms.append(("grade", (data["grade"],)))
    if data.get("res_format"):
        terms.append(("format_ci", (data["res_format"].lower(),)))
    if data.get("high_value") is not None:
        terms.append(("high_value", (int(data["high_value"]),)))
    if data.get("min_quality") is not None:
        ranges.append(("quality", math.ceil(data["min_quality"]), None))
    if data.get("modified_after"):
        ranges.append(("modified", data["modified_after"].toordinal(), None))
    labels = tuple(policy.resource_caller_labels(user))
    return Match(labels=labels, words=words, terms=tuple(terms), ranges=tuple(ranges))


def product_match(user, data: dict) -> Match | None:
    """The engine query for a product filter's cleaned ``data``."""
    words = words_of(data.get("q"))
    if words is None:
        return None
    terms = []
    for name in ("provider", "theme"):
        if data.get(name):
            terms.append((name, (data[name].pk,)))
    for name in ("product_type", "delivery", "purpose"):
        if data.get(name):
            terms.append((name, (data[name],)))
    labels = tuple(policy.product_caller_labels(user))
    return Match(labels=labels, words=words, terms=tuple(terms))


# -- paging ----------------------------------------------------------------------------------


def _phases(match: Match, relevance: bool) -> list[Match]:
    """Entries with every word in the title first, then the rest, when ranking by relevance."""
    if relevance and match.words:
        return [match.narrowed(in_title=True), match.narrowed(exclude_words_in_title=True)]
    return [match]


def _keyset(kind, phases, key, descending, cursor, size):
    engine = get_engine()
    reverse = bool(cursor and cursor.get("r"))
    start = cursor.get("p", 0) if cursor else 0
    after = cursor.get("k") if cursor else None
    if start >= len(phases):
        raise InvalidCursor
    order = range(start, -1, -1) if reverse else range(start, len(phases))
    hits: list[tuple[int, int]] = []
    for index in order:
        wanted = size + 1 - len(hits)
        if wanted <= 0:
            break
        hit = engine.search(
            kind,
            phases[index],
            Order(key=key, descending=descending != reverse, after=after),
            wanted,
        )
        hits += [(index, k) for k in hit.keys]
        after = None
    more = len(hits) > size
    hits = hits[:size]
    if reverse:
        hits.reverse()
    forward_more, backward_more = (
        (cursor is not None, more) if reverse else (more, cursor is not None)
    )
    return _keyset_result(hits, forward_more, backward_more, _number(cursor, size))


def _keyset_result(hits, forward_more: bool, backward_more: bool, number: int | None):
    """The ids of ``hits`` and the keyset cursors of the pages after and before them (with
    their numbers when this page's is known)."""
    after, before = ({"n": number + 1}, {"n": number - 1}) if number else ({}, {})
    following = (
        _encode({"p": hits[-1][0], "k": hits[-1][1], **after}) if hits and forward_more else None
    )
    preceding = (
        _encode({"p": hits[0][0], "k": hits[0][1], "r": 1, **before})
        if hits and backward_more
        else None
    )
    return [key_id(k) for _p, k in hits], following, preceding


def _numbered(kind, phases, key, descending, cursor, size):
    """A page reached by its number (an offset into the phases, in order), with keyset cursors
    to its neighbours."""
    engine, skip, hits = get_engine(), cursor["o"], []
    for index, phase in enumerate(phases):
        wanted = size + 1 - len(hits)
        if wanted <= 0:
            break
        if skip and index < len(phases) - 1:
            before = engine.counts(kind, phase, ()).total
            if skip >= before:
                skip -= before
                continue
        order = Order(key=key, descending=descending, offset=skip)
        hits += [(index, k) for k in engine.search(kind, phase, order, wanted).keys]
        skip = 0
    more = len(hits) > size
    return _keyset_result(hits[:size], more, cursor["o"] > 0, _number(cursor, size))


def _offset(kind, match, key, descending, cursor, size):
    offset = cursor.get("o", 0) if cursor else 0
    hit = get_engine().search(
        kind, match, Order(key=key, descending=descending, offset=offset), size + 1
    )
    keys = hit.keys
    ids = [int(k.rsplit("\x00", 1)[1]) for k in keys[:size]]
    following = _encode({"o": offset + size}) if len(keys) > size else None
    preceding = _encode({"o": max(0, offset - size)}) if offset > 0 else None
    return ids, following, preceding


def _counted_page(kind, match, key, descending, position, size):
    """A page of a one-phase keyset listing and the number of matches in one pass over the
    index, or None when that cannot be done (then the page and the count are asked apart).

    The first page asks for its keys and the count together. A "next" cursor that knows its
    page's number asks for the entries from the one just before that page's place, and checks
    that this entry is the cursor's own: then the entries after it are exactly the keyset
    page (sort keys are unique), found without a range over the sort key, which costs a pass
    of its own (13 ms against 7 at a million entries). When entries were added or removed
    since, or the page size changed, the check fails and the keyset range is used."""
    if position is None:
        offset, after = 0, None
    elif _known_place(position, size):
        offset, after = (position["n"] - 1) * size - 1, position["k"]
    else:
        return None
    wanted = size + 1 + (after is not None)
    order = Order(key=key, descending=descending, offset=offset)
    hit = get_engine().search(kind, match, order, wanted, True)
    keys = hit.keys
    if after is not None:
        if not keys or keys[0] != after:
            return None
        keys = keys[1:]
    hits = [(0, k) for k in keys]
    ids, following, preceding = _keyset_result(
        hits[:size], len(hits) > size, after is not None, _number(position, size)
    )
    return ids, following, preceding, hit.count


def _known_place(position: dict, size: int) -> bool:
    """Whether a cursor is a one-phase "next" cursor carrying its page's number, within the
    depth numbered pages reach."""
    number = position.get("n")
    return (
        isinstance(number, int)
        and number > 1
        and position.get("p", 0) == 0
        and not position.get("r")
        and position.get("o") is None
        and "k" in position
        and (number - 1) * size <= MAX_PAGE_OFFSET
    )


def _cursor_page(kind, match, key, descending, relevance, position, size):
    if key in TEXT_KEYS:
        return _offset(kind, match, key, descending, position, size)
    phases = _phases(match, relevance)
    if position is not None and position.get("o") is not None:
        if position["o"] > MAX_PAGE_OFFSET:
            raise InvalidCursor
        return _numbered(kind, phases, key, descending, position, size)
    return _keyset(kind, phases, key, descending, position, size)


def rows_in_order(queryset: QuerySet, ids: list[int]) -> list:
    """The rows of ``ids`` that the policy's ``queryset`` holds, in the order of ``ids``."""
    return _rows(queryset, ids)


def _rows(queryset: QuerySet, ids: list[int]) -> list:
    """The rows of ``ids`` the policy's ``queryset`` still holds, in the engine's order."""
    if not ids:
        return []
    found = {row.pk: row for row in queryset.filter(pk__in=ids).order_by()}
    return [found[pk] for pk in ids if pk in found]


_pool: ThreadPoolExecutor | None = None


def _background() -> ThreadPoolExecutor:
    """Threads for a second pass over the index beside the caller's own (a count, facets):
    the engine works outside the GIL, so on two cores the two passes overlap (a page of 数据
    with its count at a million entries: 15 → 8 ms)."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="search")
    return _pool


def fresh() -> None:
    """Index what the outbox holds before answering (a crash between a commit and its indexing
    is repaired here; another process's indexing in progress is not waited for)."""
    if outbox.pending():
        outbox.catch_up(wait=0)


def page(
    kind: str,
    *,
    match: Match | None,
    queryset: QuerySet,
    key: str,
    descending: bool = True,
    relevance: bool = False,
    cursor: str | None = None,
    size: int,
    count: bool = True,
) -> SearchPage:
    """One page of ``kind`` matching ``match``, its rows read from ``queryset`` (the policy's),
    with the number of matches. Raises :class:`InvalidCursor` for a cursor not made here."""
    position = decode_cursor(cursor)
    if match is None:
        return SearchPage(rows=[], total=0)
    fresh()
    counted = None
    if count and key not in TEXT_KEYS and not _phases(match, relevance)[1:]:
        counted = _counted_page(kind, match, key, descending, position, size)
    if counted is not None:
        ids, following, preceding, total = counted
    else:
        counting = _background().submit(get_engine().counts, kind, match, ()) if count else None
        ids, following, preceding = _cursor_page(
            kind, match, key, descending, relevance, position, size
        )
        total = counting.result().total if counting is not None else 0
    number = _number(position, size)
    return SearchPage(_rows(queryset, ids), total, following, preceding, number=number)


def ids(
    kind: str, *, match: Match | None, key: str, descending: bool, relevance: bool, limit: int
) -> tuple[list[int], bool]:
    """The ids of the first ``limit`` matches in order, and whether there were more (exports;
    the rows still go through the policy)."""
    if match is None:
        return [], False
    fresh()
    if key in TEXT_KEYS:
        found, following, _p = _offset(kind, match, key, descending, None, limit)
    else:
        found, following, _p = _keyset(
            kind, _phases(match, relevance), key, descending, None, limit
        )
    return found, following is not None


def facets(*, match: Match | None, user) -> tuple[int, dict[str, list[FacetValue]]]:
    """The number of matches and the facet counts (labels in the active language): themes and
    providers by code, choices by value; grades only for callers who may see them."""
    return facets_later(match=match, user=user)()


def facets_later(*, match: Match | None, user) -> Callable[[], tuple[int, dict]]:
    """:func:`facets` with its pass over the index started now on a background thread, so
    that the caller can find its page meanwhile; the returned function waits for the counts
    and labels them (in the caller's thread, in its language)."""
    names = [*FACETS, "grade"] if policy.can_see_grades(user) else list(FACETS)
    if match is None:
        return lambda: (0, {name: [] for name in names})
    fresh()
    fields = [_FACET_FIELDS[n] for n in names]
    pending = _background().submit(get_engine().counts, RESOURCES, match, fields)

    def result() -> tuple[int, dict[str, list[FacetValue]]]:
        found = pending.result()
        english = (get_language() or "").startswith("en")
        labelled = {}
        for name in names:
            labelled[name] = _labelled(name, found.facets[_FACET_FIELDS[name]], english)
            labelled[name].sort(key=lambda facet: (-facet.count, facet.value))
        return found.total, labelled

    return result


def by_id(kind: str, match: Match | None, *, offset: int, limit: int) -> tuple[int, list[int]]:
    """The number of matches and the ids from ``offset`` in id order (the DCAT catalogue's
    numbered pages, which harvesters walk in a stable order)."""
    if match is None:
        return 0, []
    fresh()
    engine = get_engine()
    total = engine.counts(kind, match, ()).total
    if offset >= total or limit <= 0:
        return total, []
    hits = engine.search(kind, match, Order(key="id", descending=False, offset=offset), limit)
    return total, [int(k) for k in hits.keys]


def latest_modified(match: Match | None):
    """The newest ``modified`` date among the resources ``match`` finds, or ``None``."""
    if match is None:
        return None
    hits = get_engine().search(RESOURCES, match, Order(key="by_modified"), 1)
    return dt.date.fromordinal(hits.keys[0] >> 32) if hits.keys else None


def count_resources(*, user, data: dict) -> int:
    """How many resources ``user`` may see that a filter's ``data`` selects."""
    match = resource_match(user, data)
    if match is None:
        return 0
    fresh()
    return get_engine().counts(RESOURCES, match, ()).total


def grouped_counts(*, user, outer: str, inner: str) -> dict[tuple, int]:
    """Resources ``user`` may see per (``outer``, ``inner``) value of two engine fields."""
    fresh()
    return get_engine().grouped(RESOURCES, visible_to(user), outer, inner)


def _labelled(name: str, counts: dict, english: bool) -> list[FacetValue]:
    if name in ("theme", "provider"):
        model = Theme if name == "theme" else Organization
        rows = model.objects.filter(pk__in=list(counts)).values_list(
            "pk", "code", "name", "name_en"
        )
        return [
            FacetValue(code, (english and name_en) or label or code, counts[pk])
            for pk, code, label, name_en in rows
        ]
    choices = dict(_CHOICES[name].choices) if name in _CHOICES else {}
    return [FacetValue(v, str(choices.get(v, v)), n) for v, n in counts.items()]


def resource_ordering(raw: str | None, *, relevance_default: bool) -> tuple[str, bool, bool]:
    """(engine key, descending, by relevance) for an API ``ordering`` value (the first of a
    comma-separated list; unknown names are ignored, as the list has always done)."""
    first = (raw or "").split(",")[0].strip()
    if first in RESOURCE_ORDERINGS:
        key, descending = RESOURCE_ORDERINGS[first]
        return key, descending, False
    return "by_modified", True, relevance_default


__all__ = ["PRODUCTS", "RESOURCES", "SearchPage", "FacetValue", "InvalidCursor"]


def visible_to(user) -> Match:
    """The engine query for every entry ``user`` may see (by the policy's labels)."""
    return Match(labels=tuple(policy.resource_caller_labels(user)))
