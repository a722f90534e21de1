"""Data merchants (数商): enterprises registered to offer data products and services on the
market, verified, suspended and revoked by platform administrators.

Transitions live in ``grading.merchants.services``; who may act in ``grading.policy``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.validators import CleanTextModel


class MerchantCategory(models.TextChoices):
    """The kinds of data merchant (数商) the Shanghai action plan names."""

    DATA_RESOURCE = "data_resource", _("Data resource provider")  # 数据资源类
    TECHNOLOGY = "technology", _("Technology-driven")  # 技术驱动型
    COMPLIANCE = "compliance", _("Compliance consulting")  # 第三方服务类: 数据合规咨询
    QUALITY = "quality", _("Quality assessment")  # 质量评估
    ASSET_ASSESSMENT = "asset_assessment", _("Asset assessment")  # 资产评估
    DELIVERY = "delivery", _("Data delivery")  # 数据交付
    BROKERAGE = "brokerage", _("Data brokerage")  # 国际数据经纪


class DataMerchant(CleanTextModel, models.Model):
    """An enterprise's registration as a data merchant (数商登记), one per organization."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")
        RETURNED = "returned", _("Returned for correction")

    organization = models.OneToOneField(
        "catalog.Organization",
        on_delete=models.PROTECT,
        related_name="merchant",
        verbose_name=_("enterprise"),
    )
    description = models.TextField(_("description"))
    services = models.TextField(_("products and services offered"))
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact telephone"), max_length=40, blank=True)
    evidence = models.FileField(_("evidence"), upload_to="merchants/%Y/%m/")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.APPLIED
    )
    reason = models.TextField(_("reason for the last decision"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("data merchant")
        verbose_name_plural = _("data merchants")
        indexes = [models.Index(fields=["status", "id"], name="merchant_status")]

    def __str__(self) -> str:
        return str(self.organization)


class MerchantCategoryChoice(models.Model):
    """One category a merchant registered under (a merchant has one or more)."""

    merchant = models.ForeignKey(DataMerchant, on_delete=models.CASCADE, related_name="categories")
    category = models.CharField(_("category"), max_length=20, choices=MerchantCategory.choices)

    class Meta:
        ordering = ["category"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "category"], name="merchant_category_once")
        ]
        indexes = [models.Index(fields=["category", "merchant"], name="merchant_category")]

    def __str__(self) -> str:
        return self.get_category_display()
