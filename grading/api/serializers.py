"""Input and output serializers for applications and grants. They never decide access."""

from rest_framework import serializers

from catalog.models import Resource
from grading.applications.services import STEPS
from grading.models import Application, AuditEvent, Grant


class AppliedResource(serializers.ModelSerializer):
    class Meta:
        model = Resource
        fields = ["id", "code", "title"]


class ApplicationIn(serializers.Serializer):
    resources = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1)
    purpose = serializers.CharField(max_length=4000)
    scenario = serializers.CharField(max_length=4000)
    want_download = serializers.BooleanField(default=False)
    want_query = serializers.BooleanField(default=False)
    term_days = serializers.IntegerField(min_value=1)
    undertaking_accepted = serializers.BooleanField(default=False)
    submit = serializers.BooleanField(default=False)


class TransitionIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(STEPS))
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class EventOut(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None)

    class Meta:
        model = AuditEvent
        fields = ["seq", "created_at", "actor", "action", "hash"]


class ApplicationOut(serializers.ModelSerializer):
    resources = AppliedResource(many=True, read_only=True)
    applicant = serializers.CharField(source="applicant.username")
    provider = serializers.CharField(source="provider.code")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Application
        fields = [
            "id",
            "applicant",
            "provider",
            "resources",
            "purpose",
            "scenario",
            "want_download",
            "want_query",
            "term_days",
            "undertaking_accepted_at",
            "status",
            "status_label",
            "due_on",
            "reason",
            "grant",
            "created_at",
            "updated_at",
        ]


class GrantOut(serializers.ModelSerializer):
    resources = AppliedResource(many=True, read_only=True)
    grantee = serializers.CharField(source="grantee.username")
    application = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Grant
        fields = [
            "id",
            "grantee",
            "application",
            "resources",
            "allow_download",
            "allow_query",
            "valid_from",
            "valid_until",
            "quota",
            "used",
            "status",
        ]
