"""Keeping the engine in step with the database: the outbox.

Every write of a resource or product records the entry in ``SearchOutbox`` in the same
transaction (model signals here; ``record`` for bulk writes that bypass them). Right after the
commit, the engine indexes the recorded entries and the rows are deleted. A crash in between
leaves the rows, and they are indexed by the next search (``pending`` → ``catch_up``), the next
write, or ``manage.py search_index --catch-up``. Indexing is idempotent: an entry is re-read
from the database, so indexing it twice, or late, gives the same document.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from catalog.models import Product, Resource, SearchOutbox, Theme
from catalog.search.documents import documents
from catalog.search.engine import KINDS, PRODUCTS, RESOURCES, Busy, get_engine

log = logging.getLogger("catalog.search")
BATCH = 2000
COMMIT_WAIT = 5.0  # seconds a write waits for another process's indexing to finish


def record(kind: str, ids: Iterable[int], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Record entries of ``kind`` as changed, in the current transaction, and index them right
    after it commits."""
    rows = [SearchOutbox(kind=kind, object_id=pk) for pk in ids]
    if not rows:
        return
    SearchOutbox.objects.using(using).bulk_create(rows, batch_size=BATCH)
    _index_after_commit(using)


_callbacks: dict[str, object] = {}


def _index_after_commit(using: str) -> None:
    callback = _callbacks.get(using)
    if callback is None:

        def callback(using=using):
            try:
                catch_up(using=using, wait=COMMIT_WAIT)
            except Exception:  # the rows stay in the outbox; the next search retries
                log.exception("indexing after commit failed")

        _callbacks[using] = callback
    pending = connections[using].run_on_commit
    if not any(entry[1] is callback for entry in pending):
        transaction.on_commit(callback, using=using)


def pending(*, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Are there entries the engine has not indexed yet?"""
    return SearchOutbox.objects.using(using).exists()


def catch_up(*, using: str = DEFAULT_DB_ALIAS, wait: float = 0.0) -> int:
    """Index every recorded entry and delete its outbox row; the number of rows done. Returns 0
    at once if another process is indexing (after ``wait`` seconds): that process, or the next
    caller, does the rows."""
    engine = get_engine()
    done = 0
    try:
        with engine.writing(wait=wait):
            while rows := list(
                SearchOutbox.objects.using(using)
                .order_by("id")
                .values_list("id", "kind", "object_id")[:BATCH]
            ):
                for kind in KINDS:
                    ids = {object_id for _pk, k, object_id in rows if k == kind}
                    if ids:
                        found = list(documents(kind, ids))
                        engine.replace(kind, found, ids - {d["id"] for d in found})
                # Exactly the rows read: a row committed meanwhile with a lower id stays.
                SearchOutbox.objects.using(using).filter(pk__in=[r[0] for r in rows]).delete()
                done += len(rows)
    except Busy:
        return done
    return done


def rebuild(kind: str, *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Rebuild ``kind``'s index from the database and swap it in; the number of entries.
    Entries written meanwhile are in the outbox, and are indexed again right after."""
    engine = get_engine()
    with engine.writing(wait=600):
        count = engine.rebuild(kind, documents(kind))
    catch_up(using=using, wait=COMMIT_WAIT)
    return count


# -- signals ---------------------------------------------------------------------------------


def _resource_changed(sender, instance, using, **kwargs):
    record(RESOURCES, [instance.pk], using=using)


def _product_changed(sender, instance, using, **kwargs):
    record(PRODUCTS, [instance.pk], using=using)


def _resource_moved(sender, instance, **kwargs):
    record(RESOURCES, [instance.pk], using=instance._state.db or DEFAULT_DB_ALIAS)


def _product_moved(sender, instance, **kwargs):
    record(PRODUCTS, [instance.pk], using=instance._state.db or DEFAULT_DB_ALIAS)


def _scope_changed(sender, instance, action, reverse, pk_set, using, **kwargs):
    """An agreement's scope gained or lost entries: their labels change."""
    if action in ("post_add", "post_remove") and pk_set:
        ids = [instance.pk] if reverse else pk_set
    elif action == "pre_clear":
        ids = [instance.pk] if reverse else list(instance.resources.values_list("pk", flat=True))
    else:
        return
    record(RESOURCES, ids, using=using)


def _theme_parent_before(sender, instance, using, **kwargs):
    if instance.pk:
        old = Theme.objects.using(using).filter(pk=instance.pk).values_list("parent_id", flat=True)
        instance._search_old_parent = next(iter(old), None)


def _theme_moved(sender, instance, created, using, **kwargs):
    """A theme moved under another parent: its entries count under a new top-level theme."""
    if created or getattr(instance, "_search_old_parent", None) == instance.parent_id:
        return
    themes = [
        instance.pk,
        *Theme.objects.using(using).filter(parent=instance).values_list("pk", flat=True),
    ]
    ids = Resource.objects.using(using).filter(theme__in=themes).values_list("pk", flat=True)
    record(RESOURCES, list(ids), using=using)


def connect() -> None:
    """Connect the signals (``CatalogConfig.ready``)."""
    from grading.models import Agreement
    from portal.transitions import advanced

    post_save.connect(_resource_changed, sender=Resource, dispatch_uid="search-resource-save")
    advanced.connect(_resource_moved, sender=Resource, dispatch_uid="search-resource-moved")
    advanced.connect(_product_moved, sender=Product, dispatch_uid="search-product-moved")
    post_delete.connect(_resource_changed, sender=Resource, dispatch_uid="search-resource-del")
    post_save.connect(_product_changed, sender=Product, dispatch_uid="search-product-save")
    post_delete.connect(_product_changed, sender=Product, dispatch_uid="search-product-del")
    m2m_changed.connect(
        _scope_changed, sender=Agreement.resources.through, dispatch_uid="search-scope"
    )
    pre_save.connect(_theme_parent_before, sender=Theme, dispatch_uid="search-theme-before")
    post_save.connect(_theme_moved, sender=Theme, dispatch_uid="search-theme-moved")
