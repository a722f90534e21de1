"""Data merchant pages: the public directory and one merchant's page, registration and the
enterprise's own view of it, the platform's queue and decisions, and the evidence download.
Thin views over ``grading.merchants``; who may do what is the policy's question."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from grading import policy
from grading.merchants import selectors, services
from grading.merchants.forms import DirectoryFilter, MerchantActionForm, RegistrationForm
from grading.models import DataMerchant
from portal.errors import render_error
from portal.steps import private_file, run_step, state_conflict
from portal.transitions import InvalidTransition

PAGE = 20


@require_safe
def merchant_list(request):
    """The public directory of verified data merchants: by category, region and name."""
    form = DirectoryFilter(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render_error(request, 400, _("Check the filters."))
    filters = form.cleaned_data if form.is_bound else {}
    rows = selectors.directory(
        category=filters.get("category", ""),
        region=filters.get("region", ""),
        q=filters.get("q", ""),
    )
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "regions": selectors.regions(),
        "query": query,
        "may_see_queue": policy.can_see_merchant_queue(request.user),
    }
    return render(request, "grading/merchants/list.html", context)


@require_safe
def merchant_detail(request, code: str):
    """One merchant: its categories, services, contact and listed products."""
    merchant = selectors.merchant_detail(user=request.user, code=code)
    products = selectors.merchant_products(user=request.user, merchant=merchant)
    context = {
        "merchant": merchant,
        "page": Paginator(products, PAGE).get_page(request.GET.get("page")),
        "may_see_evidence": policy.can_download_merchant_evidence(request.user, merchant),
        "may_decide": policy.can_verify_merchant(request.user),
        "actions": _actions(request.user, merchant),
    }
    return render(request, "grading/merchants/detail.html", context)


def _actions(user, merchant: DataMerchant) -> list[str]:
    if not policy.can_verify_merchant(user):
        return []
    steps = services.MERCHANT_STEPS
    return [a for a in services.ADMIN_ACTIONS if merchant.status in steps[a].sources]


@login_required
@require_safe
def merchant_evidence(request, code: str):
    """Stream a registration's evidence to the merchant's staff and platform staff (others:
    404, as if it did not exist)."""
    merchant = selectors.merchant_detail(user=request.user, code=code)
    if not policy.can_download_merchant_evidence(request.user, merchant) or not merchant.evidence:
        raise Http404
    services.evidence_record(actor=request.user, merchant=merchant)
    return private_file(merchant.evidence)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def merchant_register(request):
    """Register one's enterprise as a data merchant, or correct a returned registration."""
    organizations = policy.merchant_organizations(request.user)
    if not organizations.exists():
        raise PermissionDenied(
            _(
                "Registering as a data merchant is for staff of an enterprise the platform has "
                "verified: register your enterprise at /accounts/register/ first."
            )
        )
    form = RegistrationForm(
        request.POST or None, request.FILES or None, organizations=organizations
    )
    if request.method == "POST":
        if form.is_valid():
            done = _register(request, form)
            if done is not None:
                return done
        return render(request, "grading/merchants/register.html", {"form": form}, status=400)
    return render(request, "grading/merchants/register.html", {"form": form})


def _register(request, form):
    data = form.cleaned_data
    registration = services.Registration(
        categories=data["categories"],
        **{name: data[name] for name in services.FIELDS},
    )
    try:
        services.merchant_register(
            actor=request.user,
            organization=data["organization"],
            data=registration,
            evidence=data.get("evidence"),
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None
    except InvalidTransition as exc:
        return state_conflict(request, exc)
    messages.success(request, _("Your registration is with the platform for verification."))
    return redirect("merchants:mine")


@login_required
@require_safe
def merchant_mine(request):
    """The registrations of the caller's enterprises with their state and their products."""
    rows = selectors.own_registrations(user=request.user)
    entries = [(m, selectors.own_products(user=request.user, merchant=m)[:50]) for m in rows]
    context = {
        "entries": entries,
        "may_register": policy.merchant_organizations(request.user).exists(),
    }
    return render(request, "grading/merchants/mine.html", context)


@login_required
@require_safe
def merchant_queue(request):
    """The platform's queue: registrations waiting for verification first, then the rest."""
    if not policy.can_see_merchant_queue(request.user):
        raise PermissionDenied(_("The merchant queue is for platform staff."))
    status = request.GET.get("status", "")
    if status and status not in DataMerchant.Status.values:
        return render_error(request, 400, _("Unknown state."))
    page = Paginator(selectors.queue(status=status), PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "states": DataMerchant.Status.choices}
    return render(request, "grading/merchants/queue.html", context)


@login_required
@require_POST
def merchant_act(request, code: str):
    """A platform administrator's decision on a registration."""
    merchant = selectors.merchant_detail(user=request.user, code=code)
    form = MerchantActionForm(request.POST)
    if not form.is_valid():
        return render_error(request, 400, _("Choose an action."))
    return run_step(
        request,
        lambda: services.merchant_act(actor=request.user, merchant=merchant, **form.cleaned_data),
        reverse("merchants:detail", args=[code]),
    )
