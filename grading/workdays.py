"""Working days: review deadlines skip weekends and the configured public holidays.

The statutory holidays with fixed dates (``settings.FIXED_HOLIDAYS``, month-day) apply every
year; ``settings.PUBLIC_HOLIDAYS`` adds the year's other holiday dates and
``settings.WORKING_WEEKEND_DAYS`` the weekend dates worked in their place (调休), both from the
environment.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _dates(values: tuple[str, ...]) -> frozenset[dt.date]:
    return frozenset(dt.date.fromisoformat(v.strip()) for v in values if v.strip())


def is_working_day(day: dt.date) -> bool:
    """Is ``day`` a working day under the configured calendar?"""
    if day in _dates(tuple(settings.WORKING_WEEKEND_DAYS)):
        return True
    if day.strftime("%m-%d") in settings.FIXED_HOLIDAYS:
        return False
    return day.weekday() < 5 and day not in _dates(tuple(settings.PUBLIC_HOLIDAYS))


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count)."""
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if ``end`` ≤ ``start``)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day)
    return count
