"""Forms for the feedback pages (input only; ``grading.feedback`` validates the rules)."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from grading.feedback.selectors import agencies
from grading.feedback.services import TEXT_MAX, TITLE_MAX

# A field people never see (hidden by the style sheet, skipped by keyboard and screen readers);
# a form that fills it in was filled in by a program.
HONEYPOT = "website"


class FeedbackForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency addressed"), queryset=None, required=False)
    title = forms.CharField(label=_("Subject"), max_length=TITLE_MAX)
    text = forms.CharField(label=_("Details"), max_length=TEXT_MAX, widget=forms.Textarea)
    evidence = forms.FileField(
        label=_("Evidence (PDF, PNG or JPEG, optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, with_agency: bool = False, with_evidence: bool = False, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("submission_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        if with_agency:
            self.fields["agency"].queryset = agencies()
            self.fields["agency"].required = True
        else:
            del self.fields["agency"]
        if not with_evidence:
            del self.fields["evidence"]

    def clean_website(self):
        if self.cleaned_data.get(HONEYPOT):
            raise forms.ValidationError(_("This submission looks automated and was not stored."))
        return ""


class FeedbackActionForm(forms.Form):
    action = forms.CharField(max_length=20)
    text = forms.CharField(max_length=TEXT_MAX, required=False, widget=forms.Textarea)
