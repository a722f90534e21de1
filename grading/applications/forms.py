"""Forms for the application pages (input only; the services validate the rules)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ApplicationForm(forms.Form):
    resources = forms.TypedMultipleChoiceField(
        label=_("Resources"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=4000, widget=forms.Textarea)
    scenario = forms.CharField(
        label=_("Application scenario"), max_length=4000, widget=forms.Textarea
    )
    want_download = forms.BooleanField(label=_("Download"), required=False)
    want_query = forms.BooleanField(label=_("Query"), required=False)
    term_days = forms.IntegerField(label=_("Term (days)"), min_value=1, initial=180)
    undertaking_accepted = forms.BooleanField(
        label=_(
            "I accept the security undertaking: the data is used only for the stated purpose and "
            "scenario, kept secure, not passed on, and deleted when the grant ends."
        ),
        required=False,
    )

    def __init__(self, *args, resources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resources"].choices = [(r.pk, r.display_title) for r in resources]
        self.fields["term_days"].max_value = settings.GRANT_MAX_DAYS


class ActionForm(forms.Form):
    action = forms.CharField(max_length=20)
    reason = forms.CharField(max_length=4000, required=False, widget=forms.Textarea)
