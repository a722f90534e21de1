"""Usage accounting under authorized-operation agreements: every row query served on the
basis of an agreement adds one query and the rows served to the agreement's figures for that
entry and month (``AgreementUsage``)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from grading.models import Agreement, AgreementUsage


def month_of(moment: dt.datetime | None = None) -> dt.date:
    """The first day of the month (local time) that ``moment`` (default: now) falls in."""
    return timezone.localtime(moment or timezone.now()).date().replace(day=1)


def usage_count(*, agreement: Agreement, resource, rows: int, when: dt.datetime | None = None):
    """Add one query and ``rows`` rows to ``agreement``'s usage of ``resource`` this month.

    An increment in SQL (``F()``), so concurrent requests never lose a count; the first query
    of a month creates the row, and a concurrent creator losing the unique-constraint race
    increments the row the winner made."""
    keys = {"agreement": agreement, "resource": resource, "month": month_of(when)}
    rows = max(int(rows), 0)
    if _increment(keys, rows):
        return
    try:
        with transaction.atomic():  # a savepoint: the losing insert must not end the caller's
            AgreementUsage.objects.create(**keys, queries=1, rows=rows)
    except IntegrityError:
        if not _increment(keys, rows):
            raise


def _increment(keys: dict, rows: int) -> int:
    return AgreementUsage.objects.filter(**keys).update(
        queries=F("queries") + 1, rows=F("rows") + rows
    )
