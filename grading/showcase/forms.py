"""Forms for the showcase pages (input only; the services validate the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grading.showcase.services import TEXT_MAX, TITLE_MAX, URL_MAX


class ShowcaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    title_en = forms.CharField(label=_("English title"), max_length=TITLE_MAX, required=False)
    description = forms.CharField(
        label=_("Description"), max_length=TEXT_MAX, widget=forms.Textarea
    )
    url = forms.CharField(
        label=_("Web address"),
        max_length=URL_MAX,
        widget=forms.URLInput,
        help_text=_("Where the application can be seen or used: http:// or https://."),
    )
    sources = forms.TypedMultipleChoiceField(
        label=_("Open data it uses"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sources"].choices = [(r.pk, r.display_title) for r in sources]


class ReviewForm(forms.Form):
    action = forms.CharField(max_length=20)
    reason = forms.CharField(max_length=TEXT_MAX, required=False, widget=forms.Textarea)
