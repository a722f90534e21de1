"""Feedback (DESIGN §3): corrections, data requests and rights complaints, addressed to an
agency and answered publicly by it.

Writes and reads of feedback live here; who may see or act on what is ``grading.policy``'s
question, and so is the effect of an upheld complaint (access to the resource is suspended until
the agency resolves it). Every transition is a compare-and-set on the state, audited, and the
submitter is told of each decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.models import Organization, Product, Resource
from catalog.validators import text_errors
from grading import audit, policy
from grading.feedback.product_complaints import product_complaint_effect
from grading.models import Feedback
from grading.services import notify
from grading.workdays import add_working_days
from portal.cache import catalog_changed, counters
from portal.transitions import Step, advance

K = Feedback.Kind
S = Feedback.Status
TITLE_MAX = 200
TEXT_MAX = 5000
# Allowed evidence: extension → the bytes such a file starts with.
EVIDENCE_TYPES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


@dataclass(frozen=True)
class FeedbackStep(Step):
    """A feedback step, which applies to some kinds of feedback only."""

    kinds: tuple[str, ...] = ()


STEPS: dict[str, FeedbackStep] = {
    "answer": FeedbackStep((S.OPEN,), S.ANSWERED, kinds=(K.CORRECTION, K.REQUEST)),
    "uphold": FeedbackStep((S.OPEN,), S.UPHELD, kinds=(K.COMPLAINT,)),
    "dismiss": FeedbackStep((S.OPEN,), S.DISMISSED, kinds=(K.COMPLAINT,)),
    "resolve": FeedbackStep((S.UPHELD,), S.RESOLVED, kinds=(K.COMPLAINT,)),
}


# ---------------------------------------------------------------------------------------------
# Abuse protection for anonymous submissions
# ---------------------------------------------------------------------------------------------


# A resource number in a query string: ASCII digits only (``str.isdigit`` also accepts "²",
# which ``int`` refuses) and short enough for a 64-bit integer column.
RESOURCE_NUMBER_DIGITS = 18


def resource_number(raw: str) -> int | None:
    """``raw`` as a resource number, or None when it is not one (not only ASCII digits, or
    longer than ``RESOURCE_NUMBER_DIGITS``)."""
    if raw.isascii() and raw.isdigit() and len(raw) <= RESOURCE_NUMBER_DIGITS:
        return int(raw)
    return None


def anonymous_limit_reached(*, address: str) -> bool:
    """Count one anonymous submission attempt from ``address``; True once more than
    ``FEEDBACK_ANON_LIMIT`` were made within ``FEEDBACK_ANON_WINDOW`` seconds."""
    key = f"feedback:anon:{address}"
    if counters.add(key, 1, timeout=settings.FEEDBACK_ANON_WINDOW):
        return settings.FEEDBACK_ANON_LIMIT < 1
    try:
        count = counters.incr(key)
    except ValueError:  # expired between add and incr
        counters.add(key, 1, timeout=settings.FEEDBACK_ANON_WINDOW)
        count = 1
    return count > settings.FEEDBACK_ANON_LIMIT


# ---------------------------------------------------------------------------------------------
# Submitting
# ---------------------------------------------------------------------------------------------


def evidence_errors(evidence: UploadedFile | None) -> list[str]:
    """What is wrong with an evidence upload: over ``FEEDBACK_EVIDENCE_MAX_BYTES``, or not a
    PDF, PNG or JPEG by its extension and its first bytes (shared by merchant evidence)."""
    if evidence is None:
        return []
    limit = settings.FEEDBACK_EVIDENCE_MAX_BYTES
    if evidence.size > limit:
        return [_("The file is larger than %(size)d KB.") % {"size": limit // 1024}]
    magic = EVIDENCE_TYPES.get(PurePath(evidence.name or "").suffix.lower())
    evidence.seek(0)
    head = evidence.read(16)
    evidence.seek(0)
    if magic is None or not head.startswith(magic):
        return [_("Evidence must be a PDF, PNG or JPEG file.")]
    return []


def _text_errors(title: str, text: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("This field is required.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("At most %(max)d characters.") % {"max": TITLE_MAX}]
    if not text:
        errors["text"] = [_("This field is required.")]
    elif len(text) > TEXT_MAX:
        errors["text"] = [_("At most %(max)d characters.") % {"max": TEXT_MAX}]
    return text_errors({"title": title, "text": text}) | errors


def _target_errors(actor, kind: str, resource, agency, product=None) -> dict[str, list[str]]:
    if kind not in K.values:
        return {"kind": [_("Choose correction, request or complaint.")]}
    if kind == K.COMPLAINT and not policy.can_file_complaints(actor):
        raise PermissionDenied(_("Log in to file a rights complaint."))
    if product is not None:
        return _product_target_errors(actor, kind, resource, product)
    if resource is not None and not policy.can_give_feedback(actor, resource):
        return {"resource": [_("No such resource.")]}
    if resource is None and kind != K.REQUEST:
        return {"resource": [_("Name the resource this is about.")]}
    if resource is None and (agency is None or agency.kind != Organization.Kind.AGENCY):
        return {"agency": [_("Choose the agency the request is addressed to.")]}
    return {}


def _product_target_errors(actor, kind: str, resource, product) -> dict[str, list[str]]:
    """A complaint about a product names the product alone, and the product takes complaints."""
    if kind != K.COMPLAINT:
        return {"kind": [_("Only complaints are filed about products.")]}
    if resource is not None:
        return {"resource": [_("Name either a resource or a product, not both.")]}
    if not policy.can_complain_about_product(actor, product):
        return {"product": [_("Only listed products take complaints.")]}
    return {}


def feedback_errors(
    *, actor, kind: str, resource, agency, title, text, evidence, product=None
) -> dict:
    """What is wrong with a submission, by field (empty when it may be stored)."""
    errors = _target_errors(actor, kind, resource, agency, product)
    errors.update(_text_errors(title, text))
    if evidence is not None and kind != K.COMPLAINT:
        errors["evidence"] = [_("Only rights complaints carry evidence.")]
    elif evidence_errors(evidence):
        errors["evidence"] = evidence_errors(evidence)
    return errors


class AlreadyReceived(Exception):
    """An anonymous caller sent a ``submission_key`` that is already stored. Nothing proves the
    caller sent the first submission, so it is not returned: the caller is only told that a
    submission under this key was received."""


def _earlier(actor, submission_key: str | None) -> Feedback | None:
    """The submission already stored under ``submission_key`` by the same signed-in caller,
    if any.

    The key only proves who sent it for a signed-in submitter. An anonymous caller never gets
    a stored row back (anyone who learned another visitor's key could read that feedback,
    whose content is not public until answered): a repeated key from an anonymous caller
    raises ``AlreadyReceived``, and a signed-in caller sending someone else's key gets a
    ValidationError. Neither writes anything.
    """
    if not submission_key:
        return None
    found = Feedback.objects.filter(submission_key=submission_key).first()
    if found is None:
        return None
    user_id = policy.principal(actor).user_id
    if user_id is None:
        raise AlreadyReceived
    if found.submitter_id != user_id:
        raise ValidationError({"submission_key": [_("This form was already used.")]})
    return found


def feedback_submit(
    *,
    actor,
    kind: str,
    title: str,
    text: str,
    resource: Resource | None = None,
    agency: Organization | None = None,
    evidence: UploadedFile | None = None,
    submission_key: str | None = None,
    product: Product | None = None,
) -> tuple[Feedback, bool]:
    """Store a correction, data request or rights complaint; return it and whether it is new.

    A second submission under the same ``submission_key`` (a resent form) by the same
    signed-in caller returns the first one and writes nothing; from an anonymous caller it
    raises ``AlreadyReceived`` and returns nothing (see ``_earlier``). A complaint about a
    listed ``product`` is addressed to its provider. Raises ValidationError by field,
    PermissionDenied for an anonymous complaint. Nothing is written, no file stored,
    unless everything is valid.
    """
    title, text = (title or "").strip(), (text or "").strip()
    errors = feedback_errors(
        actor=actor,
        kind=kind,
        resource=resource,
        agency=agency,
        title=title,
        text=text,
        evidence=evidence,
        product=product,
    )
    if errors:
        raise ValidationError(errors)
    earlier = _earlier(actor, submission_key)
    if earlier is not None:
        return earlier, False
    row = Feedback(
        kind=kind,
        resource=resource,
        product=product,
        agency=_addressee(resource, product, agency),
        submitter=actor if policy.principal(actor).user_id is not None else None,
        title=title,
        text=text,
        due_on=add_working_days(timezone.localdate(), settings.FEEDBACK_ANSWER_DAYS),
        submission_key=submission_key or "",
    )
    return _store(actor, row, evidence)


def _addressee(resource, product, agency) -> Organization:
    """Who answers: the resource's agency, the product's provider, or the agency named."""
    if resource is not None:
        return resource.provider
    return product.provider if product is not None else agency


def _store(actor, row: Feedback, evidence: UploadedFile | None) -> tuple[Feedback, bool]:
    """Insert ``row`` (and its evidence file) with its audit row; on any failure remove the
    stored file again, and answer a concurrent duplicate with the row that won."""
    try:
        with transaction.atomic():
            if evidence is not None:
                row.evidence.save(evidence.name, evidence, save=False)
            row.save()
            payload = {"kind": row.kind, "resource": row.resource_id, "agency": row.agency_id}
            if row.product_id is not None:
                payload["product"] = row.product_id
            audit.record(actor=actor, action="feedback.submit", obj=row, payload=payload)
    except Exception as exc:
        if row.evidence:
            row.evidence.storage.delete(row.evidence.name)
        if isinstance(exc, IntegrityError) and row.submission_key:
            earlier = _earlier(actor, row.submission_key)
            if earlier is not None:
                return earlier, False
        raise
    return row, True


# ---------------------------------------------------------------------------------------------
# Answering
# ---------------------------------------------------------------------------------------------


def _changes(action: str, text: str) -> dict:
    now = timezone.now()
    if action == "resolve":
        return {"resolution": text, "resolved_at": now, "updated_at": now}
    return {"answer": text, "answered_at": now, "updated_at": now}


def _check_step(actor, feedback: Feedback, action: str, text: str) -> FeedbackStep:
    step = STEPS.get(action)
    if step is None or not policy.can_act_on_feedback(actor, feedback, action):
        raise PermissionDenied(_("Only staff of the agency addressed may do this."))
    if feedback.kind not in step.kinds:
        raise ValidationError({"action": [_("This action does not apply to this kind.")]})
    if not text:
        raise ValidationError({"text": [_("Write the answer or the reason.")]})
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": [_("At most %(max)d characters.") % {"max": TEXT_MAX}]})
    if errors := text_errors({"text": text}):
        raise ValidationError(errors)
    return step


@transaction.atomic
def feedback_act(*, actor, feedback: Feedback, action: str, text: str) -> Feedback:
    """Answer a correction or request, or uphold, dismiss or resolve a rights complaint (see
    ``STEPS``), as staff of the agency addressed. Raises PermissionDenied, ValidationError for
    a missing text or a wrong kind, and InvalidTransition from a state the action does not
    start from. Upholding suspends access to the resource; resolving restores it."""
    text = (text or "").strip()
    step = _check_step(actor, feedback, action, text)
    advance(feedback, STEPS, action, **_changes(action, text))
    payload = {"from_states": list(step.sources), "to": step.target, "text": text}
    audit.record(actor=actor, action=f"feedback.{action}", obj=feedback, payload=payload)
    if feedback.product_id is not None:
        product_complaint_effect(actor=actor, feedback=feedback, action=action, text=text)
    _tell_submitter(feedback, action)
    # Public answers and suspended downloads change what anonymous pages show.
    transaction.on_commit(catalog_changed)
    return feedback


_DECISION_TEXT = {
    "answer": gettext_noop("The agency answered your feedback #%(id)s: %(text)s"),
    "uphold": gettext_noop(
        "Your rights complaint #%(id)s was upheld; access to the data is suspended: %(text)s"
    ),
    "dismiss": gettext_noop("Your rights complaint #%(id)s was dismissed: %(text)s"),
    "resolve": gettext_noop("Your rights complaint #%(id)s was resolved: %(text)s"),
}
_PRODUCT_UPHELD = gettext_noop(
    "Your complaint #%(id)s was upheld; the product's listing is suspended: %(text)s"
)


def _tell_submitter(feedback: Feedback, action: str) -> None:
    if feedback.submitter is None:
        return
    text = feedback.resolution if action == "resolve" else feedback.answer
    template = _DECISION_TEXT[action]
    if action == "uphold" and feedback.product_id is not None:
        template = _PRODUCT_UPHELD
    message = _(template) % {"id": feedback.pk, "text": text}
    notify(
        user=feedback.submitter,
        text=message,
        link=reverse("grading:feedback-detail", args=[feedback.pk]),
    )


def evidence_record(*, actor, feedback: Feedback) -> None:
    """Refuse a download of complaint evidence the policy does not allow, else audit it."""
    if not policy.can_download_evidence(actor, feedback):
        raise PermissionDenied(_("Only the complainant and the agency addressed may see this."))
    audit.record(actor=actor, action="feedback.evidence", obj=feedback, payload={})
