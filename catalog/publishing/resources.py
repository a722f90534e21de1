"""Agency publishing of an entry: draft → submitted → published → withdrawn, submitted → draft
on return. Each service checks the rule-book and writes in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.models import (
    Distribution,
    Organization,
    Resource,
    Theme,
)
from catalog.publishing.checks import (
    audit_grading_change,
    check_access_change,
    check_column_grades,
    refresh_search_columns,
    require_allowed,
    require_editable_state,
    require_free_code,
)
from catalog.publishing.dictionary import build_field_rows, replace_dictionary, store_fields
from catalog.publishing.metadata import EDITABLE_FIELDS
from catalog.publishing.versions import plain_value, record_version, version_change
from catalog.quality.services import assess_into
from catalog.rows.services import resource_load_rows
from catalog.validators import text_errors
from grading import audit, policy
from portal.actors import is_system
from portal.cache import catalog_changed
from portal.transitions import InvalidTransition, Step, advance

REQUIRED_TO_PUBLISH = ("title", "abstract", "format", "update_cycle")

RS = Resource.Status

# The publishing state machine: the states each step starts from (the compare-and-set's WHERE
# status IN ...) and the one it leads to.
RESOURCE_STEPS = {
    "submit": Step((RS.DRAFT,), RS.SUBMITTED),
    "return": Step((RS.SUBMITTED,), RS.DRAFT, needs_reason=True),
    "publish": Step((RS.SUBMITTED,), RS.PUBLISHED),
    "withdraw": Step((RS.PUBLISHED,), RS.WITHDRAWN, needs_reason=True),
}


def _move(resource: Resource, action: str, **changes) -> Resource:
    """Take ``action`` on ``resource`` (compare-and-set) and announce the change once committed."""
    resource = advance(resource, RESOURCE_STEPS, action, **changes)
    transaction.on_commit(catalog_changed)
    return resource


@transaction.atomic
def resource_create(
    *,
    actor,
    provider: Organization,
    theme: Theme,
    code: str,
    title: str,
    abstract: str,
    tier: str,
    fields: Iterable[Mapping[str, Any]] = (),
    **metadata: Any,
) -> Resource:
    """Create a draft resource with its data dictionary.

    The grade is derived from the fields; a tier above the grade's ceiling is refused. ``actor``
    must be an editor of ``provider`` (``SYSTEM`` for a management command run by an operator).
    """
    if not is_system(actor):
        require_allowed(policy.can_create_resource(actor, provider))
    field_rows = build_field_rows(fields)
    grade = policy.derive_grade(f.grade for f in field_rows)
    policy.check_ceiling(grade=grade, tier=tier)
    unknown = set(metadata) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    require_free_code(Resource, code)
    resource = Resource(
        provider=provider,
        theme=theme,
        code=code,
        title=title,
        abstract=abstract,
        tier=tier,
        grade=grade,
        **metadata,
    )
    refresh_search_columns(resource)
    assess_into(resource, field_rows, [])
    resource.full_clean()
    resource.save()
    store_fields(resource, field_rows)
    transaction.on_commit(catalog_changed)
    return resource


@transaction.atomic
def resource_update(
    *,
    actor,
    resource: Resource,
    data: Mapping[str, Any],
    fields: Iterable[Mapping[str, Any]] | None = None,
) -> Resource:
    """Change a resource's metadata (tier included), re-checking the ceiling; with ``fields``,
    the data dictionary is replaced too and the grade derived from it before the check."""
    # The stored row, not the caller's copy, whose grade may be stale.
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if not is_system(actor):
        require_allowed(policy.can_edit(actor, resource))
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    require_editable_state(actor, resource)
    before = {"tier": resource.tier, "grade": resource.grade}
    was_public = policy.is_public(resource)
    previous = {name: plain_value(getattr(resource, name)) for name in data}
    for name, value in data.items():
        setattr(resource, name, value)
    field_rows = build_field_rows(fields) if fields is not None else None
    if field_rows is not None:
        resource.grade = policy.derive_grade(f.grade for f in field_rows)
        check_column_grades(actor, resource, {f.name_en: f.grade for f in field_rows})
    check_access_change(actor, resource, before)
    refresh_search_columns(resource)
    assess_into(resource, resource.fields.all() if field_rows is None else field_rows)
    resource.full_clean()
    resource.save()
    changes = [
        version_change("metadata", name, previous[name], plain_value(getattr(resource, name)))
        for name in data
        if previous[name] != plain_value(getattr(resource, name))
    ]
    if field_rows is not None:
        changes += replace_dictionary(actor, resource, field_rows)
    audit_grading_change(actor, resource, before)
    record_version(
        actor=actor,
        resource=resource,
        summary=gettext_noop("Metadata changed"),
        changes=changes,
        was_public=was_public,
    )
    transaction.on_commit(catalog_changed)
    return resource


@transaction.atomic
def resource_submit(*, actor, resource: Resource) -> Resource:
    """Submit a draft for review by the agency's reviewers; editors of the providing agency.
    The ceiling and the required metadata are checked now, so reviewers see complete entries."""
    if not is_system(actor) and not policy.can_submit(actor, resource):
        raise PermissionDenied(policy.workspace_denial(actor, resource, "submit"))
    policy.check_ceiling(grade=resource.grade, tier=resource.tier)
    missing = [name for name in REQUIRED_TO_PUBLISH if not getattr(resource, name)]
    if missing:
        raise ValidationError(
            _("Required metadata missing: %(names)s") % {"names": ", ".join(missing)}
        )
    resource = _move(resource, "submit", status_reason="")
    audit.record(actor=actor, action="resource.submit", obj=resource, payload={})
    return resource


def require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("State the reason.")]})
    if errors := text_errors({"reason": reason}):
        raise ValidationError(errors)
    return reason


@transaction.atomic
def resource_return(*, actor, resource: Resource, reason: str) -> Resource:
    """Return a submitted entry to its editors with a reason; reviewers of the agency."""
    if not is_system(actor) and not policy.can_return(actor, resource):
        raise PermissionDenied(policy.workspace_denial(actor, resource, "return"))
    reason = require_reason(reason)
    resource = _move(resource, "return", status_reason=reason)
    audit.record(actor=actor, action="resource.return", obj=resource, payload={"reason": reason})
    return resource


@transaction.atomic
def resource_withdraw(*, actor, resource: Resource, reason: str) -> Resource:
    """Withdraw a published entry from the public catalogue, with a reason; reviewers of the
    agency. The withdrawal is kept as a version."""
    if not is_system(actor) and not policy.can_withdraw(actor, resource):
        raise PermissionDenied(policy.workspace_denial(actor, resource, "withdraw"))
    reason = require_reason(reason)
    resource = _move(resource, "withdraw", status_reason=reason)
    audit.record(actor=actor, action="resource.withdraw", obj=resource, payload={"reason": reason})
    change = version_change("status", "status", RS.PUBLISHED.value, RS.WITHDRAWN.value)
    record_version(actor=actor, resource=resource, summary=reason, changes=[change])
    return resource


@transaction.atomic
def resource_publish(*, actor, resource: Resource) -> Resource:
    """Publish a submitted resource: reviewer of the providing agency; the ceiling holds, the
    required metadata is present and every file distribution carries a checksum."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if not is_system(actor) and not policy.can_publish(actor, resource):
        raise PermissionDenied(_("Only a reviewer of the providing agency may publish."))
    if resource.status != Resource.Status.SUBMITTED:
        raise InvalidTransition(resource.status, resource.get_status_display())
    policy.check_ceiling(grade=resource.grade, tier=resource.tier)
    missing = [name for name in REQUIRED_TO_PUBLISH if not getattr(resource, name)]
    if missing:
        raise ValidationError(
            _("Required metadata missing: %(names)s") % {"names": ", ".join(missing)}
        )
    if resource.distributions.filter(kind=Distribution.Kind.FILE, sha256="").exists():
        raise ValidationError(_("Every file distribution needs a checksum before publishing."))
    resource = _move(
        resource,
        "publish",
        issued=resource.issued or timezone.localdate(),
    )
    audit.record(actor=actor, action="resource.publish", obj=resource, payload={})
    resource_load_rows(resource=resource)
    return resource
