"""The data dictionary of an entry: its fields, their grades, and the entry's grade derived
from them (就高从严)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.models import (
    Field,
    Resource,
)
from catalog.publishing.checks import (
    audit_grading_change,
    check_access_change,
    check_column_grades,
    lock_for_edit,
)
from catalog.publishing.versions import record_version, version_change
from catalog.quality.services import resource_refresh_quality
from grading import audit, policy
from portal.cache import catalog_changed

FIELD_ATTRIBUTES = ("name", "name_en", "data_type", "description", "grade", "position")


def build_field_rows(fields: Iterable[Mapping[str, Any]]) -> list[Field]:
    """Unsaved dictionary fields, each checked against the model's own rules (type, grade,
    lengths) and English names unique within the resource."""
    rows = [Field(**dict(row)) for row in fields]
    for row in rows:
        row.full_clean(exclude=["resource"], validate_unique=False)
    names = [row.name_en for row in rows]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValidationError(
            {"fields": [_("Field names repeated: %(names)s") % {"names": ", ".join(repeated)}]}
        )
    return rows


def store_fields(resource: Resource, field_rows: list[Field]) -> None:
    for position, field in enumerate(field_rows):
        field.resource = resource
        field.position = field.position or position
    Field.objects.bulk_create(field_rows)


def _same_fields(resource: Resource, field_rows: list[Field]) -> bool:
    def shape(f: Field) -> tuple:
        return (f.name_en, f.name, f.data_type, f.grade, f.description)

    return [shape(f) for f in resource.fields.order_by("position", "id")] == [
        shape(f) for f in field_rows
    ]


def replace_dictionary(actor, resource: Resource, field_rows: list[Field]) -> list[dict]:
    """Replace the data dictionary of ``resource`` by ``field_rows`` when it differs; audit
    each field's grade change and return the version entries (grades marked as graded)."""
    if _same_fields(resource, field_rows):
        return []
    old = {f.name_en: f for f in resource.fields.all()}
    new = {f.name_en: f for f in field_rows}
    resource.fields.all().delete()
    store_fields(resource, field_rows)
    changes = []
    for name in sorted(old.keys() | new.keys()):
        before, after = _field_state(old.get(name)), _field_state(new.get(name))
        graded = before.pop("grade", None), after.pop("grade", None)
        if before != after:
            changes.append(version_change("field", name, before or None, after or None))
        if graded[0] != graded[1]:
            changes.append(version_change("field", f"{name}.grade", *graded, graded=True))
            payload = {"resource": resource.pk, "field": name, "before": graded[0]}
            audit.record(
                actor=actor,
                action="field.grade",
                obj=resource,
                payload={**payload, "after": graded[1]},
            )
    return changes


def _field_state(field: Field | None) -> dict:
    if field is None:
        return {}
    return {name: getattr(field, name) for name in FIELD_ATTRIBUTES if name != "position"}


def _regrade(actor, resource: Resource, grades: Iterable[str]) -> list[dict]:
    """Derive the resource grade from its fields' ``grades``, refuse a tier the new grade's
    ceiling forbids, and save and audit a change; returns the version entries."""
    grade = policy.derive_grade(grades)
    policy.check_ceiling(grade=grade, tier=resource.tier)
    if grade == resource.grade:
        return []
    before = {"tier": resource.tier, "grade": resource.grade}
    resource.grade = grade
    check_access_change(actor, resource, before)
    resource.save(update_fields=["grade", "updated_at"])
    audit_grading_change(actor, resource, before)
    return [version_change("grading", "grade", before["grade"], grade, graded=True)]


def _field_changes(field: Field, before: Mapping[str, Any]) -> list[dict]:
    return [
        version_change(
            "field",
            f"{field.name_en}.{name}",
            before.get(name),
            getattr(field, name),
            graded=name == "grade",
        )
        for name in FIELD_ATTRIBUTES
        if before.get(name) != getattr(field, name)
    ]


@transaction.atomic
def field_save(
    *, actor, resource: Resource, data: Mapping[str, Any], field: Field | None = None
) -> Field:
    """Add a dictionary field to ``resource`` or change one. The resource's grade follows the
    fields (就高从严); a change the tier's ceiling forbids is refused with the rule's message."""
    resource = lock_for_edit(actor, resource)
    before = {name: getattr(field, name) for name in FIELD_ATTRIBUTES} if field else {}
    field = field or Field(resource=resource, position=resource.fields.count())
    for name in FIELD_ATTRIBUTES:
        if name in data:
            setattr(field, name, data[name])
    others = dict(resource.fields.exclude(pk=field.pk).values_list("name_en", "grade"))
    check_column_grades(actor, resource, {**others, field.name_en: field.grade})
    grading = _regrade(actor, resource, [*others.values(), field.grade])
    field.full_clean()
    field.save()
    if before.get("grade") != field.grade:
        audit.record(
            actor=actor,
            action="field.grade",
            obj=field,
            payload={"resource": resource.pk, "before": before.get("grade"), "after": field.grade},
        )
    changes = _field_changes(field, before) + grading
    _after_dictionary_change(actor, resource, changes)
    return field


def _after_dictionary_change(actor, resource: Resource, changes: list[dict]) -> None:
    """Keep the version, re-assess the quality and announce the change, once committed."""
    record_version(
        actor=actor,
        resource=resource,
        summary=gettext_noop("Data dictionary changed"),
        changes=changes,
    )
    resource_refresh_quality(resource=resource)
    transaction.on_commit(catalog_changed)


@transaction.atomic
def field_remove(*, actor, field: Field) -> None:
    """Remove a dictionary field; the resource's grade is derived again from the others."""
    resource = lock_for_edit(actor, field.resource)
    before = {name: getattr(field, name) for name in FIELD_ATTRIBUTES}
    others = resource.fields.exclude(pk=field.pk).values_list("grade", flat=True)
    grading = _regrade(actor, resource, list(others))
    field.delete()
    shown = {k: v for k, v in before.items() if k != "grade"}
    changes = [
        version_change("field", before["name_en"], shown, None),
        version_change("field", f"{before['name_en']}.grade", before["grade"], None, graded=True),
        *grading,
    ]
    _after_dictionary_change(actor, resource, changes)


def field_set_grade(*, actor, field: Field, grade: str) -> Field:
    """Change one field's grade: :func:`field_save` with the grade alone (the resource's grade
    follows; the ceiling and, on a published entry, the reviewer's say are checked)."""
    return field_save(actor=actor, resource=field.resource, data={"grade": grade}, field=field)
