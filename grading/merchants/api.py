"""API for data merchants: the public directory (verified merchants) and one merchant with its
listed products; registration by an enterprise's staff; the platform's decisions. Thin views
over ``grading.merchants``; who may do what is the policy's question (asked in the services)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.response import Response

from catalog.models import Organization
from grading.merchants import selectors, services
from grading.models import DataMerchant, MerchantCategory
from portal import links
from portal.pagination import ProductCursorPagination

# Error statuses are declared for every operation by catalog.api.schema.declare_errors.


class RegistrationIn(serializers.Serializer):
    organization = serializers.SlugField(max_length=40, help_text="The enterprise's code.")
    categories = serializers.MultipleChoiceField(choices=MerchantCategory.choices)
    description = serializers.CharField(max_length=services.TEXT_MAX)
    services = serializers.CharField(max_length=services.TEXT_MAX)
    contact_name = serializers.CharField(max_length=100)
    contact_email = serializers.EmailField()
    contact_phone = serializers.CharField(max_length=40, required=False, default="")
    evidence = serializers.FileField(
        required=False, allow_null=True, help_text="PDF, PNG or JPEG; needed the first time."
    )


class MerchantActIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=services.ADMIN_ACTIONS)
    reason = serializers.CharField(max_length=services.TEXT_MAX, required=False, default="")


class MerchantOut(serializers.ModelSerializer):
    code = serializers.CharField(source="organization.code")
    name = serializers.CharField(source="organization.name")
    name_en = serializers.CharField(source="organization.name_en")
    region = serializers.CharField(source="organization.region")
    categories = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()

    class Meta:
        model = DataMerchant
        fields = [
            "code",
            "name",
            "name_en",
            "region",
            "categories",
            "description",
            "services",
            "contact_name",
            "contact_email",
            "contact_phone",
            "status",
            "verified_at",
            "page",
        ]

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=MerchantCategory.choices))
    )
    def get_categories(self, merchant) -> list[str]:
        return [choice.category for choice in merchant.categories.all()]

    def get_page(self, merchant) -> str:
        return links.absolute(f"/merchants/{merchant.organization.code}/")


class ProductRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    pricing_method = serializers.CharField()


class MerchantDetailOut(MerchantOut):
    products = serializers.SerializerMethodField()

    class Meta(MerchantOut.Meta):
        fields = [*MerchantOut.Meta.fields, "products"]

    @extend_schema_field(ProductRefOut(many=True))
    def get_products(self, merchant) -> list:
        rows = selectors.merchant_products(user=self.context["request"].user, merchant=merchant)
        return ProductRefOut(rows[:100], many=True).data


FILTERS = [
    OpenApiParameter("category", str, enum=MerchantCategory.values, description="A category."),
    OpenApiParameter("region", str, description="The region, exactly."),
    OpenApiParameter("q", str, description="Part of the merchant's name."),
]
CONFLICT = OpenApiResponse(
    description="The enterprise is already registered (not returned for correction); "
    "``current_state`` says in which state."
)


class DirectoryQuery(serializers.Serializer):
    category = serializers.ChoiceField(choices=MerchantCategory.choices, required=False)
    region = serializers.CharField(max_length=100, required=False, default="")
    q = serializers.CharField(max_length=100, required=False, default="")


class MerchantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Data merchants (数商): verified ones for everyone; an enterprise's staff also see their
    own registration, platform staff every registration."""

    serializer_class = MerchantOut
    pagination_class = ProductCursorPagination
    lookup_field = "organization__code"
    lookup_url_kwarg = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_permissions(self):
        if self.request.method in SAFE_METHODS:
            return super().get_permissions()
        return [IsAuthenticated()]

    def get_queryset(self):
        if self.action == "list":
            query = DirectoryQuery(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            return selectors.directory(**{"category": "", **query.validated_data})
        return selectors.merchant_queryset(user=self.request.user)

    def get_serializer_class(self):
        return MerchantDetailOut if self.action == "retrieve" else MerchantOut

    @extend_schema(parameters=FILTERS)
    def list(self, request, *args, **kwargs):
        """Verified data merchants, newest first; by category, region and name."""
        return super().list(request, *args, **kwargs)

    @extend_schema(request=RegistrationIn, responses={201: MerchantOut, 409: CONFLICT})
    def create(self, request):
        """Register one's enterprise (a verified enterprise) as a data merchant, or resubmit a
        registration returned for correction. Evidence: PDF, PNG or JPEG."""
        data = RegistrationIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        organization = Organization.objects.filter(code=fields.pop("organization")).first()
        if organization is None:
            raise exceptions.ValidationError({"organization": [_("No such enterprise.")]})
        evidence = fields.pop("evidence", None)
        fields["categories"] = sorted(fields["categories"])
        merchant = services.merchant_register(
            actor=request.user,
            organization=organization,
            data=services.Registration(**fields),
            evidence=evidence,
        )
        return Response(MerchantOut(merchant).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MerchantActIn, responses={200: MerchantOut})
    @action(detail=True, methods=["post"])
    def transition(self, request, code=None):
        """Verify, return, suspend, reinstate or revoke a registration (platform
        administrators; a reason to return, suspend or revoke)."""
        merchant = self.get_object()
        data = MerchantActIn(data=request.data)
        data.is_valid(raise_exception=True)
        merchant = services.merchant_act(
            actor=request.user, merchant=merchant, **data.validated_data
        )
        fresh = get_object_or_404(self.get_queryset(), pk=merchant.pk)
        return Response(MerchantOut(fresh).data)
