from django.contrib import admin

from grading.admin_base import PolicyAdmin, ReadOnlyPolicyAdmin
from grading.models import Agreement, Grant, Membership, PlatformRole


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


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyPolicyAdmin):
    list_display = ["id", "operator", "fee_cap", "valid_until", "status"]
    list_filter = ["status"]
    filter_horizontal = ["resources"]
