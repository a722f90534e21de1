"""Product writes: operators register and submit products; platform staff review them.

The read side is ``views.ProductViewSet``; this adds the writes on the same routes. Who may do
what is the policy's question (asked inside the services); this module only translates."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.response import Response

from catalog.api.serializers import ProductSerializer
from catalog.api.views import ProductViewSet
from catalog.models import Organization, Product, Theme, UpdateCycle
from catalog.publishing.products import product_review, product_save, product_submit
from grading import policy

# Error statuses are declared for every operation by catalog.api.schema.declare_errors.


class ProductIn(serializers.Serializer):
    provider = serializers.SlugRelatedField(slug_field="code", queryset=Organization.objects)
    code = serializers.SlugField(max_length=64)
    name = serializers.CharField(max_length=300)
    name_en = serializers.CharField(max_length=300, required=False, default="")
    description = serializers.CharField(required=False, default="", allow_blank=True)
    description_en = serializers.CharField(required=False, default="", allow_blank=True)
    product_type = serializers.ChoiceField(choices=Product.Type.choices)
    theme = serializers.SlugRelatedField(
        slug_field="code", queryset=Theme.objects, required=False, allow_null=True
    )
    source_resources = serializers.ListField(child=serializers.IntegerField(min_value=1))
    # Drafts may be incomplete; submission names whatever listing still needs.
    scenarios = serializers.ListField(
        child=serializers.CharField(max_length=500, allow_blank=True), default=list
    )
    delivery = serializers.ChoiceField(choices=Product.Delivery.choices)
    update_frequency = serializers.ChoiceField(choices=UpdateCycle.choices)
    purpose = serializers.ChoiceField(choices=Product.Purpose.choices)
    price_terms = serializers.CharField(
        max_length=300, required=False, default="", allow_blank=True
    )
    price = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )


class ReviewIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=["start", "list", "reject", "delist"])
    reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=4000)
    compliance_passed = serializers.BooleanField(default=False)
    quality_passed = serializers.BooleanField(default=False)


class ProductWriteViewSet(ProductViewSet):
    """Data products: listed ones for everyone; operators under an agreement register, edit
    and submit theirs; platform staff review, list, reject and delist."""

    def get_permissions(self):
        if self.request.method in SAFE_METHODS:
            return super().get_permissions()
        return [IsAuthenticated()]

    def _sources(self, ids):
        found = list(policy.viewable(self.request.user).filter(pk__in=ids))
        if len(found) != len(set(ids)):
            raise exceptions.ValidationError({"source_resources": [_("No such resource.")]})
        return found

    def _save(self, request, product=None):
        data = ProductIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        organization = fields.pop("provider")
        theme = fields.pop("theme", None)
        fields["theme_id"] = theme.pk if theme else None
        sources = self._sources(fields.pop("source_resources"))
        return product_save(
            actor=request.user,
            organization=organization,
            data=fields,
            sources=sources,
            product=product,
        )

    @extend_schema(request=ProductIn, responses={201: ProductSerializer})
    def create(self, request):
        product = self._save(request)
        return Response(self._out(product), status=status.HTTP_201_CREATED)

    @extend_schema(request=ProductIn, responses={200: ProductSerializer})
    def update(self, request, pk=None):
        product = self._save(request, product=self.get_object())
        return Response(self._out(product))

    @extend_schema(request=None, responses={200: ProductSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit for listing; every unmet condition is named in the 400."""
        product = product_submit(actor=request.user, product=self.get_object())
        return Response(self._out(product))

    @extend_schema(request=ReviewIn, responses={200: ProductSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Platform review: start, list (compliance and quality passed), reject or delist."""
        data = ReviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        product = product_review(
            actor=request.user,
            product=self.get_object(),
            **data.validated_data,
        )
        return Response(self._out(product))

    def _out(self, product):
        fresh = get_object_or_404(self.get_queryset(), pk=product.pk)
        return ProductSerializer(fresh, context=self.get_serializer_context()).data
