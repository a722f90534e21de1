"""The checks every publishing write shares: who may change an entry in which state, codes
free across the catalogue, tier and grade changes judged by the rule-book and audited."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import (
    Resource,
    Row,
)
from catalog.search.query import resource_search_columns
from grading import audit, policy
from grading.grades import Grade
from portal.actors import is_system
from portal.transitions import InvalidTransition

# Codes are unique across the catalogue, and whose entry or product holds one (perhaps a draft,
# or a restricted entry of another agency) is nobody else's business: every path that refuses a
# code says only this.
CODE_IN_USE = gettext_lazy("This code is already in use; choose another.")


def code_in_use(model: type[models.Model], code: str) -> bool:
    """Is ``code`` held by an entry (or product) of any organization, visible or not?"""
    return model.objects.filter(code=code).exists()


def require_free_code(model: type[models.Model], code: str) -> None:
    if code_in_use(model, code):
        raise ValidationError({"code": [CODE_IN_USE]})


def require_allowed(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You are not allowed to change this resource."))


def require_editable_state(actor, resource: Resource) -> None:
    if not is_system(actor) and not policy.can_change_in_state(actor, resource):
        raise InvalidTransition(resource.status, resource.get_status_display())


def lock_for_edit(actor, resource: Resource) -> Resource:
    """The resource row, locked, after checking the editor's right and the state."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if not is_system(actor):
        require_allowed(policy.can_edit(actor, resource))
    require_editable_state(actor, resource)
    return resource


def check_access_change(actor, resource: Resource, before: Mapping[str, str]) -> None:
    """The ceiling holds for the new tier and grade, and a change of either on a published
    entry is made by someone the policy lets decide it."""
    policy.check_ceiling(grade=resource.grade, tier=resource.tier)
    if before == {"tier": resource.tier, "grade": resource.grade} or is_system(actor):
        return
    if not policy.can_change_published_access(actor, resource, dict(before)):
        raise PermissionDenied(policy.workspace_denial(actor, resource, "access"))


def check_column_grades(actor, resource: Resource, after: Mapping[str, str]) -> None:
    """Refuse a dictionary change that would show a column of a published entry at a lower
    grade than now, unless the policy lets ``actor`` open data further."""
    if is_system(actor):
        return
    before = _column_grades(resource, after)
    if not policy.can_change_published_fields(actor, resource, before, after):
        raise PermissionDenied(policy.workspace_denial(actor, resource, "access"))


def _column_grades(resource: Resource, names: Iterable[str]) -> dict[str, str]:
    """The grade at which each column of ``resource``'s rows is shown now: its field's grade.
    Values loaded under one of ``names`` that no field declares any more (the field was
    removed or renamed) are shown to no one outside the agency: they count as L4, so that
    declaring the column again is judged like lowering it from L4."""
    grades = dict(resource.fields.values_list("name_en", "grade"))
    rows = Row.objects.filter(table__resource=resource)
    for name in set(names) - set(grades):
        if rows.filter(data__has_key=name).exists():
            grades[name] = Grade.L4
    return grades


def audit_grading_change(actor, resource: Resource, before: Mapping[str, str]) -> None:
    """Append a tier or grade change of a resource to the audit chain."""
    after = {"tier": resource.tier, "grade": resource.grade}
    if after != before:
        audit.record(
            actor=actor,
            action="resource.grading",
            obj=resource,
            payload={"before": dict(before), "after": after},
        )


def refresh_search_columns(resource: Resource) -> None:
    for name, value in resource_search_columns(resource).items():
        setattr(resource, name, value)
