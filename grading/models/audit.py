"""The audit chain's rows (存证)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only.")

    def delete(self):
        raise PermissionError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One row of the hash-chained audit log (存证). Appended by ``grading.audit.record`` only;
    never updated or deleted by the application.

    ``alg`` names how ``hash`` was computed: rows written before keyed hashing keep the plain
    SHA-256 they were written with (and are verified as before); new rows carry an HMAC-SHA256
    under a key held outside the database (``AUDIT_HMAC_KEY``)."""

    class Alg(models.TextChoices):
        SHA256 = "sha256", "SHA-256 (legacy, unkeyed)"
        HMAC_SHA256 = "hmac-sha256", "HMAC-SHA256"

    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    payload = models.TextField(help_text="Canonical JSON: sorted keys, no spaces, UTF-8.")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    alg = models.CharField(
        max_length=20, choices=Alg.choices, default=Alg.HMAC_SHA256, editable=False
    )

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")
