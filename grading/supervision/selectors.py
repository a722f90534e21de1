"""The supervision tables, by key, computed as of now."""

from __future__ import annotations

from django.utils import timezone

from grading.supervision import crossborder, market, sections
from grading.supervision.sections import TITLES, Section

SECTIONS = list(TITLES)


def section(key: str, *, user) -> Section:
    """The supervision table ``key`` (one of ``SECTIONS``) as ``user`` (the regulator) sees it."""
    now = timezone.now()
    today = timezone.localdate()
    builders = {
        "agreements": lambda: sections.agreements(now),
        "operation": lambda: sections.operation_applications(today),
        "applications": lambda: sections.conditional_applications(today),
        "listing": lambda: market.listing_times(today),
        "complaints": lambda: sections.complaints(today),
        "prices": lambda: market.prices(now),
        "crossborder": lambda: crossborder.filings(user, today),
    }
    return builders[key]()


def titles() -> list[tuple[str, str]]:
    """(key, title) of every supervision table, in the order of ``SECTIONS``."""
    return [(key, TITLES[key]) for key in SECTIONS]
