"""Reads for requests for data products: the caller's lists, one request and its timeline."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Organization, Product
from catalog.selectors import product_detail
from grading import policy
from grading.models import AuditEvent, ProductRequest

MINE = "mine"
INCOMING = "incoming"
OVERDUE = "overdue"


def request_queryset(*, user) -> QuerySet:
    """Requests ``user`` may see, newest first, with what lists and pages show."""
    return (
        ProductRequest.objects.filter(policy.product_request_visible_q(user))
        .select_related("product", "provider", "requester", "requester_organization")
        .order_by("-id")
    )


def request_list(*, user, tab: str) -> QuerySet:
    """One tab of the workspace: the caller's own requests ("mine"), those addressed to an
    organization the caller is staff of ("incoming", soonest deadline first), or every
    request whose answer is late among those the caller may see ("overdue")."""
    rows = request_queryset(user=user)
    if tab == OVERDUE:  # every late answer, for the platform's supervision
        late = rows.filter(status=ProductRequest.Status.SUBMITTED, due_on__lt=timezone.localdate())
        return late.order_by("due_on", "id")
    if tab == INCOMING:
        org_ids = sorted(policy.principal(user).org_ids)
        return rows.filter(provider_id__in=org_ids).order_by("due_on", "-id")
    return rows.filter(requester_id=policy.principal(user).user_id)


def request_detail(*, user, pk: int) -> ProductRequest:
    """One request ``user`` may see, or 404."""
    try:
        return request_queryset(user=user).get(pk=pk)
    except ProductRequest.DoesNotExist as exc:
        raise Http404 from exc


def requestable_product(*, user, pk: int) -> Product:
    """The product to request: 404 if ``user`` may not see it (whether they may request it is
    asked of the policy by the caller)."""
    return product_detail(user=user, pk=pk)


EVENT_LABELS = {
    "product_request.create": _("Request sent"),
    "product_request.quote": _("Quote sent"),
    "product_request.accept": _("Accepted by the provider"),
    "product_request.refuse": _("Refused by the provider"),
    "product_request.accept_quote": _("Quote accepted"),
    "product_request.decline": _("Quote declined"),
    "product_request.withdraw": _("Withdrawn by the requester"),
}


def timeline(*, product_request: ProductRequest) -> list[AuditEvent]:
    """The audit events of one request, oldest first, each with a readable ``label``."""
    events = list(
        AuditEvent.objects.filter(
            object_type="grading.productrequest", object_id=str(product_request.pk)
        )
        .select_related("actor")
        .order_by("seq")
    )
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
    return events


def requesting_organizations(*, user) -> QuerySet:
    """Organizations ``user`` may name as the requester."""
    return Organization.objects.filter(policy.requesting_organizations_q(user)).order_by("name")
