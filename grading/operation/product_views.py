"""Register a data product built under an agreement and submit it for listing (挂牌): the
operator's page for ``catalog.publishing.products``; the sources offered are the agreement's
entries, and the services re-check that an active agreement covers every one cited."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from catalog.models import Product, UpdateCycle
from catalog.publishing.products import product_save, product_submit
from grading import policy
from grading.operation import selectors
from portal.errors import render_error


class ProductForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Product code"), max_length=64)
    name = forms.CharField(label=gettext_lazy("Product name"), max_length=300)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea
    )
    product_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=Product.Type.choices)
    sources = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Source entries"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    scenarios = forms.CharField(
        label=gettext_lazy("Application scenarios (one per line)"), widget=forms.Textarea
    )
    delivery = forms.ChoiceField(label=gettext_lazy("Delivery"), choices=Product.Delivery.choices)
    update_frequency = forms.ChoiceField(
        label=gettext_lazy("Update frequency"), choices=UpdateCycle.choices
    )
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), choices=Product.Purpose.choices)
    price_terms = forms.CharField(label=gettext_lazy("Price terms"), max_length=300)
    price = forms.DecimalField(
        label=gettext_lazy("Price (CNY)"), required=False, min_value=0, decimal_places=2
    )

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sources"].choices = [(r.pk, r.display_title) for r in sources]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def product_new(request, pk: int):
    """Register a product citing entries of this agreement and submit it for listing."""
    agreement = selectors.agreement_detail(user=request.user, pk=pk)
    if not policy.can_register_product(request.user, agreement.operator):
        message = _("Products are registered by the operator's staff while an agreement is active.")
        return render_error(request, 403, message)
    sources = list(agreement.resources.all())
    form = ProductForm(request.POST or None, sources=sources)
    if request.method == "POST" and form.is_valid():
        try:
            product = _register(request, agreement, dict(form.cleaned_data), sources)
        except (ValidationError, PermissionDenied) as exc:
            for field, errors in getattr(exc, "message_dict", {None: [str(exc)]}).items():
                field = "sources" if field == "source_resources" else field
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The product was submitted for listing."))
            return redirect("catalog:product-detail", product.pk)
    context = {"agreement": agreement, "form": form}
    return render(request, "grading/operation/product_new.html", context)


@transaction.atomic
def _register(request, agreement, data: dict, sources: list):
    # Saved and submitted together: a product that cannot be submitted leaves nothing behind.
    wanted = set(data.pop("sources"))
    chosen = [r for r in sources if r.pk in wanted]
    data["scenarios"] = [line.strip() for line in data["scenarios"].splitlines() if line.strip()]
    product = product_save(
        actor=request.user, organization=agreement.operator, data=data, sources=chosen
    )
    return product_submit(actor=request.user, product=product)
