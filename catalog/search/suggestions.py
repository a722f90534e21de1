"""What the catalogue offers beside a search, from the engine and by the caller's labels:
typeahead suggestions, "did you mean" words when nothing matched, and an entry's related
entries. Rows are read back through the policy's querysets, as in ``catalogue``."""

from __future__ import annotations

from django.db.models import QuerySet

from catalog.search.catalogue import fresh, rows_in_order, visible_to
from catalog.search.documents import key_id
from catalog.search.engine import RESOURCES, Match, Order, Word, get_engine
from catalog.search.query import query_terms, word_pieces
from grading import policy

# -- related entries --------------------------------------------------------------------------


def related_ids(user, *, resource, keywords: list[str], limit: int) -> list[int]:
    """Ids of published entries ``user`` may see that share one of ``keywords`` with
    ``resource``, then of those in its theme, the most downloaded first in each (``resource``
    itself left out); the rows still go through the policy."""
    fresh()
    engine, found = get_engine(), []
    base = Match(
        labels=tuple(policy.resource_caller_labels(user)), terms=(("status", ("published",)),)
    )
    for name, values in (("tags", tuple(keywords)), ("theme", (resource.theme_id,))):
        if not values or None in values:
            continue
        match = base.narrowed(terms=(*base.terms, (name, values)))
        hits = engine.search(RESOURCES, match, Order(key="by_downloads"), limit + 1)
        found += [pk for pk in map(key_id, hits.keys) if pk != resource.pk and pk not in found]
    return found


# -- suggestions -----------------------------------------------------------------------------


def did_you_mean(user, text: str, limit: int = 5) -> list[str]:
    """Searches that would find something when ``text`` found nothing: indexed title words the
    caller can see that start like each query word (its first character for Chinese, its first
    three letters otherwise), the most frequent first."""
    terms = query_terms(text)
    if not terms:
        return []
    fresh()
    engine, visible, found = get_engine(), visible_to(user), {}
    for term in terms:
        stem = term[:1] if not term.isascii() else term[:3]
        for word, count in engine.prefixed(RESOURCES, "title", stem, visible, limit * 4):
            if word != term and len(word) > 1:
                found[word] = max(found.get(word, 0), count)
    return sorted(found, key=lambda w: (-found[w], w))[:limit]


def suggest(user, text: str, *, queryset: QuerySet, limit: int) -> list:
    """Typeahead: entries the caller may see whose titles hold every word of ``text``, the last
    one possibly unfinished (it matches indexed title words starting with it), best quality
    first; rows re-read through the policy's ``queryset``."""
    terms = query_terms(text)
    if not terms:
        return []
    fresh()
    engine, visible = get_engine(), visible_to(user)
    *whole, last = terms
    completions = [w for w, _n in engine.prefixed(RESOURCES, "title", last, visible, 20)]
    if not completions:
        return []
    match = visible.narrowed(words=tuple(Word(t, word_pieces(t)) for t in whole), in_title=True)
    unfinished = Word(completions[0], alternatives=tuple(completions[1:]))
    hit = engine.search(
        RESOURCES, match.narrowed(words=(*match.words, unfinished)), Order(key="by_quality"), limit
    )
    keys = hit.keys
    return rows_in_order(queryset, [key_id(k) for k in keys])
