"""API for applications: thin views over grading.applications.selectors and .services."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from grading import policy
from grading.api import serializers as s
from grading.applications import selectors, services
from portal.pagination import ProductCursorPagination


class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Applications for conditional data: the caller's own, and those the caller reviews."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.ApplicationOut
    pagination_class = ProductCursorPagination

    def get_queryset(self):
        return selectors.application_queryset(user=self.request.user)

    @extend_schema(request=s.ApplicationIn, responses={201: s.ApplicationOut})
    def create(self, request):
        data = s.ApplicationIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        ids = fields.pop("resources")
        resources = list(policy.viewable(request.user).filter(pk__in=ids))
        if len(resources) != len(set(ids)):
            raise exceptions.ValidationError({"resources": [_("No such resource.")]})
        application = services.application_create(
            actor=request.user,
            resources=resources,
            data=fields,
            submit=fields.pop("submit"),
        )
        return Response(self._out(application), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TransitionIn, responses={200: s.ApplicationOut})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Act on an application: submit, withdraw, return, check, approve, reject,
        request_info, respond or accept (who may do which is the policy's question)."""
        application = self.get_object()
        data = s.TransitionIn(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_act(
            actor=request.user,
            application=application,
            action=data.validated_data["action"],
            reason=data.validated_data["reason"],
        )
        return Response(self._out(application))

    def _out(self, application) -> dict:
        """The application as the caller may see it now: read again through the selector, so
        its resources are limited to those the caller may see (a tier may have changed)."""
        fresh = selectors.application_detail(user=self.request.user, pk=application.pk)
        return s.ApplicationOut(fresh).data

    @extend_schema(responses={200: s.EventOut(many=True)})
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        """The application's audit events, oldest first."""
        events = selectors.timeline(application=self.get_object())
        return Response(s.EventOut(events, many=True).data)
