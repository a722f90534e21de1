"""The yearly efficiency evaluation (效能评估) of an authorized-operation agreement: the year's
figures, computed when the evaluation is written, with a reviewer's rating and assessment."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.validators import text_errors
from grading import audit, policy
from grading.models import Agreement, AgreementEvaluation, Membership
from grading.operator.selectors import evaluation_figures
from grading.services import notify

MAX_TEXT = 5000


class EvaluationExists(Exception):
    """The agreement already has an evaluation for that year."""


def evaluation_errors(*, agreement: Agreement, year, rating, text) -> dict[str, list[str]]:
    """What is wrong with an evaluation's year, rating or text, by field. The year must fall
    within the agreement's term and not after the current year."""
    errors: dict[str, list[str]] = {}
    first, last = agreement.valid_from.year, min(agreement.valid_until.year, timezone.now().year)
    if not isinstance(year, int) or not first <= year <= last:
        errors["year"] = [
            _("Choose a year from %(first)s to %(last)s.") % {"first": first, "last": last}
        ]
    if rating not in AgreementEvaluation.Rating.values:
        errors["rating"] = [_("Choose one of the ratings.")]
    if not str(text or "").strip():
        errors["text"] = [_("Write the assessment.")]
    elif len(text) > MAX_TEXT:
        errors["text"] = [_("At most %(n)s characters.") % {"n": MAX_TEXT}]
    return errors | text_errors({"text": text})


def evaluation_create(
    *, actor, agreement: Agreement, year: int, rating: str, text: str
) -> AgreementEvaluation:
    """Write the evaluation of ``agreement`` for ``year`` (platform administrators, signed
    agreements): the year's figures are computed now and kept with it. One per agreement and
    year (``EvaluationExists``); audited; the operator's staff get a notice."""
    if not policy.can_evaluate_agreement(actor, agreement):
        raise PermissionDenied(_("Only platform administrators evaluate signed agreements."))
    if errors := evaluation_errors(agreement=agreement, year=year, rating=rating, text=text):
        raise ValidationError(errors)
    try:
        evaluation = _create(actor, agreement, year, rating, text.strip())
    except IntegrityError as exc:
        raise EvaluationExists from exc
    return evaluation


@transaction.atomic
def _create(actor, agreement, year, rating, text) -> AgreementEvaluation:
    if AgreementEvaluation.objects.filter(agreement=agreement, year=year).exists():
        raise EvaluationExists
    figures = evaluation_figures(agreement=agreement, year=year)
    evaluation = AgreementEvaluation.objects.create(
        agreement=agreement, year=year, figures=figures, rating=rating, text=text, reviewer=actor
    )
    audit.record(
        actor=actor,
        action="agreement.evaluate",
        obj=agreement,
        payload={"year": year, "rating": rating, "figures": figures, "evaluation": evaluation.pk},
    )
    link = reverse("grading:agreement-usage", args=[agreement.pk])
    message = _("Agreement #%(id)s was evaluated for %(year)s: %(rating)s.") % {
        "id": agreement.pk,
        "year": year,
        "rating": evaluation.get_rating_display(),
    }
    staff = Membership.objects.filter(organization_id=agreement.operator_id).select_related("user")
    for user in {member.user for member in staff}:
        notify(user=user, text=message, link=link)
    return evaluation
