"""Working days skip weekends and the configured holidays, and count worked weekend days."""

import datetime as dt

from grading.workdays import add_working_days, is_working_day, working_days_between


def test_weekends_are_skipped():
    friday = dt.date(2026, 11, 20)
    assert add_working_days(friday, 1) == dt.date(2026, 11, 23)  # Monday
    assert add_working_days(friday, 5) == dt.date(2026, 11, 27)


def test_fixed_date_statutory_holidays_are_skipped():
    assert not is_working_day(dt.date(2027, 10, 1))  # a Friday, National Day
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 5)


def test_configured_holidays_and_worked_weekends(settings):
    settings.PUBLIC_HOLIDAYS = ["2026-11-24"]
    settings.WORKING_WEEKEND_DAYS = ["2026-11-28"]
    assert not is_working_day(dt.date(2026, 11, 24))
    assert is_working_day(dt.date(2026, 11, 28))  # a Saturday worked in exchange
    assert add_working_days(dt.date(2026, 11, 23), 4) == dt.date(2026, 11, 28)
    assert add_working_days(dt.date(2026, 11, 23), 5) == dt.date(2026, 11, 30)


def test_working_days_between():
    assert working_days_between(dt.date(2026, 11, 20), dt.date(2026, 11, 27)) == 5
    assert working_days_between(dt.date(2026, 11, 27), dt.date(2026, 11, 20)) == 0
