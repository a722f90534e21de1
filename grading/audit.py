"""The audit chain (存证): an append-only log whose rows are hash-chained.

Each row stores the hash of the row before it and the hash of its own canonical content
(sequence number, previous hash, time, actor, action, object and the canonical JSON payload).
Changing, inserting or removing any row breaks the chain at that row, which ``verify`` names.

Two things anchor the chain outside the database:

- **A key.** New rows are hashed with HMAC-SHA256 under ``AUDIT_HMAC_KEY`` (or, when that is
  unset, a random key kept in ``AUDIT_KEY_FILE``), so someone who can write the database but
  does not hold the key cannot re-hash the rows after one they changed. Rows written before
  keyed hashing carry ``alg = "sha256"`` and are verified as before (plain SHA-256); they are
  protected by the keyed rows chained after them, and a plain row after a keyed one is a break.
- **Published heads.** ``head()`` is the last row's ``<row>:<hash>``; once published (``manage.py
  audit_head --publish``, or copied anywhere the database's writers cannot reach), ``verify``
  checks that the chain still holds that row with that hash, which catches deleting the last
  rows and re-hashing the whole chain, neither of which the links alone can show.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from grading.models import AuditEvent

GENESIS = "0" * 64
_LOCK_KEY = 7_320_514  # PostgreSQL advisory lock serializing appends
LEGACY = AuditEvent.Alg.SHA256
KEYED = AuditEvent.Alg.HMAC_SHA256
HIDDEN = "<hidden>"  # stands for the value of a secret field (a password hash) in a change


# ---------------------------------------------------------------------------------------------
# The key
# ---------------------------------------------------------------------------------------------


def audit_key() -> bytes:
    """The key of the chain's HMACs: ``AUDIT_HMAC_KEY``, else the key file (made on first use)."""
    if settings.AUDIT_HMAC_KEY:
        return settings.AUDIT_HMAC_KEY.encode("utf-8")
    return _file_key(str(settings.AUDIT_KEY_FILE))


@functools.lru_cache(maxsize=4)
def _file_key(path: str) -> bytes:
    file = Path(path)
    if not file.exists():
        _create_key_file(file)
    if file.stat().st_mode & 0o077:
        raise ImproperlyConfigured(f"{file} must be readable by its owner only (chmod 600).")
    key = file.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ImproperlyConfigured(f"{file} holds no usable key (at least 32 characters).")
    return key.encode("ascii")


def _create_key_file(file: Path) -> None:
    """Write a new random key to ``file`` atomically, mode 0600, never replacing one that a
    concurrent process wrote first: the key is complete in a private temporary file before a
    hard link gives it its name."""
    file.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=file.parent, prefix=".audit-key-")  # mode 0600
    try:
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32) + "\n")
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            os.link(temporary, file)
    finally:
        os.unlink(temporary)


# ---------------------------------------------------------------------------------------------
# Appending
# ---------------------------------------------------------------------------------------------


def canonical_json(payload: Mapping[str, Any]) -> str:
    """``payload`` as canonical JSON: sorted keys, no insignificant spaces, UTF-8 text."""
    return json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def _content(event: AuditEvent) -> list[str]:
    return [
        str(event.seq),
        event.prev_hash,
        event.created_at.isoformat(),
        str(event.actor_id or ""),
        event.action,
        event.object_type,
        event.object_id,
        event.payload,
    ]


def row_hash(event: AuditEvent, key: bytes | None = None) -> str:
    """The hash of a row's canonical content, chained to its predecessor's hash, computed the
    way its ``alg`` says: HMAC-SHA256 under the audit key, or (legacy rows) plain SHA-256."""
    if event.alg == LEGACY:
        return hashlib.sha256("\x1f".join(_content(event)).encode("utf-8")).hexdigest()
    if event.alg == KEYED:
        message = "\x1f".join([event.alg, *_content(event)]).encode("utf-8")
        return hmac.new(key or audit_key(), message, hashlib.sha256).hexdigest()
    raise ValueError(f"unknown hash scheme {event.alg!r}")


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
    key = audit_key()  # before the lock: a missing or unreadable key fails without waiting
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
        alg=KEYED,
    )
    event.hash = row_hash(event, key)
    event.save()
    return event


# ---------------------------------------------------------------------------------------------
# Administrative changes (the Django admin's adds, changes and deletes)
# ---------------------------------------------------------------------------------------------


def snapshot(obj) -> dict[str, Any]:
    """The stored values of ``obj``'s fields: column values (a foreign key as its id), and
    many-to-many fields as sorted ids. Fields set automatically on every save are left out."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if not getattr(field, "auto_now", False):
            values[field.name] = field.value_from_object(obj)
    for field in obj._meta.many_to_many:
        related = getattr(obj, field.name).values_list("pk", flat=True) if obj.pk else []
        values[field.name] = sorted(related)
    return values


def _field_changes(before, after, secret) -> dict[str, dict[str, Any]]:
    changes = {}
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if name in before and name in after and old == new:
            continue
        if name in secret:
            old, new = (HIDDEN if old else old), (HIDDEN if new else new)
        changes[name] = {"before": old, "after": new}
    return changes


def record_admin_change(
    *,
    actor,
    action: str,
    obj,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    secret: Iterable[str] = (),
) -> AuditEvent | None:
    """Append an administrative add, change or delete of ``obj`` (``admin.add``,
    ``admin.change``, ``admin.delete``) with each changed field before and after (``before`` is
    empty for an add, ``after`` for a delete). Values of ``secret`` fields are replaced by a
    marker. A change that changed nothing appends nothing."""
    changes = _field_changes(before, after, frozenset(secret))
    if not changes and before and after:
        return None
    payload = {"object": str(obj), "fields": changes}
    return record(actor=actor, action=action, obj=obj, payload=payload)


# ---------------------------------------------------------------------------------------------
# Heads and verification
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    """A row of the chain and its hash, written ``<row>:<hash>``; row 0 is the empty chain."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Head:
        """Read ``<row>:<hash>``; ``ValueError`` when it is not that."""
        seq, _sep, digest = text.strip().partition(":")
        digest = digest.lower()
        if not seq.isdigit() or len(digest) != 64 or set(digest) - set("0123456789abcdef"):
            raise ValueError(f"not a chain head (<row>:<64 hex digits>): {text.strip()!r}")
        return cls(int(seq), digest)


def head() -> Head:
    """The chain's last row and its hash (``0:<genesis>`` while the chain is empty)."""
    last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
    return Head(last.seq, last.hash) if last else Head(0, GENESIS)


def published_heads(path: Path) -> list[Head]:
    """The heads in a file of published heads: the last word of each line that is not blank or
    a ``#`` comment (``audit_head --publish`` writes ``<time> <row>:<hash>``)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [Head.parse(line.split()[-1]) for line in lines if line.strip() and line[0] != "#"]


def publish_head(path: Path) -> Head:
    """Append the current head to the file of published heads at ``path``, after checking the
    chain and every head published there before; ``ChainBroken`` if they do not hold."""
    path = Path(path)
    expected = published_heads(path) if path.exists() else []
    checked, broken = verify(expect=expected)
    if broken is not None:
        raise ChainBroken(checked, broken)
    current = head()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = f"{timezone.now().isoformat(timespec='seconds')} {current}\n"
    handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(handle, line.encode("ascii"))
        os.fsync(handle)
    finally:
        os.close(handle)
    return current


@dataclass(frozen=True)
class Break:
    """The first row at which the chain does not hold, and why."""

    seq: int
    reason: str


class ChainBroken(Exception):
    """The chain does not verify: ``checked`` rows held before ``broken``."""

    def __init__(self, checked: int, broken: Break):
        super().__init__(f"row {broken.seq}: {broken.reason}")
        self.checked, self.broken = checked, broken


def verify(
    events: Iterator[AuditEvent] | None = None, *, expect: Iterable[Head] = ()
) -> tuple[int, Break | None]:
    """Walk the chain in order; return the number of rows checked and the first break, if any.

    Every head in ``expect`` (published earlier) must still be in the chain with its hash: a
    head past the end means the last rows were deleted; another hash, that the chain was
    rewritten up to that row and re-hashed.
    """
    wanted: dict[int, set[str]] = {}
    for item in expect:
        wanted.setdefault(item.seq, set()).add(item.hash)
    if wanted.get(0, {GENESIS}) != {GENESIS}:
        return 0, Break(0, "a published head of the empty chain is not the genesis hash")
    rows = events if events is not None else AuditEvent.objects.order_by("seq").iterator(2000)
    key = audit_key()
    expected_prev, expected_seq, checked, keyed = GENESIS, 1, 0, False
    for event in rows:
        broken = _check_row(event, expected_seq, expected_prev, keyed, key)
        if broken is None and wanted.get(event.seq, {event.hash}) != {event.hash}:
            broken = Break(event.seq, "hash differs from the published head (chain rewritten)")
        if broken is not None:
            return checked, broken
        keyed = keyed or event.alg == KEYED
        expected_prev, expected_seq, checked = event.hash, event.seq + 1, checked + 1
    beyond = [seq for seq in wanted if seq >= expected_seq]
    if beyond:
        return checked, Break(
            max(beyond),
            f"published head is past the end of the chain, which ends at row {expected_seq - 1}"
            " (its last rows were deleted)",
        )
    return checked, None


def _check_row(event, expected_seq, expected_prev, keyed, key) -> Break | None:
    if event.seq != expected_seq:
        return Break(event.seq, f"sequence gap: expected {expected_seq}")
    if event.prev_hash != expected_prev:
        return Break(event.seq, "previous-hash link does not match")
    if event.alg not in (LEGACY, KEYED):
        return Break(event.seq, f"unknown hash scheme {event.alg!r}")
    if keyed and event.alg == LEGACY:
        return Break(event.seq, "unkeyed (legacy) row after keyed rows")
    if not hmac.compare_digest(row_hash(event, key), event.hash):
        return Break(event.seq, "row content does not match its hash")
    return None
