"""The demo's catalogue entries, loaded as drafts, submitted and published (one withdrawn) by
the agency's own staff where the demo has them, by the platform (``SYSTEM``) elsewhere."""

from __future__ import annotations

from catalog.models import Organization, Resource
from catalog.publishing.resources import resource_publish, resource_submit, resource_withdraw
from grading.models import Membership
from portal.actors import SYSTEM

from . import actors


def make(specs: list[dict]) -> list[Resource]:
    """Submit and publish every entry of ``specs``; withdraw those marked withdrawn."""
    by_code = Resource.objects.select_related("provider").in_bulk(
        [spec["code"] for spec in specs], field_name="code"
    )
    staff: dict[int, tuple] = {}
    made = []
    for spec in specs:
        resource = by_code[spec["code"]]
        if resource.provider_id not in staff:
            staff[resource.provider_id] = _staff(resource.provider)
        editor, reviewer = staff[resource.provider_id]
        resource = resource_submit(actor=editor, resource=resource)
        resource = resource_publish(actor=reviewer, resource=resource)
        if spec["status"] == "withdrawn":
            resource = resource_withdraw(actor=reviewer, resource=resource, reason=spec["reason"])
        made.append(resource)
    return made


def _staff(agency: Organization) -> tuple:
    """The agency's editor and reviewer in the demo, or the platform for a role it lacks."""
    try:
        editor = actors.member_of(agency, Membership.Role.EDITOR)
    except LookupError:
        editor = SYSTEM
    try:
        reviewer = actors.reviewer_of(agency)
    except LookupError:
        reviewer = SYSTEM
    return editor, reviewer
