"""The demo's catalogue as of the day it is loaded: the high-value list, set by the agencies'
editors through the service, and the entries' dates moved to the day ``load_demo`` runs."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from catalog.models import Resource
from catalog.quality.services import quality_refresh_all, resource_set_high_value
from grading.models import Membership

from . import actors


def high_value(codes: list[str]) -> None:
    """Put the entries ``codes`` on the high-value list as their agency's editor (the platform
    administrator for an agency the demo gives no editor)."""
    for resource in Resource.objects.select_related("provider").filter(code__in=codes):
        try:
            actor = actors.member_of(resource.provider, Membership.Role.EDITOR)
        except LookupError:
            actor = actors.platform_admin()
        resource_set_high_value(actor=actor, resource=resource, high_value=True)


def dates_as_of(as_of: str, today: dt.date | None = None) -> None:
    """Move the entries' issue and modification dates by the days between ``as_of`` (the day
    the demo's dates describe) and ``today``, then re-assess them: without this, a demo loaded
    weeks later shows every daily entry as overdue for update. Only the demo does this: the
    dates are facts of the fixture, not metadata changes an agency makes."""
    today = today or timezone.localdate()
    shift = today - dt.date.fromisoformat(as_of)
    if shift.days <= 0:
        return
    moved = []
    for resource in Resource.objects.only("id", "issued", "modified"):
        resource.issued = resource.issued and resource.issued + shift
        resource.modified = resource.modified and resource.modified + shift
        moved.append(resource)
    Resource.objects.bulk_update(moved, ["issued", "modified"], batch_size=500)
    quality_refresh_all(today=today)
