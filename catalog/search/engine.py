"""The search engine's interface: what the catalogue asks, whatever engine answers.

The database is the only source of truth. The engine holds one document per entry (its search
words, the fields the catalogue filters, sorts and counts by, and the permission labels the
policy gives it, see ``grading/policy/search.py``) and answers, for one caller's labels:
the ids of a page in a given order, the number of matches and the facet counts. Everything
shown is re-read from the database by id and re-checked by the policy.

``get_engine()`` returns the configured engine (``SEARCH_ENGINE``; the embedded Tantivy index
by default). A server engine for a multi-node deployment implements the same :class:`Engine`
methods; docs/SCALING.md maps these documents and queries onto OpenSearch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

RESOURCES = "resources"
PRODUCTS = "products"
KINDS = (RESOURCES, PRODUCTS)


@dataclass(frozen=True)
class Word:
    """A query word: an entry matches when one of its fields holds the word (or one of its
    ``alternatives``, as the completions of an unfinished word), or holds every one of its
    ``pieces`` (the shorter words that tile it, see ``query.word_pieces``)."""

    text: str
    pieces: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """Which entries a caller may see and asked for.

    ``labels``: the caller's permission labels (an entry matches if it carries one);
    ``words``: every word must match, in any text field (``in_title``: in the title);
    ``terms``: field → values, one of which the entry must hold; ``ranges``: field →
    (lowest, highest), inclusive, ``None`` for open; ``exclude_words_in_title``: entries holding
    every word in their title are left out (the second half of a relevance ordering);
    ``excluded_terms`` and ``excluded_ranges``: entries holding one of the values, or a value in
    the range, are left out (a negated filter, ``-field:value``).
    """

    labels: tuple[str, ...]
    words: tuple[Word, ...] = ()
    terms: tuple[tuple[str, tuple], ...] = ()
    ranges: tuple[tuple[str, int | None, int | None], ...] = ()
    in_title: bool = False
    exclude_words_in_title: bool = False
    excluded_terms: tuple[tuple[str, tuple], ...] = ()
    excluded_ranges: tuple[tuple[str, int | None, int | None], ...] = ()

    def narrowed(self, **changes) -> Match:
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return Match(**{**values, **changes})


@dataclass(frozen=True)
class Order:
    """Sort by one key field of the index, descending or ascending. Key fields hold a unique
    value per entry (the id is in the key), so a key is also a keyset cursor: ``after`` asks for
    entries strictly past it. Text keys (``title_sort``) take an ``offset`` instead."""

    key: str
    descending: bool = True
    after: int | str | None = None
    offset: int = 0


@dataclass
class Hits:
    keys: list  # the ordering key of each hit, in order
    count: int | None = None


@dataclass
class Counts:
    total: int
    facets: dict[str, dict] = field(default_factory=dict)  # field → {value: count}


class Engine(Protocol):
    """What the catalogue needs from a search engine."""

    def search(
        self, kind: str, match: Match, order: Order, limit: int, count: bool = False
    ) -> Hits:
        """The keys of the first ``limit`` entries matching ``match`` in ``order``; with
        ``count``, also the number of matches past ``order.after``, in the same pass."""

    def counts(self, kind: str, match: Match, facets: Sequence[str]) -> Counts:
        """The number of matches and, for each field in ``facets``, the matches per value."""

    def grouped(self, kind: str, match: Match, outer: str, inner: str) -> dict[tuple, int]:
        """Matches per (``outer`` value, ``inner`` value)."""

    def prefixed(self, kind: str, field_name: str, prefix: str, match: Match, limit: int):
        """Indexed words of ``field_name`` starting with ``prefix`` among ``match``'s entries,
        the most frequent first: ``[(word, count), ...]``."""

    def replace(self, kind: str, documents: Iterable[dict], deleted: Iterable[int]) -> None:
        """Add or replace ``documents`` (by ``id``) and remove the entries ``deleted``."""

    def rebuild(self, kind: str, documents: Iterator[dict]) -> int:
        """Build the index anew from ``documents`` and swap it in; the count indexed."""

    def writing(self, *, wait: float):
        """A context manager holding the index's single writer lock, or raising
        :class:`Busy` after ``wait`` seconds."""

    def reset(self) -> None:
        """Forget everything (tests)."""


class Busy(Exception):
    """Another process holds the index's writer."""


_engine: Engine | None = None


def get_engine() -> Engine:
    """The configured engine, one per process."""
    global _engine
    if _engine is None:
        _engine = import_string(settings.SEARCH_ENGINE)()
    return _engine


def use_engine(engine: Engine | None) -> None:
    """Replace the process's engine (tests)."""
    global _engine
    _engine = engine
