"""Reads for the agency workspace and an entry's version history."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404

from catalog.models import (
    Resource,
    ResourceVersion,
)
from catalog.selectors import distribution_for_download, resource_detail
from grading import policy

# The agency workspace and version history
# ---------------------------------------------------------------------------------------------

WORKSPACE_STATES = tuple(Resource.Status.values)


def workspace_resources(*, user, state: str) -> QuerySet:
    """Entries of the caller's agencies in ``state``, most recently changed first."""
    return (
        Resource.objects.filter(policy.workspace_q(user), status=state)
        .select_related("provider", "theme")
        .order_by("-updated_at", "-id")
    )


def workspace_counts(*, user) -> dict[str, int]:
    """How many entries of the caller's agencies are in each state (one query)."""
    rows = (
        Resource.objects.filter(policy.workspace_q(user))
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    found = {row["status"]: row["n"] for row in rows}
    return {state: found.get(state, 0) for state in WORKSPACE_STATES}


def workspace_resource(*, user, pk: int) -> Resource:
    """One entry for the workspace: 404 if the caller may not see it at all (another agency's
    draft), ``PermissionDenied`` with the reason if it is visible but not the caller's."""
    resource = resource_detail(user=user, pk=pk)
    if not policy.can_open_in_workspace(user, resource):
        raise PermissionDenied(policy.workspace_denial(user, resource))
    return resource


def resource_history(*, user, resource: Resource) -> list[ResourceVersion]:
    """The versions of a resource the caller may see, newest first: all of them for its
    agency and platform staff, those kept while it was public for everyone else. Changes
    concerning security grades are left out for callers the policy does not show grades to."""
    versions = ResourceVersion.objects.filter(resource=resource).select_related("actor")
    if not policy.can_see_whole_history(user, resource):
        versions = versions.filter(public=True)
    versions = list(versions[:50])
    show_grades = policy.can_see_grades(user)
    for version in versions:
        # Who changed an entry is shown to staff, not to the public.
        version.shown_actor = version.actor if policy.can_see_change_author(user) else None
        version.shown_changes = [
            {**change, "before": _as_text(change["before"]), "after": _as_text(change["after"])}
            for change in version.changes
            if show_grades or not change.get("graded")
        ]
    return versions


def _as_text(value):
    """A changed value as text: nested values (a removed field, an upload) as ``key: value``."""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {item}" for key, item in value.items())
    return value


def distribution_version(*, user, resource_pk: int, pk: int, number: int):
    """An earlier file of a distribution the caller may see (with its resource), or 404."""
    distribution = distribution_for_download(user=user, resource_pk=resource_pk, pk=pk)
    for version in distribution.versions.all():
        if version.number == number:
            return distribution, version
    raise Http404
