"""Cross-border filings under supervision: every filing, soonest deadline first, overdue ones
(still awaiting the platform after their due date) flagged."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from grading.crossborder.selectors import filings_for_supervision, is_overdue
from grading.models import CrossBorderFiling
from grading.supervision.sections import (
    TITLES,
    Row,
    Section,
    _date,
    _yes,
    audit_maker,
    labels,
    url_maker,
)

HEADERS = [
    _("Receipt number"),
    _("Enterprise"),
    _("Recipient abroad"),
    _("State"),
    _("Decision due"),
    _("Overdue"),
]


def filings(user, today: dt.date) -> Section:
    """Cross-border filings for the regulator (``filings_for_supervision`` asks the policy)."""
    queue = filings_for_supervision(user=user, today=today).select_related("assessment")
    rows, state = [], labels(CrossBorderFiling.Status.choices)
    link = url_maker("crossborder:filing-detail")
    audit = audit_maker("grading.crossborderfiling")
    for filing in queue:
        late = is_overdue(filing, today)
        cells = [filing.receipt_number, filing.enterprise.name]
        cells += [filing.assessment.recipient, state[filing.status]]
        cells += [_date(filing.due_on), _yes(late)]
        rows.append(Row(cells, link(filing.pk), audit(filing.pk), late))
    counts = dict(queue.order_by().values_list("status").annotate(n=Count("pk")))
    summary = [(label, counts.get(v, 0)) for v, label in CrossBorderFiling.Status.choices]
    return Section("crossborder", TITLES["crossborder"], HEADERS, rows, summary)
