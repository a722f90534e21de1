"""Temporal coverage as providers write it, read into a period (or into nothing)."""

import pytest

from catalog.interop.periods import parse_period


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2019-01-01至今", "2019-01-01/.."),
        ("2021年至今", "2021/.."),
        ("2015年1月至2026年10月", "2015-01/2026-10"),
        ("2016年至2025年", "2016/2025"),
        ("2023-01至2023-12", "2023-01/2023-12"),
        ("2025年", "2025"),
        ("2025年度", "2025"),
        ("2026年11月", "2026-11"),
        ("2026年第三季度", "2026-07-01/2026-09-30"),
        ("2005年第一季度至2026年第三季度", "2005-01-01/2026-09-30"),
        ("截至2026年11月", "../2026-11"),
        ("截至2026年第四季度", "../2026-12-31"),
    ],
)
def test_readable_periods(text, iso):
    assert parse_period(text).iso8601() == iso


@pytest.mark.parametrize(
    "text",
    ["", "实时", "2026学年", "2025年度变更调查", "2026-02-30", "2026年13月", "至今", "截至今"],
)
def test_unreadable_text_gives_no_period(text):
    assert parse_period(text) is None


def test_bounds_carry_their_xml_schema_datatypes():
    period = parse_period("2019-01-01至2025年12月")
    assert (period.start.value, period.start.datatype) == ("2019-01-01", "date")
    assert (period.end.value, period.end.datatype) == ("2025-12", "gYearMonth")
