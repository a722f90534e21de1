"""The versions of a published (or withdrawn) entry: who changed what, and when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Max

from catalog.models import (
    Resource,
    ResourceVersion,
)
from grading import policy

RS = Resource.Status


VERSIONED_STATES = (RS.PUBLISHED, RS.WITHDRAWN)


def plain_value(value) -> Any:
    """A value as JSON can hold it, for a version's before/after."""
    if isinstance(value, models.Model):
        return getattr(value, "code", None) or str(value.pk)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def version_change(part: str, name: str, before, after, *, graded: bool = False) -> dict:
    return {"part": part, "name": name, "before": before, "after": after, "graded": graded}


def record_version(
    *, actor, resource: Resource, summary: str, changes: list[dict], was_public: bool = True
) -> ResourceVersion | None:
    """Keep a version of a published (or withdrawn) resource: who, when and what changed.
    Nothing is kept for drafts, nor when nothing changed. ``summary`` is an untranslated
    message (translated when shown) or the reviewer's own words. The version is public only
    if the entry is public now and ``was_public`` before the change (the caller knows)."""
    if resource.status not in VERSIONED_STATES or not changes:
        return None
    last = resource.versions.aggregate(n=Max("number"))["n"] or 0
    return ResourceVersion.objects.create(
        resource=resource,
        number=last + 1,
        actor=actor if getattr(actor, "pk", None) else None,
        summary=str(summary)[:300],
        changes=changes,
        public=was_public and policy.is_public(resource),
    )
