"""Platform administration of the catalogues. Lists come from ``visible_to``; changes go
through the services, so the grade ceiling holds here as everywhere else."""

from django import forms
from django.contrib import admin

from catalog.models import Distribution, Field, Organization, Product, Resource, Theme
from catalog.publishing.metadata import EDITABLE_FIELDS
from catalog.publishing.resources import resource_update
from grading import policy
from grading.admin_base import AuditedAdminMixin, PolicyAdmin, ReadOnlyPolicyAdmin


@admin.register(Organization)
class OrganizationAdmin(AuditedAdminMixin, PolicyAdmin):
    list_display = ["code", "name", "kind", "credit_code", "region", "verified_at"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "name_en", "credit_code"]
    # Verification goes through grading.accounts (the platform's enterprise review page).
    readonly_fields = ["verified_at", "verified_by"]


@admin.register(Theme)
class ThemeAdmin(PolicyAdmin):
    list_display = ["code", "name", "name_en", "parent", "position"]


class FieldInline(admin.TabularInline):
    model = Field
    extra = 0
    fields = ["position", "name", "name_en", "data_type", "grade", "description"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class DistributionInline(admin.TabularInline):
    model = Distribution
    extra = 0
    fields = ["title", "kind", "format", "byte_size", "sha256"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ResourceAdminForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = "__all__"  # noqa: DJ007 - the ModelAdmin chooses the fields shown

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and "tier" in cleaned:
            try:
                policy.check_ceiling(grade=self.instance.grade, tier=cleaned["tier"])
            except policy.CeilingViolation as exc:
                self.add_error("tier", exc)
        return cleaned


@admin.register(Resource)
class ResourceAdmin(PolicyAdmin):
    form = ResourceAdminForm
    list_display = ["code", "title", "provider", "tier", "grade", "status", "modified"]
    list_filter = ["tier", "grade", "status", "theme"]
    search_fields = ["code", "title", "title_en"]
    list_select_related = ["provider"]
    readonly_fields = ["code", "provider", "grade", "status", "created_at", "updated_at"]
    inlines = [FieldInline, DistributionInline]
    show_full_result_count = False

    def get_queryset(self, request):
        return policy.viewable(request.user).select_related("provider", "theme")

    def has_add_permission(self, request):
        # New entries are created by agencies through the catalogue services.
        return False

    def has_change_permission(self, request, obj=None):
        if not policy.can_use_admin(request.user):
            return False
        return obj is None or policy.can_edit(request.user, obj)

    def save_model(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE_FIELDS
        }
        resource_update(actor=request.user, resource=obj, data=data)


@admin.register(Product)
class ProductAdmin(ReadOnlyPolicyAdmin):
    list_display = ["code", "name", "product_type", "provider", "purpose", "status"]
    list_filter = ["status", "product_type", "purpose"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["provider"]
    filter_horizontal = ["source_resources"]

    def get_queryset(self, request):
        return policy.viewable_products(request.user).select_related("provider")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "source_resources":
            kwargs["queryset"] = policy.viewable(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
