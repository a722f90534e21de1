"""Forms of the agency workspace: they check the shape of the input; the services decide."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Distribution, Field, Organization, Resource, Theme
from catalog.publishing.checks import CODE_IN_USE, code_in_use
from catalog.publishing.metadata import AGENCY_METADATA as METADATA
from grading.grades import Grade, Tier


class ResourceForm(forms.ModelForm):
    """Metadata and tier of an entry (the grade follows its data dictionary)."""

    class Meta:
        model = Resource
        fields = METADATA

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.order_by("position", "code")
        self.fields["tier"].choices = Tier.choices

    def metadata(self) -> dict:
        return {name: self.cleaned_data[name] for name in METADATA}


class ResourceCreateForm(ResourceForm):
    """A new entry: also its agency (one the caller edits for) and its catalogue code."""

    provider = forms.ModelChoiceField(Organization.objects.none(), label=_("Agency"))
    code = forms.CharField(label=_("Catalogue code"), max_length=64)

    class Meta(ResourceForm.Meta):
        fields = ("provider", "code", *METADATA)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Organization.objects.filter(pk__in=agencies)
        self.order_fields(["provider", "code", *METADATA])
        # An editor of one agency has nothing to choose: that agency is chosen for them.
        agencies = list(agencies)
        if len(agencies) == 1 and not self.is_bound:
            only = agencies[0]
            self.initial.setdefault("provider", getattr(only, "pk", only))

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if code_in_use(Resource, code):
            raise forms.ValidationError(CODE_IN_USE)
        return code

    def _post_clean(self):
        # The service validates the whole entry; the form only checks its own fields.
        pass


class FieldForm(forms.Form):
    """One item of the data dictionary (信息项)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    name_en = forms.SlugField(label=_("English name"), max_length=100)
    data_type = forms.ChoiceField(label=_("Type"), choices=Field.DataType.choices)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    grade = forms.ChoiceField(label=_("Security grade"), choices=Grade.choices)


# The whole data dictionary on one page: the present fields and three empty rows, each with a
# "remove" box; saved in one go by ``resource_update(fields=...)`` (one grade, one ceiling check).
class DictionaryRowForm(FieldForm):
    """A row of the dictionary page: its lists start empty, so that an empty row a browser
    sends back (with the lists' first options selected otherwise) counts as unchanged."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("data_type", "grade"):
            field = self.fields[name]
            field.choices = [("", "—"), *field.choices]


FieldFormSet = forms.formset_factory(DictionaryRowForm, extra=3, can_delete=True, max_num=500)


def dictionary_rows(formset) -> list[dict]:
    """The fields a valid ``FieldFormSet`` keeps, in order: every filled-in row not marked for
    removal (empty extra rows are left out)."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        rows.append({name: data[name] for name in FieldForm.base_fields})
    return rows


class LinkForm(forms.Form):
    """An API endpoint or an external link."""

    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(
        label=pgettext_lazy("distribution kind", "Kind"),
        choices=[(Distribution.Kind.API, _("API")), (Distribution.Kind.LINK, _("Link"))],
    )
    url = forms.URLField(label=_("URL"), max_length=200, assume_scheme="https")
    fmt = forms.CharField(label=_("Format"), max_length=20, required=False)


class UploadForm(forms.Form):
    """A file: a new distribution, or the next version of one."""

    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Formats: %(formats)s (CSV in UTF-8 or GBK), at most %(mb)s MB. Tables are checked "
            "against the data dictionary."
        ) % {
            "formats": ", ".join(f.upper() for f in settings.UPLOAD_ALLOWED_FORMATS),
            "mb": round(settings.UPLOAD_MAX_BYTES / (1024 * 1024), 1),
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea)
