"""Input and output serializers of the authorized-operation API. They never decide access: the
parts and entries they show were chosen by the selectors."""

from rest_framework import serializers

from catalog.models import Resource
from grading.models import Agreement, OperationApplication, OperationScopePart

TEXT = {"max_length": 4000}


class ScopeEntry(serializers.ModelSerializer):
    """An entry named in a scope: its id and title only (restricted entries show no more)."""

    class Meta:
        model = Resource
        fields = ["id", "title"]


class PartOut(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.code")
    status_label = serializers.CharField(source="get_status_display")
    resources = ScopeEntry(many=True, read_only=True)
    approved_resources = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = OperationScopePart
        fields = [
            "id",
            "agency",
            "status",
            "status_label",
            "due_on",
            "reason",
            "resources",
            "approved_resources",
            "decided_at",
        ]


class OperationApplicationOut(serializers.ModelSerializer):
    applicant = serializers.CharField(source="applicant.code")
    status_label = serializers.CharField(source="get_status_display")
    parts = PartOut(source="visible_parts", many=True, read_only=True)
    renews = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = OperationApplication
        fields = [
            "id",
            "applicant",
            "renews",
            "purposes",
            "scenarios",
            "security_measures",
            "undertaking_accepted_at",
            "term_months",
            "proposed_fees",
            "proposed_fee_cap",
            "status",
            "status_label",
            "due_on",
            "reason",
            "parts",
            "created_at",
            "updated_at",
        ]


class OperationApplicationIn(serializers.Serializer):
    applicant = serializers.IntegerField(
        min_value=1, required=False, help_text="The applying enterprise (default: your first)."
    )
    resources = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=500
    )
    themes = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=100
    )
    agencies = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=100
    )
    purposes = serializers.CharField(**TEXT)
    scenarios = serializers.CharField(**TEXT)
    security_measures = serializers.CharField(**TEXT)
    term_months = serializers.IntegerField(min_value=1, max_value=60)
    proposed_fees = serializers.CharField(required=False, allow_blank=True, default="", **TEXT)
    proposed_fee_cap = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    undertaking_accepted = serializers.BooleanField(default=False)
    submit = serializers.BooleanField(default=False)


class OperationReasonIn(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", **TEXT)


class ApproveIn(OperationReasonIn):
    resources = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_null=True,
        default=None,
        max_length=500,
        help_text="The part's entries to approve; all of them when absent.",
    )


class IssueIn(serializers.Serializer):
    valid_from = serializers.DateTimeField(required=False, allow_null=True)
    valid_until = serializers.DateTimeField(required=False, allow_null=True)
    fee_cap = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    purposes = serializers.CharField(required=False, allow_blank=True, **TEXT)


class RenewIn(serializers.Serializer):
    purposes = serializers.CharField(required=False, allow_blank=True, **TEXT)
    scenarios = serializers.CharField(required=False, allow_blank=True, **TEXT)
    security_measures = serializers.CharField(required=False, allow_blank=True, **TEXT)
    term_months = serializers.IntegerField(min_value=1, max_value=60, required=False)
    undertaking_accepted = serializers.BooleanField(default=False)


class AgreementOut(serializers.ModelSerializer):
    operator = serializers.CharField(source="operator.code")
    status_label = serializers.CharField(source="get_status_display")
    resources = ScopeEntry(many=True, read_only=True)
    application = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "operator",
            "application",
            "resources",
            "purposes",
            "fee_cap",
            "valid_from",
            "valid_until",
            "status",
            "status_label",
            "status_reason",
            "signed_at",
        ]
