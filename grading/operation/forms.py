"""Forms for the authorized-operation pages (input only; the services validate the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

UNDERTAKING = _(
    "I accept the security undertaking: the data in scope is used only for the stated purposes "
    "and scenarios, inside the stated security measures, never passed on as raw data, every "
    "use is logged, and it is deleted when the agreement ends."
)


class OperationApplicationForm(forms.Form):
    applicant = forms.TypedChoiceField(label=_("Applying enterprise"), coerce=int)
    resources = forms.TypedMultipleChoiceField(
        label=_("Entries"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    themes = forms.TypedMultipleChoiceField(
        label=_("Whole themes"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    agencies = forms.TypedMultipleChoiceField(
        label=_("Whole agencies"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    purposes = forms.CharField(label=_("Purposes"), max_length=4000, widget=forms.Textarea)
    scenarios = forms.CharField(
        label=_("Application scenarios"), max_length=4000, widget=forms.Textarea
    )
    security_measures = forms.CharField(
        label=_("Security measures"), max_length=4000, widget=forms.Textarea
    )
    term_months = forms.IntegerField(
        label=_("Requested term (months, at most 60)"), min_value=1, max_value=60, initial=24
    )
    proposed_fees = forms.CharField(
        label=_("Proposed fees"), max_length=4000, required=False, widget=forms.Textarea
    )
    proposed_fee_cap = forms.DecimalField(
        label=_("Proposed fee cap (CNY)"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
    )
    undertaking_accepted = forms.BooleanField(label=UNDERTAKING, required=False)

    def __init__(self, *args, orgs=(), entries=(), themes=(), agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant"].choices = [(o.pk, o.display_name) for o in orgs]
        self.fields["resources"].choices = [(r.pk, r.display_title) for r in entries]
        self.fields["themes"].choices = [(t.pk, t.display_name) for t in themes]
        self.fields["agencies"].choices = [(a.pk, a.display_name) for a in agencies]


class ActionForm(forms.Form):
    action = forms.CharField(max_length=20)
    reason = forms.CharField(max_length=4000, required=False, widget=forms.Textarea)


class PartForm(ActionForm):
    approved = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args, part=None, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [r.pk for r in part.resources.all()] if part is not None else []
        self.fields["approved"].choices = [(pk, pk) for pk in ids]


class IssueForm(forms.Form):
    valid_from = forms.DateTimeField(label=_("Valid from (empty: now)"), required=False)
    valid_until = forms.DateTimeField(
        label=_("Valid until (empty: the requested term)"), required=False
    )
    fee_cap = forms.DecimalField(
        label=_("Fee cap (CNY; empty: as proposed)"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
    )
    purposes = forms.CharField(
        label=_("Permitted purposes (empty: as applied)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea,
    )


class AgreementActionForm(ActionForm):
    confirmed = forms.BooleanField(required=False)


class RenewForm(forms.Form):
    purposes = forms.CharField(label=_("Purposes"), max_length=4000, widget=forms.Textarea)
    scenarios = forms.CharField(
        label=_("Application scenarios"), max_length=4000, widget=forms.Textarea
    )
    security_measures = forms.CharField(
        label=_("Security measures"), max_length=4000, widget=forms.Textarea
    )
    term_months = forms.IntegerField(
        label=_("Requested term (months, at most 60)"), min_value=1, max_value=60
    )
    undertaking_accepted = forms.BooleanField(label=UNDERTAKING, required=True)
