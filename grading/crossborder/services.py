"""Writes for cross-border data flow (seed 003 §15-17): the platform clears categories and
entries for the general data list; an enterprise assesses a planned transfer and files it
with evidence (存证); the platform acknowledges, returns or rejects the filing within
``FILING_DAYS`` working days.

Every write is audited in the hash chain; filing decisions move along ``STEPS`` with one
compare-and-set (``portal.transitions.advance``) and tell the filer.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.models import Organization, Resource
from catalog.validators import text_errors
from grading import audit, policy
from grading.crossborder import rules
from grading.crossborder.checks import assessment_errors
from grading.crossborder.vocabulary import negative_codes
from grading.feedback.services import evidence_errors
from grading.models import CrossBorderAssessment, CrossBorderClearance, CrossBorderFiling
from grading.services import notify
from grading.workdays import add_working_days
from portal.transitions import Step, advance

S = CrossBorderFiling.Status
# Working days the platform has to decide a filing; the 2024 filing guide for standard
# contracts (《个人信息出境标准合同备案指南(第二版)》) gives the authority 10 working days.
FILING_DAYS = int(getattr(settings, "CROSS_BORDER_FILING_DAYS", 10))
TEXT_MAX = 4000

STEPS: dict[str, Step] = {
    "acknowledge": Step((S.SUBMITTED,), S.ACKNOWLEDGED),
    "return": Step((S.SUBMITTED,), S.RETURNED, needs_reason=True),
    "reject": Step((S.SUBMITTED,), S.REJECTED, needs_reason=True),
    "resubmit": Step((S.RETURNED,), S.SUBMITTED, needs_reason=True),
}


# ---------------------------------------------------------------------------------------------
# Clearances: the general data list
# ---------------------------------------------------------------------------------------------


def _clearance_errors(actor, scenario, category, conditions, resource) -> dict:
    if refusal := policy.negative_list_refusal(category):
        return {"category": [refusal]}
    if not policy.can_clear(actor, category=category, scenario=scenario):
        return {"scenario": [_("Unknown scenario.")]}
    if resource is not None and not policy.clearable_entry(resource):
        return {"resource": [_("Only published open or conditional entries may be cleared.")]}
    if not conditions:
        return {"conditions": [_("State the conditions of the clearance.")]}
    if len(conditions) > TEXT_MAX:
        return {"conditions": [_("At most %(max)d characters.") % {"max": TEXT_MAX}]}
    return text_errors({"conditions": conditions})


@transaction.atomic
def clearance_mark(
    *,
    actor,
    scenario: str,
    category: str,
    conditions: str,
    conditions_en: str = "",
    resource: Resource | None = None,
) -> CrossBorderClearance:
    """Clear ``category`` (or one ``resource`` of it) for cross-border flow in ``scenario``,
    with conditions. Platform administrators only (PermissionDenied); a category on the
    negative list is refused with the rule named (ValidationError), as are an unknown
    scenario, a restricted or unpublished entry and a second active clearance of the same."""
    if not policy.can_clear_for_cross_border(actor):
        raise PermissionDenied(_("Only platform administrators clear data for cross-border flow."))
    conditions, conditions_en = (conditions or "").strip(), (conditions_en or "").strip()
    errors = _clearance_errors(actor, scenario, category, conditions, resource)
    errors |= text_errors({"conditions_en": conditions_en})
    if errors:
        raise ValidationError(errors)
    row = CrossBorderClearance(
        scenario=scenario,
        category=category,
        resource=resource,
        conditions=conditions,
        conditions_en=conditions_en,
        cleared_by=actor,
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"category": [_("This is cleared for the scenario already.")]}
        ) from exc
    payload = {"scenario": scenario, "category": category, "resource": row.resource_id}
    audit.record(actor=actor, action="crossborder.clear", obj=row, payload=payload)
    return row


@transaction.atomic
def clearance_withdraw(*, actor, clearance: CrossBorderClearance) -> CrossBorderClearance:
    """Withdraw an active clearance (it leaves the general list at once)."""
    if not policy.can_clear_for_cross_border(actor):
        raise PermissionDenied(_("Only platform administrators clear data for cross-border flow."))
    moved = CrossBorderClearance.objects.filter(pk=clearance.pk, status="active").update(
        status=CrossBorderClearance.Status.WITHDRAWN, updated_at=timezone.now()
    )
    clearance.refresh_from_db()
    if not moved:
        raise ValidationError({"clearance": [_("This clearance was withdrawn already.")]})
    audit.record(actor=actor, action="crossborder.withdraw", obj=clearance, payload={})
    return clearance


def cleared_categories(*, scenario: str) -> frozenset[str]:
    """Categories cleared as a whole for ``scenario`` (the general list the rules read)."""
    rows = CrossBorderClearance.objects.filter(
        status="active", scenario=scenario, resource__isnull=True
    ).values_list("category", flat=True)
    return frozenset(rows)


# ---------------------------------------------------------------------------------------------
# Self-assessment
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def assessment_create(*, actor, enterprise: Organization, data: dict) -> CrossBorderAssessment:
    """Assess one planned transfer of ``enterprise`` and store the result with its rule.

    ``data``: scenario, categories (codes), record_count, recipient, recipient_country
    (ISO 3166 alpha-2, not CN), purpose, security_measures, pi_count, sensitive_pi_count,
    cii_operator, important_data. Raises PermissionDenied unless ``actor`` is a member of the
    verified ``enterprise``, ValidationError by field; nothing is written unless valid."""
    allowed = Organization.objects.filter(policy.assessing_enterprises_q(actor))
    if enterprise is None or not allowed.filter(pk=enterprise.pk).exists():
        raise PermissionDenied(_("Members of a verified enterprise assess their transfers."))
    clean, errors = assessment_errors(data)
    if errors:
        raise ValidationError(errors)
    outcome = rules.assess(
        rules.transfer(
            categories=clean["categories"],
            cleared=cleared_categories(scenario=clean["scenario"]),
            negative=negative_codes(),
            pi_count=clean["pi_count"],
            sensitive_pi_count=clean["sensitive_pi_count"],
            cii_operator=clean["cii_operator"],
            important_data=clean["important_data"],
        )
    )
    row = CrossBorderAssessment.objects.create(
        enterprise=enterprise, author=actor, result=outcome.result, rule=outcome.rule, **clean
    )
    payload = {"result": outcome.result, "rule": outcome.rule, "scenario": row.scenario}
    audit.record(actor=actor, action="crossborder.assess", obj=row, payload=payload)
    return row


# ---------------------------------------------------------------------------------------------
# Filing and the platform's decisions
# ---------------------------------------------------------------------------------------------


def _filing_errors(actor, assessment, plan: str, evidence) -> dict:
    if not policy.can_file(actor, assessment):
        raise PermissionDenied(_("Only the assessing enterprise files its transfers."))
    if assessment.result == CrossBorderAssessment.Result.SECURITY_ASSESSMENT:
        return {"assessment": [_("This transfer needs a security assessment: it cannot be filed.")]}
    if assessment.filings.exclude(status=S.REJECTED).exists():
        return {"assessment": [_("This assessment is filed already.")]}
    errors = {}
    if not plan:
        errors["transfer_plan"] = [_("Describe the transfer: what, when, how, to whom.")]
    elif len(plan) > TEXT_MAX:
        errors["transfer_plan"] = [_("At most %(max)d characters.") % {"max": TEXT_MAX}]
    if evidence is None:
        errors["evidence"] = [_("Attach the evidence (PDF, PNG or JPEG).")]
    elif found := evidence_errors(evidence):
        errors["evidence"] = found
    return errors | text_errors({"transfer_plan": plan})


def _sha256(evidence: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in evidence.chunks():
        digest.update(chunk)
    evidence.seek(0)
    return digest.hexdigest()


def filing_create(
    *, actor, assessment: CrossBorderAssessment, transfer_plan: str, evidence: UploadedFile | None
) -> CrossBorderFiling:
    """File the transfer of ``assessment`` with its evidence; the receipt number is given at
    once and the decision is due in ``FILING_DAYS`` working days. Raises PermissionDenied
    for anyone but the assessing enterprise's members, ValidationError by field (a transfer
    needing a security assessment cannot be filed here). Nothing is stored unless valid."""
    plan = (transfer_plan or "").strip()
    if errors := _filing_errors(actor, assessment, plan, evidence):
        raise ValidationError(errors)
    row = CrossBorderFiling(
        receipt_number=uuid.uuid4().hex,
        assessment=assessment,
        enterprise_id=assessment.enterprise_id,
        filed_by=actor,
        transfer_plan=plan,
        evidence_sha256=_sha256(evidence),
        due_on=add_working_days(timezone.localdate(), FILING_DAYS),
    )
    try:
        with transaction.atomic():
            _store(actor, row, evidence)
    except Exception:
        if row.evidence:
            row.evidence.storage.delete(row.evidence.name)
        raise
    return row


def _store(actor, row: CrossBorderFiling, evidence: UploadedFile) -> None:
    row.evidence.save(evidence.name, evidence, save=False)
    row.save()
    row.receipt_number = f"XB{timezone.localdate():%Y%m%d}-{row.pk:06d}"
    CrossBorderFiling.objects.filter(pk=row.pk).update(receipt_number=row.receipt_number)
    payload = {
        "receipt": row.receipt_number,
        "assessment": row.assessment_id,
        "evidence_sha256": row.evidence_sha256,
    }
    audit.record(actor=actor, action="crossborder.file", obj=row, payload=payload)
    _tell_filer(row, "file")


def _reason(step: Step, reason: str) -> str:
    reason = (reason or "").strip()
    if step.needs_reason and not reason:
        raise ValidationError({"reason": [_("State the reason.")]})
    if len(reason) > TEXT_MAX:
        raise ValidationError({"reason": [_("At most %(max)d characters.") % {"max": TEXT_MAX}]})
    if errors := text_errors({"reason": reason}):
        raise ValidationError(errors)
    return reason


@transaction.atomic
def filing_act(
    *, actor, filing: CrossBorderFiling, action: str, reason: str = ""
) -> CrossBorderFiling:
    """Acknowledge, return or reject a filing (platform administrators), or resubmit a returned
    one (its enterprise), see ``STEPS``. Raises PermissionDenied, ValidationError for a missing
    reason, InvalidTransition (→ 409) from a state the action does not start from."""
    step = STEPS.get(action)
    if step is None or not policy.can_act_on_filing(actor, filing, action):
        raise PermissionDenied(_("You may not do this to this filing."))
    reason = _reason(step, reason)
    now = timezone.now()
    changes = {"reason": reason, "decided_at": now, "due_on": None}
    if action == "resubmit":
        changes |= {
            "decided_at": None,
            "due_on": add_working_days(timezone.localdate(), FILING_DAYS),
        }
    advance(filing, STEPS, action, **changes)
    payload = {"receipt": filing.receipt_number, "to": step.target, "reason": reason}
    audit.record(actor=actor, action=f"crossborder.{action}", obj=filing, payload=payload)
    _tell_filer(filing, action)
    return filing


_TEXT = {
    "file": gettext_noop("Your cross-border filing was received: receipt number %(receipt)s."),
    "acknowledge": gettext_noop("Your cross-border filing %(receipt)s was acknowledged."),
    "return": gettext_noop("Your cross-border filing %(receipt)s was returned: %(reason)s"),
    "reject": gettext_noop("Your cross-border filing %(receipt)s was rejected: %(reason)s"),
}


def _tell_filer(filing: CrossBorderFiling, action: str) -> None:
    template = _TEXT.get(action)
    if template is None:
        return
    text = _(template) % {"receipt": filing.receipt_number, "reason": filing.reason}
    link = reverse("crossborder:filing-detail", args=[filing.pk])
    notify(user=filing.filed_by, text=text, link=link)


def evidence_record(*, actor, filing: CrossBorderFiling) -> None:
    """Refuse a download of filing evidence the policy does not allow, else audit it."""
    if not policy.can_download_filing_evidence(actor, filing):
        raise PermissionDenied(_("Only the filing enterprise and platform staff may see this."))
    audit.record(actor=actor, action="crossborder.evidence", obj=filing, payload={})
