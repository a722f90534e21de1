"""Full-text search over the catalogues: one interface, two engines.

Chinese has no spaces, so text is segmented with jieba into space-separated words and stored in
``search_title`` / ``search_body`` on every write (the services and the bulk commands call
``resource_search_columns`` / ``product_search_columns``). The database indexes those columns:

- SQLite: an FTS5 table per model, kept in step by triggers (migration ``0002_search``);
- PostgreSQL: a GIN index over a weighted ``tsvector`` of the same columns.

Indexing uses jieba's search mode, which also emits the 2-character words inside longer ones
(空气质量 → 空气, 质量, 空气质量), so a 2-character query matches. Queries use precise mode and
match entries holding every word. ``search`` narrows a queryset that is already limited by the
policy; it never widens it. Entries holding every word in their title rank first.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

import jieba
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

jieba.setLogLevel(logging.WARNING)

MAX_TERMS = 12
_HAS_WORD = re.compile(r"[^\W_]")  # a letter or digit; "_" alone is no word


@lru_cache(maxsize=65536)
def _segment(text: str, for_index: bool) -> tuple[str, ...]:
    cut = jieba.cut_for_search(text, HMM=False) if for_index else jieba.cut(text, HMM=False)
    words: dict[str, None] = {}
    for word in cut:
        word = word.strip().lower()
        if word and _HAS_WORD.search(word):
            words.setdefault(word, None)
    return tuple(words)


def index_text(*parts: str) -> str:
    """Space-separated search words of ``parts``, for a search column."""
    words: dict[str, None] = {}
    for part in parts:
        for word in _segment(part or "", True):
            words.setdefault(word, None)
    return " ".join(words)


def query_terms(text: str) -> list[str]:
    """The words a query must match (at most ``MAX_TERMS``)."""
    return list(_segment(" ".join(text.split()), False))[:MAX_TERMS]


_CJK = re.compile(r"^[\u3400-\u9fff]+$")


@lru_cache(maxsize=4096)
def word_pieces(word: str) -> tuple[str, ...]:
    """Shorter indexed words that tile a long Chinese ``word`` (数据服务 → 数据, 服务).

    jieba may segment the same characters differently in another context (统计数据 + 服务), so
    a query word also matches an entry holding all of its pieces.
    """
    if len(word) <= 2 or not _CJK.match(word):
        return ()
    candidates = sorted(
        (s for s in _segment(word, True) if s != word and len(s) >= 2), key=len, reverse=True
    )
    pieces, i = [], 0
    while i < len(word):
        piece = next((s for s in candidates if word.startswith(s, i)), None)
        if piece is None:
            i += 1  # a lone character is no indexed word; skip it
            continue
        pieces.append(piece)
        i += len(piece)
    return tuple(pieces)


def resource_search_columns(resource) -> dict[str, str]:
    """Search columns for a resource: its titles, and its abstract, keywords and code."""
    return {
        "search_title": index_text(resource.title, resource.title_en),
        "search_body": index_text(
            resource.abstract,
            resource.abstract_en,
            resource.keywords.replace(",", " "),
            resource.code,
        ),
    }


def product_search_columns(product) -> dict[str, str]:
    """Search columns for a product: its names, and its descriptions and code."""
    return {
        "search_title": index_text(product.name, product.name_en),
        "search_body": index_text(product.description, product.description_en, product.code),
    }


@dataclass(frozen=True)
class _Engine:
    vendor: str

    def matches(self, model, terms: list[str], *, title_only: bool = False):
        table = model._meta.db_table
        if self.vendor == "postgresql":
            return _pg_matches(table, terms, title_only)
        return _fts5_matches(table, terms, title_only)


def _fts5_word(word: str, column: str | None) -> str:
    quoted = '"' + word.replace('"', '""') + '"'
    return f"{column} : {quoted}" if column else quoted


def _fts5_expression(terms: list[str], column: str | None) -> str:
    groups = []
    for term in terms:
        alternative = " AND ".join(_fts5_word(p, column) for p in word_pieces(term))
        word = _fts5_word(term, column)
        groups.append(f"({word} OR ({alternative}))" if alternative else word)
    return " AND ".join(groups)


def _tsquery_word(word: str, weight: str = "") -> str:
    quoted = "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"
    return f"{quoted}:{weight}" if weight else quoted


def _tsquery(terms: list[str], weight: str = "") -> str:
    groups = []
    for term in terms:
        alternative = " & ".join(_tsquery_word(p, weight) for p in word_pieces(term))
        word = _tsquery_word(term, weight)
        groups.append(f"({word} | ({alternative}))" if alternative else word)
    return " & ".join(groups)


def _fts5_matches(table: str, terms: list[str], title_only: bool) -> Q:
    fts = f"{table}_fts"
    expression = _fts5_expression(terms, "search_title" if title_only else None)
    ids = RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [expression])
    return Q(pk__in=ids)


def _pg_matches(table: str, terms: list[str], title_only: bool):
    # ``search_vector`` is a stored column (catalog/search/schema.py): title words weigh A,
    # body words B, so a title-only match is the same index with ``:A`` on every word.
    sql = f"{table}.search_vector @@ to_tsquery('simple'::regconfig, %s)"
    query = _tsquery(terms, weight="A" if title_only else "")
    return ExpressionWrapper(RawSQL(sql, [query]), output_field=BooleanField())


def _engine() -> _Engine:
    return _Engine(connection.vendor)


def search(queryset: QuerySet, text: str) -> QuerySet:
    """Entries of ``queryset`` holding every word of ``text``, with ``title_match`` (all words
    in the title) annotated; the paginator ranks those first."""
    terms = query_terms(text)
    if not terms:
        return queryset.none() if text.strip() else queryset
    engine, model = _engine(), queryset.model
    title = engine.matches(model, terms, title_only=True)
    return queryset.filter(engine.matches(model, terms)).annotate(
        title_match=ExpressionWrapper(title, output_field=BooleanField())
    )


def search_resources(queryset: QuerySet, text: str) -> QuerySet:
    """Resources of ``queryset`` matching every word of ``text``."""
    return search(queryset, text)


def search_products(queryset: QuerySet, text: str) -> QuerySet:
    """Products of ``queryset`` matching every word of ``text``."""
    return search(queryset, text)


def highlight(text: str, query: str, width: int = 160) -> str:
    """An HTML snippet of ``text`` around the first word of ``query`` it holds, at most
    ``width`` characters, every matched word wrapped in ``<mark>``; the text is escaped."""
    terms = query_terms(query or "")
    words = {w for term in terms for w in (term, *word_pieces(term))}
    pattern = (
        re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I)
        if words
        else None
    )
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - width // 4) if first else 0
    end = min(len(text), start + width)
    window = text[start:end]
    pieces, position = [], 0
    for match in pattern.finditer(window) if pattern else ():
        pieces.append(escape(window[position : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    pieces.append(escape(window[position:]))
    snippet = ("…" if start else "") + "".join(pieces) + ("…" if end < len(text) else "")
    return mark_safe(snippet)  # noqa: S308 - every piece of text above is escaped
