"""API for the showcase of applications built on open data: listed ones for everyone, a
submission for signed-in callers, review for platform administrators. Thin views over
``grading.showcase.selectors`` and ``.services``; the policy decides inside the services."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog.api.schema import ERROR
from catalog.models import Resource
from grading import policy
from grading.models import Showcase
from grading.showcase import selectors, services
from portal.pagination import ProductCursorPagination


class ShowcaseIn(serializers.Serializer):
    title = serializers.CharField(max_length=services.TITLE_MAX)
    title_en = serializers.CharField(
        max_length=services.TITLE_MAX, required=False, allow_blank=True, default=""
    )
    description = serializers.CharField(max_length=services.TEXT_MAX)
    url = serializers.CharField(max_length=services.URL_MAX)
    sources = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=services.SOURCES_MAX,
    )


class ShowcaseReviewIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(services.STEPS))
    reason = serializers.CharField(
        max_length=services.TEXT_MAX, required=False, allow_blank=True, default=""
    )


class ShowcaseSource(serializers.ModelSerializer):
    class Meta:
        model = Resource
        fields = ["id", "code", "title"]


class ShowcaseOut(serializers.ModelSerializer):
    sources = ShowcaseSource(many=True, read_only=True)
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Showcase
        fields = [
            "id",
            "title",
            "title_en",
            "description",
            "url",
            "sources",
            "status",
            "status_label",
            "reason",
            "listed_at",
            "created_at",
        ]


class ShowcaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Applications built on open data (应用成果): listed ones are public; a submitter also
    sees their own submissions, platform staff every one."""

    serializer_class = ShowcaseOut
    pagination_class = ProductCursorPagination

    def get_queryset(self):
        if self.action == "list":
            return selectors.listed_showcases(user=self.request.user)
        return selectors.showcase_queryset(user=self.request.user)

    @extend_schema(
        request=ShowcaseIn,
        responses={
            201: ShowcaseOut,
            409: OpenApiResponse(ERROR, description="The same showcase was just submitted."),
        },
    )
    def create(self, request):
        """Submit an application built on open data, naming the open entries it uses; it is
        listed after review by the platform."""
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        data = ShowcaseIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        ids = set(fields.pop("sources"))
        sources = list(policy.showcase_sources(request.user).filter(pk__in=ids))
        if len(sources) != len(ids):
            raise exceptions.ValidationError({"sources": [_("Only open data can be linked.")]})
        try:
            showcase = services.showcase_submit(actor=request.user, data=fields, sources=sources)
        except services.DuplicateShowcase:
            return Response(
                {"detail": _("This showcase was already submitted.")},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(self._out(showcase), status=status.HTTP_201_CREATED)

    def _out(self, showcase) -> dict:
        fresh = selectors.showcase_detail(user=self.request.user, pk=showcase.pk)
        return ShowcaseOut(fresh).data

    @extend_schema(
        request=ShowcaseReviewIn,
        responses={
            200: ShowcaseOut,
            409: OpenApiResponse(
                ERROR, description="Not in a state this starts from; ``current_state`` says which."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Platform administrators: list or reject a submission (a reason for rejecting), or
        withdraw a listed showcase (with its reason)."""
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        showcase = self.get_object()
        data = ShowcaseReviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.showcase_review(actor=request.user, showcase=showcase, **data.validated_data)
        return Response(self._out(showcase))
