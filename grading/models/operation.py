"""Authorized operation (授权运营): applications, the agreements they lead to, the operator's
usage under each agreement and the yearly efficiency evaluation (效能评估).

The flow (DESIGN §3): an enterprise applies for a scope → the platform checks the application
formally → each agency owning entries in scope decides its part → the platform issues the
agreement (the scope as approved) → the enterprise signs → the agreement is active. Transitions
live in ``grading.operation.services``; who may act in ``grading.policy``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.validators import CleanTextModel


class OperationApplication(CleanTextModel, models.Model):
    """An enterprise's application for authorized operation of public data (授权运营申请)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for correction")
        CHECKED = "checked", _("With the agencies")
        DECIDED = "decided", _("Decided by the agencies")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ISSUED = "issued", _("Agreement issued")

    applicant = models.ForeignKey(
        "catalog.Organization",
        on_delete=models.PROTECT,
        related_name="operation_applications",
        verbose_name=_("applicant"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    renews = models.ForeignKey(
        "grading.Agreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("renews agreement"),
    )
    resources = models.ManyToManyField(
        "catalog.Resource", blank=True, related_name="+", verbose_name=_("entries requested")
    )
    themes = models.ManyToManyField(
        "catalog.Theme", blank=True, related_name="+", verbose_name=_("whole themes requested")
    )
    agencies = models.ManyToManyField(
        "catalog.Organization",
        blank=True,
        related_name="+",
        verbose_name=_("whole agencies requested"),
    )
    purposes = models.TextField(_("purposes"))
    scenarios = models.TextField(_("application scenarios"))
    security_measures = models.TextField(_("security measures"))
    undertaking_accepted_at = models.DateTimeField(
        _("security undertaking accepted at"), null=True, blank=True
    )
    term_months = models.PositiveSmallIntegerField(_("requested term (months)"))
    proposed_fees = models.TextField(_("proposed fees"), blank=True)
    proposed_fee_cap = models.DecimalField(
        _("proposed fee cap (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    due_on = models.DateField(_("decision due"), null=True, blank=True)
    reason = models.TextField(_("reason of the last decision"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("authorized-operation application")
        verbose_name_plural = _("authorized-operation applications")
        indexes = [
            models.Index(fields=["applicant", "-id"], name="opapp_applicant"),
            models.Index(fields=["status", "due_on"], name="opapp_queue"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} · {self.applicant}"


class OperationScopePart(CleanTextModel, models.Model):
    """One agency's part of an application: the entries of that agency in the requested scope,
    which its reviewers approve or reject (10 working days; ``need_info`` pauses the clock)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting the agency")
        NEED_INFO = "need_info", _("More information needed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    application = models.ForeignKey(
        OperationApplication, on_delete=models.CASCADE, related_name="parts"
    )
    agency = models.ForeignKey(
        "catalog.Organization", on_delete=models.PROTECT, related_name="operation_parts"
    )
    resources = models.ManyToManyField("catalog.Resource", related_name="+")
    approved_resources = models.ManyToManyField("catalog.Resource", blank=True, related_name="+")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    due_on = models.DateField(_("decision due"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(default=0, editable=False)
    reason = models.TextField(_("reason or question"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agency part of an application")
        verbose_name_plural = _("agency parts of applications")
        constraints = [
            models.UniqueConstraint(fields=["application", "agency"], name="opapp_part_unique")
        ]
        indexes = [models.Index(fields=["agency", "status"], name="opapp_part_queue")]

    def __str__(self) -> str:
        return f"#{self.application_id} · {self.agency}"


class Agreement(CleanTextModel, models.Model):
    """An authorized-operation agreement (授权运营协议) between the platform and an operator.

    Issued by the platform from an approved application (scope as approved, term, fee cap,
    purposes), in force once the operator signs it, until it expires or is revoked; a platform
    administrator may suspend and resume it. Only an active agreement inside its term grants
    anything (``grading.policy``)."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Awaiting signature")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    operator = models.ForeignKey(
        "catalog.Organization", on_delete=models.PROTECT, related_name="agreements"
    )
    application = models.OneToOneField(
        OperationApplication,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreement",
    )
    resources = models.ManyToManyField("catalog.Resource", related_name="agreements")
    purposes = models.TextField(_("permitted purposes"))
    fee_cap = models.DecimalField(_("fee cap (CNY)"), max_digits=12, decimal_places=2)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    status_reason = models.TextField(_("reason for the last change"), blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("authorized-operation agreement")
        verbose_name_plural = _("authorized-operation agreements")
        indexes = [models.Index(fields=["status", "valid_until"], name="agreement_expiry")]

    def __str__(self) -> str:
        return f"#{self.pk} · {self.operator}"


class AgreementUsage(models.Model):
    """What an operator used under an agreement: queries and rows served, per entry and month.
    Counted by a conditional increment when an in-scope query is served."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="usage")
    resource = models.ForeignKey("catalog.Resource", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    queries = models.PositiveBigIntegerField(_("queries"), default=0)
    rows = models.PositiveBigIntegerField(_("rows"), default=0)

    class Meta:
        verbose_name = _("agreement usage")
        verbose_name_plural = _("agreement usage")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "resource", "month"], name="agreement_usage_unique"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.agreement_id} · {self.resource_id} · {self.month:%Y-%m}"


class AgreementEvaluation(CleanTextModel, models.Model):
    """The yearly efficiency evaluation (效能评估) of an agreement: the year's figures as computed
    when the evaluation was made, and a reviewer's rating with text."""

    class Rating(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent")
        GOOD = "good", _("Good")
        FAIR = "fair", _("Fair")
        POOR = "poor", _("Poor")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="evaluations")
    year = models.PositiveSmallIntegerField(_("year"))
    figures = models.JSONField(_("figures"), default=dict)
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices)
    text = models.TextField(_("assessment"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("efficiency evaluation")
        verbose_name_plural = _("efficiency evaluations")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "year"], name="agreement_evaluation_year")
        ]

    def __str__(self) -> str:
        return f"#{self.agreement_id} · {self.year}"
