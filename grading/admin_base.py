"""A ModelAdmin whose every permission comes from the rule-book, never from Django's
model permissions: platform administrators change, auditors only look."""

from django.contrib import admin
from django.db import transaction

from grading import policy
from portal.cache import catalog_changed


class PolicyAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(catalog_changed)

    def has_module_permission(self, request):
        return policy.can_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return policy.can_use_admin(request.user)

    def has_add_permission(self, request):
        return policy.can_use_admin(request.user) and policy.principal(request.user).platform_admin

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        # Catalogue entries are withdrawn, never deleted; other rows keep their history.
        return False


class ReadOnlyPolicyAdmin(PolicyAdmin):
    """For rows that change only through their workflow services (listing, grants, agreements):
    the admin shows them and never writes them, so no transition skips its checks."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
