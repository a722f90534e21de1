"""Pages of authorized operation: apply, the list and queue of applications, one application
with its agencies' parts. Thin views over ``grading.operation.selectors`` and the services;
who may do what is the policy's question. (The agreement pages are in ``agreement_views``.)"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from catalog.models import Organization, Theme
from grading import policy
from grading.operation import agreements, selectors, services
from grading.operation.forms import ActionForm, IssueForm, OperationApplicationForm, PartForm
from grading.operation.services import PART_STEPS, STEPS
from portal.errors import render_error
from portal.steps import run_step

PAGE = 50
MAX_ENTRIES = 500
NOT_ELIGIBLE = gettext_lazy(
    "Only staff of an enterprise verified by the platform may apply for authorized operation. "
    "Register your enterprise under your account and wait for the platform to verify it."
)


def _picker(user) -> dict:
    """What the scope picker offers: entries by title (details only where the policy allows),
    themes and agencies."""
    entries = list(
        policy.operation_scope(user)
        .select_related("provider")
        .order_by("title", "pk")[:MAX_ENTRIES]
    )
    for entry in entries:
        entry.details_visible = policy.scope_entry_details_visible(user, entry)
    return {
        "orgs": list(policy.operation_applicant_orgs(user).order_by("pk")),
        "entries": entries,
        "themes": list(Theme.objects.order_by("code")),
        "agencies": list(Organization.objects.filter(kind="agency").order_by("code")),
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def application_new(request):
    """Apply for authorized operation: scope, purposes, scenarios, security, term, fees."""
    if not policy.can_apply_for_operation(request.user):
        return render_error(request, 403, str(NOT_ELIGIBLE))
    picker = _picker(request.user)
    form = OperationApplicationForm(request.POST or None, **picker)
    if request.method == "POST" and form.is_valid():
        try:
            application = _create(request, form.cleaned_data, picker)
        except (ValidationError, PermissionDenied) as exc:
            errors = getattr(exc, "message_dict", {None: [str(exc)]})
            for field, texts in errors.items():
                form.add_error(field if field in form.fields else None, texts)
        else:
            messages.success(request, _("Application #%(id)s saved.") % {"id": application.pk})
            return redirect("operation:application-detail", application.pk)
    context = {"form": form, "entries": picker["entries"]}
    return render(request, "grading/operation/apply.html", context)


def _create(request, data: dict, picker: dict):
    chosen = {name: set(data.pop(name)) for name in ("resources", "themes", "agencies")}
    applicant = next(o for o in picker["orgs"] if o.pk == data.pop("applicant"))
    return services.operation_application_create(
        actor=request.user,
        applicant=applicant,
        data=data,
        resources=[r for r in picker["entries"] if r.pk in chosen["resources"]],
        themes=[t for t in picker["themes"] if t.pk in chosen["themes"]],
        agencies=[a for a in picker["agencies"] if a.pk in chosen["agencies"]],
        submit="submit" in request.POST,
    )


@login_required
@require_safe
def application_list(request):
    """The caller's organizations' applications, and the queue of those waiting for the
    caller's decision (platform administrators, agency reviewers), overdue ones flagged."""
    p = policy.principal(request.user)
    mine = selectors.application_queryset(user=request.user).filter(applicant_id__in=p.org_ids)
    waiting = list(selectors.review_queue(user=request.user)[:PAGE])
    for application in waiting:
        application.overdue = selectors.is_overdue(application) or any(
            selectors.is_overdue(part) for part in application.visible_parts
        )
    context = {
        "applications": mine[:PAGE],
        "queue": waiting,
        "can_apply": policy.can_apply_for_operation(request.user),
        "agreements": selectors.agreement_queryset(user=request.user)[:PAGE],
    }
    return render(request, "grading/operation/application_list.html", context)


def _actions(user, application) -> list[str]:
    return [
        name
        for name, step in STEPS.items()
        if application.status in step.sources
        and name not in ("decide", "reject_all")
        and policy.can_act_on_operation_application(user, application, name)
    ]


def _part_actions(user, application, part) -> list[str]:
    if application.status != "checked":
        return []
    return [
        name
        for name, step in PART_STEPS.items()
        if part.status in step.sources and services.part_action_allowed(user, part, name)
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def application_detail(request, pk: int):
    """One application: scope by agency with each part's state and due date, a readable
    timeline, and the actions open to the caller."""
    application = selectors.application_detail(user=request.user, pk=pk)
    if request.method == "POST":
        return _act(request, application)
    for part in application.visible_parts:
        part.actions = _part_actions(request.user, application, part)
        part.overdue = selectors.is_overdue(part)
    context = {
        "application": application,
        "events": selectors.timeline(user=request.user, application=application),
        "actions": [a for a in _actions(request.user, application) if a != "issue"],
        "can_issue": "issue" in _actions(request.user, application),
        "issue_form": IssueForm(),
        "overdue": selectors.is_overdue(application),
    }
    return render(request, "grading/operation/application_detail.html", context)


def _act(request, application):
    form = ActionForm(request.POST)
    if not form.is_valid():
        return render_error(request, 400, _("Choose an action."))
    action = form.cleaned_data["action"]
    if action == "issue":
        return _issue(request, application)
    return run_step(
        request,
        lambda: services.operation_application_act(
            actor=request.user,
            application=application,
            action=action,
            reason=form.cleaned_data["reason"],
        ),
        _detail_url,
    )


def _detail_url(application) -> str:
    return reverse("operation:application-detail", args=[application.pk])


def _issue(request, application):
    form = IssueForm(request.POST)
    if not form.is_valid():
        return render_error(request, 400, " ".join(e for es in form.errors.values() for e in es))
    data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    return run_step(
        request,
        lambda: agreements.agreement_issue(actor=request.user, application=application, data=data),
        _agreement_url,
    )


def _agreement_url(agreement) -> str:
    return reverse("operation:agreement-detail", args=[agreement.pk])


@login_required
@require_POST
def part_decide(request, pk: int, part_pk: int):
    """Decide one agency's part (its reviewers) or answer its question (the applicant)."""
    application = selectors.application_detail(user=request.user, pk=pk)
    part = selectors.part_detail(user=request.user, application=application, pk=part_pk)
    form = PartForm(request.POST, part=part)
    if not form.is_valid():
        return render_error(request, 400, _("Choose an action and entries of this part."))
    approved = form.cleaned_data["approved"] or None
    return run_step(
        request,
        lambda: services.operation_part_act(
            actor=request.user,
            part=part,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
            approved=approved,
        ),
        lambda _part: _detail_url(application),
    )
