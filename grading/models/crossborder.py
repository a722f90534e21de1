"""Cross-border data flow (数据跨境, seed 003 §15-17): what the platform cleared for the general
data list, enterprises' self-assessments and their filings.

Codes of scenarios and data categories are those of ``grading.crossborder.vocabulary`` (a table
in code; see its docstring for why). Writes live in ``grading.crossborder.services``; who may
see or do what in ``grading.policy``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.validators import CleanTextModel


class CrossBorderClearance(CleanTextModel, models.Model):
    """A data category, or one catalogue entry of that category, cleared by the platform for
    cross-border flow in one scenario, with its conditions (一般数据清单)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Cleared")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    scenario = models.CharField(_("scenario"), max_length=40)
    category = models.CharField(_("data category"), max_length=40)
    resource = models.ForeignKey(
        "catalog.Resource",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cross_border_clearances",
        verbose_name=_("catalogue entry"),
    )
    conditions = models.TextField(_("conditions"))
    conditions_en = models.TextField(_("conditions in English"), blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cross-border clearance")
        verbose_name_plural = _("cross-border clearances")
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "category"],
                condition=models.Q(status="active", resource__isnull=True),
                name="crossborder_category_cleared_once",
            ),
            models.UniqueConstraint(
                fields=["scenario", "resource"],
                condition=models.Q(status="active", resource__isnull=False),
                name="crossborder_entry_cleared_once",
            ),
        ]
        indexes = [models.Index(fields=["status", "scenario"], name="crossborder_clear_scen")]

    def __str__(self) -> str:
        return f"{self.scenario} · {self.category} · {self.resource_id or '*'}"


class CrossBorderAssessment(CleanTextModel, models.Model):
    """An enterprise's self-assessment (自评估) of one planned transfer and its result."""

    class Result(models.TextChoices):
        GENERAL_LIST = "general_list", _("Allowed under the general data list")
        FILING = "filing", _("Needs filing")
        SECURITY_ASSESSMENT = "security_assessment", _("Needs a security assessment")

    enterprise = models.ForeignKey(
        "catalog.Organization",
        on_delete=models.PROTECT,
        related_name="cross_border_assessments",
        verbose_name=_("enterprise"),
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scenario = models.CharField(_("scenario"), max_length=40)
    categories = models.JSONField(_("data categories"), default=list)
    record_count = models.PositiveBigIntegerField(_("volume (records)"))
    recipient = models.CharField(_("recipient abroad"), max_length=200)
    recipient_country = models.CharField(_("recipient's country or region"), max_length=2)
    purpose = models.TextField(_("purpose"))
    security_measures = models.TextField(_("security measures"))
    pi_count = models.PositiveBigIntegerField(_("individuals: personal information"), default=0)
    sensitive_pi_count = models.PositiveBigIntegerField(
        _("individuals: sensitive personal information"), default=0
    )
    cii_operator = models.BooleanField(_("critical information infrastructure operator"))
    important_data = models.BooleanField(_("includes important data"))
    result = models.CharField(_("result"), max_length=30, choices=Result.choices)
    rule = models.CharField(_("deciding rule"), max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cross-border self-assessment")
        verbose_name_plural = _("cross-border self-assessments")
        indexes = [models.Index(fields=["enterprise", "-id"], name="crossborder_assess_ent")]

    def __str__(self) -> str:
        return f"#{self.pk} · {self.result}"


class CrossBorderFiling(CleanTextModel, models.Model):
    """A transfer filed with the platform with its evidence (存证); the platform acknowledges,
    returns or rejects it within a working-day deadline. The receipt number is given at once."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Filed, awaiting the platform")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RETURNED = "returned", _("Returned for correction")
        REJECTED = "rejected", _("Rejected")

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    receipt_number = models.CharField(_("receipt number"), max_length=40, unique=True)
    assessment = models.ForeignKey(
        CrossBorderAssessment,
        on_delete=models.PROTECT,
        related_name="filings",
        verbose_name=_("self-assessment"),
    )
    enterprise = models.ForeignKey(
        "catalog.Organization",
        on_delete=models.PROTECT,
        related_name="cross_border_filings",
        verbose_name=_("enterprise"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    transfer_plan = models.TextField(_("transfer plan"))
    evidence = models.FileField(_("evidence"), upload_to="crossborder/%Y/%m/")
    evidence_sha256 = models.CharField(max_length=64, editable=False)
    due_on = models.DateField(_("decision due"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cross-border filing")
        verbose_name_plural = _("cross-border filings")
        indexes = [
            models.Index(fields=["status", "due_on"], name="crossborder_filing_due"),
            models.Index(fields=["enterprise", "-id"], name="crossborder_filing_ent"),
        ]

    def __str__(self) -> str:
        return self.receipt_number
