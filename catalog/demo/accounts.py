"""The demo's enterprises, checked and verified by the platform administrator."""

from __future__ import annotations

from catalog.models import Organization
from grading.accounts.services import enterprise_verify

from . import actors


def make(codes: list[str]) -> list[Organization]:
    """Verify every enterprise of ``codes`` as the platform administrator."""
    admin = actors.platform_admin()
    return [enterprise_verify(actor=admin, organization=actors.organization(c)) for c in codes]
