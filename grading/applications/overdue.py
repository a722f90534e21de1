"""Reminders of overdue reviews: each run tells the people an application waits for, once per
application, when its review clock (``due_on``, counted in working days by
``grading.workdays``) has run out. Run daily by the scheduler (``overdue_notices``)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from grading import workdays
from grading.models import Application
from grading.operation.notices import organization_staff, platform_admins
from grading.services import notify

OVERDUE_TEXT = gettext_noop(
    "Application #%(id)s is overdue: its review was due on %(due)s. Please decide on it."
)


@transaction.atomic
def overdue_notify(*, today: dt.date | None = None) -> int:
    """Tell platform administrators of submitted applications past their formal-check date
    and the providing agency's reviewers of checked ones past their decision date. Nothing is
    sent on days off (weekends, public holidays): the reminder waits for the next working
    day. Returns the number of overdue applications reminded of."""
    today = today or timezone.localdate()
    if not workdays.is_working_day(today):
        return 0
    waiting = Application.objects.filter(
        status__in=[Application.Status.SUBMITTED, Application.Status.CHECKED],
        due_on__lt=today,
    ).order_by("due_on", "pk")
    link = reverse("grading:review-queue")
    admins = list(platform_admins())
    count = 0
    for application in waiting:
        if application.status == Application.Status.SUBMITTED:
            people = admins
        else:
            people = organization_staff(application.provider_id, reviewers=True)
        values = {"id": application.pk, "due": application.due_on.isoformat()}
        for user in people:
            notify(user=user, text=_(OVERDUE_TEXT) % values, link=link)
        count += 1
    return count
