"""The product market under supervision: how long listing review takes, and listed industry
products' prices against the fee cap of the operator's covering agreement."""

from __future__ import annotations

import datetime as dt
import statistics

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, Resource
from grading.models import Agreement, AuditEvent
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


Scopes = dict[tuple[int, int | None], list[tuple[Agreement, frozenset[int]]]]


def _covering(product, scopes: Scopes) -> Agreement | None:
    """The operator's active agreement covering all the product's sources, highest cap first
    (the rule of ``policy.covering_agreement``, over rows already read)."""
    sources = {r.pk for r in product.source_resources.all()}
    first = min(sources) if sources else None
    for agreement, scope in scopes.get((product.provider_id, first), []):
        if sources <= scope:
            return agreement
    return None


def _active_scopes(now: dt.datetime) -> Scopes:
    """Active agreements with their scopes, by (operator, entry in scope) and by (operator,
    None), highest fee cap first: a product's candidates are those covering one source."""
    active = Agreement.objects.filter(
        status=Agreement.Status.ACTIVE, valid_from__lte=now, valid_until__gt=now
    ).order_by("-fee_cap", "pk")
    scope: dict[int, set[int]] = {}
    links = Agreement.resources.through.objects.filter(agreement__in=active)
    for agreement_id, resource_id in links.values_list("agreement_id", "resource_id"):
        scope.setdefault(agreement_id, set()).add(resource_id)
    found: Scopes = {}
    for agreement in active:
        entries = frozenset(scope.get(agreement.pk, ()))
        for key in [None, *entries]:
            found.setdefault((agreement.operator_id, key), []).append((agreement, entries))
    return found


PRICE_HEADERS = [
    _("Product"),
    _("Name"),
    _("Operator"),
    _("Price (CNY)"),
    _("Agreement"),
    _("Fee cap (CNY)"),
    _("Price check"),
]


def prices(now: dt.datetime) -> Section:
    """Listed industry products of operators (organizations holding an agreement) against the
    fee cap of their covering agreement; over the cap, or with no covering agreement, flagged."""
    scopes = _active_scopes(now)
    listed = (
        Product.objects.filter(
            status=Product.Status.LISTED,
            purpose=Product.Purpose.INDUSTRY,
            provider_id__in=Agreement.objects.values("operator_id"),
        )
        .select_related("provider")
        .prefetch_related(Prefetch("source_resources", queryset=Resource.objects.only("pk")))
        .order_by("provider_id", "pk")
    )
    rows, link, audit = [], url_maker("catalog:product-detail"), audit_maker(PRODUCT)
    for product in listed:
        cover = _covering(product, scopes)
        over = cover is None or (product.price or 0) > cover.fee_cap
        state = _("No covering agreement") if cover is None else _("Over the cap") if over else ""
        cells = [product.code, product.name, product.provider.name, product.price]
        cells += [cover.pk if cover else "", cover.fee_cap if cover else "", str(state)]
        rows.append(Row(cells, link(product.pk), audit(product.pk), over))
    return Section("prices", TITLES["prices"], PRICE_HEADERS, rows)
