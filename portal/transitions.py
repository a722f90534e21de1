"""One compare-and-set state change for every state machine of the portal.

Each workflow (resources, products, applications, feedback) declares one table, ``{action:
Step}``, naming the states an action starts from and the state it leads to. ``advance`` moves
an object with a single ``UPDATE … WHERE status IN (sources)``: of two people acting at once,
exactly one succeeds, and the other gets ``InvalidTransition`` naming the state the object is
in now. Who may act, reasons, audit rows and notices stay with each workflow's services.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import models
from django.dispatch import Signal
from django.utils import timezone


class InvalidTransition(Exception):
    """The object is not in a state the action starts from; ``current`` is its state."""

    def __init__(self, current: str, label: str):
        super().__init__(current)
        self.current = current
        self.label = label


@dataclass(frozen=True)
class Step:
    """One action of a state machine: the states it starts from and the one it leads to."""

    sources: tuple[str, ...]
    target: str
    needs_reason: bool = False


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(field.name == name for field in model._meta.concrete_fields)


# Sent after ``advance`` moved an object (its UPDATE sends no ``post_save``): the search
# outbox listens, since a state decides who may find an entry.
advanced = Signal()


def advance(
    obj: models.Model,
    table: Mapping[str, Step],
    action: str,
    *,
    error: type[InvalidTransition] = InvalidTransition,
    **changes,
) -> models.Model:
    """Move ``obj`` along ``table[action]`` in one compare-and-set ``UPDATE`` that also writes
    ``changes`` (and ``updated_at`` where the model has it), then reload ``obj``.

    Raises ``error`` (an ``InvalidTransition``) with the current state when ``obj`` is not in
    one of the step's source states, having written nothing."""
    step = table[action]
    model = type(obj)
    if _has_field(model, "updated_at"):
        changes.setdefault("updated_at", timezone.now())
    moved = model._default_manager.filter(pk=obj.pk, status__in=step.sources).update(
        status=step.target, **changes
    )
    obj.refresh_from_db()
    if not moved:
        raise error(obj.status, obj.get_status_display())
    advanced.send(sender=model, instance=obj, action=action)
    return obj
