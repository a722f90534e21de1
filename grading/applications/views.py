"""Pages for applications: apply, the applicant's list, the review queue and one application;
thin views over ``grading.applications.selectors`` and ``.services``; who may do what is the
policy's question."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from grading import policy
from grading.applications import selectors, services
from grading.applications.forms import ActionForm, ApplicationForm
from grading.applications.services import STEPS
from grading.applications.words import ACTION_LABELS
from portal.errors import render_error
from portal.steps import run_step

PAGE = 50


def _candidates(request):
    """Resources the caller may apply for: those named in ``?resource=`` and the form."""
    ids = [v for v in request.GET.getlist("resource") + request.POST.getlist("resources")]
    ids = [int(v) for v in ids if str(v).isdigit()][:50]
    rows = policy.viewable(request.user).filter(pk__in=ids).select_related("provider")
    return [r for r in rows if policy.can_apply(request.user, r)]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def application_new(request):
    """Apply for conditional data: purpose, scenario, actions, term, the undertaking."""
    resources = _candidates(request)
    if not resources:
        return render_error(request, 400, _("Choose a conditionally open resource to apply for."))
    form = ApplicationForm(
        request.POST or None, resources=resources, initial={"resources": [r.pk for r in resources]}
    )
    # Conditions that reserve an entry to legal entities, for a caller applying as a person:
    # said before the form is sent, not discovered in the agency's rejection.
    legal_entity_only = policy.legal_entity_mismatch(request.user, resources)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = [r for r in resources if r.pk in data.pop("resources")]
        try:
            application = services.application_create(
                actor=request.user,
                resources=chosen,
                data=data,
                submit="submit" in request.POST,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _saved_message(application))
            return redirect("grading:application-detail", application.pk)
    context = {"form": form, "legal_entity_only": legal_entity_only}
    return render(request, "grading/application_form.html", context)


def _saved_message(application) -> str:
    """What the applicant is told after saving: submitted (and what happens next) or a draft."""
    if application.status == application.Status.SUBMITTED:
        return _(
            "Application #%(id)s was submitted. The platform checks its form within 5 working "
            "days, then the providing agency decides within 10 working days; you will get a "
            "notice (and an e-mail) at each decision."
        ) % {"id": application.pk}
    return _("Application #%(id)s was saved as a draft. Nobody reviews it until you submit it.") % {
        "id": application.pk
    }


@login_required
@require_safe
def application_list(request):
    """The caller's own applications, newest first."""
    mine = selectors.application_queryset(user=request.user).filter(applicant=request.user)
    return render(request, "grading/application_list.html", {"applications": mine[:PAGE]})


@login_required
@require_safe
def review_queue(request):
    """Applications waiting for the caller's decision, soonest deadline first."""
    waiting = list(selectors.review_queue(user=request.user)[:PAGE])
    for application in waiting:
        application.overdue = selectors.is_overdue(application)
    return render(request, "grading/review_queue.html", {"applications": waiting})


def _actions(user, application) -> list[tuple[str, str]]:
    """The actions open to ``user`` now, as (name, label): the policy decides, so an applicant
    never sees a reviewer's buttons."""
    return [
        (name, ACTION_LABELS.get(name, name))
        for name, step in STEPS.items()
        if application.status in step.sources
        and policy.can_act_on_application(user, application, name)
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def application_detail(request, pk: int):
    """One application with its timeline and the actions open to the caller."""
    application = selectors.application_detail(user=request.user, pk=pk)
    if request.method == "POST":
        return _act(request, application)
    actions = _actions(request.user, application)
    context = {
        "application": application,
        "events": selectors.readable_timeline(application=application),
        "actions": actions,
        # The reason box is shown only with actions that need one, and names them.
        "reason_actions": [label for name, label in actions if STEPS[name].needs_reason],
        "overdue": selectors.is_overdue(application),
        # Evidence hashes are for those who may check the audit chain.
        "show_hashes": policy.can_view_audit(request.user),
    }
    return render(request, "grading/application_detail.html", context)


def _act(request, application):
    form = ActionForm(request.POST)
    if not form.is_valid():
        return render_error(request, 400, _("Choose an action."))
    return run_step(
        request,
        lambda: services.application_act(
            actor=request.user,
            application=application,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
        ),
        reverse("grading:application-detail", args=[application.pk]),
    )
