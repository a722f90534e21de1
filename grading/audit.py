"""The audit chain (存证): an append-only log whose rows are hash-chained.

Each row stores the hash of the row before it and the sha256 of its own canonical content
(sequence number, previous hash, time, actor, action, object and the canonical JSON payload).
Changing, inserting or removing any row breaks the chain at that row, which ``verify`` names.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from grading.models import AuditEvent

GENESIS = "0" * 64
_LOCK_KEY = 7_320_514  # PostgreSQL advisory lock serializing appends


def canonical_json(payload: Mapping[str, Any]) -> str:
    """``payload`` as canonical JSON: sorted keys, no insignificant spaces, UTF-8 text."""
    return json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def row_hash(event: AuditEvent) -> str:
    """The sha256 of a row's canonical content, chained to its predecessor's hash."""
    content = "\x1f".join(
        [
            str(event.seq),
            event.prev_hash,
            event.created_at.isoformat(),
            str(event.actor_id or ""),
            event.action,
            event.object_type,
            event.object_id,
            event.payload,
        ]
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _object_ref(obj) -> tuple[str, str]:
    if isinstance(obj, tuple):
        return obj
    return obj._meta.label_lower, str(obj.pk)


@transaction.atomic
def record(*, actor, action: str, obj, payload: Mapping[str, Any] | None = None) -> AuditEvent:
    """Append one event to the chain. ``obj`` is a model instance or an ``(type, id)`` pair.

    Appends are serialized (an advisory lock on PostgreSQL; SQLite transactions here take the
    write lock when they begin), so two writers never chain onto the same row.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
    object_type, object_id = _object_ref(obj)
    event = AuditEvent(
        seq=(last.seq + 1) if last else 1,
        prev_hash=last.hash if last else GENESIS,
        created_at=timezone.now(),
        actor_id=getattr(actor, "pk", None) if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        payload=canonical_json(payload or {}),
    )
    event.hash = row_hash(event)
    event.save()
    return event


@dataclass(frozen=True)
class Break:
    """The first row at which the chain does not hold, and why."""

    seq: int
    reason: str


def verify(events: Iterator[AuditEvent] | None = None) -> tuple[int, Break | None]:
    """Walk the chain in order; return the number of rows checked and the first break, if any."""
    rows = events if events is not None else AuditEvent.objects.order_by("seq").iterator(2000)
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    for event in rows:
        if event.seq != expected_seq:
            return checked, Break(event.seq, f"sequence gap: expected {expected_seq}")
        if event.prev_hash != expected_prev:
            return checked, Break(event.seq, "previous-hash link does not match")
        if row_hash(event) != event.hash:
            return checked, Break(event.seq, "row content does not match its hash")
        expected_prev, expected_seq, checked = event.hash, event.seq + 1, checked + 1
    return checked, None
