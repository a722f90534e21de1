"""A ModelAdmin whose every permission comes from the rule-book, never from Django's
model permissions: platform administrators change, auditors only look."""

from django.contrib import admin
from django.db import router, transaction

from grading import audit, policy
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


class AuditedAdminMixin:
    """Appends every add, change and delete made through this admin to the audit chain, with
    the acting user and each changed field before and after, in the transaction of the save
    (the admin's add, change and delete views are atomic; the bulk delete is made so here).

    Put it before the ModelAdmin class: ``class XAdmin(AuditedAdminMixin, PolicyAdmin)``.
    """

    # Fields whose values never go into the chain (only that they changed).
    audit_secret_fields: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change):
        stored = type(obj)._base_manager.get(pk=obj.pk) if change else None
        form._audit_before = audit.snapshot(stored) if stored is not None else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        audit.record_admin_change(
            actor=request.user,
            action="admin.change" if change else "admin.add",
            obj=form.instance,
            before=getattr(form, "_audit_before", {}),
            after=audit.snapshot(form.instance),
            secret=self.audit_secret_fields,
        )

    def delete_model(self, request, obj):
        with transaction.atomic(using=router.db_for_write(type(obj))):
            self._audit_delete(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic(using=router.db_for_write(queryset.model)):
            for obj in queryset:
                self._audit_delete(request, obj)
            super().delete_queryset(request, queryset)

    def _audit_delete(self, request, obj):
        # Rows deleted along with ``obj`` need no rows of their own here: the admin refuses a
        # delete that would take rows whose admin refuses deletes (memberships, roles), and
        # Django's own audited models (users, groups) only take unaudited rows with them.
        audit.record_admin_change(
            actor=request.user,
            action="admin.delete",
            obj=obj,
            before=audit.snapshot(obj),
            after={},
            secret=self.audit_secret_fields,
        )
