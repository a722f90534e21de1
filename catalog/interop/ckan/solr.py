"""The subset of Solr's query syntax that CKAN clients send in ``q``, ``fq`` and ``sort``.

Supported filter terms (``fq``, and fielded words inside ``q``), separated by spaces, each with an
optional ``+`` (must, the default) or ``-`` (must not):

- ``field:value``, ``field:"quoted value"``, ``field:*`` (any value);
- ``field:(a OR b OR "c d")`` (any of the values);
- ``field:[2026-01-01T00:00:00Z TO *]`` (an inclusive range, for the date fields).

``AND`` and ``&&`` between terms are accepted and change nothing (terms are ANDed). Anything else
(bare words in ``fq``, an unknown field, wildcards inside a value, nested parentheses) is a
Search Query Error rather than a silently different search.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from catalog.interop.ckan.errors import SearchQueryError

_QUOTED = r'"(?:[^"\\]|\\.)*"'
_VALUE = rf'{_QUOTED}|\((?:[^()"]|{_QUOTED})*\)|\[[^\[\]]*\]|[^\s()"\[\]]+'
_TERM = re.compile(rf"(?P<sign>[+-]?)(?P<field>[A-Za-z_]\w*):(?P<value>{_VALUE})(?=\s|$)")
_WORD = re.compile(rf"{_QUOTED}|[^\s\"]+")
_CONNECTIVES = frozenset({"AND", "&&"})
_MATCH_ALL = "*:*"


@dataclass(frozen=True)
class Term:
    """One filter: the field, its alternative values (any of them matches) or a range."""

    field: str
    values: tuple[str, ...] = ()
    negated: bool = False
    low: str | None = None
    high: str | None = None
    is_range: bool = False

    @property
    def any_value(self) -> bool:
        return not self.is_range and self.values == ("*",)


def _unquote(word: str) -> str:
    if len(word) >= 2 and word.startswith('"') and word.endswith('"'):
        word = word[1:-1]
    return re.sub(r"\\(.)", r"\1", word)


def _alternatives(inner: str, text: str) -> tuple[str, ...]:
    values = []
    for word in _WORD.findall(inner):
        if word in ("OR", "||"):
            continue
        if word in ("AND", "&&", "NOT"):
            raise SearchQueryError(f"Only OR is supported inside parentheses: {text!r}")
        values.append(_unquote(word))
    if not values:
        raise SearchQueryError(f"Empty parentheses: {text!r}")
    return tuple(values)


def _range(inner: str, text: str) -> tuple[str | None, str | None]:
    parts = inner.split()
    if len(parts) != 3 or parts[1] != "TO":
        raise SearchQueryError(f"A range is written [FROM TO UNTIL]: {text!r}")
    low, high = parts[0], parts[2]
    return (None if low == "*" else low), (None if high == "*" else high)


def _term(match: re.Match, range_fields: Collection[str]) -> Term:
    field, raw, negated = match["field"], match["value"], match["sign"] == "-"
    if raw.startswith("["):
        if field not in range_fields:
            raise SearchQueryError(f"Ranges are supported only for {sorted(range_fields)}")
        low, high = _range(raw[1:-1], match[0])
        return Term(field, negated=negated, low=low, high=high, is_range=True)
    if raw.startswith("("):
        return Term(field, _alternatives(raw[1:-1], match[0]), negated)
    value = _unquote(raw)
    if not raw.startswith('"') and value != "*" and ("*" in value or "?" in value):
        raise SearchQueryError(f"Wildcards are not supported: {match[0]!r}")
    return Term(field, (value,), negated)


def parse_filters(
    text: str, *, fields: Collection[str], range_fields: Collection[str] = ()
) -> list[Term]:
    """The terms of an ``fq`` string; a Search Query Error for anything not supported."""
    terms, position = [], 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return terms
        word = text[position:].split(None, 1)[0]
        if word in _CONNECTIVES or word == _MATCH_ALL:
            position += len(word)
            continue
        match = _TERM.match(text, position)
        if match is None:
            raise SearchQueryError(f"Cannot parse filter query at {text[position:][:40]!r}")
        if match["field"] not in fields:
            raise SearchQueryError(f"Unknown filter field {match['field']!r}")
        terms.append(_term(match, range_fields))
        position = match.end()


def parse_query(
    text: str, *, fields: Collection[str], range_fields: Collection[str] = ()
) -> tuple[list[Term], str]:
    """The fielded terms (known fields only) and the free text of a ``q`` string."""
    terms, words, position = [], [], 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return terms, " ".join(words)
        match = _TERM.match(text, position)
        if match is not None and match["field"] in fields:
            terms.append(_term(match, range_fields))
            position = match.end()
            continue
        found = _WORD.match(text, position)
        if found is None:
            raise SearchQueryError(f"Unbalanced quotes at {text[position:][:40]!r}")
        word = found[0]
        position += len(word)
        if word in ("OR", "||", "NOT"):
            raise SearchQueryError(f"{word} is not supported in q; use fq with (a OR b)")
        if word not in _CONNECTIVES and word != _MATCH_ALL:
            words.append(_unquote(word))


def parse_sort(text: str, *, fields: Collection[str]) -> list[tuple[str, bool]]:
    """``field asc|desc`` pairs separated by commas, as (field, descending)."""
    orders = []
    for part in text.split(","):
        words = part.split()
        if len(words) != 2 or words[0] not in fields or words[1].lower() not in ("asc", "desc"):
            raise SearchQueryError('Invalid "sort" parameter')
        orders.append((words[0], words[1].lower() == "desc"))
    return orders
