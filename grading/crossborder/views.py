"""Pages of cross-border data flow for everyone and for enterprises: the general data list,
the self-assessment, filing with evidence, my filings and one filing. Thin views over
``grading.crossborder.selectors`` and ``.services``; who may do what is the policy's question.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from grading import policy
from grading.crossborder import selectors, services
from grading.crossborder.forms import ActionForm, AssessmentForm, FilingForm
from grading.crossborder.vocabulary import CATEGORIES, SCENARIOS, label
from grading.crossborder.words import RULE_TEXT
from portal.errors import render_error
from portal.steps import private_file, run_step

PAGE = 100
NOT_AN_ENTERPRISE = gettext_lazy(
    "Self-assessments and filings are made by members of an enterprise verified by the "
    "platform: register your enterprise under Accounts and wait for its verification."
)


def named(rows):
    """``rows`` (clearances, assessments) with their scenario and category names in the active
    language, for the templates."""
    rows = list(rows)
    for row in rows:
        row.scenario_name = label(row.scenario)
        if hasattr(row, "category"):
            row.category_name = label(row.category)
        if hasattr(row, "categories"):
            row.category_names = [label(c) for c in row.categories]
        if hasattr(row, "rule"):
            row.rule_text = _(RULE_TEXT.get(row.rule, row.rule))
    return rows


@require_safe
def clearance_list(request):
    """The general data list (一般数据清单): what is cleared for cross-border flow in each
    scenario, with its conditions, and the negative list."""
    scenario = request.GET.get("scenario", "")
    if scenario and scenario not in SCENARIOS:
        return render_error(request, 400, _("Unknown scenario."))
    rows = named(selectors.public_clearances(scenario=scenario or None)[:PAGE])
    negative = [term for term in CATEGORIES.values() if term.negative]
    context = {
        "clearances": rows,
        "scenario": scenario,
        "scenarios": list(SCENARIOS.values()),
        "negative": negative,
        "may_assess": policy.can_self_assess(request.user),
        "may_clear": policy.can_clear_for_cross_border(request.user),
        "may_supervise": policy.can_supervise_cross_border(request.user),
    }
    return render(request, "grading/crossborder/list.html", context)


def _require_enterprise(user):
    if not policy.can_self_assess(user):
        raise PermissionDenied(str(NOT_AN_ENTERPRISE))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def assessment_new(request):
    """The self-assessment of one planned transfer; its result names the deciding rule."""
    _require_enterprise(request.user)
    enterprises = selectors.assessing_enterprises(user=request.user)
    form = AssessmentForm(request.POST or None, enterprises=enterprises)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        enterprise = data.pop("enterprise")
        try:
            row = services.assessment_create(actor=request.user, enterprise=enterprise, data=data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("crossborder:assessment-detail", row.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "grading/crossborder/assess.html", {"form": form}, status=status)


@login_required
@require_safe
def assessment_detail(request, pk: int):
    """One self-assessment: its answers, the result and the rule; the way to file it."""
    row = named([selectors.assessment_detail(user=request.user, pk=pk)])[0]
    context = {
        "assessment": row,
        "filings": row.filings.order_by("-id"),
        "may_file": policy.can_file(request.user, row)
        and row.result != row.Result.SECURITY_ASSESSMENT
        and not row.filings.exclude(status="rejected").exists(),
    }
    return render(request, "grading/crossborder/assessment.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def filing_new(request, pk: int):
    """File the transfer of one assessment with its evidence."""
    assessment = selectors.assessment_detail(user=request.user, pk=pk)
    _require_enterprise(request.user)
    form = FilingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            filing = services.filing_create(
                actor=request.user,
                assessment=assessment,
                transfer_plan=form.cleaned_data["transfer_plan"],
                evidence=form.cleaned_data["evidence"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            message = _("Filed. Receipt number: %(receipt)s") % {"receipt": filing.receipt_number}
            messages.success(request, message)
            return redirect("crossborder:filing-detail", filing.pk)
    context = {"form": form, "assessment": named([assessment])[0], "days": services.FILING_DAYS}
    status = 400 if request.method == "POST" else 200
    return render(request, "grading/crossborder/file.html", context, status=status)


@login_required
@require_safe
def my_filings(request):
    """The caller's enterprises' assessments and filings, newest first."""
    _require_enterprise(request.user)
    orgs = selectors.assessing_enterprises(user=request.user).values("pk")
    filings = selectors.filing_queryset(user=request.user).filter(enterprise__in=orgs)
    assessments = selectors.assessment_queryset(user=request.user).filter(enterprise__in=orgs)
    context = {
        "filings": filings[:PAGE],
        "assessments": named(assessments[:PAGE]),
    }
    return render(request, "grading/crossborder/mine.html", context)


def _actions(user, filing) -> list[str]:
    return [
        name
        for name, step in services.STEPS.items()
        if filing.status in step.sources and policy.can_act_on_filing(user, filing, name)
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def filing_detail(request, pk: int):
    """One filing: receipt number, state, deadline, evidence, timeline, the caller's actions."""
    filing = selectors.filing_detail(user=request.user, pk=pk)
    if request.method == "POST":
        return _act(request, filing)
    context = {
        "filing": filing,
        "assessment": named([filing.assessment])[0],
        "events": selectors.timeline(filing=filing),
        "actions": _actions(request.user, filing),
        "overdue": selectors.is_overdue(filing),
        "may_download": policy.can_download_filing_evidence(request.user, filing),
    }
    return render(request, "grading/crossborder/filing.html", context)


def _act(request, filing):
    form = ActionForm(request.POST)
    if not form.is_valid():
        return render_error(request, 400, _("Choose an action."))
    return run_step(
        request,
        lambda: services.filing_act(
            actor=request.user,
            filing=filing,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
        ),
        reverse("crossborder:filing-detail", args=[filing.pk]),
    )


@login_required
@require_safe
def filing_evidence(request, pk: int):
    """Stream a filing's evidence to the filing enterprise's staff and platform staff (anyone
    else cannot see the filing: 404)."""
    filing = selectors.filing_detail(user=request.user, pk=pk)
    services.evidence_record(actor=request.user, filing=filing)
    return private_file(filing.evidence)
