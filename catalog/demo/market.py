"""The market around the listed products: price changes by the provider's staff, requests
for products (申请使用/咨询) and their answers, the showcase of applications built on open
data (应用成果), and complaints about products that suspend or reinstate their listing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from catalog.models import Product
from catalog.publishing.pricing import product_price_change
from grading.feedback.services import feedback_act, feedback_submit
from grading.models import Feedback, ProductRequest, Showcase
from grading.policy.market import PROVIDER_REQUEST_ACTIONS
from grading.requests.services import request_act, request_create
from grading.showcase.services import showcase_review, showcase_submit

from . import actors

QUOTE_DAYS = 30


def _product(code: str) -> Product:
    return Product.objects.select_related("provider").get(code=code)


def prices(specs: list[dict]) -> list[Product]:
    """Change the price of each listed product of ``specs`` as its provider's staff."""
    made = []
    for spec in specs:
        product = _product(spec["product"])
        made.append(
            product_price_change(
                actor=actors.staff_of(product.provider),
                product=product,
                price=Decimal(spec["price"]),
                method=spec["method"],
                terms=spec["terms"],
                reason=spec["reason"],
            )
        )
    return made


def requests(specs: list[dict]) -> list[ProductRequest]:
    """Make every product request of ``specs`` as its requester, then take its steps."""
    return [_request(spec) for spec in specs]


def _request(spec: dict) -> ProductRequest:
    requester = actors.user(spec["requester"])
    product = _product(spec["product"])
    data = {key: spec[key] for key in ("purpose", "scenario", "quantity", "unit")}
    data |= {"contact_name": f"{requester.first_name}{requester.last_name}"}
    data |= {"contact_email": requester.email}
    organization = requester.memberships.select_related("organization").first()
    product_request = request_create(
        actor=requester,
        product=product,
        data=data,
        organization=organization.organization if organization else None,
    )
    for action, argument in spec["steps"]:
        if action in PROVIDER_REQUEST_ACTIONS:
            actor = actors.staff_of(product.provider)
        else:
            actor = requester
        quote = None
        if action == "quote":
            valid_until = timezone.localdate() + dt.timedelta(days=QUOTE_DAYS)
            quote = {"amount": Decimal(argument), "terms": product.price_terms}
            quote["valid_until"] = valid_until
        reason = argument if action == "refuse" else ""
        product_request = request_act(
            actor=actor, product_request=product_request, action=action, reason=reason, quote=quote
        )
    return product_request


def showcases(specs: list[dict]) -> list[Showcase]:
    """Submit every showcase of ``specs`` as its submitter; the platform reviews it."""
    admin = actors.platform_admin()
    made = []
    for spec in specs:
        data = {key: spec[key] for key in ("title", "title_en", "description", "url")}
        showcase = showcase_submit(
            actor=actors.user(spec["submitter"]),
            data=data,
            sources=actors.resources(spec["sources"]),
        )
        for action, reason in spec["steps"]:
            showcase = showcase_review(actor=admin, showcase=showcase, action=action, reason=reason)
        made.append(showcase)
    return made


def complaints(specs: list[dict]) -> list[Feedback]:
    """File every product complaint of ``specs``; the platform upholds (suspending the
    listing) and resolves (reinstating it)."""
    admin = actors.platform_admin()
    made = []
    for spec in specs:
        feedback, _new = feedback_submit(
            actor=actors.user(spec["submitter"]),
            kind=Feedback.Kind.COMPLAINT,
            title=spec["title"],
            text=spec["text"],
            product=_product(spec["product"]),
        )
        for action, text in spec["steps"]:
            feedback = feedback_act(actor=admin, feedback=feedback, action=action, text=text)
        made.append(feedback)
    return made
