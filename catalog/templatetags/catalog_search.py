"""Template filters for search results."""

from django import template

from catalog.search.query import highlight as _highlight

register = template.Library()


@register.filter
def highlight(text: str, query: str) -> str:
    """``{{ text|highlight:query }}``: an escaped snippet with the query's words marked."""
    return _highlight(str(text or ""), str(query or ""))
