"""Product prices (价格形成与监测): the rules a price must meet, and the one service that changes
a price, writing the price history and an audit row.

Public-interest products (公共治理/公益事业) are free; industry products state a price, which may
not exceed the fee cap of the agreement that binds the product (``policy.fee_cap_agreement``).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Product, ProductPrice, Resource
from catalog.validators import text_errors
from grading import audit, policy
from portal.cache import catalog_changed

P = Product.Status
M = Product.PricingMethod
# States in which the price may still change: drafts through the product form, listed
# (and suspended) products through :func:`product_price_change`.
PRICE_CHANGE_STATES = (P.LISTED, P.SUSPENDED)
REASON_MAX = 300
TERMS_MAX = 300


def price_errors(*, product: Product, price, method: str, sources) -> dict[str, list[str]]:
    """What is wrong with ``price`` and ``method`` for ``product`` citing ``sources``, each
    refusal naming its rule: free public-interest products, a stated industry price, and the
    fee cap of the binding agreement."""
    if product.purpose == Product.Purpose.PUBLIC_INTEREST:
        if price not in (None, 0) or method not in ("", M.FREE):
            return {"price": [_("Public-interest products are free.")]}
        return {}
    if product.purpose != Product.Purpose.INDUSTRY:
        return {"purpose": [_("Choose the purpose class.")]}
    if price is None or price <= 0:
        return {"price": [_("Industry products state a price.")]}
    if method == M.FREE:
        return {"pricing_method": [_("An industry product is priced: choose how.")]}
    agreement = policy.fee_cap_agreement(product.provider, sources)
    if agreement is not None and price > agreement.fee_cap:
        message = _("The price exceeds the fee cap of agreement #%(id)s (%(cap)s CNY).")
        return {"price": [message % {"id": agreement.pk, "cap": agreement.fee_cap}]}
    return {}


def price_record(*, actor, product: Product, reason: str = "") -> ProductPrice | None:
    """Append ``product``'s current price, method and terms to its history when they differ
    from the last entry (the first save always records one); audited. Returns the new row."""
    last = product.prices.order_by("-changed_at", "-id").first()
    now = (product.price, product.pricing_method, product.price_terms)
    if last is not None and (last.price, last.method, last.terms) == now:
        return None
    row = ProductPrice.objects.create(
        product=product,
        price=product.price,
        method=product.pricing_method,
        terms=product.price_terms,
        reason=reason,
        changed_by=actor if getattr(actor, "pk", None) else None,
    )
    payload = {"price": _text(product.price), "method": row.method, "reason": reason}
    audit.record(actor=actor, action="product.price", obj=product, payload=payload)
    return row


def _text(price) -> str | None:
    return None if price is None else str(price)


def _change_errors(price, method: str, terms: str, reason: str) -> dict[str, list[str]]:
    errors = text_errors({"price_terms": terms, "reason": reason})
    if method not in M.values:
        errors["pricing_method"] = [_("Choose how the price is formed.")]
    if not reason:
        errors["reason"] = [_("State the reason.")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("At most %(max)d characters.") % {"max": REASON_MAX}]
    if len(terms) > TERMS_MAX:
        errors["price_terms"] = [_("At most %(max)d characters.") % {"max": TERMS_MAX}]
    if price is not None and (price < 0 or price >= Decimal("1e10")):
        errors["price"] = [_("Enter a price between 0 and 9,999,999,999.99 CNY.")]
    return errors


@transaction.atomic
def product_price_change(
    *, actor, product: Product, price, method: str, terms: str, reason: str
) -> Product:
    """Change the price of a listed (or suspended) product, as staff of its provider: checked
    against the same rules as at listing (the binding agreement's fee cap named when it is
    exceeded), recorded in the price history and audited. Nothing is written on refusal."""
    if not policy.can_change_price(actor, product):
        raise PermissionDenied(
            _("Only staff of the product's provider, while it may trade, change its price.")
        )
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.status not in PRICE_CHANGE_STATES:
        raise ValidationError({"status": [_("Change a draft's price in the product form.")]})
    terms, reason = (terms or "").strip(), (reason or "").strip()
    errors = _change_errors(price, method, terms, reason)
    sources = list(Resource.objects.filter(products=product))
    errors = errors or price_errors(product=product, price=price, method=method, sources=sources)
    if errors:
        raise ValidationError(errors)
    product.price, product.pricing_method, product.price_terms = price, method, terms
    product.save(update_fields=["price", "pricing_method", "price_terms", "updated_at"])
    price_record(actor=actor, product=product, reason=reason)
    transaction.on_commit(catalog_changed)
    return product
