"""The rows of a resource's data, loaded from one of its distributions for queries."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models.resources import Distribution, Resource


class RowTable(models.Model):
    """The rows of a resource's tabular (CSV) distribution, loaded into the database for the
    row API and the preview. One per resource: loading a newer file replaces it. Written only
    by ``catalog.services.rows_load``; who may read which columns is the policy's question."""

    resource = models.OneToOneField(Resource, on_delete=models.CASCADE, related_name="row_table")
    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="+")
    row_count = models.PositiveIntegerField(_("rows loaded"), default=0)
    # The file had more rows than ``settings.ROWS_MAX_LOADED``; only that many were loaded.
    truncated = models.BooleanField(_("truncated"), default=False)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("row table")
        verbose_name_plural = _("row tables")

    def __str__(self) -> str:
        return f"{self.resource_id}: {self.row_count}"


class Row(models.Model):
    """One data row: its number in the file (1 = first line after the header) and its values
    keyed by the dictionary field's English name. Empty cells and columns that are not in the
    data dictionary are left out, so a missing key means "no value"."""

    table = models.ForeignKey(RowTable, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["table", "number"]
        constraints = [
            models.UniqueConstraint(fields=["table", "number"], name="row_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.table_id}#{self.number}"
