"""``{% page_numbers page %}``: numbered links for a Django ``Page``, each the current address
with its page parameter replaced (see ``portal.page_numbers``)."""

from django import template

from portal.page_numbers import PageLink, numbered

register = template.Library()


@register.simple_tag(takes_context=True)
def page_numbers(context, page, param: str = "page") -> list[PageLink]:
    request = context.get("request")
    if request is None or page is None or not hasattr(page, "paginator"):
        return []

    def href(number: int) -> str:
        kept = request.GET.copy()
        kept[param] = str(number)
        return f"?{kept.urlencode()}"

    return numbered(current=page.number, last=page.paginator.num_pages, href=href)
