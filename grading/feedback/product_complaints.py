"""What a decision on a complaint about a data product does to its listing: upholding it
suspends the listing (the product leaves the public catalogue and API); resolving it lists the
product again once no other upheld complaint remains. The provider's staff are told."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.publishing.products import product_reinstate, product_suspend
from grading.models import Feedback, Membership
from grading.services import notify

_PROVIDER_TEXT = {
    "uphold": gettext_noop(
        "Complaint #%(id)s about your product %(product)s was upheld; its listing is suspended "
        "until the complaint is resolved: %(text)s"
    ),
    "resolve": gettext_noop(
        "Complaint #%(id)s about your product %(product)s was resolved: %(text)s"
    ),
}


def product_complaint_effect(*, actor, feedback: Feedback, action: str, text: str) -> None:
    """Suspend (``uphold``) or reinstate (``resolve``) the listing of the product a complaint
    is about, audited by the product services, and tell the provider's staff. Other actions
    change nothing."""
    product = feedback.product
    if action == "uphold":
        product_suspend(actor=actor, product=product, reason=text)
    elif action == "resolve":
        product_reinstate(actor=actor, product=product, reason=text)
    else:
        return
    message = _(_PROVIDER_TEXT[action]) % {
        "id": feedback.pk,
        "product": product.name,
        "text": text,
    }
    link = reverse("grading:feedback-detail", args=[feedback.pk])
    staff = Membership.objects.filter(organization_id=product.provider_id).select_related("user")
    for membership in staff:
        notify(user=membership.user, text=message, link=link)
