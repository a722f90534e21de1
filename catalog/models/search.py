"""The search outbox: entries written since the engine last indexed them."""

from django.db import models


class SearchOutbox(models.Model):
    """An entry to (re)index or remove, recorded in the transaction that changed it.

    The engine is updated right after the commit and the row deleted; a row left behind (a crash
    between commit and indexing) is indexed by the next search, the next write, or
    ``search_index --catch-up``.
    """

    kind = models.CharField(max_length=20)  # catalog.search.engine.KINDS
    object_id = models.PositiveBigIntegerField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "object_id"], name="search_outbox_entry")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"
