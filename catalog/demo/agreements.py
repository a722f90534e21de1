"""Authorized-operation agreements of the demo, made by the platform administrator."""

from __future__ import annotations

from decimal import Decimal

from grading.models import Agreement
from grading.services import agreement_save

from . import actors


def make(specs: list[dict]) -> list[Agreement]:
    """Make every agreement of ``specs``; backdated ones marked ``expire`` are then expired."""
    admin = actors.platform_admin()
    made = []
    for spec in specs:
        agreement = agreement_save(
            actor=admin,
            operator=actors.organization(spec["operator"]),
            resources=actors.resources(spec["resources"]),
            data=_terms(spec),
        )
        if spec.get("expire"):
            agreement = expire_agreement(actor=admin, agreement=agreement, reason=spec["expire"])
        made.append(agreement)
    return made


def _terms(spec: dict) -> dict:
    return {
        "purposes": spec["purposes"],
        "fee_cap": Decimal(spec["fee_cap"]),
        "valid_from": actors.day_start(spec["valid_from"]),
        "valid_until": actors.day_end(spec["valid_until"]),
    }


def expire_agreement(*, actor, agreement: Agreement, reason: str) -> Agreement:
    """Record that ``agreement``'s term has passed.

    To be completed: the authorized-operation flow (``grading/operation/services.py``) brings
    the agreement expiry step; until it is merged, the only service that changes an agreement is
    ``agreement_save``, which records the change of status on the chain (``agreement.change``)."""
    data = {**_current_terms(agreement), "status": Agreement.Status.EXPIRED}
    return agreement_save(
        actor=actor,
        operator=agreement.operator,
        resources=list(agreement.resources.all()),
        data=data,
        agreement=agreement,
    )


def _current_terms(agreement: Agreement) -> dict:
    return {
        "purposes": agreement.purposes,
        "fee_cap": agreement.fee_cap,
        "valid_from": agreement.valid_from,
        "valid_until": agreement.valid_until,
    }
