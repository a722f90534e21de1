"""Who is told of each step of authorized operation, and the words they are told in.

Each step leaves an in-app notice and an e-mail (``grading.services.notify``, sent once the
transaction commits) for the people it concerns: the applicant's staff on every decision, an
agency's reviewers when its part arrives, platform administrators when an application waits
for its formal check or its agreement.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from grading.models import Agreement, Membership, OperationApplication, PlatformRole
from grading.services import notify

APPLICATION_TEXT = {
    "submit": gettext_noop("Authorized-operation application #%(id)s waits for its formal check."),
    "return": gettext_noop(
        "Your authorized-operation application #%(id)s was returned for correction: %(reason)s"
    ),
    "check": gettext_noop(
        "Your authorized-operation application #%(id)s passed the formal check and is with "
        "the agencies."
    ),
    "part": gettext_noop(
        "Authorized-operation application #%(id)s asks for entries of your agency; decide "
        "your part."
    ),
    "approve": gettext_noop("An agency approved its part of your application #%(id)s."),
    "reject": gettext_noop("An agency rejected its part of your application #%(id)s: %(reason)s"),
    "request_info": gettext_noop(
        "An agency asks about your authorized-operation application #%(id)s: %(reason)s"
    ),
    "respond": gettext_noop("The applicant answered your question on application #%(id)s."),
    "decided": gettext_noop(
        "The agencies have decided on application #%(id)s; the agreement can be issued."
    ),
    "rejected": gettext_noop("Your authorized-operation application #%(id)s was rejected."),
}
AGREEMENT_TEXT = {
    "issue": gettext_noop("Authorized-operation agreement #%(id)s was issued; sign it to start."),
    "sign": gettext_noop("Authorized-operation agreement #%(id)s was signed and is active."),
    "suspend": gettext_noop("Agreement #%(id)s was suspended: %(reason)s"),
    "resume": gettext_noop("Agreement #%(id)s was resumed."),
    "revoke": gettext_noop("Agreement #%(id)s was revoked: %(reason)s"),
    "expire": gettext_noop("Agreement #%(id)s has expired."),
}


def organization_staff(organization_id: int, *, reviewers: bool = False):
    """Active members of an organization (only reviewers and admins with ``reviewers``)."""
    members = Membership.objects.filter(organization_id=organization_id)
    if reviewers:
        members = members.filter(role__in=[Membership.Role.REVIEWER, Membership.Role.ADMIN])
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(pk__in=members.values("user_id")).order_by("pk")


def platform_admins():
    """Active platform administrators (and superusers)."""
    admins = PlatformRole.objects.filter(role=PlatformRole.Role.PLATFORM_ADMIN)
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(Q(pk__in=admins.values("user_id")) | Q(is_superuser=True)).order_by("pk")


def _tell(users, template: str, values: dict, link: str) -> None:
    for user in users:
        notify(user=user, text=_(template) % values, link=link)


def tell_application(
    application: OperationApplication, event: str, *, agency_id=None, reason: str = ""
) -> None:
    """Tell the people ``event`` concerns about ``application`` (``reason``: a part's)."""
    template = APPLICATION_TEXT.get(event)
    if template is None:
        return
    link = reverse("operation:application-detail", args=[application.pk])
    values = {"id": application.pk, "reason": reason or application.reason}
    if event == "submit":
        users = platform_admins()
    elif event == "decided":
        users = [*platform_admins(), *organization_staff(application.applicant_id)]
    elif event in ("part", "respond"):
        users = organization_staff(agency_id, reviewers=True)
    else:
        users = organization_staff(application.applicant_id)
    _tell(users, template, values, link)


def tell_agreement(agreement: Agreement, event: str) -> None:
    """Tell the operator's staff (and, when signed, platform administrators) about ``event``."""
    template = AGREEMENT_TEXT.get(event)
    if template is None:
        return
    link = reverse("operation:agreement-detail", args=[agreement.pk])
    values = {"id": agreement.pk, "reason": agreement.status_reason}
    _tell(organization_staff(agreement.operator_id), template, values, link)
    if event == "sign":
        _tell(platform_admins(), template, values, link)
