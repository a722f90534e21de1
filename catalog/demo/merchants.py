"""Data merchants (数商): registered by the enterprise's staff with their categories and a
PDF of evidence, then verified, returned or suspended by the platform administrator."""

from __future__ import annotations

from grading.merchants.services import Registration, merchant_act, merchant_register
from grading.models import DataMerchant

from . import actors, evidence


def make(specs: list[dict]) -> list[DataMerchant]:
    """Register every merchant of ``specs`` as its staff, then take the platform's steps."""
    admin = actors.platform_admin()
    return [_play(spec, admin) for spec in specs]


def _play(spec: dict, admin) -> DataMerchant:
    organization = actors.organization(spec["organization"])
    staff = actors.staff_of(organization)
    data = Registration(
        categories=spec["categories"],
        description=spec["description"],
        services=spec["services"],
        contact_name=f"{staff.first_name}{staff.last_name}",
        contact_email=staff.email,
    )
    code = organization.code
    proof = evidence.pdf(f"{code}-licence.pdf", f"Business licence {code}")
    merchant = merchant_register(actor=staff, organization=organization, data=data, evidence=proof)
    for action, reason in spec["steps"]:
        merchant = merchant_act(actor=admin, merchant=merchant, action=action, reason=reason)
    return merchant
