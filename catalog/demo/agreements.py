"""Agreements the platform administrator makes directly (``agreement_save``): those whose scope
holds open entries, which an application for authorized operation cannot name, and those of
agencies, which cannot apply. The others come from applications (``operation``)."""

from __future__ import annotations

from decimal import Decimal

from grading.models import Agreement
from grading.services import agreement_save

from . import actors


def make(specs: list[dict]) -> list[Agreement]:
    """Make every agreement of ``specs`` as the platform administrator."""
    admin = actors.platform_admin()
    return [
        agreement_save(
            actor=admin,
            operator=actors.organization(spec["operator"]),
            resources=actors.resources(spec["resources"]),
            data=terms(spec),
        )
        for spec in specs
    ]


def terms(spec: dict) -> dict:
    """An agreement's term from ISO dates (whole days), its purposes and fee cap if given."""
    data = {
        "valid_from": actors.day_start(spec["valid_from"]),
        "valid_until": actors.day_end(spec["valid_until"]),
    }
    if spec.get("purposes"):
        data["purposes"] = spec["purposes"]
    if spec.get("fee_cap") is not None:
        data["fee_cap"] = Decimal(spec["fee_cap"])
    return data
