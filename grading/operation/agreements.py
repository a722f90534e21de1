"""Writes for authorized-operation agreements (授权运营协议): issued from a decided application,
signed by the operator, suspended, resumed, revoked and expired by the platform, renewed by a
new application.

``AGREEMENT_STEPS`` is the agreement's table for ``portal.transitions.advance``. Access to data
follows the state at once: only an active agreement inside its term gives any
(``grading.policy.resources``), so every change here takes effect on the next request.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.validators import text_errors
from grading import audit, policy
from grading.models import Agreement, OperationApplication, OperationScopePart
from grading.operation import services
from grading.operation.notices import tell_agreement
from grading.services import agreement_errors
from portal.actors import SYSTEM
from portal.transitions import InvalidTransition, Step, advance

A = Agreement.Status

AGREEMENT_STEPS: dict[str, Step] = {
    "sign": Step((A.ISSUED,), A.ACTIVE),
    "suspend": Step((A.ACTIVE,), A.SUSPENDED, needs_reason=True),
    "resume": Step((A.SUSPENDED,), A.ACTIVE),
    "revoke": Step((A.ISSUED, A.ACTIVE, A.SUSPENDED), A.REVOKED, needs_reason=True),
    "expire": Step((A.ISSUED, A.ACTIVE, A.SUSPENDED), A.EXPIRED),
}
OPEN_RENEWALS = (
    OperationApplication.Status.DRAFT,
    OperationApplication.Status.SUBMITTED,
    OperationApplication.Status.RETURNED,
    OperationApplication.Status.CHECKED,
    OperationApplication.Status.DECIDED,
)


def add_months(start: dt.datetime, months: int) -> dt.datetime:
    """``start`` plus whole calendar months (the 31st becomes the month's last day)."""
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def _terms(application: OperationApplication, data: Mapping) -> dict:
    """The agreement's terms: the platform's choices in ``data``, else the application's."""
    start = data.get("valid_from") or timezone.now()
    end = data.get("valid_until") or add_months(start, application.term_months)
    fee_cap = data.get("fee_cap")
    if fee_cap in (None, ""):
        fee_cap = application.proposed_fee_cap
    purposes = data.get("purposes") or application.purposes
    terms = {"valid_from": start, "valid_until": end, "fee_cap": fee_cap, "purposes": purposes}
    if errors := agreement_errors(terms):
        raise ValidationError(errors)
    return terms


@transaction.atomic
def agreement_issue(
    *, actor, application: OperationApplication, data: Mapping | None = None
) -> Agreement:
    """Issue the agreement of a decided application (platform administrators): the approved
    entries of every approved part, the purposes, a fee cap, and a term from ``valid_from``
    (default now; earlier for a backdated agreement) to ``valid_until`` (default the requested
    term; at most five years). The agreement waits for the operator's signature."""
    if not policy.can_act_on_operation_application(actor, application, "issue"):
        raise PermissionDenied(_("Only platform administrators issue agreements."))
    terms = _terms(application, data or {})
    advance(application, services.STEPS, "issue", due_on=None)
    agreement = Agreement.objects.create(
        operator_id=application.applicant_id,
        application=application,
        status=A.ISSUED,
        **terms,
    )
    approved = OperationScopePart.approved_resources.through.objects.filter(
        operationscopepart__application=application,
        operationscopepart__status=OperationScopePart.Status.APPROVED,
    )
    agreement.resources.set(sorted(set(approved.values_list("resource_id", flat=True))))
    payload = {**terms, "application": application.pk, "operator": application.applicant_id}
    payload["resources"] = sorted(agreement.resources.values_list("pk", flat=True))
    audit.record(actor=actor, action="operation.issue", obj=application, payload=payload)
    audit.record(actor=actor, action="agreement.issue", obj=agreement, payload=payload)
    tell_agreement(agreement, "issue")
    return agreement


def _reason(step: Step, reason) -> str:
    reason = reason.strip() if isinstance(reason, str) else ""
    if step.needs_reason and not reason:
        raise ValidationError({"reason": [_("State the reason.")]})
    if errors := text_errors({"reason": reason}):
        raise ValidationError(errors)
    return reason


@transaction.atomic
def agreement_act(*, actor, agreement: Agreement, action: str, reason: str = "") -> Agreement:
    """Sign (the operator), suspend, resume, revoke or expire (platform administrators) an
    agreement (``AGREEMENT_STEPS``). Expiring needs the term to have ended. Raises
    PermissionDenied, ValidationError or InvalidTransition, having written nothing."""
    step = AGREEMENT_STEPS.get(action)
    if step is None or not policy.can_act_on_agreement(actor, agreement, action):
        raise PermissionDenied(_("You may not do this to this agreement."))
    reason = _reason(step, reason)
    if agreement.status not in step.sources:
        raise InvalidTransition(agreement.status, agreement.get_status_display())
    if action == "expire" and agreement.valid_until > timezone.now():
        raise ValidationError({"action": [_("The agreement's term has not ended yet.")]})
    changes: dict = {"status_reason": reason}
    if action == "sign":
        changes |= {"signed_at": timezone.now(), "signed_by": actor}
    advance(agreement, AGREEMENT_STEPS, action, **changes)
    payload = {"from_states": list(step.sources), "to": step.target, "reason": reason}
    audit.record(actor=actor, action=f"agreement.{action}", obj=agreement, payload=payload)
    tell_agreement(agreement, action)
    return agreement


@transaction.atomic
def agreements_expire(*, now: dt.datetime | None = None) -> int:
    """Mark agreements past their term as expired (access already ended at ``valid_until``;
    this records it and tells the operator). Returns how many were marked."""
    now = now or timezone.now()
    expired = 0
    live = Agreement.objects.filter(status__in=AGREEMENT_STEPS["expire"].sources)
    for agreement in live.filter(valid_until__lte=now):
        try:
            advance(agreement, AGREEMENT_STEPS, "expire")
        except InvalidTransition:
            continue  # changed meanwhile
        audit.record(actor=SYSTEM, action="agreement.expire", obj=agreement, payload={})
        tell_agreement(agreement, "expire")
        expired += 1
    return expired


def _renewal_data(agreement: Agreement, data: Mapping) -> dict:
    previous = agreement.application
    defaults = {
        "purposes": agreement.purposes,
        "scenarios": previous.scenarios if previous else "",
        "security_measures": previous.security_measures if previous else "",
        "term_months": previous.term_months if previous else 12,
        "proposed_fees": previous.proposed_fees if previous else "",
        "proposed_fee_cap": agreement.fee_cap,
    }
    return {**defaults, **{k: v for k, v in data.items() if v not in (None, "")}}


@transaction.atomic
def agreement_renew(*, actor, agreement: Agreement, data: Mapping | None = None):
    """Request the renewal of an agreement before it expires (the operator's staff): a new
    application naming the agreement, its scope and terms prefilled from the agreement and
    ``data``, submitted at once when ``data`` accepts the undertaking; it follows the same
    flow, and issuing it creates the new agreement."""
    if not policy.can_act_on_agreement(actor, agreement, "renew"):
        raise PermissionDenied(_("You may not do this to this agreement."))
    live = agreement.status in (A.ACTIVE, A.SUSPENDED) and agreement.valid_until > timezone.now()
    if not live:
        raise InvalidTransition(agreement.status, agreement.get_status_display())
    if agreement.renewals.filter(status__in=OPEN_RENEWALS).exists():
        raise ValidationError({"action": [_("A renewal of this agreement is already open.")]})
    data = _renewal_data(agreement, data or {})
    application = services.operation_application_create(
        actor=actor,
        applicant=agreement.operator,
        data=data,
        resources=policy.operation_scope(actor).filter(pk__in=agreement.resources.values("pk")),
        renews=agreement,
        submit=bool(data.get("undertaking_accepted")),
    )
    payload = {"application": application.pk}
    audit.record(actor=actor, action="agreement.renew", obj=agreement, payload=payload)
    return application
