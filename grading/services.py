"""Writes for grants, notices, recorded access and authorized-operation agreements (DESIGN §3).

Revoking and expiring a grant are compare-and-set steps of ``portal.transitions`` (``GRANT_STEPS``);
charging a quota is a conditional increment, so concurrent requests never overspend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Organization, Resource
from catalog.validators import text_errors
from grading import audit, policy
from grading.models import Agreement, Grant, Notice
from grading.operator.usage import usage_count
from portal.actors import SYSTEM
from portal.transitions import InvalidTransition, Step, advance


class QuotaExhausted(Exception):
    """No live grant with quota left covers the request."""


GRANT_STEPS: dict[str, Step] = {
    "revoke": Step((Grant.Status.ACTIVE,), Grant.Status.REVOKED),
    "expire": Step((Grant.Status.ACTIVE,), Grant.Status.EXPIRED),
}


def notify(*, user, text: str, link: str = "") -> Notice:
    """Leave an in-app notice for ``user`` and email it once the transaction commits."""
    notice = Notice.objects.create(user=user, text=text[:500], link=link)
    if user.email:
        transaction.on_commit(
            lambda: send_mail(
                _("Public data portal: a decision on your request"),
                f"{text}\n\n{settings.SITE_URL.rstrip('/')}{link}",
                None,
                [user.email],
                fail_silently=True,
            )
        )
    return notice


@transaction.atomic
def grant_revoke(*, actor, grant: Grant, reason: str) -> Grant:
    """Revoke an active grant at once (a breach, an upheld rights complaint)."""
    if not policy.can_revoke_grant(actor, grant):
        raise PermissionDenied(_("You may not revoke this grant."))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("State the reason.")]})
    if errors := text_errors({"reason": reason}):
        raise ValidationError(errors)
    advance(grant, GRANT_STEPS, "revoke")
    audit.record(actor=actor, action="grant.revoke", obj=grant, payload={"reason": reason})
    notify(
        user=grant.grantee,
        text=_("Your grant #%(id)s was revoked: %(reason)s") % {"id": grant.pk, "reason": reason},
        link=reverse("grading:grant-list"),
    )
    return grant


@transaction.atomic
def grants_expire(*, now: dt.datetime | None = None) -> int:
    """Mark active grants past their term as expired (access already ended at ``valid_until``;
    this records it). Returns how many were marked."""
    now = now or timezone.now()
    expired = 0
    for grant in Grant.objects.filter(status=Grant.Status.ACTIVE, valid_until__lte=now):
        try:
            advance(grant, GRANT_STEPS, "expire")
        except InvalidTransition:
            continue  # revoked meanwhile
        audit.record(actor=SYSTEM, action="grant.expire", obj=grant, payload={})
        expired += 1
    return expired


@transaction.atomic
def grant_charge(*, user, resource: Resource, action: str) -> Grant:
    """Count one download or query against a live grant of ``user`` covering ``resource``.
    The increment is conditional (``used < quota``), so concurrent requests never overspend."""
    for grant in policy.live_grants(user, resource, action).order_by("valid_until", "pk"):
        charged = Grant.objects.filter(pk=grant.pk)
        if grant.quota is not None:
            charged = charged.filter(used__lt=F("quota"))
        if charged.update(used=F("used") + 1):
            return grant
    raise QuotaExhausted


def access_record(
    *, user, resource: Resource, action: str, detail: Mapping | None = None, charge: bool = True
) -> str:
    """Account for one download or query of ``resource`` before it is served: refuse it if the
    policy does not permit it, charge the grant it rests on (unless ``charge`` is off, as for
    the resource page's preview), and append non-open access to the audit chain. Returns the
    access basis (see ``policy.access_basis``). Open data writes nothing."""
    basis = policy.access_basis(user, resource, action)
    if basis is None:
        raise PermissionDenied(policy.denial_message(user, resource, action))
    if basis != "open":
        _record_access(user, resource, action, basis, dict(detail or {}), charge)
    return basis


@transaction.atomic
def _record_access(user, resource, action: str, basis: str, payload: dict, charge: bool) -> None:
    payload["basis"] = basis
    if basis == "grant" and charge:
        try:
            payload["grant"] = grant_charge(user=user, resource=resource, action=action).pk
        except QuotaExhausted as exc:
            raise PermissionDenied(_("The quota of your grant is used up.")) from exc
    if basis == "agreement" and charge:
        agreement = policy.usage_agreement(user, resource)
        if agreement is not None:
            payload["agreement"] = agreement.pk
            usage_count(agreement=agreement, resource=resource, rows=payload.get("rows") or 0)
    actor = user if getattr(user, "is_authenticated", False) else None
    audit.record(actor=actor, action=f"resource.{action}", obj=resource, payload=payload)


MAX_AGREEMENT_YEARS = 5


def agreement_errors(data: Mapping) -> dict[str, list[str]]:
    """What is wrong with an agreement's term, purposes or fee cap, by field."""
    errors: dict[str, list[str]] = {}
    start, end = data.get("valid_from"), data.get("valid_until")
    if not start or not end or end <= start:
        errors["valid_until"] = [_("The term must end after it starts.")]
    elif end > start.replace(year=start.year + MAX_AGREEMENT_YEARS):
        errors["valid_until"] = [_("An agreement runs for at most five years.")]
    if not str(data.get("purposes") or "").strip():
        errors["purposes"] = [_("This field is required.")]
    errors |= text_errors({"purposes": data.get("purposes")})
    fee_cap = data.get("fee_cap")
    if fee_cap is None or Decimal(fee_cap) < 0:
        errors["fee_cap"] = [_("A fee cap of zero or more is required.")]
    return errors


@transaction.atomic
def agreement_save(
    *,
    actor,
    operator: Organization,
    resources: Iterable[Resource],
    data: Mapping,
    agreement: Agreement | None = None,
) -> Agreement:
    """Create or change an authorized-operation agreement (platform administrators only): the
    operator, resources in scope, a term of at most five years, purposes and a fee cap."""
    if not policy.can_manage_agreements(actor):
        raise PermissionDenied(_("Only platform administrators manage agreements."))
    errors = agreement_errors(data)
    if errors:
        raise ValidationError(errors)
    fields = {k: data[k] for k in ("purposes", "fee_cap", "valid_from", "valid_until")}
    fields["status"] = data.get("status") or Agreement.Status.ACTIVE
    created = agreement is None
    if created:
        agreement = Agreement.objects.create(operator=operator, **fields)
    else:
        Agreement.objects.filter(pk=agreement.pk).update(operator=operator, **fields)
        agreement.refresh_from_db()
    resources = list(resources)
    agreement.resources.set(resources)
    payload = {**fields, "operator": operator.pk, "resources": sorted(r.pk for r in resources)}
    action = "agreement.create" if created else "agreement.change"
    audit.record(actor=actor, action=action, obj=agreement, payload=payload)
    return agreement
