"""The market side of the catalogue (供需对接): requests for data products, and the showcase of
applications built on open data (应用成果). Their steps are in ``grading.requests.services``
and ``grading.showcase.services``; who may do what is ``grading.policy.market``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models.organizations import localized
from catalog.validators import CleanTextModel


class ProductRequest(CleanTextModel, models.Model):
    """A request to use a data product, or an enquiry about it (申请使用/咨询), answered by the
    product's provider with a quote, an acceptance or a refusal."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        QUOTED = "quoted", _("Quoted")
        ACCEPTED = "accepted", _("Accepted by the provider")
        REFUSED = "refused", _("Refused")
        ACCEPTED_BY_REQUESTER = "accepted_by_requester", _("Quote accepted")
        DECLINED_BY_REQUESTER = "declined_by_requester", _("Quote declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATES = (Status.SUBMITTED, Status.QUOTED)

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="requests"
    )
    # The provider when the request was made: it answers, even if the product changes hands.
    provider = models.ForeignKey(
        "catalog.Organization", on_delete=models.PROTECT, related_name="product_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="product_requests"
    )
    requester_organization = models.ForeignKey(
        "catalog.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="product_requests_made",
    )
    purpose = models.TextField(_("purpose"))
    scenario = models.TextField(_("application scenario"))
    contact_name = models.CharField(_("contact name"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit = models.CharField(_("unit"), max_length=40)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.SUBMITTED
    )
    due_on = models.DateField(_("answer due"), null=True, blank=True)
    quote_amount = models.DecimalField(
        _("quoted amount (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    quote_terms = models.TextField(_("quote terms"), blank=True)
    quote_valid_until = models.DateField(_("quote valid until"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("product request")
        verbose_name_plural = _("product requests")
        indexes = [
            models.Index(fields=["requester", "-id"], name="prodreq_requester"),
            models.Index(fields=["provider", "status", "due_on"], name="prodreq_provider"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quote_amount__isnull=True) | Q(quote_amount__gte=0),
                name="prodreq_quote_not_negative",
            ),
            # One open request per requester and product: a second one is a double submission.
            models.UniqueConstraint(
                fields=["requester", "product"],
                condition=Q(status__in=["submitted", "quoted"]),
                name="prodreq_one_open_per_product",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} · {self.product_id} · {self.requester}"


class Showcase(CleanTextModel, models.Model):
    """An application built on open data (应用成果), listed after review by the platform."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        LISTED = "listed", _("Listed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    description = models.TextField(_("description"))
    url = models.URLField(_("web address"), max_length=500)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="showcases"
    )
    sources = models.ManyToManyField(
        "catalog.Resource", related_name="showcases", verbose_name=_("source data")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    reason = models.TextField(_("reason"), blank=True)
    listed_at = models.DateTimeField(_("listed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("showcase")
        verbose_name_plural = _("showcases")
        indexes = [models.Index(fields=["status", "-id"], name="showcase_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        return localized(self, "title")
