"""A ModelAdmin whose every permission comes from the rule-book, never from Django's
model permissions: platform administrators change, auditors only look."""

from django.contrib import admin

from grading import policy


class PolicyAdmin(admin.ModelAdmin):
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
