"""Read-only API views: thin wrappers around the selectors."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import filters, viewsets

from catalog import selectors
from catalog.api import pagination, serializers
from catalog.api.schema import DETAIL_ERRORS, LIST_ERRORS
from catalog.filters import ProductFilter, ResourceFilter


@extend_schema_view(
    list=extend_schema(
        responses={200: serializers.ResourceListSerializer(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(responses={200: serializers.ResourceDetailSerializer, **DETAIL_ERRORS}),
)
class ResourceViewSet(viewsets.ReadOnlyModelViewSet):
    """Data resources the caller may see: open and conditional entries for everyone, more for
    staff. ``download_url`` appears only where the caller may download."""

    # The paginator appends ``-id`` to any ordering, so pages are stable and keyset-able.
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_class = ResourceFilter
    ordering_fields = ["modified", "title", "record_count"]
    ordering = ["-modified", "-id"]
    pagination_class = pagination.CatalogCursorPagination

    def get_queryset(self):
        queryset = selectors.resource_queryset(user=self.request.user)
        if self.action == "retrieve":
            return queryset.prefetch_related("fields", "distributions")
        return queryset.prefetch_related("distributions")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.ResourceDetailSerializer
        return serializers.ResourceListSerializer


@extend_schema_view(
    list=extend_schema(responses={200: serializers.ProductSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: serializers.ProductSerializer, **DETAIL_ERRORS}),
)
class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    """Listed data products (and, for the provider's staff, their unlisted ones)."""

    serializer_class = serializers.ProductSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProductFilter
    pagination_class = pagination.ProductCursorPagination

    def get_queryset(self):
        return selectors.product_queryset(user=self.request.user)


@extend_schema_view(
    list=extend_schema(
        responses={200: serializers.OrganizationSerializer(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(responses={200: serializers.OrganizationSerializer, **DETAIL_ERRORS}),
)
class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """Agencies and enterprises, with the number of resources the caller may see."""

    serializer_class = serializers.OrganizationSerializer
    lookup_field = "code"
    filter_backends = []
    pagination_class = pagination.NameCursorPagination

    def get_queryset(self):
        return selectors.organization_queryset(user=self.request.user)


@extend_schema_view(
    list=extend_schema(responses={200: serializers.ThemeSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: serializers.ThemeSerializer, **DETAIL_ERRORS}),
)
class ThemeViewSet(viewsets.ReadOnlyModelViewSet):
    """Data domains (themes), with the number of resources the caller may see."""

    serializer_class = serializers.ThemeSerializer
    lookup_field = "code"
    filter_backends = []
    pagination_class = pagination.NameCursorPagination

    def get_queryset(self):
        return selectors.theme_queryset(user=self.request.user)
