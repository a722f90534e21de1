"""Products (挂牌): draft → submitted → compliance_review → listed → delisted, or rejected; a
listed product is suspended while a complaint about it is upheld, and reinstated once it is
resolved."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import (
    Organization,
    Product,
    Resource,
)
from catalog.publishing.checks import require_allowed, require_free_code
from catalog.publishing.pricing import price_errors, price_record
from catalog.search.query import product_search_columns
from catalog.validators import text_errors
from grading import audit, policy
from portal.cache import catalog_changed
from portal.transitions import InvalidTransition, Step, advance

PRODUCT_FIELDS = (
    "code",
    "name",
    "name_en",
    "description",
    "description_en",
    "product_type",
    "theme_id",
    "scenarios",
    "delivery",
    "update_frequency",
    "purpose",
    "price_terms",
    "price",
    "pricing_method",
)

_EDITABLE_STATES = (Product.Status.DRAFT, Product.Status.REJECTED)

P = Product.Status


class ProductStateError(InvalidTransition):
    """The product is not in a state the action starts from."""


# The listing state machine: the states each step starts from and the one it leads to.
PRODUCT_STEPS = {
    "submit": Step(_EDITABLE_STATES, P.SUBMITTED),
    "start": Step((P.SUBMITTED,), P.COMPLIANCE_REVIEW),
    "list": Step((P.COMPLIANCE_REVIEW,), P.LISTED),
    "reject": Step((P.SUBMITTED, P.COMPLIANCE_REVIEW), P.REJECTED, needs_reason=True),
    "delist": Step((P.LISTED, P.SUSPENDED), P.DELISTED, needs_reason=True),
    "suspend": Step((P.LISTED,), P.SUSPENDED, needs_reason=True),
    "reinstate": Step((P.SUSPENDED,), P.LISTED),
}


def require_registrar(actor, organization) -> None:
    """Refuse (403, saying how to get the right) anyone who may not register, submit or price
    products for ``organization``."""
    if not policy.can_register_product(actor, organization):
        raise PermissionDenied(
            _(
                "Only staff of an operator under an active authorized-operation agreement or of "
                "a verified data merchant may register and submit products: register your "
                "enterprise as a data merchant (/merchants/register/) and wait for the "
                "platform's verification."
            )
        )


def _move(product: Product, action: str, **changes) -> Product:
    """Take ``action`` on ``product`` (compare-and-set, ``ProductStateError`` when it is in no
    state the action starts from) and announce the change once committed."""
    product = advance(product, PRODUCT_STEPS, action, error=ProductStateError, **changes)
    transaction.on_commit(catalog_changed)
    return product


def _sources(product: Product) -> list[Resource]:
    """Every source the product cites, read afresh: a caller's prefetch may hold only the
    sources that caller may see, and the rules are about all of them."""
    return list(Resource.objects.filter(products=product))


def _source_errors(product: Product, sources: list[Resource]) -> dict[str, list[str]]:
    """The rule on sources (``policy.uncovered_sources``), naming the refused entries."""
    if not sources:
        return {"source_resources": [_("Cite the source resources of the product.")]}
    refused = policy.uncovered_sources(product.provider, sources)
    if not refused:
        return {}
    message = _(
        "Rule on sources: %(codes)s — conditional data needs an active agreement of the "
        "provider or a live grant of its staff covering it; restricted data needs an "
        "active agreement covering it."
    ) % {"codes": ", ".join(sorted(r.code for r in refused))}
    return {"source_resources": [message]}


def _product_errors(product: Product, sources: list[Resource]) -> dict[str, list[str]]:
    """What stops ``product`` from being listed: no scenario (无场景不交易), sources the
    provider may not cite (``policy.uncovered_sources``), missing delivery or terms, or a price
    breaking the pricing rules (``pricing.price_errors``)."""
    errors: dict[str, list[str]] = {}
    if not policy.may_offer_products(product.provider):
        errors["provider"] = [
            _(
                "Rule on providers: only an operator under an active agreement or a verified "
                "data merchant (not suspended or revoked) may list products."
            )
        ]
    if not [s for s in product.scenarios or [] if str(s).strip()]:
        errors["scenarios"] = [_("State at least one application scenario.")]
    errors.update(_source_errors(product, sources))
    for name in ("delivery", "update_frequency", "price_terms"):
        if not getattr(product, name):
            errors[name] = [_("This field is required.")]
    errors.update(
        price_errors(
            product=product, price=product.price, method=product.pricing_method, sources=sources
        )
    )
    return errors


@transaction.atomic
def product_save(
    *,
    actor,
    organization: Organization,
    data: Mapping[str, Any],
    sources: Iterable[Resource],
    product: Product | None = None,
) -> Product:
    """Create or edit a product of ``organization`` (its staff, under an active agreement or
    as a verified data merchant); the price history records each new price;
    only drafts and rejected products can be edited. An existing product is authorized
    against its own provider, never the one a request names, and keeps that provider."""
    if product is not None:
        require_registrar(actor, product.provider)
        if organization.pk != product.provider_id:
            raise ValidationError({"provider": [_("A product's provider cannot be changed.")]})
    require_registrar(actor, organization)
    fields = {k: data[k] for k in PRODUCT_FIELDS if k in data}
    if product is None:
        require_free_code(Product, fields.get("code", ""))
        product = Product(provider=organization, status=P.DRAFT)
    elif product.status not in _EDITABLE_STATES:
        raise ProductStateError(product.status, product.get_status_display())
    for name, value in fields.items():
        setattr(product, name, value)
    try:
        product.full_clean(exclude=["source_resources", "search_title", "search_body"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    product.__dict__.update(product_search_columns(product))
    product.save()
    product.source_resources.set(list(sources))
    audit.record(
        actor=actor, action="product.save", obj=product, payload={"fields": sorted(fields)}
    )
    price_record(actor=actor, product=product)
    transaction.on_commit(catalog_changed)
    return product


@transaction.atomic
def product_submit(*, actor, product: Product) -> Product:
    """Submit a product for listing; refused with every missing condition named."""
    require_registrar(actor, product.provider)
    errors = _product_errors(product, _sources(product))
    if errors:
        raise ValidationError(errors)
    product = _move(product, "submit", status_reason="")
    audit.record(actor=actor, action="product.submit", obj=product, payload={})
    return product


@transaction.atomic
def product_review(
    *,
    actor,
    product: Product,
    action: str,
    reason: str = "",
    compliance_passed: bool = False,
    quality_passed: bool = False,
) -> Product:
    """Platform review: ``start`` (submitted → compliance_review), ``list`` (with compliance and
    quality passed, 不合规不挂牌), ``reject`` or ``delist`` (with a reason)."""
    require_allowed(policy.can_review_product(actor, product))
    reason = (reason or "").strip()
    if action in ("reject", "delist") and not reason:
        raise ValidationError({"reason": [_("State the reason.")]})
    if errors := text_errors({"reason": reason}):
        raise ValidationError(errors)
    if action == "start":
        product = _move(product, "start")
    elif action == "list":
        return _product_list(actor, product, compliance_passed, quality_passed)
    elif action == "reject":
        product = _move(product, "reject", status_reason=reason)
    elif action == "delist":
        product = _move(product, "delist", status_reason=reason)
    else:
        raise ValidationError({"action": [_("Unknown action.")]})
    audit.record(actor=actor, action=f"product.{action}", obj=product, payload={"reason": reason})
    return product


def _product_list(actor, product: Product, compliance: bool, quality: bool) -> Product:
    if not (compliance and quality):
        raise ValidationError(
            {"compliance_passed": [_("Listing needs passed compliance and quality reviews.")]}
        )
    errors = _product_errors(product, _sources(product))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    code = f"DP-{now:%Y}-{product.pk:06d}"
    product = _move(product, "list", listed_at=now, registration_code=code)
    record = {
        "registration_code": code,
        "code": product.code,
        "name": product.name,
        "provider": product.provider.code,
        "sources": sorted(product.source_resources.values_list("code", flat=True)),
        "scenarios": product.scenarios,
        "purpose": product.purpose,
        "price": str(product.price) if product.price is not None else None,
        "listed_at": now.isoformat(),
    }
    event = audit.record(actor=actor, action="product.list", obj=product, payload=record)
    Product.objects.filter(pk=product.pk).update(evidence_hash=event.hash)
    product.evidence_hash = event.hash
    return product


@transaction.atomic
def product_suspend(*, actor, product: Product, reason: str) -> bool:
    """Suspend a listed product while a complaint about it is upheld: it leaves the public
    catalogue and API; audited. Called by the complaint workflow, which asked the policy.
    Returns whether the product moved (a product not listed now stays as it is)."""
    try:
        product = _move(product, "suspend", status_reason=reason)
    except ProductStateError:
        return False
    audit.record(actor=actor, action="product.suspend", obj=product, payload={"reason": reason})
    return True


@transaction.atomic
def product_reinstate(*, actor, product: Product, reason: str) -> bool:
    """List a suspended product again once no upheld complaint about it remains; audited.
    Called by the complaint workflow. Returns whether the product moved."""
    if product.complaints.filter(status="upheld").exists():
        return False
    try:
        product = _move(product, "reinstate", status_reason="")
    except ProductStateError:
        return False
    audit.record(actor=actor, action="product.reinstate", obj=product, payload={"reason": reason})
    return True


@transaction.atomic
def products_delist_of(*, actor, organization: Organization, reason: str) -> int:
    """Delist every listed or suspended product of ``organization`` once it may no longer offer
    products (a revoked merchant without an agreement), each audited; returns how many."""
    if policy.may_offer_products(organization):
        return 0
    count = 0
    for product in Product.objects.filter(
        provider=organization, status__in=PRODUCT_STEPS["delist"].sources
    ):
        product = _move(product, "delist", status_reason=reason)
        audit.record(actor=actor, action="product.delist", obj=product, payload={"reason": reason})
        count += 1
    return count
