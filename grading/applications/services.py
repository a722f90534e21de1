"""Writes for applications for conditional data (DESIGN §3): create, then move along ``STEPS``.

Every action is one compare-and-set step of ``portal.transitions`` (``UPDATE … WHERE status IN
…``), so two people acting at once cannot both succeed: the second gets ``InvalidTransition``
naming the current state. Each action is appended to the audit chain and the applicant is told
of each decision (an in-app notice and an email, sent once the transaction commits); accepting
an approved application issues the grant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.models import Resource
from catalog.validators import text_errors
from grading import audit, policy
from grading.grades import BULK_DOWNLOAD_GRADES
from grading.models import Application, Grant
from grading.services import notify
from grading.workdays import add_working_days, working_days_between
from portal.transitions import Step, advance

S = Application.Status

STEPS: dict[str, Step] = {
    "submit": Step((S.DRAFT, S.RETURNED), S.SUBMITTED),
    "withdraw": Step((S.DRAFT, S.SUBMITTED, S.RETURNED, S.CHECKED, S.NEED_INFO), S.WITHDRAWN),
    "return": Step((S.SUBMITTED,), S.RETURNED, needs_reason=True),
    "check": Step((S.SUBMITTED,), S.CHECKED),
    "approve": Step((S.CHECKED,), S.APPROVED),
    "reject": Step((S.CHECKED,), S.REJECTED, needs_reason=True),
    "request_info": Step((S.CHECKED,), S.NEED_INFO, needs_reason=True),
    "respond": Step((S.NEED_INFO,), S.CHECKED, needs_reason=True),
    "accept": Step((S.APPROVED,), S.GRANTED),
}


def _clean_application(actor, data: Mapping, resources: list[Resource]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not resources:
        errors["resources"] = [_("Choose at least one conditionally open resource.")]
    elif len({r.provider_id for r in resources}) > 1:
        errors["resources"] = [_("Apply separately to each providing agency.")]
    elif not all(policy.can_apply(actor, r) for r in resources):
        errors["resources"] = [_("You cannot apply for one of these resources.")]
    for name in ("purpose", "scenario"):
        if not str(data.get(name) or "").strip():
            errors[name] = [_("This field is required.")]
    errors |= text_errors({name: data.get(name) for name in ("purpose", "scenario")})
    if not (data.get("want_download") or data.get("want_query")):
        errors["want_query"] = [_("Request download, query, or both.")]
    elif data.get("want_download") and any(r.grade not in BULK_DOWNLOAD_GRADES for r in resources):
        errors["want_download"] = [_("Data above grade L2 is available for queries only.")]
    term = data.get("term_days")
    if not isinstance(term, int) or not 1 <= term <= settings.GRANT_MAX_DAYS:
        errors["term_days"] = [
            _("A whole number of days from 1 to %(max)d.") % {"max": settings.GRANT_MAX_DAYS}
        ]
    return errors


@transaction.atomic
def application_create(
    *, actor, resources: Iterable[Resource], data: Mapping, submit: bool = False
) -> Application:
    """Create an application (a draft, or submitted at once with ``submit``). ``data`` holds
    purpose, scenario, want_download, want_query, term_days and undertaking_accepted."""
    resources = list(resources)
    errors = _clean_application(actor, data, resources)
    if errors:
        raise ValidationError(errors)
    application = Application.objects.create(
        applicant=actor,
        provider_id=resources[0].provider_id,
        purpose=data["purpose"].strip(),
        scenario=data["scenario"].strip(),
        want_download=bool(data.get("want_download")),
        want_query=bool(data.get("want_query")),
        term_days=data["term_days"],
        undertaking_accepted_at=timezone.now() if data.get("undertaking_accepted") else None,
    )
    application.resources.set(resources)
    payload = {"resources": sorted(r.pk for r in resources), "term_days": data["term_days"]}
    audit.record(actor=actor, action="application.create", obj=application, payload=payload)
    if submit:
        application = application_act(actor=actor, application=application, action="submit")
    return application


def _require_reason(step: Step, reason: str) -> str:
    reason = (reason or "").strip()
    if step.needs_reason and not reason:
        raise ValidationError({"reason": [_("State the reason.")]})
    if errors := text_errors({"reason": reason}):
        raise ValidationError(errors)
    return reason


def _changes(application: Application, action: str, reason: str) -> dict:
    """Columns set alongside the state: review deadlines, the paused clock, the reason."""
    today = timezone.localdate()
    changes: dict = {"reason": reason, "updated_at": timezone.now()}
    if action == "submit":
        changes["due_on"] = add_working_days(today, settings.FORMAL_CHECK_DAYS)
    elif action == "check":
        changes["due_on"] = add_working_days(today, settings.AGENCY_REVIEW_DAYS)
    elif action == "request_info":
        due = application.due_on or today
        changes["paused_days"] = max(working_days_between(today, due), 1)
        changes["due_on"] = None  # the clock pauses
    elif action == "respond":
        changes["due_on"] = add_working_days(today, application.paused_days or 1)
    elif action in ("approve", "reject", "return", "withdraw", "accept"):
        changes["due_on"] = None
    return changes


def _check_ready(application: Application, action: str) -> None:
    if action == "submit" and application.undertaking_accepted_at is None:
        raise ValidationError(
            {"undertaking_accepted": [_("Accept the security undertaking before submitting.")]}
        )


@transaction.atomic
def application_act(
    *, actor, application: Application, action: str, reason: str = ""
) -> Application:
    """Carry out ``action`` on ``application`` (see ``STEPS``). Raises PermissionDenied if the
    policy does not allow it, ValidationError for a missing reason, and InvalidTransition if
    the application is not in a state the action starts from."""
    step = STEPS.get(action)
    if step is None or not policy.can_act_on_application(actor, application, action):
        raise PermissionDenied(_("You may not do this to this application."))
    reason = _require_reason(step, reason)
    _check_ready(application, action)
    advance(application, STEPS, action, **_changes(application, action, reason))
    payload = {"from_states": list(step.sources), "to": step.target, "reason": reason}
    audit.record(actor=actor, action=f"application.{action}", obj=application, payload=payload)
    if action == "accept":
        _issue_grant(actor=actor, application=application)
    _tell_applicant(application, action)
    return application


def _issue_grant(*, actor, application: Application) -> Grant:
    now = timezone.now()
    grant = Grant.objects.create(
        grantee=application.applicant,
        allow_download=application.want_download,
        allow_query=application.want_query,
        valid_from=now,
        valid_until=now + dt.timedelta(days=application.term_days),
        quota=settings.GRANT_DEFAULT_QUOTA or None,
    )
    grant.resources.set(application.resources.all())
    Application.objects.filter(pk=application.pk).update(grant=grant)
    application.grant = grant
    payload = {
        "application": application.pk,
        "resources": sorted(application.resources.values_list("pk", flat=True)),
        "download": grant.allow_download,
        "query": grant.allow_query,
        "valid_until": grant.valid_until.isoformat(),
        "quota": grant.quota,
    }
    audit.record(actor=actor, action="grant.issue", obj=grant, payload=payload)
    return grant


_DECISION_TEXT = {
    "return": gettext_noop("Your application #%(id)s was returned for correction: %(reason)s"),
    "check": gettext_noop(
        "Your application #%(id)s passed the formal check and is with the agency."
    ),
    "approve": gettext_noop(
        "Your application #%(id)s was approved. Accept the data-use agreement to start."
    ),
    "reject": gettext_noop("Your application #%(id)s was rejected: %(reason)s"),
    "request_info": gettext_noop("The agency asks about application #%(id)s: %(reason)s"),
    "accept": gettext_noop("Your grant for application #%(id)s is active."),
}


def _tell_applicant(application: Application, action: str) -> None:
    template = _DECISION_TEXT.get(action)
    if template is None:
        return
    text = _(template) % {"id": application.pk, "reason": application.reason}
    link = reverse("grading:application-detail", args=[application.pk])
    notify(user=application.applicant, text=text, link=link)
