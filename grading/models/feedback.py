"""Feedback: corrections, data requests and rights complaints."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.validators import CleanTextModel


class Feedback(CleanTextModel, models.Model):
    """Feedback addressed to an agency (DESIGN §3): a correction (纠错) or a rights complaint
    (权益申诉) about one of its resources, or a request for data not yet open (开放需求). Its
    transitions are in ``grading.feedback.services``; an upheld complaint suspends access (the
    policy)."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        REQUEST = "request", _("Data request")
        COMPLAINT = "complaint", _("Rights complaint")

    class Status(models.TextChoices):
        # "Open" alone is the openness tier (无条件开放); a status waiting for an answer is not.
        OPEN = "open", pgettext_lazy("feedback status", "Open")
        ANSWERED = "answered", _("Answered")
        UPHELD = "upheld", _("Upheld: access suspended")
        RESOLVED = "resolved", _("Resolved")
        DISMISSED = "dismissed", _("Dismissed")

    kind = models.CharField(
        pgettext_lazy("feedback kind", "kind"), max_length=20, choices=Kind.choices
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    resource = models.ForeignKey(
        "catalog.Resource",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="feedback",
    )
    # A complaint about a listed data product (exactly one of resource and product is set for
    # it); ``agency`` is then the product's provider, which answers it.
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="complaints",
    )
    agency = models.ForeignKey(
        "catalog.Organization",
        on_delete=models.PROTECT,
        related_name="feedback_received",
        help_text=_("The agency that answers: the resource's provider, or the one addressed."),
    )
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
    )
    title = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"))
    evidence = models.FileField(_("evidence"), upload_to="feedback/%Y/%m/", blank=True)
    answer = models.TextField(_("answer"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    due_on = models.DateField(_("answer due"), null=True, blank=True)
    # A random key of the form that sent this row: a resent form finds the row it created.
    submission_key = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.UniqueConstraint(
                fields=["submission_key"],
                condition=~models.Q(submission_key=""),
                name="feedback_submission_once",
            ),
            models.CheckConstraint(
                condition=models.Q(product__isnull=True)
                | models.Q(resource__isnull=True, kind="complaint"),
                name="feedback_product_complaint_only",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "due_on"], name="feedback_inbox"),
            models.Index(fields=["resource", "status"], name="feedback_resource"),
            models.Index(fields=["kind", "status"], name="feedback_kind_status"),
            models.Index(fields=["product", "status"], name="feedback_product"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} · {self.title}"
