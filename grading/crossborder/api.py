"""API for cross-border data flow: the general data list (public), self-assessments and
filings (their enterprise's members; every one for platform staff), the platform's decisions.
Thin views over ``grading.crossborder``; error statuses are declared for every operation by
``catalog.api.schema.declare_errors``."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from catalog.models import Organization
from grading import policy
from grading.crossborder import checks, selectors, services
from grading.crossborder.vocabulary import CATEGORIES, SCENARIOS
from grading.crossborder.words import RULE_TEXT
from grading.models import CrossBorderAssessment, CrossBorderClearance, CrossBorderFiling
from portal.pagination import ProductCursorPagination

ID = {"min_value": 1, "max_value": 2**63 - 1}
COUNT = {"min_value": 0, "max_value": checks.COUNT_MAX}


class NameOut(serializers.Serializer):
    code = serializers.CharField()
    zh = serializers.CharField()
    en = serializers.CharField()


@extend_schema_field(NameOut)
class NamedCode(serializers.Field):
    """A scenario or category code with its Chinese and English names."""

    def to_representation(self, value):
        term = SCENARIOS.get(value) or CATEGORIES.get(value)
        return {"code": value, "zh": term.zh if term else value, "en": term.en if term else value}


class ClearanceOut(serializers.ModelSerializer):
    scenario = NamedCode(read_only=True)
    category = NamedCode(read_only=True)

    class Meta:
        model = CrossBorderClearance
        fields = ["id", "scenario", "category", "resource", "conditions", "conditions_en"]


class ClearanceIn(serializers.Serializer):
    scenario = serializers.ChoiceField(choices=sorted(SCENARIOS))
    category = serializers.ChoiceField(choices=sorted(CATEGORIES))
    resource = serializers.IntegerField(required=False, allow_null=True, **ID)
    conditions = serializers.CharField(max_length=services.TEXT_MAX)
    conditions_en = serializers.CharField(
        max_length=services.TEXT_MAX, required=False, allow_blank=True
    )


class AssessmentIn(serializers.Serializer):
    enterprise = serializers.SlugField(max_length=40, help_text="The enterprise's code.")
    scenario = serializers.ChoiceField(choices=sorted(SCENARIOS))
    categories = serializers.ListField(
        child=serializers.CharField(max_length=40, help_text="A data category code."),
        min_length=1,
        max_length=checks.CATEGORIES_MAX,
    )
    record_count = serializers.IntegerField(**COUNT)
    recipient = serializers.CharField(max_length=checks.RECIPIENT_MAX)
    recipient_country = serializers.RegexField(
        checks.COUNTRY, max_length=2, help_text="ISO 3166-1 alpha-2, not CN."
    )
    purpose = serializers.CharField(max_length=checks.TEXT_MAX)
    security_measures = serializers.CharField(max_length=checks.TEXT_MAX)
    pi_count = serializers.IntegerField(default=0, **COUNT)
    sensitive_pi_count = serializers.IntegerField(default=0, **COUNT)
    cii_operator = serializers.BooleanField(default=False)
    important_data = serializers.BooleanField(default=False)


class AssessmentOut(serializers.ModelSerializer):
    enterprise = serializers.SlugRelatedField(slug_field="code", read_only=True)
    scenario = NamedCode(read_only=True)
    categories = serializers.ListField(child=NamedCode(), read_only=True)
    rule_text = serializers.SerializerMethodField()

    class Meta:
        model = CrossBorderAssessment
        fields = [
            "id",
            "enterprise",
            "scenario",
            "categories",
            "record_count",
            "recipient",
            "recipient_country",
            "purpose",
            "security_measures",
            "pi_count",
            "sensitive_pi_count",
            "cii_operator",
            "important_data",
            "result",
            "rule",
            "rule_text",
            "created_at",
        ]

    def get_rule_text(self, obj) -> str:
        return _(RULE_TEXT.get(obj.rule, obj.rule))


class FilingIn(serializers.Serializer):
    assessment = serializers.IntegerField(**ID)
    transfer_plan = serializers.CharField(max_length=services.TEXT_MAX)
    evidence = serializers.FileField(help_text="PDF, PNG or JPEG.")


class FilingOut(serializers.ModelSerializer):
    enterprise = serializers.SlugRelatedField(slug_field="code", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = CrossBorderFiling
        fields = [
            "id",
            "receipt_number",
            "status",
            "assessment",
            "enterprise",
            "transfer_plan",
            "evidence_sha256",
            "due_on",
            "overdue",
            "reason",
            "decided_at",
            "created_at",
        ]

    def get_overdue(self, obj) -> bool:
        return selectors.is_overdue(obj)


class FilingActIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(services.STEPS))
    reason = serializers.CharField(max_length=services.TEXT_MAX, required=False, default="")


class ClearanceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The general data list: what is cleared for cross-border flow, per scenario."""

    serializer_class = ClearanceOut
    pagination_class = ProductCursorPagination

    def get_queryset(self):
        return selectors.public_clearances()

    @extend_schema(
        parameters=[OpenApiParameter("scenario", str, enum=sorted(SCENARIOS))],
    )
    def list(self, request, *args, **kwargs):
        """Clearances on the public list (restricted entries never appear), by scenario."""
        return super().list(request, *args, **kwargs)

    def filter_queryset(self, queryset):
        scenario = self.request.query_params.get("scenario", "")
        if scenario and scenario not in SCENARIOS:
            raise exceptions.ValidationError({"scenario": [_("Unknown scenario.")]})
        return queryset.filter(scenario=scenario) if scenario else queryset

    @extend_schema(request=ClearanceIn, responses={201: ClearanceOut})
    def create(self, request):
        """Clear a category, or one public entry of it, for a scenario (platform
        administrators). A category on the negative list answers 400 naming the rule."""
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        data = ClearanceIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        resource = None
        if fields.get("resource") is not None:
            resource = policy.viewable(request.user).filter(pk=fields["resource"]).first()
            if resource is None:
                raise exceptions.ValidationError({"resource": [_("No such catalogue entry.")]})
        fields["resource"] = resource
        row = services.clearance_mark(actor=request.user, **fields)
        return Response(ClearanceOut(row).data, status=status.HTTP_201_CREATED)


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Self-assessments of the caller's enterprises (every one for platform staff)."""

    permission_classes = [IsAuthenticated]
    serializer_class = AssessmentOut
    pagination_class = ProductCursorPagination

    def get_queryset(self):
        return selectors.assessment_queryset(user=self.request.user)

    @extend_schema(request=AssessmentIn, responses={201: AssessmentOut})
    def create(self, request):
        """Assess a planned transfer: the result (general_list, filing, security_assessment)
        and the rule that decided it."""
        data = AssessmentIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        enterprise = Organization.objects.filter(code=fields.pop("enterprise")).first()
        row = services.assessment_create(actor=request.user, enterprise=enterprise, data=fields)
        return Response(AssessmentOut(row).data, status=status.HTTP_201_CREATED)


class FilingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Filings of the caller's enterprises (every one for platform staff)."""

    permission_classes = [IsAuthenticated]
    serializer_class = FilingOut
    pagination_class = ProductCursorPagination

    def get_queryset(self):
        return selectors.filing_queryset(user=self.request.user)

    @extend_schema(request={"multipart/form-data": FilingIn}, responses={201: FilingOut})
    def create(self, request):
        """File the transfer of a self-assessment with its evidence; the receipt number is in
        the answer."""
        data = FilingIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        assessment = selectors.assessment_queryset(user=request.user)
        assessment = assessment.filter(pk=fields["assessment"]).first()
        if assessment is None:
            raise exceptions.ValidationError({"assessment": [_("No such self-assessment.")]})
        row = services.filing_create(
            actor=request.user,
            assessment=assessment,
            transfer_plan=fields["transfer_plan"],
            evidence=fields["evidence"],
        )
        return Response(FilingOut(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FilingActIn, responses={200: FilingOut})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Acknowledge, return or reject a filing (platform administrators), or resubmit a
        returned one (its enterprise); 409 with ``current_state`` from a wrong state."""
        filing = self.get_object()
        data = FilingActIn(data=request.data)
        data.is_valid(raise_exception=True)
        filing = services.filing_act(actor=request.user, filing=filing, **data.validated_data)
        return Response(FilingOut(filing).data)
