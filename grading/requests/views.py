"""Pages for requests for data products: the request form on a product, the workspace of the
caller's requests (mine / to us) and one request with its timeline and the caller's actions.
Thin views over ``grading.requests.selectors`` and ``.services``; the policy decides."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from grading import policy
from grading.requests import selectors, services
from grading.requests.forms import ActionForm, ProductRequestForm, QuoteForm
from portal.errors import render_error
from portal.steps import state_conflict
from portal.transitions import InvalidTransition

PAGE = 25


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def request_new(request, pk: int):
    """Request a listed product or ask its provider about it (申请使用/咨询)."""
    product = selectors.requestable_product(user=request.user, pk=pk)
    if not policy.can_request_product(request.user, product):
        return render_error(request, 403, policy.request_denial_message(request.user, product))
    organizations = selectors.requesting_organizations(user=request.user)
    form = ProductRequestForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            created = services.request_create(
                actor=request.user,
                product=product,
                data=data,
                organization=data.pop("organization", None),
            )
        except services.DuplicateRequest as exc:
            return render_error(request, 409, _duplicate_message(exc))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Request #%(id)s sent.") % {"id": created.pk})
            return redirect("grading:request-detail", created.pk)
    context = {"form": form, "product": product, "days": settings.PRODUCT_REQUEST_DAYS}
    return render(request, "grading/market/request_form.html", context)


def _duplicate_message(exc) -> str:
    if exc.existing is None:
        return _("This request was already received.")
    return _("You already sent this request (#%(id)s); follow it under My requests.") % {
        "id": exc.existing.pk
    }


@login_required
@require_safe
def request_list(request):
    """The caller's requests ("My requests"); for staff of a provider, the requests addressed
    to their organization ("Requests to us"); for platform staff, every late answer
    ("Overdue answers"); with states, due dates and overdue flags."""
    tabs = {
        selectors.MINE: True,
        selectors.INCOMING: policy.can_receive_product_requests(request.user),
        selectors.OVERDUE: policy.can_supervise(request.user),
    }
    tab = request.GET.get("tab", selectors.MINE)
    tab = tab if tabs.get(tab) else selectors.MINE
    rows = selectors.request_list(user=request.user, tab=tab)
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    for item in page:
        item.overdue = services.is_overdue(item)
    context = {
        "page": page,
        "tab": tab,
        "show_incoming": tabs[selectors.INCOMING],
        "show_overdue": tabs[selectors.OVERDUE],
    }
    return render(request, "grading/market/request_list.html", context)


def _actions(user, product_request) -> list[str]:
    return [
        name
        for name, step in services.STEPS.items()
        if product_request.status in step.sources
        and policy.can_act_on_product_request(user, product_request, name)
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def request_detail(request, pk: int):
    """One request: what was asked, the answer, the timeline and the caller's actions."""
    product_request = selectors.request_detail(user=request.user, pk=pk)
    quote_form = QuoteForm(request.POST if request.POST.get("action") == "quote" else None)
    if request.method == "POST":
        response = _act(request, product_request, quote_form)
        if response is not None:
            return response
    actions = _actions(request.user, product_request)
    context = {
        "item": product_request,
        "events": selectors.timeline(product_request=product_request),
        "actions": actions,
        "quote_form": quote_form if "quote" in actions else None,
        "overdue": services.is_overdue(product_request),
    }
    return render(request, "grading/market/request_detail.html", context, status=_status(request))


def _status(request) -> int:
    return 400 if request.method == "POST" else 200


def _act(request, product_request, quote_form):
    """Carry out the posted action; None when the quote has errors to show on the page."""
    form = ActionForm(request.POST)
    if not form.is_valid():
        return render_error(request, 400, _("Choose an action."))
    action = form.cleaned_data["action"]
    quote = quote_form.cleaned_data if action == "quote" and quote_form.is_valid() else {}
    try:
        services.request_act(
            actor=request.user,
            product_request=product_request,
            action=action,
            reason=form.cleaned_data["reason"],
            quote=quote,
        )
    except PermissionDenied as exc:
        return render_error(request, 403, str(exc))
    except ValidationError as exc:
        if action != "quote":
            return render_error(request, 400, " ".join(exc.messages))
        if quote:  # the form was fine; the rules were not (a priced public-interest product)
            for field, errors in exc.message_dict.items():
                quote_form.add_error(field if field in quote_form.fields else None, errors)
        return None
    except InvalidTransition as exc:
        return state_conflict(request, exc)
    messages.success(request, _("Done."))
    return redirect("grading:request-detail", product_request.pk)
