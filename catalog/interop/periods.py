"""Read the free-text temporal coverage of a resource ("2019-01-01至今", "2015年1月至2026年10月",
"2026年第三季度", "截至2026年11月") into a start and an end, for DCAT and schema.org.

Text that does not follow one of these patterns (实时, 2026学年, ...) gives ``None``: a period is
published only when the entry's own words state it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

_YEAR = r"(?P<y>\d{4})"
_POINTS = [
    # (pattern, granularity); the pattern must match a whole point.
    (re.compile(rf"^{_YEAR}-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})$"), "date"),
    (re.compile(rf"^{_YEAR}年(?P<m>\d{{1,2}})月(?P<d>\d{{1,2}})日$"), "date"),
    (re.compile(rf"^{_YEAR}-(?P<m>\d{{1,2}})$"), "month"),
    (re.compile(rf"^{_YEAR}年(?P<m>\d{{1,2}})月$"), "month"),
    (re.compile(rf"^{_YEAR}年第(?P<q>[一二三四1-4])季度$"), "quarter"),
    (re.compile(rf"^{_YEAR}(?:年度?)?$"), "year"),
]
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_OPEN_END = ("今", "至今", "现在")
_UNTIL = "截至"


@dataclass(frozen=True)
class Bound:
    """One end of a period: an ISO value and its XML Schema datatype (date, gYearMonth, gYear)."""

    value: str
    datatype: str


@dataclass(frozen=True)
class Period:
    """A period with either end possibly open (unknown start, or "until now")."""

    start: Bound | None
    end: Bound | None

    def iso8601(self) -> str:
        """The period as an ISO 8601 interval ("2019-01-01/..", "2015-01/2026-10", "2025")."""
        if self.start and self.end and self.start.value == self.end.value:
            return self.start.value
        return f"{self.start.value if self.start else '..'}/{self.end.value if self.end else '..'}"


def _point(text: str) -> tuple[Bound, Bound] | None:
    """The first and last instant of one point of time ("2026年第三季度" is a whole quarter)."""
    for pattern, granularity in _POINTS:
        match = pattern.match(text.strip())
        if not match:
            continue
        year = int(match["y"])
        if granularity == "year":
            bound = Bound(f"{year:04d}", "gYear")
            return bound, bound
        if granularity == "quarter":
            quarter = _QUARTERS[match["q"]]
            first, last = 3 * quarter - 2, 3 * quarter
            days = calendar.monthrange(year, last)[1]
            return Bound(f"{year:04d}-{first:02d}-01", "date"), Bound(
                f"{year:04d}-{last:02d}-{days:02d}", "date"
            )
        month = int(match["m"])
        if not 1 <= month <= 12:
            return None
        if granularity == "month":
            bound = Bound(f"{year:04d}-{month:02d}", "gYearMonth")
            return bound, bound
        day = int(match["d"])
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            return None
        bound = Bound(f"{year:04d}-{month:02d}-{day:02d}", "date")
        return bound, bound
    return None


def parse_period(text: str) -> Period | None:
    """The period stated by ``text``, or ``None`` when it states none we can read."""
    text = (text or "").strip()
    if text.startswith(_UNTIL):
        point = _point(text[len(_UNTIL) :])
        return Period(None, point[1]) if point else None
    if "至" in text:
        left, _sep, right = text.partition("至")
        start = _point(left)
        if start is None:
            return None
        if right.strip() in _OPEN_END:
            return Period(start[0], None)
        end = _point(right)
        return Period(start[0], end[1]) if end else None
    point = _point(text)
    return Period(point[0], point[1]) if point else None
