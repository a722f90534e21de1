"""Data products and services, listed only after compliance review."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models.organizations import Organization, Theme, UpdateCycle, localized
from catalog.models.resources import Resource
from catalog.validators import CleanTextModel


class Product(CleanTextModel, models.Model):
    """A data product or service (数据产品), listed only after compliance review."""

    class Type(models.TextChoices):
        DATASET = "dataset", _("Dataset")
        DATA_SERVICE = "data_service", _("Data service")
        API = "api", _("API")
        IMAGERY = "imagery", _("Satellite imagery")
        REPORT = "report", _("Report")
        MODEL = "model", _("Model")
        VERIFICATION = "verification", _("Verification service")
        INDEX = "index", _("Index")

    class Delivery(models.TextChoices):
        API = "api", _("API call")
        FILE = "file", _("File delivery")
        ONLINE = "online", _("Online service")
        SANDBOX = "sandbox", _("Privacy-preserving sandbox")

    class Purpose(models.TextChoices):
        PUBLIC_INTEREST = "public_interest", _("Public interest (free)")
        INDUSTRY = "industry", _("Industry (priced)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        COMPLIANCE_REVIEW = "compliance_review", _("Under compliance review")
        LISTED = "listed", _("Listed")
        DELISTED = "delisted", _("Delisted")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended: a complaint was upheld")

    class PricingMethod(models.TextChoices):
        """How the price was formed (成本、收益、协商、拍卖、评估定价; DESIGN §3, seeds 004)."""

        COST = "cost", _("Cost-based")
        INCOME = "income", _("Income-based")
        NEGOTIATED = "negotiated", _("Negotiated")
        AUCTION = "auction", _("Auction")
        ASSESSED = "assessed", _("Assessed")
        FREE = "free", _("Free")

    code = models.CharField(_("product code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    product_type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    provider = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="products", verbose_name=_("provider")
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("theme"),
    )
    source_resources = models.ManyToManyField(
        Resource, blank=True, related_name="products", verbose_name=_("source resources")
    )
    scenarios = models.JSONField(_("application scenarios"), default=list, blank=True)
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery.choices)
    update_frequency = models.CharField(
        _("update frequency"), max_length=20, choices=UpdateCycle.choices
    )
    purpose = models.CharField(_("purpose class"), max_length=20, choices=Purpose.choices)
    price_terms = models.CharField(_("price terms"), max_length=300, blank=True)
    price = models.DecimalField(
        _("price (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    pricing_method = models.CharField(
        _("pricing method"), max_length=20, choices=PricingMethod.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    status_reason = models.TextField(_("reason for the last decision"), blank=True)
    registration_code = models.CharField(_("registration code"), max_length=64, blank=True)
    evidence_hash = models.CharField(_("evidence hash"), max_length=64, blank=True)
    listed_at = models.DateTimeField(_("listed at"), null=True, blank=True)
    search_title = models.TextField(default="", blank=True, editable=False)
    search_body = models.TextField(default="", blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-listed_at", "-id"]
        verbose_name = _("data product")
        verbose_name_plural = _("data products")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return localized(self, "name")

    @property
    def display_description(self) -> str:
        return localized(self, "description")


class ProductPrice(models.Model):
    """One price a product was given (价格监测): written by the pricing service on every change."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    price = models.DecimalField(
        _("price (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    method = models.CharField(
        _("pricing method"), max_length=20, choices=Product.PricingMethod.choices, blank=True
    )
    terms = models.CharField(_("price terms"), max_length=300, blank=True)
    reason = models.CharField(_("reason for the change"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("product price")
        verbose_name_plural = _("product prices")
        indexes = [models.Index(fields=["product", "-changed_at"], name="product_price_history")]

    def __str__(self) -> str:
        return f"{self.product_id} · {self.price}"
