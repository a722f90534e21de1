"""Full-text search over the catalogues, behind one interface.

``search_resources`` and ``search_products`` narrow a queryset that is already limited by the
policy; they never widen it. This implementation matches substrings in the title, English title,
abstract, keywords and code, which finds 2-character Chinese words; a segmented full-text engine
can replace it behind the same functions.
"""

from django.db.models import Q, QuerySet

RESOURCE_SEARCH_FIELDS = ("title", "title_en", "abstract", "keywords", "code")
PRODUCT_SEARCH_FIELDS = ("name", "name_en", "description", "code")


def _terms(text: str) -> list[str]:
    return [t for t in text.split() if t][:8]


def _match_all(queryset: QuerySet, text: str, fields: tuple[str, ...]) -> QuerySet:
    for term in _terms(text):
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": term})
        queryset = queryset.filter(any_field)
    return queryset


def search_resources(queryset: QuerySet, text: str) -> QuerySet:
    """Resources of ``queryset`` matching every word of ``text``."""
    return _match_all(queryset, text, RESOURCE_SEARCH_FIELDS)


def search_products(queryset: QuerySet, text: str) -> QuerySet:
    """Products of ``queryset`` matching every word of ``text``."""
    return _match_all(queryset, text, PRODUCT_SEARCH_FIELDS)
