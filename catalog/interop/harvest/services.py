"""Harvesting other catalogues (``manage.py harvest``; ``catalog.interop.harvest.fetch`` reads
the sources): each remote entry kept as a local draft, never published."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.interop.harvest.fetch import RemoteEntry, resource_code
from catalog.models import (
    HarvestRecord,
    Organization,
    Resource,
    Theme,
)
from catalog.publishing.distributions import distribution_set_links
from catalog.publishing.resources import resource_create, resource_update
from portal.actors import SYSTEM


@dataclass(frozen=True)
class HarvestOutcome:
    status: str  # created, updated, unchanged or skipped
    resource: Resource | None = None
    reason: str = ""


@transaction.atomic
def harvest_entry(
    *, source: str, entry: RemoteEntry, provider: Organization, theme: Theme
) -> HarvestOutcome:
    """Import one harvested entry as a draft of ``provider``, or update the draft imported
    from it before when the entry changed. An unchanged entry is left alone, and so is one
    whose local copy moved on from draft (the agency owns it then). Never publishes. The code
    is derived from the source and the entry (``catalog.interop.harvest.fetch.resource_code``)."""
    record = (
        HarvestRecord.objects.select_for_update()
        .select_related("resource")
        .filter(source=source, remote_id=entry.remote_id)
        .first()
    )
    content_hash = entry.content_hash(theme.code)
    if record is None:
        resource = resource_create(
            actor=SYSTEM,
            provider=provider,
            theme=theme,
            code=_harvest_code(source, entry),
            **entry.metadata(),
        )
        distribution_set_links(actor=SYSTEM, resource=resource, links=entry.links)
        HarvestRecord.objects.create(
            source=source, remote_id=entry.remote_id, resource=resource, content_hash=content_hash
        )
        return HarvestOutcome("created", resource)
    return _harvest_update(record, entry, theme, content_hash)


def _harvest_code(source: str, entry: RemoteEntry) -> str:
    code = resource_code(source, entry)
    if Resource.objects.filter(code=code).exists():  # e.g. two names that differ in spaces
        code = resource_code(source, entry, hashed=True)
    return code


def _harvest_update(
    record: HarvestRecord, entry: RemoteEntry, theme: Theme, content_hash: str
) -> HarvestOutcome:
    resource = record.resource
    if record.content_hash == content_hash:
        return HarvestOutcome("unchanged", resource)
    if resource.status != Resource.Status.DRAFT:
        reason = _("Changed at the source, but the local entry is %(status)s: not overwritten.")
        return HarvestOutcome(
            "skipped", resource, reason % {"status": resource.get_status_display()}
        )
    resource_update(actor=SYSTEM, resource=resource, data={**entry.metadata(), "theme": theme})
    distribution_set_links(actor=SYSTEM, resource=resource, links=entry.links)
    record.content_hash = content_hash
    record.save(update_fields=["content_hash", "harvested_at"])
    return HarvestOutcome("updated", resource)
