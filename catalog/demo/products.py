"""Products of the demo: registered by the provider's staff, reviewed by the platform."""

from __future__ import annotations

from decimal import Decimal

from catalog.models import Product, Theme
from catalog.publishing.products import product_review, product_save, product_submit

from . import actors

# The review steps that bring a submitted product to each state (after ``product_submit``).
REVIEW_STEPS = {
    "submitted": [],
    "compliance_review": ["start"],
    "listed": ["start", "list"],
    "rejected": ["start", "reject"],
    "delisted": ["start", "list", "delist"],
}


def make(specs: list[dict]) -> list[Product]:
    """Register every product of ``specs`` and walk it to its state."""
    admin = actors.platform_admin()
    themes = dict(Theme.objects.values_list("code", "pk"))
    staff: dict[str, tuple] = {}  # one user object per provider: its roles are looked up once
    for spec in specs:
        if spec["provider"] not in staff:
            provider = actors.organization(spec["provider"])
            staff[spec["provider"]] = (provider, actors.staff_of(provider))
    return [_play(spec, admin, themes, *staff[spec["provider"]]) for spec in specs]


def _play(spec: dict, admin, themes: dict[str, int], provider, staff) -> Product:
    product = product_save(
        actor=staff,
        organization=provider,
        data=_fields(spec, themes),
        sources=actors.resources(spec["sources"]),
    )
    if spec["status"] == "draft":
        return product
    product = product_submit(actor=staff, product=product)
    for action in REVIEW_STEPS[spec["status"]]:
        product = product_review(
            actor=admin,
            product=product,
            action=action,
            reason=spec["reason"] if action in ("reject", "delist") else "",
            compliance_passed=True,
            quality_passed=True,
        )
    return product


def _fields(spec: dict, themes: dict[str, int]) -> dict:
    """The registered fields, the English name and description included."""
    data = {
        key: spec[key]
        for key in ("code", "name", "name_en", "description", "description_en", "scenarios")
    }
    data |= {key: spec[key] for key in ("delivery", "update_frequency", "purpose", "price_terms")}
    data["product_type"] = spec["product_type"]
    data["theme_id"] = themes.get(spec["theme"]) if spec["theme"] else None
    data["price"] = Decimal(spec["price"]) if spec["price"] is not None else None
    return data
