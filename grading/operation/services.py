"""Writes for applications for authorized operation (DESIGN §3, 授权运营): create, submit,
the platform's formal check, each agency's decision on its part.

Two tables of steps, each run by ``portal.transitions.advance`` (one compare-and-set UPDATE):
``STEPS`` for the application, ``PART_STEPS`` for an agency's part. Part decisions lock the
application row first, so when the last part is decided the application moves to ``decided``
(at least one part approved) or ``rejected`` (none) in the same transaction, whichever agency
decides last. Every step is audited and told to the people it concerns (``notices``). Issuing
the agreement and its lifecycle are in ``grading.operation.agreements``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Organization, Resource, Theme
from catalog.validators import text_errors
from grading import audit, policy
from grading.models import Agreement, OperationApplication, OperationScopePart
from grading.operation.notices import tell_application
from grading.workdays import add_working_days, working_days_between
from portal.transitions import InvalidTransition, Step, advance

S = OperationApplication.Status
P = OperationScopePart.Status
MAX_TERM_MONTHS = 60
TEXT_FIELDS = ("purposes", "scenarios", "security_measures")

STEPS: dict[str, Step] = {
    "submit": Step((S.DRAFT, S.RETURNED), S.SUBMITTED),
    "withdraw": Step((S.DRAFT, S.SUBMITTED, S.RETURNED, S.CHECKED), S.WITHDRAWN),
    "return": Step((S.SUBMITTED,), S.RETURNED, needs_reason=True),
    "check": Step((S.SUBMITTED,), S.CHECKED),
    "decide": Step((S.CHECKED,), S.DECIDED),  # the last part decided, one approved at least
    "reject_all": Step((S.CHECKED,), S.REJECTED),  # the last part decided, none approved
    "issue": Step((S.DECIDED,), S.ISSUED),
}
PART_STEPS: dict[str, Step] = {
    "approve": Step((P.PENDING,), P.APPROVED),
    "reject": Step((P.PENDING,), P.REJECTED, needs_reason=True),
    "request_info": Step((P.PENDING,), P.NEED_INFO, needs_reason=True),
    "respond": Step((P.NEED_INFO,), P.PENDING, needs_reason=True),
}


def _fee_cap(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        cap = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"proposed_fee_cap": [_("Enter a number.")]}) from None
    if not cap.is_finite() or cap < 0 or cap >= Decimal("1e10"):
        raise ValidationError({"proposed_fee_cap": [_("A fee cap of zero or more is required.")]})
    return cap.quantize(Decimal("0.01"))


def _clean(data: Mapping) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in TEXT_FIELDS:
        if not isinstance(data.get(name), str) or not data[name].strip():
            errors[name] = [_("This field is required.")]
    errors |= text_errors({n: data.get(n) for n in (*TEXT_FIELDS, "proposed_fees")})
    term = data.get("term_months")
    if isinstance(term, bool) or not isinstance(term, int) or not 1 <= term <= MAX_TERM_MONTHS:
        errors["term_months"] = [_("A whole number of months from 1 to 60 (five years).")]
    return errors


def _check_scope(actor, resources, themes, agencies) -> None:
    allowed = policy.operation_scope(actor)
    if len(allowed.filter(pk__in=[r.pk for r in resources])) != len(resources):
        raise ValidationError({"resources": [_("One of these entries cannot be in a scope.")]})
    if any(a.kind != Organization.Kind.AGENCY for a in agencies):
        raise ValidationError({"agencies": [_("Only government agencies hold entries.")]})


@transaction.atomic
def operation_application_create(
    *,
    actor,
    applicant: Organization,
    data: Mapping,
    resources: Iterable[Resource] = (),
    themes: Iterable[Theme] = (),
    agencies: Iterable[Organization] = (),
    renews: Agreement | None = None,
    submit: bool = False,
) -> OperationApplication:
    """Create an application for authorized operation on behalf of ``applicant`` (a draft, or
    submitted at once with ``submit``). ``data`` holds purposes, scenarios, security_measures,
    term_months, proposed_fees, proposed_fee_cap and undertaking_accepted."""
    if not policy.operation_applicant_orgs(actor).filter(pk=applicant.pk).exists():
        raise PermissionDenied(_("Only staff of a verified enterprise may apply."))
    scope = {"resources": list(resources), "themes": list(themes), "agencies": list(agencies)}
    if errors := _clean(data):
        raise ValidationError(errors)
    _check_scope(actor, **scope)
    application = OperationApplication.objects.create(
        applicant=applicant, submitted_by=actor, renews=renews, **_columns(data)
    )
    for name, rows in scope.items():
        getattr(application, name).set(rows)
    payload = {name: sorted(row.pk for row in rows) for name, rows in scope.items()}
    payload |= {"term_months": data["term_months"], "renews": renews.pk if renews else None}
    audit.record(actor=actor, action="operation.create", obj=application, payload=payload)
    if submit:
        application = operation_application_act(
            actor=actor, application=application, action="submit"
        )
    return application


def _columns(data: Mapping) -> dict:
    """The application's own columns from checked ``data``."""
    return {
        **{name: data[name].strip() for name in TEXT_FIELDS},
        "term_months": data["term_months"],
        "proposed_fees": (data.get("proposed_fees") or "").strip(),
        "proposed_fee_cap": _fee_cap(data.get("proposed_fee_cap")),
        "undertaking_accepted_at": timezone.now() if data.get("undertaking_accepted") else None,
    }


def resolve_scope(application: OperationApplication) -> dict[int, list[int]]:
    """The entries an application's scope covers, by providing agency: the entries named, and
    every entry that may be in a scope of the whole themes and agencies named."""
    named = Q(pk__in=application.resources.values("pk"))
    named |= Q(theme_id__in=application.themes.values("pk"))
    named |= Q(provider_id__in=application.agencies.values("pk"))
    eligible = policy.operation_scope(application.submitted_by).filter(named)
    by_agency: dict[int, list[int]] = {}
    for pk, provider_id in eligible.order_by("pk").values_list("pk", "provider_id"):
        by_agency.setdefault(provider_id, []).append(pk)
    return by_agency


def _make_parts(application: OperationApplication) -> list[OperationScopePart]:
    """Split the scope into one part per agency (again, on a resubmission)."""
    by_agency = resolve_scope(application)
    if not by_agency:
        raise ValidationError(
            {"resources": [_("The scope holds no entry that can be operated: name some.")]}
        )
    application.parts.all().delete()
    parts = []
    for agency_id, ids in sorted(by_agency.items()):
        part = OperationScopePart.objects.create(application=application, agency_id=agency_id)
        part.resources.set(ids)
        parts.append(part)
    return parts


def _require_reason(step: Step, reason: str) -> str:
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if step.needs_reason and not reason:
        raise ValidationError({"reason": [_("State the reason.")]})
    if errors := text_errors({"reason": reason}):
        raise ValidationError(errors)
    return reason


def _changes(action: str, reason: str) -> dict:
    today = timezone.localdate()
    changes: dict = {"reason": reason}
    if action == "submit":
        changes["due_on"] = add_working_days(today, settings.FORMAL_CHECK_DAYS)
    elif action in ("return", "withdraw", "check"):
        changes["due_on"] = None
    return changes


@transaction.atomic
def operation_application_act(
    *, actor, application: OperationApplication, action: str, reason: str = ""
) -> OperationApplication:
    """Submit, withdraw, return or check an application (``STEPS``; issuing is
    ``agreements.agreement_issue``). Raises PermissionDenied, ValidationError (a missing reason
    or undertaking, an empty scope) or InvalidTransition (the wrong state); writes nothing then."""
    step = STEPS.get(action)
    if action == "issue" or not policy.can_act_on_operation_application(actor, application, action):
        raise PermissionDenied(_("You may not do this to this application."))
    reason = _require_reason(step, reason)
    if application.status not in step.sources:
        raise InvalidTransition(application.status, application.get_status_display())
    if action == "submit":
        _ready_to_submit(application)
    advance(application, STEPS, action, **_changes(action, reason))
    if action == "check":
        _open_parts(application)
    payload = {"from_states": list(step.sources), "to": step.target, "reason": reason}
    audit.record(actor=actor, action=f"operation.{action}", obj=application, payload=payload)
    tell_application(application, action)
    return application


def _ready_to_submit(application: OperationApplication) -> None:
    if application.undertaking_accepted_at is None:
        raise ValidationError(
            {"undertaking_accepted": [_("Accept the security undertaking before submitting.")]}
        )
    if not application.applicant.verified_at:
        raise PermissionDenied(_("Only staff of a verified enterprise may apply."))
    _make_parts(application)


def _open_parts(application: OperationApplication) -> None:
    """Start each agency's clock and tell its reviewers their part has arrived."""
    due = add_working_days(timezone.localdate(), settings.AGENCY_REVIEW_DAYS)
    parts = application.parts.all()
    parts.update(status=P.PENDING, due_on=due, paused_days=0, updated_at=timezone.now())
    for agency_id in parts.values_list("agency_id", flat=True):
        tell_application(application, "part", agency_id=agency_id)


def _part_changes(part: OperationScopePart, action: str, actor, reason: str) -> dict:
    today = timezone.localdate()
    changes: dict = {"reason": reason}
    if action == "request_info":
        changes["paused_days"] = max(working_days_between(today, part.due_on or today), 1)
        changes["due_on"] = None  # the clock pauses until the applicant answers
    elif action == "respond":
        changes["due_on"] = add_working_days(today, part.paused_days or 1)
    else:
        changes |= {"decided_by": actor, "decided_at": timezone.now(), "due_on": None}
    return changes


def part_action_allowed(actor, part: OperationScopePart, action: str) -> bool:
    """May ``actor`` take ``action`` on ``part``: its agency's reviewers decide, the
    applicant's staff answer a question (both asked of the policy)."""
    if action == "respond":
        return policy.can_act_on_operation_application(actor, part.application, "respond")
    return policy.can_decide_operation_part(actor, part, action)


@transaction.atomic
def operation_part_act(
    *,
    actor,
    part: OperationScopePart,
    action: str,
    reason: str = "",
    approved: Iterable[int] | None = None,
) -> OperationScopePart:
    """Approve (all of the part's entries, or the subset ``approved``), reject or question an
    agency's part, or answer its question (the applicant). When the last part is decided the
    application moves to ``decided`` or ``rejected`` in the same transaction."""
    step = PART_STEPS.get(action)
    if step is None or not part_action_allowed(actor, part, action):
        raise PermissionDenied(_("You may not decide this part."))
    reason = _require_reason(step, reason)
    chosen = _approved_ids(part, approved) if action == "approve" else []
    # Lock the application: decisions on its parts run one at a time, so "the last part" is
    # seen by exactly one of them.
    application = OperationApplication.objects.select_for_update().get(pk=part.application_id)
    if application.status != S.CHECKED:
        raise InvalidTransition(application.status, application.get_status_display())
    advance(part, PART_STEPS, action, **_part_changes(part, action, actor, reason))
    part.approved_resources.set(chosen)
    payload = {"part": part.pk, "agency": part.agency_id, "to": step.target, "reason": reason}
    audit.record(
        actor=actor,
        action=f"operation.part.{action}",
        obj=application,
        payload=payload | {"approved": chosen},
    )
    tell_application(application, action, agency_id=part.agency_id, reason=reason)
    if action in ("approve", "reject"):
        _close_if_decided(actor, application)
    return part


def _approved_ids(part: OperationScopePart, approved: Iterable[int] | None) -> list[int]:
    ids = sorted(part.resources.values_list("pk", flat=True))
    if approved is None:
        return ids
    chosen = sorted(set(approved))
    if not chosen or not set(chosen) <= set(ids):
        raise ValidationError({"resources": [_("Approve some of this part's entries only.")]})
    return chosen


def _close_if_decided(actor, application: OperationApplication) -> None:
    statuses = set(application.parts.values_list("status", flat=True))
    if statuses & {P.PENDING, P.NEED_INFO}:
        return
    action = "decide" if P.APPROVED in statuses else "reject_all"
    advance(application, STEPS, action)
    payload = {"to": STEPS[action].target}
    audit.record(actor=actor, action=f"operation.{action}", obj=application, payload=payload)
    tell_application(application, "decided" if action == "decide" else "rejected")
