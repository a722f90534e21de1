"""Forms for the data merchant pages (input only; the services validate the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, UpdateCycle
from grading.merchants.services import ADMIN_ACTIONS, TEXT_MAX
from grading.models import MerchantCategory

EVIDENCE_WIDGET = forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"})


class DirectoryFilter(forms.Form):
    q = forms.CharField(label=_("Name"), max_length=100, required=False)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("Any"))] + MerchantCategory.choices, required=False
    )
    region = forms.CharField(label=_("Region"), max_length=100, required=False)


class RegistrationForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Enterprise"), queryset=None, empty_label=None)
    categories = forms.MultipleChoiceField(
        label=_("Categories"),
        choices=MerchantCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("About the enterprise"), max_length=TEXT_MAX, widget=forms.Textarea
    )
    services = forms.CharField(
        label=_("Products and services offered"), max_length=TEXT_MAX, widget=forms.Textarea
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    contact_phone = forms.CharField(label=_("Contact telephone"), max_length=40, required=False)
    evidence = forms.FileField(
        label=_("Evidence: business licence or qualification (PDF, PNG or JPEG)"),
        widget=EVIDENCE_WIDGET,
        required=False,
    )

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class MerchantActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ADMIN_ACTIONS])
    reason = forms.CharField(max_length=TEXT_MAX, required=False, widget=forms.Textarea)


class ProductForm(forms.Form):
    code = forms.SlugField(label=_("Product code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=300)
    name_en = forms.CharField(label=_("English name"), max_length=300, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    description_en = forms.CharField(
        label=_("English description"), required=False, widget=forms.Textarea
    )
    product_type = forms.ChoiceField(label=_("Type"), choices=Product.Type.choices)
    sources = forms.CharField(
        label=_("Source resources (their codes, one a line)"), widget=forms.Textarea
    )
    scenarios = forms.CharField(
        label=_("Application scenarios (one a line)"), widget=forms.Textarea
    )
    delivery = forms.ChoiceField(label=_("Delivery"), choices=Product.Delivery.choices)
    update_frequency = forms.ChoiceField(label=_("Update frequency"), choices=UpdateCycle.choices)
    purpose = forms.ChoiceField(label=_("Purpose class"), choices=Product.Purpose.choices)
    pricing_method = forms.ChoiceField(
        label=_("Pricing method"), choices=Product.PricingMethod.choices
    )
    price = forms.DecimalField(
        label=_("Price (CNY)"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    price_terms = forms.CharField(label=_("Price terms"), max_length=300)

    def lines(self, name: str) -> list[str]:
        return [line.strip() for line in self.cleaned_data[name].splitlines() if line.strip()]


class PriceForm(forms.Form):
    pricing_method = forms.ChoiceField(
        label=_("Pricing method"), choices=Product.PricingMethod.choices
    )
    price = forms.DecimalField(
        label=_("Price (CNY)"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    price_terms = forms.CharField(label=_("Price terms"), max_length=300)
    reason = forms.CharField(label=_("Reason for the change"), max_length=300)


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ("start", "list", "reject", "delist")])
    reason = forms.CharField(max_length=4000, required=False, widget=forms.Textarea)
    compliance_passed = forms.BooleanField(required=False)
    quality_passed = forms.BooleanField(required=False)
