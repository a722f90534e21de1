"""The operator's workspace (``/operation/``) and an agreement's usage page with its yearly
evaluations: thin views over ``grading.operator.selectors`` and the evaluation service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from grading import policy
from grading.operator import selectors
from grading.operator.evaluations import EvaluationExists, evaluation_create
from grading.operator.forms import EvaluationForm
from portal.errors import render_error

PAGE = 25


def _page(request, rows, name: str):
    return Paginator(rows, PAGE).get_page(request.GET.get(name))


def _with_days_left(page):
    for agreement in page:
        agreement.days_left = selectors.days_left(agreement)
    return page


@login_required
@require_safe
def operation_home(request):
    """The operator's agreements with their figures, its products and their listing states,
    and its evaluations; an explanation of how to apply when it holds no agreement."""
    if not policy.can_use_operation_home(request.user):
        raise PermissionDenied(_("Sign in to see your authorized operation."))
    agreements = _page(request, selectors.operator_agreements(user=request.user), "agreements")
    context = {
        "agreements": _with_days_left(agreements),
        "products": _page(request, selectors.operator_products(user=request.user), "products"),
        "evaluations": _page(
            request,
            selectors.operator_evaluations(user=request.user).select_related("agreement"),
            "evaluations",
        ),
        "can_supervise": policy.can_supervise(request.user),
    }
    return render(request, "grading/operator/home.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def agreement_usage(request, pk: int):
    """Usage of one agreement by entry and by month, the operator's products citing its
    scope, and its evaluations, with the evaluation form for those who may write one."""
    agreement = selectors.agreement_for_usage(user=request.user, pk=pk)
    form = EvaluationForm()
    if request.method == "POST":
        form = EvaluationForm(request.POST)
        response = _evaluate(request, agreement, form)
        if response is not None:
            return response
    return _usage_page(request, agreement, form, status=400 if form.errors else 200)


def _evaluate(request, agreement, form):
    """Write the evaluation; None (the page is shown again with the errors) on bad input."""
    if not policy.can_evaluate_agreement(request.user, agreement):
        raise PermissionDenied(_("Only platform administrators evaluate signed agreements."))
    if not form.is_valid():
        return None
    try:
        evaluation_create(actor=request.user, agreement=agreement, **form.cleaned_data)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        return None
    except EvaluationExists:
        message = _("This agreement already has an evaluation for %(year)s.")
        return render_error(request, 409, message % {"year": form.cleaned_data["year"]})
    messages.success(request, _("Evaluation saved."))
    return redirect("grading:agreement-usage", pk=agreement.pk)


def _usage_page(request, agreement, form, status: int):
    agreement.days_left = selectors.days_left(agreement)
    by_month = list(selectors.usage_by_month(agreement))
    products = policy.viewable_products(request.user).filter(
        pk__in=selectors.agreement_products(agreement).values("pk")
    )
    context = {
        "agreement": agreement,
        "by_entry": _page(
            request, selectors.usage_by_entry(user=request.user, agreement=agreement), "entries"
        ),
        "by_month": _page(request, by_month, "months"),
        "products": _page(request, products.order_by("-id"), "products"),
        "evaluations": agreement.evaluations.select_related("reviewer").order_by("-year"),
        "form": form if policy.can_evaluate_agreement(request.user, agreement) else None,
        "audit_link": policy.can_filter_audit(request.user),
    }
    return render(request, "grading/operator/usage.html", context, status=status)
