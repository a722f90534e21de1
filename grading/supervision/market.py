"""The product market under supervision: how long listing review takes, and listed industry
products' prices against the fee cap that binds them."""

from __future__ import annotations

import datetime as dt
import statistics

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from grading import policy
from grading.models import AuditEvent
from grading.supervision.sections import TITLES, Row, Section, audit_maker, url_maker
from grading.workdays import working_days_between

PRODUCT = "catalog.product"
DECISIONS = {"product.list": _("Listed"), "product.reject": _("Rejected")}


def _reviews() -> list[tuple[int, dt.date, dt.date | None, str]]:
    """(product, submitted on, decided on or None, outcome) for each submission, from the
    audit chain: a decision closes the latest submission before it."""
    events = AuditEvent.objects.filter(
        object_type=PRODUCT, action__in=["product.submit", *DECISIONS]
    ).order_by("seq")
    open_since: dict[int, dt.date] = {}
    reviews = []
    for object_id, action, at in events.values_list("object_id", "action", "created_at"):
        pk, day = int(object_id), timezone.localtime(at).date()
        if action == "product.submit":
            open_since.setdefault(pk, day)
        elif pk in open_since:
            reviews.append((pk, open_since.pop(pk), day, str(DECISIONS[action])))
    reviews += [(pk, since, None, str(_("Waiting"))) for pk, since in open_since.items()]
    return reviews


def listing_times(today: dt.date) -> Section:
    """Listing reviews (submitted → listed or rejected) in working days, slowest first, with
    the median and the slowest of the decided ones; reviews still waiting count to today."""
    reviews = _reviews()
    products = Product.objects.in_bulk({pk for pk, *_rest in reviews})
    rows, link, audit = [], url_maker("catalog:product-detail"), audit_maker(PRODUCT)
    for pk, since, decided, outcome in reviews:
        days = working_days_between(since, decided or today)
        product = products.get(pk)
        name = product.name if product else f"#{pk}"
        cells = [pk, name, f"{since:%Y-%m-%d}", f"{decided:%Y-%m-%d}" if decided else ""]
        cells += [outcome, days]
        rows.append(Row(cells, link(pk) if product else "", audit(pk), decided is None))
    rows.sort(key=lambda row: (-row.cells[-1], row.cells[0]))
    decided_days = [row.cells[-1] for row in rows if row.cells[3]]
    summary = [
        (_("Median working days"), statistics.median(decided_days) if decided_days else "—"),
        (_("Slowest"), max(decided_days) if decided_days else "—"),
    ]
    headers = [_("Product"), _("Name"), _("Submitted"), _("Decided"), _("Outcome")]
    headers.append(_("Working days"))
    return Section("listing", TITLES["listing"], headers, rows, summary)


PRICE_HEADERS = [
    _("Product"),
    _("Name"),
    _("Provider"),
    _("Price (CNY)"),
    _("Agreement"),
    _("Fee cap (CNY)"),
    _("Price check"),
]


def prices(now: dt.datetime) -> Section:
    """Listed (and suspended) industry products against the fee cap that binds each: the
    lowest cap of the provider's active agreements covering one of its sources, the rule that
    listing and every price change are checked against (``policy.fee_cap_annotations``).
    Over the cap is flagged; a product no agreement binds has no cap."""
    listed = (
        Product.objects.filter(
            status__in=(Product.Status.LISTED, Product.Status.SUSPENDED),
            purpose=Product.Purpose.INDUSTRY,
        )
        .select_related("provider")
        .annotate(**policy.fee_cap_annotations())
        .order_by("provider_id", "pk")
    )
    rows, link, audit = [], url_maker("catalog:product-detail"), audit_maker(PRODUCT)
    for product in listed:
        over = product.fee_cap is not None and (product.price or 0) > product.fee_cap
        state = _("Over the cap") if over else "" if product.fee_cap is not None else _("No cap")
        cells = [product.code, product.name, product.provider.name, product.price]
        cells += [product.cap_agreement_id or "", product.fee_cap or "", str(state)]
        rows.append(Row(cells, link(product.pk), audit(product.pk), over))
    return Section("prices", TITLES["prices"], PRICE_HEADERS, rows)
