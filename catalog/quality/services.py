"""Writes of the quality scores: one entry re-assessed after a change, every entry late or
re-assessed in bulk."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import (
    Distribution,
    Field,
    Resource,
)
from catalog.quality import criteria
from catalog.search import outbox as search_outbox
from catalog.search.engine import RESOURCES
from grading import audit, policy
from portal.actors import is_system
from portal.cache import catalog_changed


def resource_refresh_quality(
    *,
    resource: Resource,
    fields: Iterable[Field] | None = None,
    distributions: Iterable[Distribution] | None = None,
    today=None,
) -> Resource:
    """Re-assess ``resource`` on the quality criteria (``catalog.quality.criteria``) and store
    its score, the criteria it misses and the date its next update is due. Called by every
    service that changes what the criteria read; ``fields``/``distributions`` spare the
    queries when the caller holds them already."""
    assess_into(
        resource,
        resource.fields.all() if fields is None else fields,
        distributions,
        today,
    )
    Resource.objects.filter(pk=resource.pk).update(
        quality_score=resource.quality_score,
        quality_missing=resource.quality_missing,
        update_due=resource.update_due,
    )
    search_outbox.record(RESOURCES, [resource.pk])  # the score is a filter and a sort key
    return resource


def assess_into(resource: Resource, fields, distributions=None, today=None) -> None:
    """Set the quality columns of ``resource`` (not saved) from its current values."""
    if distributions is None:
        distributions = resource.distributions.all() if resource.pk else []
    found = criteria.assess(resource, fields, distributions, today or timezone.localdate())
    resource.quality_score, resource.quality_missing = found.score, found.missing
    resource.update_due = found.update_due


def quality_mark_late(*, today=None) -> int:
    """Take the timeliness points from entries whose next update fell due before ``today``
    and that still hold them; returns how many changed. Time passing is the only thing that
    makes an entry late without a write, so this is all a daily run has to do."""
    today = today or timezone.localdate()
    late = Resource.objects.filter(update_due__lt=today).only("id", "quality_missing")
    batch = []
    for resource in late.order_by("pk").iterator(chunk_size=2000):
        if "timely" in resource.quality_missing:
            continue
        missing = set(resource.quality_missing) | {"timely"}
        resource.quality_missing = [c.key for c in criteria.CRITERIA if c.key in missing]
        resource.quality_score = 100 - sum(criteria.WEIGHTS[k] for k in missing)
        batch.append(resource)
    for start in range(0, len(batch), 2000):
        _bulk_quality(batch[start : start + 2000], ["quality_score", "quality_missing"])
    if batch:
        transaction.on_commit(catalog_changed)
    return len(batch)


def quality_refresh_all(*, today=None) -> int:
    """Re-assess every entry (after loading rows around the services, or a change of the
    criteria); returns how many entries were assessed."""
    today = today or timezone.localdate()
    queryset = Resource.objects.prefetch_related("fields", "distributions").order_by("pk")
    names = ["quality_score", "quality_missing", "update_due"]
    batch, count = [], 0
    for resource in queryset.iterator(chunk_size=2000):
        found = criteria.assess(
            resource, resource.fields.all(), resource.distributions.all(), today
        )
        resource.quality_score, resource.quality_missing = found.score, found.missing
        resource.update_due = found.update_due
        batch.append(resource)
        if len(batch) == 2000:
            count += _bulk_quality(batch, names)
            batch = []
    count += _bulk_quality(batch, names)
    transaction.on_commit(catalog_changed)
    return count


def _bulk_quality(batch: list[Resource], names: list[str]) -> int:
    with transaction.atomic():
        Resource.objects.bulk_update(batch, names)
        search_outbox.record(RESOURCES, [resource.pk for resource in batch])
    return len(batch)


@transaction.atomic
def resource_set_high_value(*, actor, resource: Resource, high_value: bool) -> Resource:
    """Put the entry on the high-value dataset list (高价值数据清单) or take it off: editors of
    the providing agency and platform administrators. Audited; nothing is written (nor
    audited) when the flag already has that value."""
    if not is_system(actor) and not policy.can_flag_high_value(actor, resource):
        raise PermissionDenied(_("Only the agency's editors or the platform may change this."))
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if resource.high_value == high_value:
        return resource
    resource.high_value = high_value
    Resource.objects.filter(pk=resource.pk).update(high_value=high_value)
    search_outbox.record(RESOURCES, [resource.pk])
    audit.record(
        actor=actor, action="resource.high_value", obj=resource, payload={"high_value": high_value}
    )
    transaction.on_commit(catalog_changed)
    return resource
