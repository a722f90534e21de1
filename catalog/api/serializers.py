"""Output serializers. They present what the selectors and the policy already decided (the
``may_download`` / ``may_query`` annotations); they never decide access themselves."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import (
    Distribution,
    Field,
    Organization,
    Product,
    ProductPrice,
    Resource,
    Theme,
)
from catalog.search.query import highlight
from grading import policy
from grading.grades import Grade
from portal import links

GRADE_HELP = (
    "Security grade; null unless the caller is agency or platform staff (the policy's "
    "``can_see_grades``)."
)


class SiteLinkField(serializers.HyperlinkedIdentityField):
    """The object's API link on ``SITE_URL``, whatever Host the caller sent."""

    def get_url(self, obj, view_name, request, format):
        path = super().get_url(obj, view_name, None, format)
        return None if path is None else links.absolute(path)


class GradeField(serializers.ChoiceField):
    """A security grade, written out only where the view put ``show_grades`` (the policy's
    answer for the caller) in the serializer context; null for everyone else."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", GRADE_HELP)
        super().__init__(choices=Grade.choices, allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value if self.context.get("show_grades", False) else None


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["code", "name", "name_en"]


class ThemeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["code", "name", "name_en"]


class FieldSerializer(serializers.ModelSerializer):
    grade = GradeField()

    class Meta:
        model = Field
        fields = ["name", "name_en", "data_type", "description", "grade"]


class DistributionSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField(
        help_text="Present only when the caller may download this file."
    )
    access_url = serializers.SerializerMethodField()

    class Meta:
        model = Distribution
        fields = [
            "id",
            "title",
            "kind",
            "format",
            "media_type",
            "byte_size",
            "sha256",
            "version",
            "access_url",
            "download_url",
        ]

    def get_download_url(self, obj) -> str | None:
        # ``may_download`` was computed in SQL by the policy for the parent resource (the
        # prefetch sets ``obj.resource`` to it, so this reads no row).
        if not policy.offers_download_link(obj.resource, obj):
            return None
        path = reverse("catalog:distribution-download", args=[obj.resource_id, obj.pk])
        return links.absolute(path)

    def get_access_url(self, obj) -> str | None:
        return obj.url or None


class ResourceListSerializer(serializers.ModelSerializer):
    url = SiteLinkField(view_name="api:resource-detail")
    page_url = serializers.SerializerMethodField()
    provider = OrganizationRefSerializer()
    theme = ThemeRefSerializer()
    keywords = serializers.ListField(source="keyword_list", child=serializers.CharField())
    tier_label = serializers.CharField(source="get_tier_display")
    grade = GradeField()
    may_download = serializers.BooleanField()
    may_query = serializers.BooleanField()
    distributions = DistributionSerializer(many=True, read_only=True)
    snippet = serializers.SerializerMethodField(
        help_text="With a search (`q`): the abstract around the first matched word, as escaped "
        "HTML with every matched word in <mark>; otherwise null."
    )

    class Meta:
        model = Resource
        fields = [
            "id",
            "url",
            "page_url",
            "code",
            "title",
            "title_en",
            "abstract",
            "provider",
            "theme",
            "keywords",
            "format",
            "update_cycle",
            "issued",
            "modified",
            "record_count",
            "tier",
            "tier_label",
            "grade",
            "authorized_operation",
            "high_value",
            "quality_score",
            "update_due",
            "status",
            "may_download",
            "may_query",
            "distributions",
            "snippet",
        ]

    def get_page_url(self, obj) -> str:
        return links.absolute(obj_url(obj))

    @extend_schema_field({"type": "string", "nullable": True})
    def get_snippet(self, resource) -> str | None:
        request = self.context.get("request")
        query = request.query_params.get("q", "").strip() if request is not None else ""
        return str(highlight(resource.display_abstract, query)) if query else None


def obj_url(obj) -> str:
    return reverse("catalog:resource-detail", args=[obj.pk])


class ResourceDetailSerializer(ResourceListSerializer):
    data_dictionary = FieldSerializer(source="fields", many=True, read_only=True)

    class Meta(ResourceListSerializer.Meta):
        fields = [
            *ResourceListSerializer.Meta.fields,
            "abstract_en",
            "open_conditions",
            "spatial",
            "temporal",
            "license",
            "quality_missing",
            "data_dictionary",
        ]


class ResourceRefSerializer(serializers.ModelSerializer):
    url = SiteLinkField(view_name="api:resource-detail")

    class Meta:
        model = Resource
        fields = ["id", "url", "code", "title", "title_en"]


class ProductSerializer(serializers.ModelSerializer):
    url = SiteLinkField(view_name="api:product-detail")
    provider = OrganizationRefSerializer()
    theme = ThemeRefSerializer(allow_null=True)
    source_resources = ResourceRefSerializer(many=True)
    scenarios = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Product
        fields = [
            "id",
            "url",
            "code",
            "name",
            "name_en",
            "description",
            "description_en",
            "product_type",
            "provider",
            "theme",
            "source_resources",
            "scenarios",
            "delivery",
            "update_frequency",
            "purpose",
            "price_terms",
            "price",
            "pricing_method",
            "status",
            "registration_code",
            "evidence_hash",
            "listed_at",
        ]


class ProductPriceSerializer(serializers.ModelSerializer):
    pricing_method = serializers.ChoiceField(
        source="method", choices=Product.PricingMethod.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = ProductPrice
        fields = ["price", "pricing_method", "terms", "reason", "changed_at"]


class ProductDetailSerializer(ProductSerializer):
    """One product with its price history (价格监测), newest change first."""

    price_history = ProductPriceSerializer(source="prices", many=True, read_only=True)

    class Meta(ProductSerializer.Meta):
        fields = [*ProductSerializer.Meta.fields, "price_history"]


class OrganizationSerializer(serializers.ModelSerializer):
    url = SiteLinkField(view_name="api:organization-detail", lookup_field="code")
    resource_count = serializers.IntegerField()

    class Meta:
        model = Organization
        fields = [
            "code",
            "url",
            "name",
            "name_en",
            "kind",
            "credit_code",
            "region",
            "homepage",
            "description",
            "resource_count",
        ]


class ThemeSerializer(serializers.ModelSerializer):
    url = SiteLinkField(view_name="api:theme-detail", lookup_field="code")
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    resource_count = serializers.IntegerField()

    class Meta:
        model = Theme
        fields = ["code", "url", "name", "name_en", "parent", "description", "resource_count"]


class RowFieldSerializer(serializers.ModelSerializer):
    grade = GradeField()
    visible = serializers.SerializerMethodField(
        help_text="False when the field's grade is above what the caller may see: its values "
        "are null and it cannot be filtered or sorted."
    )

    class Meta:
        model = Field
        fields = ["name", "name_en", "data_type", "grade", "visible"]

    def get_visible(self, obj) -> bool:
        return obj in self.context["visible"]


class RowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Line number in the file (1 = after the header).")
    data = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        help_text="Values keyed by English field name; null when empty or masked.",
    )


class RowPageSerializer(serializers.Serializer):
    """A page of a resource's rows (built from ``catalog.selectors.RowPage``)."""

    # The docstring is the published schema's description, kept word for word; ``RowPage``
    # now lives in ``catalog.rows.selectors``.

    resource = serializers.IntegerField(source="resource.pk")
    fields = serializers.SerializerMethodField(method_name="get_row_fields")
    row_count = serializers.IntegerField(
        source="table.row_count", help_text="Rows loaded (before filters)."
    )
    truncated = serializers.BooleanField(
        source="table.truncated", help_text="The file has more rows than were loaded."
    )
    notice = serializers.SerializerMethodField()
    next = serializers.URLField(allow_null=True)
    results = RowSerializer(source="rows", many=True)

    @extend_schema_field(RowFieldSerializer(many=True))
    def get_row_fields(self, obj):
        context = {"visible": obj.visible, "show_grades": self.context.get("show_grades", False)}
        return RowFieldSerializer(obj.fields, many=True, context=context).data

    def get_notice(self, obj) -> str | None:
        if not obj.table.truncated:
            return None
        return _("Only the first %(count)s rows of the file are loaded.") % {
            "count": f"{obj.table.row_count:,}"
        }
