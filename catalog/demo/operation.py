"""Applications for authorized operation (授权运营), each walked to its state by whoever the
rule-book says: the applicant's staff, the platform administrator, the agencies owning the
scope; then the agreements they issue, signed, suspended or expired."""

from __future__ import annotations

from decimal import Decimal

from grading.models import Agreement, OperationApplication
from grading.operation.agreements import agreement_act, agreement_issue
from grading.operation.services import (
    operation_application_act,
    operation_application_create,
    operation_part_act,
)

from . import actors, agreements


def make(specs: list[dict]) -> list[OperationApplication]:
    """Create every application of ``specs`` as its applicant's staff, then take its steps."""
    return [_play(spec) for spec in specs]


def _play(spec: dict) -> OperationApplication:
    applicant = actors.organization(spec["applicant"])
    staff = actors.staff_of(applicant)
    fee_cap = spec.get("proposed_fee_cap")
    data = {key: spec[key] for key in ("purposes", "scenarios", "security_measures")}
    data |= {"term_months": spec["term_months"], "undertaking_accepted": True}
    data["proposed_fee_cap"] = Decimal(fee_cap) if fee_cap is not None else None
    application = operation_application_create(
        actor=staff, applicant=applicant, data=data, resources=actors.resources(spec["resources"])
    )
    agreement = None
    for action, *args in spec["steps"]:
        application.refresh_from_db()
        agreement = _step(application, agreement, staff, action, args) or agreement
    return application


def _step(application, agreement, staff, action: str, args: list) -> Agreement | None:
    """Take one step; returns the agreement when the step issued or changed it."""
    admin = actors.platform_admin()
    reason = args[0] if args and isinstance(args[0], str) else ""
    if action in ("submit", "withdraw"):
        operation_application_act(actor=staff, application=application, action=action)
    elif action in ("check", "return"):
        operation_application_act(
            actor=admin, application=application, action=action, reason=reason
        )
    elif action == "part":
        _decide(application, *args)
    elif action == "respond":
        part = application.parts.get(agency__code=args[0])
        operation_part_act(actor=staff, part=part, action="respond", reason=args[1])
    elif action == "issue":
        data = agreements.terms(args[0])
        return agreement_issue(actor=admin, application=application, data=data)
    elif action in ("sign", "suspend", "expire"):
        actor = staff if action == "sign" else admin
        return agreement_act(actor=actor, agreement=agreement, action=action, reason=reason)
    else:
        raise ValueError(f"unknown operation step {action!r}")
    return None


def _decide(application: OperationApplication, agency: str, action: str, reason: str = ""):
    """The reviewers of ``agency`` (or of every agency, ``*``) take ``action`` on its part."""
    parts = application.parts.select_related("agency").order_by("agency__code")
    if agency != "*":
        parts = parts.filter(agency__code=agency)
    for part in parts:
        reviewer = actors.reviewer_of(part.agency)
        operation_part_act(actor=reviewer, part=part, action=action, reason=reason)
