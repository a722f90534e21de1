from django import forms
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import router, transaction
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from grading import audit, services
from grading.admin_base import AuditedAdminMixin, PolicyAdmin, ReadOnlyPolicyAdmin
from grading.models import Agreement, Application, AuditEvent, Grant, Membership, PlatformRole

User = get_user_model()


@admin.register(Membership)
class MembershipAdmin(AuditedAdminMixin, PolicyAdmin):
    list_display = ["user", "organization", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["organization"]


@admin.register(PlatformRole)
class PlatformRoleAdmin(AuditedAdminMixin, PolicyAdmin):
    list_display = ["user", "role"]


# Accounts: a user's superuser, staff and active flags, groups and permissions decide who gets
# into the admin and who is a platform administrator, so Django's own user and group admins are
# audited too (they keep Django's permissions: superusers, or staff given them explicitly).
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(AuditedAdminMixin, auth_admin.UserAdmin):
    audit_secret_fields = ("password",)

    @method_decorator(sensitive_post_parameters())
    def user_change_password(self, request, id, form_url=""):
        """Django's password page, with a successful change (or removal) appended to the chain."""
        with transaction.atomic(using=router.db_for_write(User)):
            before = User._base_manager.filter(pk=id).values_list("password", flat=True).first()
            response = super().user_change_password(request, id, form_url)
            user = User._base_manager.filter(pk=id).first()
            if user is not None and user.password != before:
                audit.record_admin_change(
                    actor=request.user,
                    action="admin.change",
                    obj=user,
                    before={"password": before},
                    after={"password": user.password},
                    secret=self.audit_secret_fields,
                )
        return response


@admin.register(Group)
class GroupAdmin(AuditedAdminMixin, auth_admin.GroupAdmin):
    pass


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
    list_display = ["seq", "created_at", "actor", "action", "object_type", "object_id", "alg"]
    list_filter = ["action"]
