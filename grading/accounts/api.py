"""``/api/v1/api-keys/``: list, create and revoke the caller's own API keys."""

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from grading.accounts import apikeys
from grading.models import APIKey
from portal.pagination import ProductCursorPagination


class APIKeySerializer(serializers.ModelSerializer):
    """A key as listed: never its secret."""

    active = serializers.SerializerMethodField()

    class Meta:
        model = APIKey
        fields = [
            "id",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
            "active",
        ]

    def get_active(self, key) -> bool:
        live = key.expires_at is None or key.expires_at > timezone.now()
        return key.revoked_at is None and live


class APIKeyCreatedSerializer(APIKeySerializer):
    """A key just created, with the full key text: shown this once and never again."""

    key = serializers.CharField(
        help_text="The full key. It is not stored and cannot be shown again."
    )

    class Meta(APIKeySerializer.Meta):
        fields = [*APIKeySerializer.Meta.fields, "key"]


class APIKeyInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class APIKeyPagination(ProductCursorPagination):
    """Newest first; a bad cursor is a 400 like everywhere else in the API."""

    page_size = 50


UNAUTHORIZED = {
    401: OpenApiResponse(description="Not signed in, or a bad, expired or revoked key.")
}


@extend_schema_view(
    list=extend_schema(responses={200: APIKeySerializer(many=True), **UNAUTHORIZED}),
    retrieve=extend_schema(
        responses={200: APIKeySerializer, 404: OpenApiResponse(description="Not your key.")}
    ),
)
class APIKeyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's own API keys. A key is sent as ``Authorization: Token <key>`` or
    ``X-API-Key: <key>`` and acts as its user."""

    serializer_class = APIKeySerializer
    permission_classes = [IsAuthenticated]
    pagination_class = APIKeyPagination
    filter_backends = []

    def get_queryset(self):
        return apikeys.api_keys_of(user=self.request.user)

    @extend_schema(
        request=APIKeyInputSerializer,
        responses={
            201: APIKeyCreatedSerializer,
            400: OpenApiResponse(description="Missing or bad name or expiry."),
            403: OpenApiResponse(description="Keys are created while signed in, not with a key."),
        },
    )
    def create(self, request):
        """Create a key; the response carries the full key, shown this once."""
        data = APIKeyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key, text = apikeys.api_key_create(
            user=request.user,
            using_key=isinstance(request.auth, APIKey),
            **data.validated_data,
        )
        key.key = text
        return Response(APIKeyCreatedSerializer(key).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: APIKeySerializer, 404: OpenApiResponse(description="Not your key.")},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Revoke a key at once; calls with it answer 401 from then on."""
        try:
            key = apikeys.api_key_revoke(user=request.user, key_id=int(pk))
        except (APIKey.DoesNotExist, ValueError):
            raise NotFound() from None
        return Response(APIKeySerializer(key).data)


class APIKeyScheme(OpenApiAuthenticationExtension):
    """Describes the key in the OpenAPI schema, so the docs' “Authorize” button can send it."""

    target_class = "grading.accounts.apikeys.APIKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": apikeys.HEADER}
