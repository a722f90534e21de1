"""The engine's documents, read from the database in batches (never from the text itself:
the search words were segmented and stored on write, in ``search_title``/``search_body``).

Key fields put the entry's id in the low 32 bits of a sort key, so each key is unique and an
engine can page by keyset: ``by_modified`` (the day, then the id), ``by_quality``,
``by_records`` (record counts above 2³² − 1 sort as equal, then by id), ``by_downloads``,
``by_updated`` and
``by_created`` (the second of the last change and of the creation, then the id) and ``by_id``.
Text keys (``title_sort``, ``name_sort``: the catalogue code) end with the id after a NUL.

``updated`` and ``created`` hold microseconds since 1970 (UTC), so a range on them is as exact
as the database's; ``tags`` the keywords as ``Resource.keyword_list`` splits them; ``license``
the licence's CKAN id; ``public`` whether the rule-book shows the entry to everyone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from catalog.interop.ckan.serializers import license_for
from catalog.models import Product, Resource
from catalog.search.engine import PRODUCTS, RESOURCES
from grading.models import Agreement
from grading.policy.search import product_labels, resource_is_public, resource_labels

BATCH = 5000
_LOW = 32
_MAX_LOW = (1 << _LOW) - 1


def sort_key(value: int, pk: int) -> int:
    """A unique unsigned 64-bit key ordering by ``value``, then by id."""
    return (min(max(int(value), 0), _MAX_LOW) << _LOW) | pk


def key_id(key: int) -> int:
    """The id inside a key made by :func:`sort_key` (or a plain id)."""
    return int(key) & _MAX_LOW


def title_key(title: str, pk: int) -> str:
    return f"{title}\x00{pk:010d}"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def microseconds(moment: datetime) -> int:
    """``moment`` (aware) as microseconds since 1970 UTC; earlier moments as 0."""
    return max((moment - _EPOCH) // _MICROSECOND, 0)


def tags(keywords: str) -> list[str]:
    """The keywords as ``Resource.keyword_list`` splits them (CKAN's tags), each once."""
    return list(dict.fromkeys(k.strip() for k in keywords.split(",") if k.strip()))


_RESOURCE_COLUMNS = (
    "id",
    "search_title",
    "search_body",
    "status",
    "tier",
    "grade",
    "provider_id",
    "theme_id",
    "theme__parent_id",
    "format",
    "update_cycle",
    "high_value",
    "quality_score",
    "modified",
    "record_count",
    "download_count",
    "title",
    "keywords",
    "license",
    "code",
    "updated_at",
    "created_at",
)
_PRODUCT_COLUMNS = (
    "id",
    "search_title",
    "search_body",
    "status",
    "provider_id",
    "theme_id",
    "product_type",
    "delivery",
    "purpose",
    "updated_at",
)


def _resource_document(row: tuple, agreements: list[int]) -> dict:
    (pk, words_title, words_body, status, tier, grade, provider, theme, parent) = row[:9]
    (fmt, cycle, high_value, quality, modified, records, downloads, title) = row[9:17]
    (keywords, license_text, code, updated_at, created_at) = row[17:]
    return {
        "id": pk,
        "title": words_title,
        "body": words_body,
        "labels": resource_labels(
            status=status, tier=tier, grade=grade, provider_id=provider, agreement_ids=agreements
        ),
        "theme": theme,
        "theme_path": [t for t in (theme, parent) if t],
        "theme_top": parent or theme,
        "provider": provider,
        "tier": tier,
        "grade": grade,
        "format": fmt,
        "format_ci": (fmt or "").lower(),
        "update_cycle": cycle,
        "high_value": int(bool(high_value)),
        "quality": quality,
        "modified": modified.toordinal(),
        "by_modified": sort_key(modified.toordinal(), pk),
        "by_quality": sort_key(quality, pk),
        "by_records": sort_key(records, pk),
        "by_downloads": sort_key(downloads, pk),
        "title_sort": title_key(title, pk),
        "tags": tags(keywords),
        "license": license_for(license_text).id,
        "status": status,
        "public": int(resource_is_public(status=status, tier=tier, grade=grade)),
        "code": code,
        "updated": microseconds(updated_at),
        "created": microseconds(created_at),
        "by_updated": sort_key(microseconds(updated_at) // 1_000_000, pk),
        "by_created": sort_key(microseconds(created_at) // 1_000_000, pk),
        "name_sort": title_key(code, pk),
    }


def _product_document(row: tuple) -> dict:
    pk, words_title, words_body, status, provider, theme, product_type, delivery, purpose = row[:9]
    updated = row[9]
    return {
        "id": pk,
        "title": words_title,
        "body": words_body,
        "labels": product_labels(status=status, provider_id=provider),
        "provider": provider,
        "theme": theme,
        "product_type": product_type,
        "delivery": delivery,
        "purpose": purpose,
        "updated": timezone.localdate(updated).toordinal() if updated else None,
        "by_id": pk,
    }


def _scopes(lowest: int, highest: int) -> dict[int, list[int]]:
    """Agreements whose scope holds each resource with an id in [lowest, highest]."""
    found = defaultdict(list)
    rows = Agreement.resources.through.objects.filter(
        resource_id__gte=lowest, resource_id__lte=highest
    ).values_list("resource_id", "agreement_id")
    for resource_id, agreement_id in rows:
        found[resource_id].append(agreement_id)
    return found


def _batches(model, columns, ids: Iterable[int] | None) -> Iterator[list[tuple]]:
    if ids is not None:
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            yield list(model.objects.filter(pk__in=chunk).order_by("id").values_list(*columns))
        return
    last = 0
    while True:
        rows = list(model.objects.filter(pk__gt=last).order_by("id").values_list(*columns)[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def documents(kind: str, ids: Iterable[int] | None = None) -> Iterator[dict]:
    """The documents of ``kind`` for ``ids`` (every entry when ``None``); an id with no row
    yields nothing."""
    if kind == PRODUCTS:
        for rows in _batches(Product, _PRODUCT_COLUMNS, ids):
            yield from (_product_document(row) for row in rows)
        return
    if kind != RESOURCES:
        raise ValueError(kind)
    for rows in _batches(Resource, _RESOURCE_COLUMNS, ids):
        if not rows:
            continue
        scopes = _scopes(rows[0][0], rows[-1][0])
        yield from (_resource_document(row, scopes.get(row[0], [])) for row in rows)
