"""Resource writes for agency editors and reviewers: create and change entries, their data
dictionary and files, and move them through the publishing workflow.

The read side is ``views.ResourceViewSet``; this adds the writes on the same routes. The
services ask the policy (403) and check states (409); objects the caller may not see are 404.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.response import Response

from catalog.api.schema import ERROR, VALIDATION_ERROR
from catalog.api.serializers import FieldSerializer, ResourceDetailSerializer
from catalog.api.views import ResourceViewSet
from catalog.models import Distribution, Field, Organization, Theme, UpdateCycle
from catalog.publishing.dictionary import field_remove, field_save
from catalog.publishing.distributions import distribution_upload
from catalog.publishing.resources import (
    resource_create,
    resource_publish,
    resource_return,
    resource_submit,
    resource_update,
    resource_withdraw,
)
from catalog.publishing.uploads import UploadRejected, too_large_message
from grading.grades import Grade, Tier


class ResourceIn(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    title_en = serializers.CharField(max_length=300, required=False, allow_blank=True)
    abstract = serializers.CharField(max_length=20000)
    abstract_en = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    theme = serializers.SlugRelatedField(slug_field="code", queryset=Theme.objects)
    keywords = serializers.CharField(max_length=500, required=False, allow_blank=True)
    format = serializers.CharField(max_length=20)
    update_cycle = serializers.ChoiceField(choices=UpdateCycle.choices)
    tier = serializers.ChoiceField(choices=Tier.choices)
    open_conditions = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    spatial = serializers.CharField(max_length=200, required=False, allow_blank=True)
    temporal = serializers.CharField(max_length=200, required=False, allow_blank=True)
    license = serializers.CharField(max_length=200, required=False, allow_blank=True)
    record_count = serializers.IntegerField(min_value=0, max_value=2**53, required=False)


class ResourceCreateIn(ResourceIn):
    provider = serializers.SlugRelatedField(slug_field="code", queryset=Organization.objects)
    code = serializers.CharField(max_length=64)


class FieldIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    name_en = serializers.SlugField(max_length=100)
    data_type = serializers.ChoiceField(choices=Field.DataType.choices)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    grade = serializers.ChoiceField(choices=Grade.choices)


class ResourceReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class UploadIn(serializers.Serializer):
    file = serializers.FileField()
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    distribution = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="A file distribution of this resource: the upload becomes its next version.",
    )


UPLOAD_ERRORS = {
    400: OpenApiResponse(
        VALIDATION_ERROR,
        description="The file is damaged, in an unsupported encoding, or fails the data "
        "dictionary (``file`` lists the errors by row and field).",
    ),
    413: OpenApiResponse(ERROR, description="The file is larger than the upload limit."),
    415: OpenApiResponse(
        ERROR, description="The format is not accepted, or the content does not match it."
    ),
}


class ResourceWriteViewSet(ResourceViewSet):
    """Data resources: what the caller may see for everyone; editors of the providing agency
    create and change entries, their dictionary and files, and submit them; reviewers of the
    agency return, publish and withdraw them."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_permissions(self):
        if self.request.method in SAFE_METHODS:
            return super().get_permissions()
        return [IsAuthenticated()]

    def _out(self, resource, code=status.HTTP_200_OK):
        fresh = get_object_or_404(
            self.get_queryset().prefetch_related("fields", "distributions"), pk=resource.pk
        )
        context = self.get_serializer_context()
        return Response(ResourceDetailSerializer(fresh, context=context).data, status=code)

    def _field_out(self, field):
        return FieldSerializer(field, context=self.get_serializer_context()).data

    @extend_schema(request=ResourceCreateIn, responses={201: ResourceDetailSerializer})
    def create(self, request):
        """Create a draft entry for an agency the caller edits for."""
        data = ResourceCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        resource = resource_create(actor=request.user, **fields)
        return self._out(resource, status.HTTP_201_CREATED)

    def _update(self, request, partial: bool):
        resource = self.get_object()
        data = ResourceIn(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        resource_update(actor=request.user, resource=resource, data=dict(data.validated_data))
        return self._out(resource)

    @extend_schema(request=ResourceIn, responses={200: ResourceDetailSerializer})
    def update(self, request, pk=None):
        """Replace the metadata and tier (a tier above the grade's ceiling is refused)."""
        return self._update(request, partial=False)

    @extend_schema(request=ResourceIn, responses={200: ResourceDetailSerializer})
    def partial_update(self, request, pk=None):
        """Change some of the metadata and the tier."""
        return self._update(request, partial=True)

    @extend_schema(request=FieldIn, responses={201: FieldSerializer})
    @action(detail=True, methods=["post"], url_path="fields")
    def add_field(self, request, pk=None):
        """Add a data-dictionary field; the entry's grade follows (the ceiling holds)."""
        resource = self.get_object()
        data = FieldIn(data=request.data)
        data.is_valid(raise_exception=True)
        field = field_save(actor=request.user, resource=resource, data=dict(data.validated_data))
        return Response(self._field_out(field), status=status.HTTP_201_CREATED)

    @extend_schema(request=FieldIn, responses={200: FieldSerializer, 204: None})
    @action(detail=True, methods=["put", "delete"], url_path=r"fields/(?P<name_en>[^/]+)")
    def field(self, request, pk=None, name_en=None):
        """Replace (PUT) or remove (DELETE) the field with this English name."""
        resource = self.get_object()
        field = get_object_or_404(Field, resource=resource, name_en=name_en)
        if request.method == "DELETE":
            field_remove(actor=request.user, field=field)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = FieldIn(data=request.data)
        data.is_valid(raise_exception=True)
        field = field_save(
            actor=request.user, resource=resource, data=dict(data.validated_data), field=field
        )
        return Response(self._field_out(field))

    @extend_schema(
        request={"multipart/form-data": UploadIn},
        responses={201: ResourceDetailSerializer, **UPLOAD_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="distributions")
    def upload(self, request, pk=None):
        """Upload a file (multipart): a new distribution, or the next version of one. The file
        is checked (size, format, content, encoding, rows against the dictionary) first."""
        resource = self.get_object()
        data = UploadIn(data=request.data)
        if getattr(request._request, "upload_too_large", False):
            return _rejected(too_large_message(), status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        data.is_valid(raise_exception=True)
        distribution = None
        if "distribution" in data.validated_data:
            distribution = get_object_or_404(
                Distribution,
                resource=resource,
                pk=data.validated_data["distribution"],
                kind=Distribution.Kind.FILE,
            )
        try:
            distribution_upload(
                actor=request.user,
                resource=resource,
                upload=data.validated_data["file"],
                title=data.validated_data.get("title", ""),
                distribution=distribution,
            )
        except UploadRejected as exc:
            return _upload_refused(exc)
        return self._out(resource, status.HTTP_201_CREATED)

    def _move(self, request, service, **extra):
        resource = self.get_object()
        service(actor=request.user, resource=resource, **extra)
        return self._out(resource)

    @extend_schema(request=None, responses={200: ResourceDetailSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a draft for review (editors of the agency)."""
        return self._move(request, resource_submit)

    @extend_schema(request=ResourceReasonIn, responses={200: ResourceDetailSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_editors(self, request, pk=None):
        """Return a submitted entry to its editors with a reason (reviewers of the agency)."""
        data = ResourceReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        return self._move(request, resource_return, **data.validated_data)

    @extend_schema(request=None, responses={200: ResourceDetailSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a submitted entry (reviewers of the agency)."""
        return self._move(request, resource_publish)

    @extend_schema(request=ResourceReasonIn, responses={200: ResourceDetailSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a published entry with a reason (reviewers of the agency)."""
        data = ResourceReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        return self._move(request, resource_withdraw, **data.validated_data)


def _rejected(message: str, code: int) -> Response:
    return Response({"detail": str(message)}, status=code)


def _upload_refused(exc: UploadRejected) -> Response:
    message = " ".join(exc.messages)
    if exc.status != 400:
        return _rejected(message, exc.status)
    details = [
        _("row %(row)s, %(field)s: %(message)s")
        % {
            "row": e.row if e.row is not None else "—",
            "field": e.field or "—",
            "message": e.message,
        }
        for e in exc.row_errors
    ]
    return Response({"detail": message, "file": [message, *details]}, status=400)
