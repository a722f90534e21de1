"""The evaluation form: input only; the service checks the year against the agreement."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grading.models import AgreementEvaluation
from grading.operator.evaluations import MAX_TEXT


class EvaluationForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    rating = forms.ChoiceField(label=_("Rating"), choices=AgreementEvaluation.Rating.choices)
    text = forms.CharField(
        label=_("Assessment"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 5})
    )
