"""Reads for the entry page: related entries and whether the visitor follows the entry. Each is
one query whatever the number of entries shown, and starts from what the policy shows."""

from __future__ import annotations

from django.conf import settings

from catalog.models import Resource, ResourceFollow
from catalog.search import catalogue, suggestions
from catalog.selectors import resource_queryset
from grading import policy

# Candidates read to rank related entries (one query), of which ``RELATED_SHOWN`` are shown.
RELATED_CANDIDATES = 30
KEYWORDS_MATCHED = 5


def related_resources(*, user, resource: Resource, limit: int | None = None) -> list[Resource]:
    """Published entries ``user`` may see that share ``resource``'s theme or keywords, those
    sharing the most keywords first, then the same theme, then the most downloaded. The
    candidates come from the search engine (by the caller's labels) and are read back through
    the policy's own queryset in one query, then ranked in Python."""
    limit = limit or settings.RELATED_SHOWN
    keywords = resource.keyword_list[:KEYWORDS_MATCHED]
    ids = suggestions.related_ids(
        user, resource=resource, keywords=keywords, limit=RELATED_CANDIDATES
    )
    candidates = catalogue.rows_in_order(resource_queryset(user=user), ids)
    wanted = set(keywords)

    def rank(candidate: Resource) -> tuple:
        shared = len(wanted & set(candidate.keyword_list))
        return (-shared, candidate.theme_id != resource.theme_id)  # stable: downloads next

    return sorted(candidates, key=rank)[:limit]


def is_following(*, user, resource: Resource) -> bool:
    """Whether ``user`` follows ``resource`` (no query for anonymous visitors)."""
    if policy.principal(user).user_id is None:
        return False
    return ResourceFollow.objects.filter(user=user, resource=resource).exists()
