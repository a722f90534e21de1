"""Numbered page links for the lists: the first page, a window around the current one and the
last page when the number of pages is known, with gaps between (rendered by
``includes/pagination.html``)."""

from collections.abc import Callable
from dataclasses import dataclass

WINDOW = 2  # pages shown on each side of the current one


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: a gap between the numbers shown
    href: str = ""
    current: bool = False


def numbered(
    *, current: int | None, last: int | None, href: Callable[[int], str | None]
) -> list[PageLink]:
    """The links of pages 1 … ``last`` around ``current``; ``href(n)`` is the address of page
    ``n``, or ``None`` for a page that cannot be linked (too deep), which is left out. No links
    when there is only one page or the current page is not known."""
    if current is None or last is None or last <= 1:
        return []
    shown = sorted({1, last, *range(max(1, current - WINDOW), min(last, current + WINDOW) + 1)})
    links: list[PageLink] = []
    previous = 0
    for number in shown:
        address = href(number) if number != current else ""
        if address is None:
            continue
        if number > previous + 1:
            links.append(PageLink(None))
        links.append(PageLink(number, address, number == current))
        previous = number
    return links


def last_page(total: int, size: int) -> int:
    """The number of pages ``total`` entries fill at ``size`` a page (at least one)."""
    return max(1, -(-total // max(1, size)))
