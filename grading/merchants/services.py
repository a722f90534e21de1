"""Data merchants (数商): an enterprise registers with its categories and evidence; platform
administrators verify, return, suspend, reinstate and revoke the registration. Every step is a
compare-and-set on ``MERCHANT_STEPS``, audited, and the enterprise's staff are told (notice and
e-mail). Revoking delists the products of a merchant left without an agreement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.models import Organization
from catalog.publishing.products import products_delist_of
from catalog.validators import text_errors
from grading import audit, policy
from grading.feedback.services import evidence_errors
from grading.models import DataMerchant, Membership, MerchantCategory, MerchantCategoryChoice
from grading.services import notify
from portal.cache import catalog_changed
from portal.transitions import InvalidTransition, Step, advance

S = DataMerchant.Status
TEXT_MAX = 4000
FIELDS = ("description", "services", "contact_name", "contact_email", "contact_phone")

MERCHANT_STEPS: dict[str, Step] = {
    "resubmit": Step((S.RETURNED,), S.APPLIED),
    "verify": Step((S.APPLIED,), S.VERIFIED),
    "return": Step((S.APPLIED,), S.RETURNED, needs_reason=True),
    "suspend": Step((S.VERIFIED,), S.SUSPENDED, needs_reason=True),
    "reinstate": Step((S.SUSPENDED,), S.VERIFIED),
    "revoke": Step((S.VERIFIED, S.SUSPENDED), S.REVOKED, needs_reason=True),
}
ADMIN_ACTIONS = ("verify", "return", "suspend", "reinstate", "revoke")


class MerchantStateError(InvalidTransition):
    """The registration is not in a state the action starts from."""


@dataclass(frozen=True)
class Registration:
    """What an enterprise states when it registers as a data merchant."""

    categories: Iterable[str]
    description: str
    services: str
    contact_name: str
    contact_email: str
    contact_phone: str = ""


def registration_errors(data: Registration, evidence: UploadedFile | None, *, new: bool) -> dict:
    """What is wrong with a registration, by field (empty when it may be stored)."""
    errors: dict[str, list[str]] = {}
    categories = list(data.categories or [])
    if not categories or any(c not in MerchantCategory.values for c in categories):
        errors["categories"] = [_("Choose at least one category from the list.")]
    for name in ("description", "services", "contact_name", "contact_email"):
        if not str(getattr(data, name) or "").strip():
            errors[name] = [_("This field is required.")]
    for name in FIELDS:
        if len(str(getattr(data, name) or "")) > TEXT_MAX:
            errors[name] = [_("At most %(max)d characters.") % {"max": TEXT_MAX}]
    if evidence is None and new:
        errors["evidence"] = [_("Attach the evidence (PDF, PNG or JPEG).")]
    elif evidence is not None and (found := evidence_errors(evidence)):
        errors["evidence"] = found
    values = {name: str(getattr(data, name) or "") for name in FIELDS}
    return text_errors(values) | errors


def merchant_register(
    *, actor, organization: Organization, data: Registration, evidence: UploadedFile | None
) -> DataMerchant:
    """Register ``organization`` as a data merchant (its staff, a verified enterprise), or
    resubmit a returned registration (the evidence may then be kept). Raises PermissionDenied,
    ValidationError by field, or MerchantStateError when a registration already exists in
    another state. Nothing is written, no file stored, unless everything is valid."""
    if not policy.can_register_merchant(actor, organization):
        raise PermissionDenied(
            _("Only staff of an enterprise verified by the platform register it as a merchant.")
        )
    existing = DataMerchant.objects.filter(organization=organization).first()
    if existing is not None and existing.status != S.RETURNED:
        raise MerchantStateError(existing.status, existing.get_status_display())
    errors = registration_errors(data, evidence, new=existing is None)
    if errors:
        raise ValidationError(errors)
    merchant = existing or DataMerchant(organization=organization, submitted_by=actor)
    return _store(actor, merchant, data, evidence)


def _store(actor, merchant: DataMerchant, data: Registration, evidence) -> DataMerchant:
    stored = None
    try:
        with transaction.atomic():
            if evidence is not None:
                merchant.evidence.save(evidence.name, evidence, save=False)
                stored = merchant.evidence.name
            for name in FIELDS:
                setattr(merchant, name, str(getattr(data, name) or "").strip())
            merchant.submitted_by = actor
            _save_registration(actor, merchant, sorted(set(data.categories)))
    except Exception:
        if stored:
            merchant.evidence.storage.delete(stored)
        raise
    return merchant


def _save_registration(actor, merchant: DataMerchant, categories: list[str]) -> None:
    resubmitted = merchant.pk is not None
    merchant.save()
    if resubmitted:
        advance(merchant, MERCHANT_STEPS, "resubmit", error=MerchantStateError, reason="")
    merchant.categories.all().delete()
    MerchantCategoryChoice.objects.bulk_create(
        [MerchantCategoryChoice(merchant=merchant, category=c) for c in categories]
    )
    action = "merchant.resubmit" if resubmitted else "merchant.register"
    payload = {"organization": merchant.organization.code, "categories": categories}
    audit.record(actor=actor, action=action, obj=merchant, payload=payload)


_DECISION_TEXT = {
    "verify": gettext_noop("Your data merchant registration (%(name)s) is verified."),
    "return": gettext_noop(
        "Your data merchant registration (%(name)s) was returned for correction: %(reason)s"
    ),
    "suspend": gettext_noop("Your data merchant registration (%(name)s) is suspended: %(reason)s"),
    "reinstate": gettext_noop("Your data merchant registration (%(name)s) is reinstated."),
    "revoke": gettext_noop("Your data merchant registration (%(name)s) is revoked: %(reason)s"),
}


def _changes(actor, action: str, reason: str) -> dict:
    if action == "verify":
        return {"reason": "", "verified_by": actor, "verified_at": timezone.now()}
    return {"reason": reason}


def _check_act(actor, action: str, reason: str) -> Step:
    if not policy.can_verify_merchant(actor):
        raise PermissionDenied(_("Only platform administrators decide on data merchants."))
    if action not in ADMIN_ACTIONS:
        raise ValidationError({"action": [_("Unknown action.")]})
    if MERCHANT_STEPS[action].needs_reason and not reason:
        raise ValidationError({"reason": [_("State the reason.")]})
    if len(reason) > TEXT_MAX:
        raise ValidationError({"reason": [_("At most %(max)d characters.") % {"max": TEXT_MAX}]})
    if errors := text_errors({"reason": reason}):
        raise ValidationError(errors)
    return MERCHANT_STEPS[action]


@transaction.atomic
def merchant_act(*, actor, merchant: DataMerchant, action: str, reason: str = "") -> DataMerchant:
    """Verify, return, suspend, reinstate or revoke a registration (platform administrators;
    a reason for return, suspend and revoke). Raises PermissionDenied, ValidationError, or
    MerchantStateError from a wrong state, writing nothing. Audited; the enterprise's staff
    are told. Revoking delists the products of a merchant without an active agreement."""
    reason = (reason or "").strip()
    step = _check_act(actor, action, reason)
    changes = _changes(actor, action, reason)
    advance(merchant, MERCHANT_STEPS, action, error=MerchantStateError, **changes)
    payload = {"from_states": list(step.sources), "to": step.target, "reason": reason}
    audit.record(actor=actor, action=f"merchant.{action}", obj=merchant, payload=payload)
    if action == "revoke":
        why = _("Data merchant registration revoked: %(reason)s") % {"reason": reason}
        products_delist_of(actor=actor, organization=merchant.organization, reason=why)
    _tell_staff(merchant, action, reason)
    transaction.on_commit(catalog_changed)
    return merchant


def _tell_staff(merchant: DataMerchant, action: str, reason: str) -> None:
    text = _(_DECISION_TEXT[action]) % {"name": merchant.organization.name, "reason": reason}
    link = reverse("merchants:mine")
    for membership in Membership.objects.filter(organization=merchant.organization).select_related(
        "user"
    ):
        notify(user=membership.user, text=text, link=link)


def evidence_record(*, actor, merchant: DataMerchant) -> None:
    """Refuse a download of a registration's evidence the policy does not allow, else audit."""
    if not policy.can_download_merchant_evidence(actor, merchant):
        raise PermissionDenied(_("Only the merchant's staff and platform staff may see this."))
    audit.record(actor=actor, action="merchant.evidence", obj=merchant, payload={})
