"""Forms for the cross-border pages (input only; the services check the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grading.crossborder.checks import COUNT_MAX, RECIPIENT_MAX, TEXT_MAX
from grading.crossborder.vocabulary import CATEGORIES, SCENARIOS


def _scenario_choices():
    return [(code, term.name) for code, term in SCENARIOS.items()]


class AssessmentForm(forms.Form):
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=None, empty_label=None)
    scenario = forms.ChoiceField(label=_("Scenario"))
    categories = forms.MultipleChoiceField(
        label=_("Data categories"), widget=forms.CheckboxSelectMultiple
    )
    record_count = forms.IntegerField(label=_("Volume (records)"), min_value=0, max_value=COUNT_MAX)
    recipient = forms.CharField(label=_("Recipient abroad"), max_length=RECIPIENT_MAX)
    recipient_country = forms.CharField(
        label=_("Recipient's country or region (ISO 3166 code, e.g. SG, DE, HK)"),
        min_length=2,
        max_length=2,
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=TEXT_MAX, widget=forms.Textarea)
    security_measures = forms.CharField(
        label=_("Security measures"), max_length=TEXT_MAX, widget=forms.Textarea
    )
    pi_count = forms.IntegerField(
        label=_("Individuals whose personal information was sent abroad since 1 January"),
        help_text=_("Sensitive personal information not included; this transfer included."),
        min_value=0,
        max_value=COUNT_MAX,
        initial=0,
    )
    sensitive_pi_count = forms.IntegerField(
        label=_("Individuals whose sensitive personal information was sent abroad since 1 January"),
        min_value=0,
        max_value=COUNT_MAX,
        initial=0,
    )
    cii_operator = forms.BooleanField(
        label=_("We operate critical information infrastructure"), required=False
    )
    important_data = forms.BooleanField(label=_("The data includes important data"), required=False)

    def __init__(self, *args, enterprises, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises
        self.fields["scenario"].choices = _scenario_choices()
        self.fields["categories"].choices = [(code, term.name) for code, term in CATEGORIES.items()]


class FilingForm(forms.Form):
    transfer_plan = forms.CharField(
        label=_("Transfer plan: what is sent, when, how and to whom"),
        max_length=TEXT_MAX,
        widget=forms.Textarea,
    )
    evidence = forms.FileField(
        label=_("Evidence (PDF, PNG or JPEG): the contract, the assessment report"),
        required=False,
    )


class ActionForm(forms.Form):
    action = forms.CharField(max_length=20)
    reason = forms.CharField(max_length=TEXT_MAX, required=False, widget=forms.Textarea)


class ClearanceForm(forms.Form):
    scenario = forms.ChoiceField(label=_("Scenario"))
    category = forms.ChoiceField(label=_("Data category"))
    resource = forms.IntegerField(
        label=_("Catalogue entry number (empty: the whole category)"),
        required=False,
        min_value=1,
        max_value=2**62,
    )
    conditions = forms.CharField(label=_("Conditions"), max_length=TEXT_MAX, widget=forms.Textarea)
    conditions_en = forms.CharField(
        label=_("Conditions in English"), max_length=TEXT_MAX, required=False, widget=forms.Textarea
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenario"].choices = _scenario_choices()
        # Negative-list items are offered too: the service refuses them with the rule named.
        self.fields["category"].choices = [(code, term.name) for code, term in CATEGORIES.items()]
