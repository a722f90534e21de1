"""API for grants: thin views over grading.selectors and grading.services."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from grading import selectors, services
from grading.api import serializers as s
from portal.pagination import ProductCursorPagination


class GrantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Grants: the caller's own, and those the caller's agency issued."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.GrantOut
    pagination_class = ProductCursorPagination

    def get_queryset(self):
        return selectors.grant_queryset(user=self.request.user)

    @extend_schema(request=s.ReasonIn, responses={200: s.GrantOut})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Revoke a grant at once, stating the reason."""
        grant = self.get_object()
        data = s.ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        grant = services.grant_revoke(
            actor=request.user,
            grant=grant,
            reason=data.validated_data["reason"],
        )
        # Read again through the selector: only the resources the caller may see now.
        fresh = self.get_queryset().get(pk=grant.pk)
        return Response(s.GrantOut(fresh).data)
