"""Where a harvested catalogue entry came from."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models.resources import Resource


class HarvestRecord(models.Model):
    """Where a harvested entry came from: the source (its URL, or the file's URI, or a name
    given by the operator) and the entry's identity there (a CKAN package id, a DCAT dataset
    IRI), with a hash of what was last imported. ``manage.py harvest`` reads it to update a
    changed entry instead of importing it twice, and to skip unchanged ones."""

    source = models.CharField(_("source"), max_length=500)
    remote_id = models.CharField(_("identity at the source"), max_length=500)
    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, related_name="harvest_record"
    )
    content_hash = models.CharField(_("content hash"), max_length=64)
    harvested_at = models.DateTimeField(_("harvested at"), auto_now=True)

    class Meta:
        verbose_name = _("harvest record")
        verbose_name_plural = _("harvest records")
        constraints = [
            models.UniqueConstraint(fields=["source", "remote_id"], name="harvest_unique_remote")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.remote_id}"
