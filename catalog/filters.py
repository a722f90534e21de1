"""FilterSets for the catalogues. They narrow a queryset that is already ``visible_to(user)``;
they never widen it. Unknown values are errors (400), not silently ignored.

Every catalogue list, export and API list validates its query string with these and hands the
cleaned values to the search engine (``catalog.search.catalogue.resource_match`` /
``product_match``), which does the matching, ``q`` included. ``q`` is therefore only validated
here: the database holds no full-text index to match it against."""

import django_filters
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Organization, Product, Resource, Theme, UpdateCycle
from grading import policy
from grading.grades import Grade, Tier


def _validate_query(value: str) -> None:
    if len(value) > settings.CATALOG_MAX_QUERY_LENGTH:
        raise ValidationError(
            _("The search text is too long (at most %(max)d characters).")
            % {"max": settings.CATALOG_MAX_QUERY_LENGTH}
        )


def _validate_score(value) -> None:
    if value is not None and not 0 <= value <= 100:
        raise ValidationError(_("A quality score is from 0 to 100."))


class ResourceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", label=_("Search"), validators=[_validate_query]
    )
    theme = django_filters.ModelChoiceFilter(
        queryset=Theme.objects.all(),
        to_field_name="code",
        method="filter_theme",
        label=_("Theme"),
    )
    provider = django_filters.ModelChoiceFilter(
        queryset=Organization.objects.all(), to_field_name="code", label=_("Provider")
    )
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("Openness tier"))
    grade = django_filters.ChoiceFilter(
        choices=Grade.choices, method="filter_grade", label=_("Security grade")
    )
    # Not "format": DRF reserves that name for choosing the response format.
    res_format = django_filters.CharFilter(
        field_name="format", lookup_expr="iexact", label=_("Format")
    )
    update_cycle = django_filters.ChoiceFilter(choices=UpdateCycle.choices, label=_("Update cycle"))
    min_quality = django_filters.NumberFilter(
        field_name="quality_score",
        lookup_expr="gte",
        label=_("Minimum quality score"),
        validators=[_validate_score],
    )
    high_value = django_filters.BooleanFilter(label=_("High-value dataset"))
    modified_after = django_filters.DateFilter(
        field_name="modified", lookup_expr="gte", label=_("Modified on or after")
    )

    class Meta:
        model = Resource
        fields = [
            "q",
            "theme",
            "provider",
            "tier",
            "grade",
            "res_format",
            "update_cycle",
            "min_quality",
            "high_value",
        ]

    def filter_q(self, queryset, name, value):
        """``q`` is matched by the search engine, not in SQL (see the module docstring)."""
        return queryset

    def filter_grade(self, queryset, name, value):
        # Grades are staff knowledge: a filter by grade would let anyone infer them, on the
        # page, in the API and in a kept export alike.
        if not policy.can_see_grades(getattr(self.request, "user", None)):
            raise PermissionDenied(
                _("Only agency and platform staff may filter by security grade.")
            )
        return queryset.filter(grade=value)

    def filter_theme(self, queryset, name, value):
        # A theme includes its sub-themes.
        return queryset.filter(Q(theme=value) | Q(theme__parent=value))


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", label=_("Search"), validators=[_validate_query]
    )
    product_type = django_filters.ChoiceFilter(choices=Product.Type.choices, label=_("Type"))
    provider = django_filters.ModelChoiceFilter(
        queryset=Organization.objects.all(), to_field_name="code", label=_("Provider")
    )
    theme = django_filters.ModelChoiceFilter(
        queryset=Theme.objects.all(), to_field_name="code", label=_("Theme")
    )
    delivery = django_filters.ChoiceFilter(choices=Product.Delivery.choices, label=_("Delivery"))
    purpose = django_filters.ChoiceFilter(choices=Product.Purpose.choices, label=_("Purpose"))

    class Meta:
        model = Product
        fields = ["q", "product_type", "provider", "theme", "delivery", "purpose"]

    def filter_q(self, queryset, name, value):
        """``q`` is matched by the search engine, not in SQL (see the module docstring)."""
        return queryset
