from django import forms
from django.contrib import admin

from grading import services
from grading.admin_base import PolicyAdmin, ReadOnlyPolicyAdmin
from grading.models import Agreement, Application, AuditEvent, Grant, Membership, PlatformRole


@admin.register(Membership)
class MembershipAdmin(PolicyAdmin):
    list_display = ["user", "organization", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["organization"]


@admin.register(PlatformRole)
class PlatformRoleAdmin(PolicyAdmin):
    list_display = ["user", "role"]


@admin.register(Grant)
class GrantAdmin(ReadOnlyPolicyAdmin):
    list_display = ["id", "grantee", "allow_download", "allow_query", "valid_until", "status"]
    list_filter = ["status"]
    filter_horizontal = ["resources"]


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "operator",
            "resources",
            "purposes",
            "fee_cap",
            "valid_from",
            "valid_until",
            "status",
        ]

    def clean(self):
        data = super().clean()
        for field, errors in services.agreement_errors(data).items():
            self.add_error(field if field in self.fields else None, errors)
        return data


@admin.register(Agreement)
class AgreementAdmin(PolicyAdmin):
    """Platform administrators create and change agreements; the service writes and audits."""

    form = AgreementForm
    list_display = ["id", "operator", "fee_cap", "valid_until", "status"]
    list_filter = ["status"]
    filter_horizontal = ["resources"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.agreement_save(
            actor=request.user,
            operator=data["operator"],
            resources=data["resources"],
            data=data,
            agreement=obj if change else None,
        )
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        pass  # the service has set the resources in scope


@admin.register(Application)
class ApplicationAdmin(ReadOnlyPolicyAdmin):
    list_display = ["id", "applicant", "provider", "status", "due_on"]
    list_filter = ["status"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyPolicyAdmin):
    list_display = ["seq", "created_at", "actor", "action", "object_type", "object_id"]
    list_filter = ["action"]
