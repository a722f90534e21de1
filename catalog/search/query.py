"""Search words for the catalogues: segmentation, query words and highlighting.

Chinese has no spaces, so text is segmented with jieba into space-separated words and stored in
``search_title`` / ``search_body`` on every write (the services and the bulk commands call
``resource_search_columns`` / ``product_search_columns``). The search engine
(``catalog/search/engine.py``) indexes those stored columns and does all the matching; the
database no longer holds a full-text index of them.

Indexing uses jieba's search mode, which also emits the 2-character words inside longer ones
(空气质量 → 空气, 质量, 空气质量), so a 2-character query matches. Queries use precise mode
(``query_terms``); a long Chinese query word also matches through its pieces (``word_pieces``).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import jieba
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
