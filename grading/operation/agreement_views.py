"""Pages of one authorized-operation agreement: its scope, term and state, signing and renewal
for the operator, suspension, resumption, revocation and expiry (with a confirmation step) for
platform administrators."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from grading import policy
from grading.operation import agreements, selectors
from grading.operation.agreements import AGREEMENT_STEPS
from grading.operation.forms import AgreementActionForm, RenewForm
from portal.errors import render_error
from portal.steps import run_step, state_conflict
from portal.transitions import InvalidTransition

CONFIRMED = frozenset({"suspend", "resume", "revoke", "expire"})


def _actions(user, agreement) -> list[str]:
    ended = agreement.valid_until <= timezone.now()
    return [
        name
        for name, step in AGREEMENT_STEPS.items()
        if agreement.status in step.sources
        and policy.can_act_on_agreement(user, agreement, name)
        and (name != "expire" or ended)  # expiry is recorded once the term is over
    ]


def _can_renew(user, agreement) -> bool:
    live = agreement.status in ("active", "suspended") and agreement.valid_until > timezone.now()
    return live and policy.can_act_on_agreement(user, agreement, "renew")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def agreement_detail(request, pk: int):
    """One agreement: scope, term and days left, fee cap, purposes, state and reason, and the
    actions open to the caller."""
    agreement = selectors.agreement_detail(user=request.user, pk=pk)
    if request.method == "POST":
        return _act(request, agreement)
    left = (agreement.valid_until - timezone.now()).days
    context = {
        "agreement": agreement,
        "days_left": max(left, 0),
        "actions": _actions(request.user, agreement),
        "can_renew": _can_renew(request.user, agreement),
        "can_register_product": policy.can_register_product(request.user, agreement.operator)
        and agreement.status == "active",
        "renewals": agreement.renewals.filter(
            policy.operation_application_visible_q(request.user)
        ).order_by("-pk"),
    }
    return render(request, "grading/operation/agreement_detail.html", context)


def _act(request, agreement):
    form = AgreementActionForm(request.POST)
    if not form.is_valid():
        return render_error(request, 400, _("Choose an action."))
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    if action in CONFIRMED and not form.cleaned_data["confirmed"]:
        if action not in _actions(request.user, agreement):
            return render_error(request, 403, _("You may not do this to this agreement."))
        context = {"agreement": agreement, "action": action, "reason": reason}
        return render(request, "grading/operation/agreement_confirm.html", context)
    return run_step(
        request,
        lambda: agreements.agreement_act(
            actor=request.user, agreement=agreement, action=action, reason=reason
        ),
        lambda row: reverse("operation:agreement-detail", args=[row.pk]),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def agreement_renew(request, pk: int):
    """Request the renewal of an agreement before it expires (the operator's staff)."""
    agreement = selectors.agreement_detail(user=request.user, pk=pk)
    if not policy.can_act_on_agreement(request.user, agreement, "renew"):
        return render_error(request, 403, _("Only the operator's staff renew its agreement."))
    form = RenewForm(request.POST or None, initial=_initial(agreement))
    if request.method == "POST" and form.is_valid():
        try:
            application = agreements.agreement_renew(
                actor=request.user, agreement=agreement, data=form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        except InvalidTransition as exc:
            return state_conflict(request, exc)
        else:
            return redirect("operation:application-detail", application.pk)
    context = {
        "agreement": agreement,
        "form": form,
        "can_renew": _can_renew(request.user, agreement),
        "can_register_product": policy.can_register_product(request.user, agreement.operator)
        and agreement.status == "active",
    }
    return render(request, "grading/operation/agreement_renew.html", context)


def _initial(agreement) -> dict:
    previous = agreement.application
    return {
        "purposes": agreement.purposes,
        "scenarios": previous.scenarios if previous else "",
        "security_measures": previous.security_measures if previous else "",
        "term_months": previous.term_months if previous else 12,
    }
