"""API for feedback: published answers for everyone, submissions (anonymous ones limited per
address), and the agency's answers and decisions. Thin views over ``grading.feedback``."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog.models import Resource
from grading import policy
from grading.feedback import selectors, services
from grading.models import Feedback
from portal.clients import client_ip
from portal.pagination import ProductCursorPagination

# Error statuses are declared for every operation by catalog.api.schema.declare_errors.


class FeedbackIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Feedback.Kind.choices)
    resource = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, allow_null=True
    )
    agency = serializers.SlugField(max_length=40, required=False, allow_blank=True)
    product = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        allow_null=True,
        help_text="A listed data product the complaint is about (kind complaint, no resource).",
    )
    title = serializers.CharField(max_length=services.TITLE_MAX)
    text = serializers.CharField(max_length=services.TEXT_MAX)
    evidence = serializers.FileField(required=False, allow_null=True)
    submission_key = serializers.CharField(max_length=64, required=False, allow_blank=True)


class FeedbackActIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(services.STEPS))
    text = serializers.CharField(max_length=services.TEXT_MAX)


class FeedbackOut(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Feedback
        fields = [
            "id",
            "kind",
            "status",
            "resource",
            "product",
            "agency",
            "title",
            "text",
            "answer",
            "answered_at",
            "created_at",
        ]


FILTERS = [
    OpenApiParameter("resource", int, description="Answers about this resource only."),
    OpenApiParameter("agency", str, description="Answers of this agency (its code) only."),
]


class FeedbackViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Feedback: answered corrections and data requests are public; a submitter and the staff
    of the agency addressed also see the rest of theirs."""

    serializer_class = FeedbackOut
    pagination_class = ProductCursorPagination

    def get_queryset(self):
        if self.action == "list":
            return self._filtered(selectors.public_feedback(user=self.request.user))
        return Feedback.objects.filter(policy.feedback_visible_q(self.request.user))

    def _filtered(self, rows):
        resource, agency = (self.request.query_params.get(k, "") for k in ("resource", "agency"))
        if resource:
            number = services.resource_number(resource)
            if number is None:
                message = _("A resource number of at most %(digits)s digits (0–9).") % {
                    "digits": services.RESOURCE_NUMBER_DIGITS
                }
                raise exceptions.ValidationError({"resource": [message]})
            rows = rows.filter(resource_id=number)
        return rows.filter(agency__code=agency) if agency else rows

    @extend_schema(parameters=FILTERS)
    def list(self, request, *args, **kwargs):
        """Published answers to corrections and data requests, newest first."""
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=FeedbackIn,
        responses={
            200: FeedbackOut,
            201: FeedbackOut,
            409: OpenApiResponse(
                description="Anonymous: a submission under this submission_key was already "
                "received (it is not returned)."
            ),
        },
    )
    def create(self, request):
        """Report an error, request data or (signed in) file a rights complaint, about a
        resource or a listed product (``product``). A ``submission_key`` resent by the same
        signed-in caller answers 200 with the first submission and stores nothing; resent
        anonymously it answers 409 and returns nothing
        (the key alone does not prove who sent the first one)."""
        if not request.user.is_authenticated and services.anonymous_limit_reached(
            address=client_ip(request)
        ):
            raise exceptions.Throttled()
        data = FeedbackIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        try:
            item, created = services.feedback_submit(
                actor=request.user,
                kind=fields["kind"],
                resource=self._resource(fields.get("resource")),
                product=self._product(fields.get("product")),
                agency=selectors.agencies().filter(code=fields.get("agency") or "").first(),
                title=fields["title"],
                text=fields["text"],
                evidence=fields.get("evidence"),
                submission_key=fields.get("submission_key") or None,
            )
        except services.AlreadyReceived:
            return Response(
                {"detail": _("This feedback was already received; it is with the agency.")},
                status=status.HTTP_409_CONFLICT,
            )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(FeedbackOut(item).data, status=code)

    def _resource(self, pk):
        if pk is None:
            return None
        found = Resource.objects.filter(policy.feedback_target_q(self.request.user), pk=pk)
        resource = found.select_related("provider").first()
        if resource is None:
            raise exceptions.ValidationError({"resource": [_("No such resource.")]})
        return resource

    def _product(self, pk):
        if pk is None:
            return None
        found = policy.viewable_products(self.request.user).filter(pk=pk).first()
        if found is None:
            raise exceptions.ValidationError({"product": [_("No such product.")]})
        return found

    @extend_schema(request=FeedbackActIn, responses={200: FeedbackOut})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Answer a correction or request, or uphold, dismiss or resolve a rights complaint
        (staff of the agency addressed)."""
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        item = self.get_object()
        data = FeedbackActIn(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.feedback_act(actor=request.user, feedback=item, **data.validated_data)
        return Response(FeedbackOut(item).data)
