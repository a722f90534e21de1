"""Feedback pages: forms to report an error, request data or file a rights complaint; one item
with its answer (and the agency's actions); the agency's inbox; an agency's public record.
Thin views over ``grading.feedback``; who may do what is the policy's question."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from catalog import selectors as catalog_selectors
from catalog.models import Resource
from grading import policy
from grading.feedback import selectors, services
from grading.feedback.forms import FeedbackActionForm, FeedbackForm
from grading.models import Feedback
from portal.clients import client_ip
from portal.errors import render_error
from portal.steps import private_file, run_step

PAGE = 20
K = Feedback.Kind


def _target(request, pk: int | None) -> Resource | None:
    """The resource the feedback is about, or 404 when the caller may not give feedback on it."""
    if pk is None:
        return None
    found = Resource.objects.filter(policy.feedback_target_q(request.user), pk=pk)
    resource = found.select_related("provider").first()
    if resource is None:
        raise Http404
    return resource


def _initial(request, resource) -> dict:
    """The agency named by ``?agency=<code>`` for a request addressed to an agency."""
    code = request.GET.get("agency", "")
    if resource is not None or not code:
        return {}
    return {"agency": selectors.agencies().filter(code=code).first()}


@require_http_methods(["GET", "HEAD", "POST"])
def feedback_new(request, kind: str, pk: int | None = None):
    """Report an error, request data (about a resource, or addressed to an agency) or file a
    rights complaint (signed-in users only, with optional evidence)."""
    if kind not in K.values:
        raise Http404
    resource = _target(request, pk)
    if kind == K.COMPLAINT and not policy.can_file_complaints(request.user):
        return redirect_to_login(request.get_full_path())
    form = FeedbackForm(
        request.POST or None,
        request.FILES or None,
        initial=_initial(request, resource),
        with_agency=resource is None,
        with_evidence=kind == K.COMPLAINT,
    )
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated and services.anonymous_limit_reached(
            address=client_ip(request)
        ):
            message = _("Too many submissions from your address. Please try again later.")
            return render_error(request, 429, message)
        stored = _submit(request, form, kind, resource)
        if stored is not None:
            return stored
        status = 400
    context = {"form": form, "kind": kind, "kind_label": K(kind).label, "resource": resource}
    return render(request, "grading/feedback_form.html", context, status=status)


def _submit(request, form, kind: str, resource, product=None):
    """Store a valid form and redirect; None (with the errors on the form) otherwise."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        item, _created = services.feedback_submit(
            actor=request.user,
            kind=kind,
            resource=resource,
            product=product,
            agency=data.get("agency"),
            title=data["title"],
            text=data["text"],
            evidence=data.get("evidence"),
            submission_key=data.get("submission_key"),
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None
    except services.AlreadyReceived:
        # An anonymous resent form: it was stored the first time; which row that was is not
        # shown, since the key alone does not prove who sent it.
        messages.info(request, _("This feedback was already received; it is with the agency."))
        return _after_anonymous(resource, data.get("agency"))
    messages.success(
        request,
        _("Thank you. Your feedback #%(id)s is with the agency; its answer will be published.")
        % {"id": item.pk},
    )
    if request.user.is_authenticated:
        return redirect("grading:feedback-detail", item.pk)
    return _after_anonymous(resource, item.agency)


def _after_anonymous(resource, agency):
    """Where an anonymous submitter goes next: the resource, or the agency's public record."""
    if resource is not None:
        return redirect("catalog:resource-detail", resource.pk)
    return redirect("grading:organization-feedback", agency.code)


@require_http_methods(["GET", "HEAD", "POST"])
def product_complaint(request, pk: int):
    """File a complaint about a listed data product (signed-in users, optional evidence); it
    goes to the product's provider and the platform."""
    product = catalog_selectors.product_detail(user=request.user, pk=pk)
    if not policy.can_file_complaints(request.user):
        return redirect_to_login(request.get_full_path())
    if not policy.can_complain_about_product(request.user, product):
        raise PermissionDenied(_("Only listed products take complaints."))
    form = FeedbackForm(request.POST or None, request.FILES or None, with_evidence=True)
    status = 200
    if request.method == "POST":
        stored = _submit(request, form, K.COMPLAINT, None, product=product)
        if stored is not None:
            return stored
        status = 400
    context = {"form": form, "kind": K.COMPLAINT, "kind_label": _("Complaint"), "product": product}
    return render(request, "grading/feedback_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def feedback_detail(request, pk: int):
    """One feedback item: what was said and the answer; the agency's actions for its staff."""
    item = selectors.feedback_detail(user=request.user, pk=pk)
    if request.method == "POST":
        return _act(request, item)
    actions = [
        name
        for name, step in services.STEPS.items()
        if item.status in step.sources
        and item.kind in step.kinds
        and policy.can_act_on_feedback(request.user, item, name)
    ]
    context = {
        "item": item,
        "actions": actions,
        "may_see_evidence": policy.can_download_evidence(request.user, item),
        "may_see_product": policy.can_view_product(request.user, item.product),
        "is_public": item.kind in policy.PUBLIC_FEEDBACK_KINDS,
    }
    return render(request, "grading/feedback_detail.html", context)


def _act(request, item):
    form = FeedbackActionForm(request.POST)
    if not form.is_valid():
        return render_error(request, 400, _("Choose an action."))
    return run_step(
        request,
        lambda: services.feedback_act(
            actor=request.user,
            feedback=item,
            action=form.cleaned_data["action"],
            text=form.cleaned_data["text"],
        ),
        reverse("grading:feedback-detail", args=[item.pk]),
    )


@login_required
@require_safe
def feedback_evidence(request, pk: int):
    """Stream a complaint's evidence to the complainant, the agency addressed and platform
    staff (others: 404, as the complaint itself is invisible to them)."""
    item = selectors.feedback_detail(user=request.user, pk=pk)
    if not item.evidence:
        raise Http404
    services.evidence_record(actor=request.user, feedback=item)
    return private_file(item.evidence)


@login_required
@require_safe
def feedback_inbox(request):
    """Feedback addressed to the caller's agency by state, overdue items first."""
    if not policy.can_use_feedback_inbox(request.user):
        raise PermissionDenied(_("The feedback inbox is for the staff of agencies."))
    status = request.GET.get("status", "")
    if status and status not in Feedback.Status.values:
        return render_error(request, 400, _("Unknown state."))
    rows = selectors.inbox(user=request.user, status=status or None)
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    counts = selectors.inbox_counts(user=request.user)
    context = {
        "page": page,
        "status": status,
        "states": [(value, label, counts[value]) for value, label in Feedback.Status.choices],
        "days": settings.FEEDBACK_ANSWER_DAYS,
    }
    return render(request, "grading/feedback_inbox.html", context)


@require_safe
def organization_feedback(request, code: str):
    """An agency's public record: response times in working days and its published answers
    (of one resource with ``?resource=``)."""
    organization = get_object_or_404(
        catalog_selectors.organization_queryset(user=request.user), code=code
    )
    if organization.kind != organization.Kind.AGENCY:
        raise Http404
    rows = selectors.public_feedback(user=request.user).filter(agency=organization)
    resource = request.GET.get("resource", "")
    if resource:
        number = services.resource_number(resource)
        if number is None:
            message = _("The resource must be a number of at most %(digits)s digits (0–9).") % {
                "digits": services.RESOURCE_NUMBER_DIGITS
            }
            return render_error(request, 400, message)
        rows = rows.filter(resource_id=number)
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    context = {
        "organization": organization,
        "figures": selectors.response_figures(agency=organization),
        "page": page,
        "resource": resource,
    }
    return render(request, "grading/organization_feedback.html", context)
