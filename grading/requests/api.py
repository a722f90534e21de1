"""API for requests for data products: thin views over ``grading.requests.selectors`` and
``.services``. Who may do what is the policy's question, asked inside the services; a step
from the wrong state answers 409 with ``current_state`` (``catalog.api.errors``)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from catalog.api.schema import ERROR
from grading import policy
from grading.api.serializers import EventOut
from grading.models import ProductRequest
from grading.requests import selectors, services
from portal.pagination import ProductCursorPagination

ID_MAX = 2**63 - 1
CONFLICT = OpenApiResponse(
    ERROR, description="Not in a state this starts from; ``current_state`` says which."
)
DUPLICATE = OpenApiResponse(
    ERROR, description="You already have an open request for this product, or just sent it."
)


class ProductRequestIn(serializers.Serializer):
    product = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    organization = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, required=False, allow_null=True, default=None
    )
    purpose = serializers.CharField(max_length=services.TEXT_MAX)
    scenario = serializers.CharField(max_length=services.TEXT_MAX)
    contact_name = serializers.CharField(max_length=100)
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    quantity = serializers.IntegerField(min_value=1, max_value=services.QUANTITY_MAX)
    unit = serializers.CharField(max_length=40)


class QuoteIn(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, max_value=services.AMOUNT_MAX
    )
    terms = serializers.CharField(
        max_length=services.TEXT_MAX, required=False, allow_blank=True, default=""
    )
    valid_until = serializers.DateField()


class RequestNoteIn(serializers.Serializer):
    reason = serializers.CharField(
        max_length=services.TEXT_MAX, required=False, allow_blank=True, default=""
    )


class RefusalIn(serializers.Serializer):
    reason = serializers.CharField(max_length=services.TEXT_MAX)


class ProductRequestOut(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name")
    provider = serializers.CharField(source="provider.code")
    requester = serializers.CharField(source="requester.username")
    requester_organization = serializers.CharField(
        source="requester_organization.code", allow_null=True, default=None
    )
    status_label = serializers.CharField(source="get_status_display")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ProductRequest
        fields = [
            "id",
            "product",
            "product_name",
            "provider",
            "requester",
            "requester_organization",
            "purpose",
            "scenario",
            "contact_name",
            "contact_phone",
            "contact_email",
            "quantity",
            "unit",
            "status",
            "status_label",
            "due_on",
            "overdue",
            "quote_amount",
            "quote_terms",
            "quote_valid_until",
            "reason",
            "created_at",
            "updated_at",
        ]

    def get_overdue(self, obj) -> bool:
        return services.is_overdue(obj)


def _step(body, description: str):
    """The schema of an action endpoint: POST /product-requests/{id}/<action>/ with ``body``."""
    responses = {200: ProductRequestOut, 409: CONFLICT}
    return extend_schema(request=body, responses=responses, description=description)


class ProductRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Requests for data products (申请使用/咨询): the caller's own, and those addressed to an
    organization the caller is staff of; platform staff see all."""

    permission_classes = [IsAuthenticated]
    serializer_class = ProductRequestOut
    pagination_class = ProductCursorPagination

    def get_queryset(self):
        return selectors.request_queryset(user=self.request.user)

    @extend_schema(request=ProductRequestIn, responses={201: ProductRequestOut, 409: DUPLICATE})
    def create(self, request):
        """Request a listed product, or enquire about it: purpose, scenario, contact (a phone
        number or an e-mail address), quantity and unit; the provider answers within the
        configured working days."""
        data = ProductRequestIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        product = policy.viewable_products(request.user).filter(pk=fields.pop("product")).first()
        if product is None:
            raise exceptions.ValidationError({"product": [_("No such product.")]})
        organization = self._organization(fields.pop("organization"))
        try:
            created = services.request_create(
                actor=request.user, product=product, data=fields, organization=organization
            )
        except services.DuplicateRequest as exc:
            return Response(_duplicate(exc), status=status.HTTP_409_CONFLICT)
        return Response(self._out(created), status=status.HTTP_201_CREATED)

    def _organization(self, pk):
        if pk is None:
            return None
        found = selectors.requesting_organizations(user=self.request.user).filter(pk=pk).first()
        if found is None:
            raise exceptions.ValidationError({"organization": [_("Not an organization of yours.")]})
        return found

    def _out(self, product_request) -> dict:
        fresh = selectors.request_detail(user=self.request.user, pk=product_request.pk)
        return ProductRequestOut(fresh).data

    def _act(self, request, name: str, body_class):
        product_request = self.get_object()
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        reason = fields.pop("reason", "")
        quote = fields or None
        services.request_act(
            actor=request.user,
            product_request=product_request,
            action=name,
            reason=reason,
            quote=quote,
        )
        return Response(self._out(product_request))

    @_step(
        QuoteIn,
        "Provider's staff: quote an amount in CNY (0 for public-interest "
        "products), terms and the last day the quote holds.",
    )
    @action(detail=True, methods=["post"])
    def quote(self, request, pk=None):
        return self._act(request, "quote", QuoteIn)

    @_step(RequestNoteIn, "Provider's staff: accept the request as asked.")
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(request, "accept", RequestNoteIn)

    @_step(RefusalIn, "Provider's staff: refuse the request, stating the reason.")
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        return self._act(request, "refuse", RefusalIn)

    @_step(RequestNoteIn, "Requester: accept the provider's quote while it holds.")
    @action(detail=True, methods=["post"], url_path="accept-quote")
    def accept_quote(self, request, pk=None):
        return self._act(request, "accept_quote", RequestNoteIn)

    @_step(RequestNoteIn, "Requester: decline the provider's quote.")
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._act(request, "decline", RequestNoteIn)

    @_step(RequestNoteIn, "Requester: withdraw the request before a final answer.")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._act(request, "withdraw", RequestNoteIn)

    @extend_schema(responses={200: EventOut(many=True)})
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        """The request's audit events, oldest first."""
        events = selectors.timeline(product_request=self.get_object())
        return Response(EventOut(events, many=True).data)


def _duplicate(exc) -> dict:
    existing = getattr(exc.existing, "pk", None)
    message = _("This request was already received.")
    if existing is not None:
        message = _("You already sent this request (#%(id)s).") % {"id": existing}
    return {"detail": message, "existing": existing}
