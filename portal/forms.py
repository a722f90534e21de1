"""One rendering for every form of the site (issue 17): the label above its field with a mark
when the field is required, the help text and the errors next to it (tied to the control with
``aria-describedby``, which Django adds), textareas of a sensible height, and choice lists that
start with a real prompt instead of "---------".

``PortalFormRenderer`` is ``settings.FORM_RENDERER``: ``{{ form }}`` and
``{{ field.as_field_group }}`` render through ``includes/form.html`` and ``includes/field.html``.
"""

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _

EMPTY_LABEL = _("Please choose")
DASHES = "---------"
TEXTAREA_ROWS = "4"


class PortalBoundField(BoundField):
    def __init__(self, form, field, name):
        tidy_field(field)
        super().__init__(form, field, name)


def tidy_field(field: forms.Field) -> None:
    """Adjust one form's own copy of ``field``: the empty choice and the textarea's height."""
    widget = field.widget
    if isinstance(widget, forms.Textarea) and str(widget.attrs.get("rows")) == "10":
        widget.attrs["rows"] = TEXTAREA_ROWS  # Django's default of 10 rows, 40 columns
        widget.attrs.pop("cols", None)
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DASHES:
            field.empty_label = EMPTY_LABEL
    elif isinstance(field, forms.ChoiceField) and not callable(getattr(field, "_choices", None)):
        # A list, or the blank-plus-choices iterator of a model field's choices.
        choices = list(field.choices)
        if choices and choices[0][0] in ("", None) and str(choices[0][1]) == DASHES:
            field.choices = [("", EMPTY_LABEL), *choices[1:]]


class PortalFormRenderer(DjangoTemplates):
    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"
    bound_field_class = PortalBoundField
