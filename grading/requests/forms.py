"""Forms for the product request pages (input only; the services validate the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grading.requests.services import AMOUNT_MAX, QUANTITY_MAX, TEXT_MAX


class ProductRequestForm(forms.Form):
    purpose = forms.CharField(label=_("Purpose"), max_length=TEXT_MAX, widget=forms.Textarea)
    scenario = forms.CharField(
        label=_("Application scenario"), max_length=TEXT_MAX, widget=forms.Textarea
    )
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=QUANTITY_MAX, initial=1
    )
    unit = forms.CharField(
        label=_("Unit"), max_length=40, help_text=_("For example: licence, year, call, copy.")
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=100)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    organization = forms.ModelChoiceField(
        label=_("On behalf of"),
        queryset=None,
        required=False,
        empty_label=_("Myself"),
    )

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        if not organizations.exists():
            del self.fields["organization"]


class QuoteForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (CNY)"), min_value=0, max_value=AMOUNT_MAX, decimal_places=2
    )
    terms = forms.CharField(
        label=_("Terms"), max_length=TEXT_MAX, required=False, widget=forms.Textarea
    )
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ActionForm(forms.Form):
    action = forms.CharField(max_length=20)
    reason = forms.CharField(max_length=TEXT_MAX, required=False, widget=forms.Textarea)
