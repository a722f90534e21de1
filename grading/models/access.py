"""Who is who and what they hold: memberships, platform roles, grants, applications, notices."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.validators import CleanTextModel


class Membership(models.Model):
    """A user's role inside an organization (agency staff or enterprise staff)."""

    class Role(models.TextChoices):
        EDITOR = "editor", _("Editor")
        REVIEWER = "reviewer", _("Reviewer")
        ADMIN = "admin", _("Administrator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        "catalog.Organization", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


class PlatformRole(models.Model):
    """A role on the platform itself: administrators (staff) and read-only auditors."""

    class Role(models.TextChoices):
        PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
        AUDITOR = "auditor", _("Auditor")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="platform_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("platform role")
        verbose_name_plural = _("platform roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="platform_role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class Grant(models.Model):
    """Permission to use conditional resources, issued when an approved application is accepted."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grants"
    )
    resources = models.ManyToManyField("catalog.Resource", related_name="grants")
    allow_download = models.BooleanField(_("may download"), default=False)
    allow_query = models.BooleanField(_("may query"), default=False)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    quota = models.PositiveIntegerField(
        _("quota"),
        null=True,
        blank=True,
        help_text=_("Downloads and queries allowed; empty: no limit."),
    )
    used = models.PositiveIntegerField(_("used"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        indexes = [models.Index(fields=["grantee", "status"], name="grant_grantee_status")]

    def __str__(self) -> str:
        return f"#{self.pk} · {self.grantee}"


class Application(CleanTextModel, models.Model):
    """An application for conditional data (有条件开放申请); its states are in DESIGN §3 and its
    transitions in ``grading.applications.services``."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for correction")
        CHECKED = "checked", _("Formally checked")
        NEED_INFO = "need_info", _("More information needed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        GRANTED = "granted", _("Agreement accepted, grant issued")

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    provider = models.ForeignKey(
        "catalog.Organization",
        on_delete=models.PROTECT,
        related_name="applications_received",
        help_text=_("The agency whose resources are requested; it reviews the application."),
    )
    resources = models.ManyToManyField("catalog.Resource", related_name="applications")
    purpose = models.TextField(_("purpose"))
    scenario = models.TextField(_("application scenario"))
    want_download = models.BooleanField(_("download"), default=False)
    want_query = models.BooleanField(_("query"), default=False)
    term_days = models.PositiveIntegerField(_("term (days)"))
    undertaking_accepted_at = models.DateTimeField(
        _("security undertaking accepted at"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    due_on = models.DateField(_("decision due"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(default=0, editable=False)
    reason = models.TextField(_("reason or question"), blank=True)
    grant = models.OneToOneField(
        Grant, on_delete=models.PROTECT, null=True, blank=True, related_name="application"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            models.Index(fields=["applicant", "-id"], name="application_applicant"),
            models.Index(fields=["status", "due_on"], name="application_queue"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} · {self.applicant}"


class Notice(models.Model):
    """An in-app notice to a user about a decision on something of theirs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    text = models.CharField(_("text"), max_length=500)
    link = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [models.Index(fields=["user", "-id"], name="notice_user")]

    def __str__(self) -> str:
        return self.text
