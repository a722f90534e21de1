"""Reads for authorized operation: applications and agreements the caller may see, the parts of
an application the caller may see, the review queue and a readable timeline."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Organization, Theme
from grading import policy
from grading.models import Agreement, AuditEvent, OperationApplication, OperationScopePart
from grading.operation.words import EVENT_TEXT


def visible_parts(user) -> Prefetch:
    """The parts of an application ``user`` may see, with their agency and entries."""
    parts = (
        OperationScopePart.objects.filter(policy.operation_part_visible_q(user))
        .select_related("agency", "decided_by")
        .prefetch_related("resources", "approved_resources")
        .order_by("agency__name", "pk")
    )
    return Prefetch("parts", queryset=parts, to_attr="visible_parts")


def application_queryset(*, user) -> QuerySet:
    """Operation applications ``user`` may see, newest first, with their visible parts."""
    return (
        OperationApplication.objects.filter(policy.operation_application_visible_q(user))
        .select_related("applicant", "submitted_by", "renews")
        .prefetch_related(visible_parts(user))
        .order_by("-id")
    )


def application_detail(*, user, pk: int) -> OperationApplication:
    """One operation application ``user`` may see, or 404."""
    try:
        application = application_queryset(user=user).get(pk=pk)
    except OperationApplication.DoesNotExist as exc:
        raise Http404 from exc
    agreement = Agreement.objects.filter(application=application).first()
    # Links only to what the caller may open: agencies do not see agreements.
    application.agreement_row = agreement if policy.can_view_agreement(user, agreement) else None
    application.renews_visible = policy.can_view_agreement(user, application.renews)
    application.named = None
    if policy.can_act_on_operation_application(user, application, "submit"):
        # The applicant's own staff see the scope as they named it (entries by title).
        application.named = {
            "resources": application.resources.order_by("title"),
            "themes": application.themes.order_by("code"),
            "agencies": application.agencies.order_by("code"),
        }
    return application


def part_detail(*, user, application: OperationApplication, pk: int) -> OperationScopePart:
    """One part of ``application`` that ``user`` may see, or 404."""
    for part in application.visible_parts:
        if part.pk == pk:
            return part
    raise Http404


def review_queue(*, user) -> QuerySet:
    """Applications waiting for a decision: for platform staff every one in progress (the
    formal check, the agencies' parts, the agreement to issue), so overdue parts show; for
    reviewers those with a part of their agency awaiting its decision."""
    p = policy.principal(user)
    waiting = Q(pk__in=[])
    if p.platform_staff:
        waiting |= Q(status__in=["submitted", "checked", "decided"])
    if p.reviewer_org_ids:
        parts = OperationScopePart.objects.filter(
            agency_id__in=p.reviewer_org_ids, status=OperationScopePart.Status.PENDING
        )
        waiting |= Q(status="checked", pk__in=parts.values("application_id"))
    return application_queryset(user=user).filter(waiting).order_by("due_on", "id")


def is_overdue(obj) -> bool:
    """Has an application's or a part's clock run past its due date?"""
    return obj.due_on is not None and obj.due_on < timezone.localdate()


def agreement_queryset(*, user) -> QuerySet:
    """Agreements ``user`` may see, newest first."""
    return (
        policy.viewable_agreements(user)
        .select_related("operator", "application", "signed_by")
        .prefetch_related("resources")
        .order_by("-id")
    )


def agreement_detail(*, user, pk: int) -> Agreement:
    """One agreement ``user`` may see, or 404; each entry in scope says whether the caller may
    open its page (an entry of an agreement not yet in force may be restricted)."""
    try:
        agreement = agreement_queryset(user=user).get(pk=pk)
    except Agreement.DoesNotExist as exc:
        raise Http404 from exc
    for resource in agreement.resources.all():
        resource.details_visible = policy.scope_entry_details_visible(user, resource)
    return agreement


def timeline(*, user, application: OperationApplication) -> list[AuditEvent]:
    """The audit events of an application and of its agreement, oldest first; an agency's
    staff see the events of their own part and the application's own steps only."""
    events = AuditEvent.objects.filter(
        object_type="grading.operationapplication", object_id=str(application.pk)
    )
    agreement = Agreement.objects.filter(application=application).values_list("pk", flat=True)
    events |= AuditEvent.objects.filter(
        object_type="grading.agreement", object_id__in=[str(pk) for pk in agreement]
    )
    part_ids = {part.pk for part in application.visible_parts}
    shown = []
    for event in events.select_related("actor").order_by("seq"):
        payload = json.loads(event.payload or "{}")
        if event.action.startswith("operation.part.") and payload.get("part") not in part_ids:
            continue
        event.text = EVENT_TEXT.get(event.action, event.action)
        event.reason = payload.get("reason") or ""
        shown.append(event)
    return shown


def named_scope(*, user, resources=(), themes=(), agencies=()) -> dict:
    """The entries, themes and agencies named by id, each list checked whole: an id that is
    not a scope entry ``user`` may name, a theme or an agency raises a ValidationError."""
    found = {
        "resources": list(policy.operation_scope(user).filter(pk__in=list(resources))),
        "themes": list(Theme.objects.filter(pk__in=list(themes))),
        "agencies": list(
            Organization.objects.filter(kind=Organization.Kind.AGENCY, pk__in=list(agencies))
        ),
    }
    wanted = {"resources": resources, "themes": themes, "agencies": agencies}
    errors = {
        name: [_("No such entry, theme or agency: %(ids)s.") % {"ids": missing}]
        for name, rows in found.items()
        if (missing := sorted(set(wanted[name]) - {row.pk for row in rows}))
    }
    if errors:
        raise ValidationError(errors)
    return found
