"""The agency workspace: who may create, change, submit, return and withdraw entries, and who
may import entries in bulk or read the quality dashboard."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from catalog.models import Organization, Resource
from grading.policy.base import PUBLISHED, _holds
from grading.policy.principal import principal
from grading.policy.resources import can_edit, can_publish, viewable_q


def can_create_resource(user, organization) -> bool:
    """May ``user`` create catalogue entries held by ``organization``? Editors of that agency
    (enterprises hold no catalogue entries, whatever their members' roles)."""
    return organization is not None and organization.pk in workspace_agencies(user)


def workspace_q(user) -> Q:
    """Resources in ``user``'s workspace: every entry, in any state, of the agencies where the
    caller is an editor or a reviewer."""
    p = principal(user)
    orgs = (p.editor_org_ids | p.reviewer_org_ids) & p.agency_org_ids
    return Q(provider_id__in=orgs) if orgs else Q(pk__in=[])


def can_use_workspace(user) -> bool:
    """May ``user`` open the agency workspace? Editors and reviewers of an agency."""
    p = principal(user)
    return bool((p.editor_org_ids | p.reviewer_org_ids) & p.agency_org_ids)


def can_open_in_workspace(user, resource) -> bool:
    """May ``user`` manage this entry in the workspace? Its agency's editors and reviewers."""
    return _holds(resource, workspace_q(user))


def workspace_agencies(user) -> frozenset[int]:
    """The agencies for which ``user`` may create entries: those where the caller edits."""
    p = principal(user)
    return p.editor_org_ids & p.agency_org_ids


# Entries an editor may change: drafts, and published ones (each change then keeps a version).
# A submitted entry is frozen while its reviewer looks at it; a withdrawn one is closed.
CHANGEABLE_STATES = (Resource.Status.DRAFT, PUBLISHED)


def can_change_in_state(user, resource) -> bool:
    """Does the entry's state let ``user`` change it? Editors: drafts and published entries;
    platform administrators may correct an entry in any state."""
    return resource.status in CHANGEABLE_STATES or principal(user).platform_admin


def can_submit(user, resource) -> bool:
    """May ``user`` submit this draft for review? Editors of the providing agency."""
    return can_edit(user, resource)


def can_return(user, resource) -> bool:
    """May ``user`` return a submitted entry to its editors? Reviewers of the providing agency."""
    return can_publish(user, resource)


def can_withdraw(user, resource) -> bool:
    """May ``user`` withdraw a published entry? Reviewers of the providing agency."""
    return can_publish(user, resource)


def workspace_denial(user, resource, action: str = "edit") -> str:
    """Explain to agency staff who may see ``resource`` why they may not ``action`` it."""
    if action == "workspace":
        return _(
            "The workspace is for editors and reviewers of agencies. Ask your agency's "
            "administrator to add you to the agency."
        )
    if action == "access":
        return _(
            "Opening a published entry further (a more open tier, a lower security grade of the "
            "entry or of one of its fields) is a reviewer's decision: ask a reviewer of the "
            "providing agency who also edits."
        )
    if action in ("return", "publish", "withdraw"):
        return _(
            "Only a reviewer of the providing agency may do this. Ask your agency's "
            "administrator for the reviewer role."
        )
    return _(
        "Only editors of the providing agency may change this entry. Ask your agency's "
        "administrator for the editor role."
    )


# Agency publishing: bulk import and the quality dashboard
# ---------------------------------------------------------------------------------------------


def importing_organizations_q(user) -> Q:
    """Organizations ``user`` may import catalogue entries for (for ``Organization`` rows):
    agencies where ``user`` is an editor, as for writing entries one by one."""
    p = principal(user)
    return (
        Q(kind=Organization.Kind.AGENCY, pk__in=p.editor_org_ids)
        if p.editor_org_ids
        else Q(pk__in=[])
    )


def can_import(user, organization) -> bool:
    """May ``user`` import entries for ``organization``?"""
    return _holds(organization, importing_organizations_q(user))


def can_use_import(user) -> bool:
    """May ``user`` open the import page at all? Editors of at least one agency."""
    return bool(principal(user).editor_org_ids & principal(user).agency_org_ids)


def dashboard_organizations_q(user) -> Q:
    """Agencies whose quality and overdue updates ``user`` may follow (for ``Organization``
    rows): the agencies ``user`` works for; every agency for platform staff."""
    p = principal(user)
    if p.platform_staff:
        return Q(kind=Organization.Kind.AGENCY)
    return (
        Q(kind=Organization.Kind.AGENCY, pk__in=p.agency_org_ids)
        if p.agency_org_ids
        else Q(pk__in=[])
    )


def dashboard_resources_q(user) -> Q:
    """Resources counted on ``user``'s quality dashboard: entries ``user`` may see whose
    provider is one of :func:`dashboard_organizations_q`."""
    p = principal(user)
    if p.platform_staff:
        return viewable_q(user)
    if not p.agency_org_ids:
        return Q(pk__in=[])
    return viewable_q(user) & Q(provider_id__in=p.agency_org_ids)


def can_view_agency_dashboard(user) -> bool:
    """May ``user`` open the quality dashboard? Staff of an agency and platform staff."""
    p = principal(user)
    return p.platform_staff or bool(p.agency_org_ids)


def can_flag_high_value(user, resource) -> bool:
    """May ``user`` set or clear the high-value flag (高价值数据清单) of this entry? Editors of the
    providing agency and platform administrators, on drafts and published entries."""
    if resource is None or resource.status not in CHANGEABLE_STATES:
        return False
    p = principal(user)
    return p.platform_admin or resource.provider_id in (p.editor_org_ids & p.agency_org_ids)
