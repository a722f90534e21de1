"""The distributions of an entry: stored files, checked uploads with their versions, API
endpoints and links."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import PurePath
from typing import IO, TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.engagement.services import followers_notify
from catalog.models import (
    Distribution,
    DistributionVersion,
    Resource,
)
from catalog.publishing import uploads
from catalog.publishing.checks import lock_for_edit, require_allowed
from catalog.publishing.versions import record_version, version_change
from catalog.quality.services import resource_refresh_quality
from catalog.rows.services import is_csv, rows_load
from catalog.search import outbox as search_outbox
from catalog.search.engine import RESOURCES
from catalog.validators import text_errors
from grading import audit, policy
from portal.actors import is_system
from portal.cache import catalog_changed

RS = Resource.Status

if TYPE_CHECKING:
    from catalog.interop.harvest.fetch import Link


LINK_KINDS = (Distribution.Kind.LINK, Distribution.Kind.API)


def _digest(stream: IO[bytes]) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        sha.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return sha.hexdigest(), size


@transaction.atomic
def distribution_add_file(
    *,
    actor,
    resource: Resource,
    title: str,
    name: str,
    stream: IO[bytes],
    fmt: str,
    media_type: str = "",
) -> Distribution:
    """Store a file as a new distribution of ``resource``, recording its size and SHA-256."""
    if not is_system(actor):
        require_allowed(policy.can_edit(actor, resource))
    if errors := text_errors({"title": title, "media_type": media_type}):
        raise ValidationError(errors)
    sha256, size = _digest(stream)
    distribution = Distribution(
        resource=resource,
        title=title,
        kind=Distribution.Kind.FILE,
        format=fmt.upper(),
        media_type=media_type,
        byte_size=size,
        sha256=sha256,
    )
    distribution.file.save(name, File(stream, name=name), save=False)
    distribution.save()
    if resource.status == Resource.Status.PUBLISHED and is_csv(distribution):
        try:
            rows_load(distribution=distribution)
        except ValidationError:
            distribution.file.delete(save=False)  # the transaction drops the row; drop the file
            raise
    resource_refresh_quality(resource=resource)
    transaction.on_commit(catalog_changed)
    return distribution


@transaction.atomic
def distribution_add_link(
    *, actor, resource: Resource, title: str, kind: str, url: str, fmt: str
) -> Distribution:
    """Add an API endpoint or an external link as a distribution of ``resource``."""
    resource = lock_for_edit(actor, resource)
    if kind not in (Distribution.Kind.API, Distribution.Kind.LINK):
        raise ValidationError({"kind": [_("Choose an API or a link.")]})
    distribution = Distribution(
        resource=resource, title=title, kind=kind, url=url, format=(fmt or kind).upper()[:20]
    )
    distribution.full_clean()
    distribution.save()
    change = version_change("distribution", title, None, {"kind": kind, "url": url})
    record_version(
        actor=actor, resource=resource, summary=gettext_noop("Distribution added"), changes=[change]
    )
    resource_refresh_quality(resource=resource)
    if resource.status == RS.PUBLISHED:
        followers_notify(
            resource=resource, what=_("a new distribution: %(title)s") % {"title": title}
        )
    transaction.on_commit(catalog_changed)
    return distribution


@transaction.atomic
def distribution_upload(
    *, actor, resource: Resource, upload, title: str = "", distribution: Distribution | None = None
) -> Distribution:
    """Check and store an uploaded file as a new distribution of ``resource``, or as the next
    version of ``distribution`` (the previous file stays downloadable as a version).

    The file is read in chunks and checked before anything is written: size
    (``UPLOAD_MAX_BYTES``), allowed format, content matching the extension, text encoding
    (UTF-8 or GBK/GB18030) and, for CSV and XLSX, every row against the data dictionary. A
    refused file raises ``uploads.UploadRejected`` and leaves no row and no file behind.
    """
    resource = lock_for_edit(actor, resource)
    checked = uploads.check_upload(upload=upload, fields=list(resource.fields.all()))
    if distribution is not None and (
        distribution.kind != Distribution.Kind.FILE or distribution.resource_id != resource.pk
    ):
        raise ValidationError({"distribution": [_("Only file distributions take uploads.")]})
    target = distribution or Distribution(
        resource=resource, title=title or upload.name, kind=Distribution.Kind.FILE
    )
    if errors := text_errors({"title": target.title}):
        raise ValidationError(errors)
    previous = _keep_previous_version(target) if distribution is not None else None
    target.format, target.media_type = checked.fmt.upper(), checked.media_type
    target.byte_size, target.sha256 = checked.byte_size, checked.sha256
    target.content_grade = resource.grade
    target.version = (previous.number + 1) if previous else 1
    target.file.save(PurePath(upload.name).name, upload, save=False)
    try:
        target.save()
        _after_upload(actor, resource, target, checked)
    except BaseException:
        target.file.delete(save=False)  # the transaction drops the rows; drop the file too
        raise
    transaction.on_commit(catalog_changed)
    return target


def _keep_previous_version(distribution: Distribution) -> DistributionVersion | None:
    if not distribution.file:
        return None
    return DistributionVersion.objects.create(
        distribution=distribution,
        number=distribution.version,
        file=distribution.file.name,
        format=distribution.format,
        media_type=distribution.media_type,
        byte_size=distribution.byte_size,
        sha256=distribution.sha256,
        content_grade=distribution.content_grade,
        created_at=distribution.created_at if distribution.version == 1 else timezone.now(),
    )


def _after_upload(actor, resource: Resource, distribution: Distribution, checked) -> None:
    """Date the entry's data as updated today, load the rows of a published resource's new
    CSV, audit, and keep a version."""
    resource.modified = timezone.localdate()
    Resource.objects.filter(pk=resource.pk).update(modified=resource.modified)
    search_outbox.record(RESOURCES, [resource.pk])
    if resource.status == RS.PUBLISHED and is_csv(distribution):
        rows_load(distribution=distribution)
    payload = {
        "distribution": distribution.pk,
        "version": distribution.version,
        "sha256": checked.sha256,
        "bytes": checked.byte_size,
    }
    audit.record(actor=actor, action="distribution.upload", obj=resource, payload=payload)
    change = version_change("distribution", distribution.title, None, payload)
    resource_refresh_quality(resource=resource)
    record_version(
        actor=actor, resource=resource, summary=gettext_noop("File uploaded"), changes=[change]
    )
    if resource.status == RS.PUBLISHED:
        what = _("version %(number)s of the file “%(title)s”") % {
            "number": distribution.version,
            "title": distribution.title,
        }
        followers_notify(resource=resource, what=what)


@transaction.atomic
def distribution_set_links(*, actor, resource: Resource, links: Iterable[Link]) -> None:
    """Replace the link and API distributions of ``resource`` by ``links`` (addresses only:
    nothing is downloaded); its stored files are kept."""
    if not is_system(actor):
        require_allowed(policy.can_edit(actor, resource))
    resource.distributions.filter(kind__in=LINK_KINDS).delete()
    for link in links:
        distribution = Distribution(
            resource=resource,
            title=link.title,
            kind=link.kind,
            format=link.format,
            media_type=link.media_type,
            url=link.url,
        )
        distribution.full_clean()
        distribution.save()
    resource_refresh_quality(resource=resource)
    transaction.on_commit(catalog_changed)
