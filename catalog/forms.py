"""Query parameters of the machine-readable catalogue, checked before anything is read."""

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _


class CatalogQueryForm(forms.Form):
    """``page`` (from 1), ``modified_since`` (an ISO 8601 date or date-time) and ``q``."""

    page = forms.IntegerField(min_value=1, max_value=10**7, required=False)
    modified_since = forms.CharField(max_length=40, required=False)
    q = forms.CharField(max_length=settings.CATALOG_MAX_QUERY_LENGTH, required=False)

    def clean_page(self) -> int:
        return self.cleaned_data["page"] or 1

    def clean_modified_since(self) -> dt.date | None:
        text = self.cleaned_data["modified_since"].strip()
        if not text:
            return None
        try:
            moment = parse_datetime(text)
            if moment is not None and timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            day = moment.date() if moment else parse_date(text)
        except ValueError:
            day = None
        if day is None:
            raise forms.ValidationError(_("Give an ISO 8601 date such as 2026-01-31."))
        return day

    def error_text(self) -> str:
        """The errors as one line, each named by its parameter."""
        return "; ".join(f"{name}: {' '.join(errors)}" for name, errors in self.errors.items())
