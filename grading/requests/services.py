"""Writes for requests for data products (申请使用/咨询): create, then move along ``STEPS``.

The provider's staff answer a submitted request within ``PRODUCT_REQUEST_DAYS`` working days:
a quote (free for public-interest products), an acceptance or a refusal with its reason. The
requester accepts or declines a quote, or withdraws before a final answer. Every step is one
compare-and-set of ``portal.transitions``, appended to the audit chain, and told to the other
side (an in-app notice and an e-mail once the transaction commits).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.models import Organization, Product
from catalog.validators import text_errors
from grading import audit, policy
from grading.models import ProductRequest
from grading.services import notify
from grading.workdays import add_working_days
from portal.transitions import Step, advance

S = ProductRequest.Status

STEPS: dict[str, Step] = {
    "quote": Step((S.SUBMITTED,), S.QUOTED),
    "accept": Step((S.SUBMITTED,), S.ACCEPTED),
    "refuse": Step((S.SUBMITTED,), S.REFUSED, needs_reason=True),
    "accept_quote": Step((S.QUOTED,), S.ACCEPTED_BY_REQUESTER),
    "decline": Step((S.QUOTED,), S.DECLINED_BY_REQUESTER),
    "withdraw": Step((S.SUBMITTED, S.QUOTED), S.WITHDRAWN),
}

TEXT_MAX = 4000
QUANTITY_MAX = 10**9
AMOUNT_MAX = Decimal("9999999999.99")
# The same request sent again within this window is a double submission, even if the first
# one was withdrawn meanwhile.
DUPLICATE_WINDOW = dt.timedelta(minutes=10)
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,18}[0-9]$")


class DuplicateRequest(Exception):
    """The same request was already received; ``existing`` is it."""

    def __init__(self, existing: ProductRequest | None):
        super().__init__(existing.pk if existing else None)
        self.existing = existing


def _required(data: Mapping, names) -> dict[str, list[str]]:
    return {
        name: [_("This field is required.")]
        for name in names
        if not str(data.get(name) or "").strip()
    }


def _contact_errors(data: Mapping) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    phone = str(data.get("contact_phone") or "").strip()
    email = str(data.get("contact_email") or "").strip()
    if not phone and not email:
        errors["contact_phone"] = [_("Give a phone number or an e-mail address.")]
    if phone and not _PHONE.match(phone):
        errors["contact_phone"] = [_("Enter a phone number of 7 to 20 digits.")]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = [_("Enter a valid e-mail address.")]
    return errors


def request_errors(data: Mapping) -> dict[str, list[str]]:
    """What is wrong with a request's purpose, scenario, contact and quantity, by field."""
    errors = _required(data, ("purpose", "scenario", "contact_name", "unit"))
    errors |= _contact_errors(data)
    quantity = data.get("quantity")
    whole = isinstance(quantity, int) and not isinstance(quantity, bool)
    if not whole or not 1 <= quantity <= QUANTITY_MAX:
        errors["quantity"] = [_("A whole number from 1 to 1,000,000,000.")]
    names = ("purpose", "scenario", "contact_name", "contact_phone", "unit")
    return errors | text_errors({name: data.get(name) for name in names})


def _existing(actor, product: Product, purpose: str) -> ProductRequest | None:
    mine = ProductRequest.objects.filter(requester=actor, product=product)
    recent = mine.filter(purpose=purpose, created_at__gte=timezone.now() - DUPLICATE_WINDOW)
    return mine.filter(status__in=ProductRequest.OPEN_STATES).first() or recent.first()


def _fields(data: Mapping) -> dict:
    text = ("purpose", "scenario", "contact_name", "contact_phone", "contact_email", "unit")
    return {name: str(data.get(name) or "").strip() for name in text} | {
        "quantity": data["quantity"]
    }


def _insert(actor, product: Product, organization, fields: dict) -> ProductRequest:
    """The new row, due in ``PRODUCT_REQUEST_DAYS`` working days; DuplicateRequest when a
    concurrent twin got in first (the one-open-request constraint)."""
    try:
        with transaction.atomic():
            return ProductRequest.objects.create(
                product=product,
                provider_id=product.provider_id,
                requester=actor,
                requester_organization=organization,
                due_on=add_working_days(timezone.localdate(), settings.PRODUCT_REQUEST_DAYS),
                **fields,
            )
    except IntegrityError as exc:
        raise DuplicateRequest(None) from exc


@transaction.atomic
def request_create(
    *, actor, product: Product, data: Mapping, organization: Organization | None = None
) -> ProductRequest:
    """Request ``product`` (or enquire about it): purpose, scenario, contact (a name and a
    phone number or an e-mail address), quantity and unit. Raises PermissionDenied when the
    policy does not allow it, ValidationError for bad input and DuplicateRequest when the
    caller already has an open request for the product or just sent the same one."""
    if not policy.can_request_product(actor, product):
        raise PermissionDenied(policy.request_denial_message(actor, product))
    if errors := request_errors(data):
        raise ValidationError(errors)
    fields = _fields(data)
    if existing := _existing(actor, product, fields["purpose"]):
        raise DuplicateRequest(existing)
    product_request = _insert(actor, product, organization, fields)
    payload = {"product": product.pk, "organization": getattr(organization, "pk", None)}
    audit.record(actor=actor, action="product_request.create", obj=product_request, payload=payload)
    _tell_provider(product_request, "create")
    return product_request


def _reason(step: Step, reason: str) -> str:
    reason = (reason or "").strip()
    if step.needs_reason and not reason:
        raise ValidationError({"reason": [_("State the reason.")]})
    if len(reason) > TEXT_MAX:
        raise ValidationError({"reason": [_("At most 4000 characters.")]})
    if errors := text_errors({"reason": reason}):
        raise ValidationError(errors)
    return reason


def _amount(value) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount < 0 or amount > AMOUNT_MAX:
        return None
    return amount.quantize(Decimal("0.01"))


def quote_errors(product_request: ProductRequest, quote: Mapping) -> dict[str, list[str]]:
    """What is wrong with a quote: an amount in CNY of zero or more (zero for public-interest
    products), terms as plain text, and a validity date not in the past."""
    errors: dict[str, list[str]] = {}
    amount = _amount(quote.get("amount"))
    if amount is None:
        errors["amount"] = [_("An amount in CNY of zero or more.")]
    elif amount and product_request.product.purpose == Product.Purpose.PUBLIC_INTEREST:
        errors["amount"] = [_("Public-interest products are free: the amount must be 0.")]
    valid_until = quote.get("valid_until")
    if not isinstance(valid_until, dt.date) or valid_until < timezone.localdate():
        errors["valid_until"] = [_("A date from today on.")]
    terms = str(quote.get("terms") or "")
    if len(terms) > TEXT_MAX:
        errors["terms"] = [_("At most 4000 characters.")]
    return errors | text_errors({"terms": terms})


def _expired(product_request: ProductRequest) -> bool:
    until = product_request.quote_valid_until
    return until is not None and until < timezone.localdate()


def _changes(product_request: ProductRequest, action: str, reason: str, quote: Mapping) -> dict:
    changes: dict = {"reason": reason, "due_on": None}
    if action == "quote":
        if errors := quote_errors(product_request, quote):
            raise ValidationError(errors)
        changes |= {
            "quote_amount": _amount(quote["amount"]),
            "quote_terms": str(quote.get("terms") or "").strip(),
            "quote_valid_until": quote["valid_until"],
        }
    elif action == "accept_quote" and _expired(product_request):
        raise ValidationError({"detail": [_("The quote has expired; ask for a new one.")]})
    return changes


def _payload(product_request: ProductRequest, step: Step, action: str) -> dict:
    """What the audit chain keeps of a step: the states, the reason, and a quote's terms."""
    payload = {"from_states": list(step.sources), "to": step.target}
    payload["reason"] = product_request.reason
    if action == "quote":
        payload["amount"] = str(product_request.quote_amount)
        payload["valid_until"] = product_request.quote_valid_until.isoformat()
    return payload


@transaction.atomic
def request_act(
    *,
    actor,
    product_request: ProductRequest,
    action: str,
    reason: str = "",
    quote: Mapping | None = None,
) -> ProductRequest:
    """Carry out ``action`` (see ``STEPS``) on ``product_request``; ``quote`` holds amount,
    terms and valid_until for "quote". Raises PermissionDenied when the policy does not allow
    it, ValidationError for a missing reason or a bad quote, and InvalidTransition when the
    request is not in a state the action starts from (nothing is written then)."""
    step = STEPS.get(action)
    if step is None or not policy.can_act_on_product_request(actor, product_request, action):
        raise PermissionDenied(_("You may not do this to this request."))
    reason = _reason(step, reason)
    changes = _changes(product_request, action, reason, quote or {})
    advance(product_request, STEPS, action, **changes)
    payload = _payload(product_request, step, action)
    audit.record(
        actor=actor, action=f"product_request.{action}", obj=product_request, payload=payload
    )
    if action in policy.PROVIDER_REQUEST_ACTIONS:
        _tell_requester(product_request, action)
    else:
        _tell_provider(product_request, action)
    return product_request


def is_overdue(product_request: ProductRequest) -> bool:
    """Is the provider's answer past its due date?"""
    due = product_request.due_on
    return product_request.status == S.SUBMITTED and due is not None and due < timezone.localdate()


_TO_REQUESTER = {
    "quote": gettext_noop("Your request #%(id)s received a quote: CNY %(amount)s."),
    "accept": gettext_noop("Your request #%(id)s was accepted by the provider."),
    "refuse": gettext_noop("Your request #%(id)s was refused: %(reason)s"),
}
_TO_PROVIDER = {
    "create": gettext_noop("A new request #%(id)s for your product, due %(due)s."),
    "accept_quote": gettext_noop("The requester accepted your quote on request #%(id)s."),
    "decline": gettext_noop("The requester declined your quote on request #%(id)s."),
    "withdraw": gettext_noop("Request #%(id)s was withdrawn by the requester."),
}


def _text(template: str, product_request: ProductRequest) -> str:
    return _(template) % {
        "id": product_request.pk,
        "amount": product_request.quote_amount,
        "reason": product_request.reason,
        "due": product_request.due_on,
    }


def _tell_requester(product_request: ProductRequest, action: str) -> None:
    link = reverse("grading:request-detail", args=[product_request.pk])
    text = _text(_TO_REQUESTER[action], product_request)
    notify(user=product_request.requester, text=text, link=link)


def _tell_provider(product_request: ProductRequest, action: str) -> None:
    link = reverse("grading:request-detail", args=[product_request.pk])
    text = _text(_TO_PROVIDER[action], product_request)
    staff = get_user_model().objects.filter(
        memberships__organization_id=product_request.provider_id, is_active=True
    )
    for user in staff.distinct().order_by("pk"):
        notify(user=user, text=text, link=link)
