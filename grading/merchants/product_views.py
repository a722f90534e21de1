"""Product pages of the market: a provider's staff (a verified merchant or an operator under an
agreement) register and submit a product and change a listed product's price; platform
administrators review submitted products. Thin views over ``catalog.publishing``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from catalog import selectors as catalog_selectors
from catalog.publishing.pricing import product_price_change
from catalog.publishing.products import product_review, product_save, product_submit
from grading import policy
from grading.merchants import selectors
from grading.merchants.forms import PriceForm, ProductForm, ReviewForm
from portal.errors import render_error
from portal.steps import state_conflict
from portal.transitions import InvalidTransition

NOT_ALLOWED = gettext_lazy(
    "Only staff of an operator under an active agreement or of a verified data merchant "
    "register products: register your enterprise as a data merchant first."
)


def _form_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def product_new(request):
    """Register a draft product for one of the caller's organizations."""
    organizations = policy.product_organizations(request.user)
    if not organizations.exists():
        raise PermissionDenied(NOT_ALLOWED)
    form = ProductForm(request.POST or None)
    organization = organizations.filter(code=request.POST.get("provider", "")).first()
    organization = organization or organizations.first()
    if request.method == "POST" and form.is_valid():
        product = _save(request, form, organization)
        if product is not None:
            messages.success(request, _("The draft is saved; submit it for review."))
            return redirect("merchants:mine")
    context = {"form": form, "organizations": organizations, "chosen": organization}
    status = 400 if request.method == "POST" else 200
    return render(request, "grading/merchants/product_form.html", context, status=status)


def _save(request, form, organization):
    codes = form.lines("sources")
    sources = list(policy.viewable(request.user).filter(code__in=codes))
    if len(sources) != len(set(codes)):
        form.add_error("sources", _("No such resource."))
        return None
    data = {k: v for k, v in form.cleaned_data.items() if k not in ("sources", "scenarios")}
    data["scenarios"] = form.lines("scenarios")
    try:
        return product_save(
            actor=request.user, organization=organization, data=data, sources=sources
        )
    except ValidationError as exc:
        _form_errors(form, exc)
        return None


@login_required
@require_POST
def product_submit_view(request, pk: int):
    """Submit a draft for the platform's compliance review; every unmet rule is named."""
    product = catalog_selectors.product_detail(user=request.user, pk=pk)
    try:
        product_submit(actor=request.user, product=product)
    except ValidationError as exc:
        return render_error(request, 400, " ".join(exc.messages))
    except InvalidTransition as exc:
        return state_conflict(request, exc)
    messages.success(request, _("The product is submitted for compliance review."))
    return redirect("merchants:mine")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def product_price(request, pk: int):
    """Change a listed product's price (the binding fee cap is checked and named)."""
    product = catalog_selectors.product_detail(user=request.user, pk=pk)
    if not policy.can_change_price(request.user, product):
        raise PermissionDenied(NOT_ALLOWED)
    initial = {
        "pricing_method": product.pricing_method,
        "price": product.price,
        "price_terms": product.price_terms,
    }
    form = PriceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _change_price(request, form, product):
        messages.success(request, _("The price is changed."))
        return redirect("catalog:product-detail", product.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "product": product}
    return render(request, "grading/merchants/product_price.html", context, status=status)


def _change_price(request, form, product) -> bool:
    data = form.cleaned_data
    try:
        product_price_change(
            actor=request.user,
            product=product,
            price=data["price"],
            method=data["pricing_method"],
            terms=data["price_terms"],
            reason=data["reason"],
        )
    except ValidationError as exc:
        _form_errors(form, exc)
        return False
    return True


@login_required
@require_safe
def review_queue(request):
    """Products waiting for the platform's compliance and quality review."""
    if not policy.can_review_products(request.user):
        raise PermissionDenied(_("Product review is for platform administrators."))
    context = {"products": selectors.products_to_review()[:100], "form": ReviewForm()}
    return render(request, "grading/merchants/product_review.html", context)


@login_required
@require_POST
def review_act(request, pk: int):
    """Start, list, reject or delist a product (platform administrators)."""
    product = catalog_selectors.product_detail(user=request.user, pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return render_error(request, 400, _("Choose an action."))
    try:
        product_review(actor=request.user, product=product, **form.cleaned_data)
    except PermissionDenied as exc:
        return render_error(request, 403, str(exc))
    except ValidationError as exc:
        return render_error(request, 400, " ".join(exc.messages))
    except InvalidTransition as exc:
        return state_conflict(request, exc)
    messages.success(request, _("Done."))
    return redirect("merchants:product-review")
