"""The plain words an application's timeline and pages use for each audited step and action."""

from django.utils.translation import gettext_lazy as _

EVENT_TEXT = {
    "application.create": _("The application was written."),
    "application.submit": _("The applicant submitted the application."),
    "application.withdraw": _("The applicant withdrew the application."),
    "application.return": _("The platform returned the application for correction."),
    "application.check": _("The platform passed the formal check; the agency decides next."),
    "application.approve": _("The providing agency approved the application."),
    "application.reject": _("The providing agency rejected the application."),
    "application.request_info": _("The providing agency asked for more information."),
    "application.respond": _("The applicant answered the agency's question."),
    "application.accept": _("The applicant accepted the data-use agreement."),
    "grant.issue": _("The grant was issued: access starts."),
    "grant.revoke": _("The grant was revoked."),
    "grant.expire": _("The grant expired."),
}

ACTION_LABELS = {
    "submit": _("Submit"),
    "withdraw": _("Withdraw"),
    "return": _("Return for correction"),
    "check": _("Pass the formal check"),
    "approve": _("Approve"),
    "reject": _("Reject"),
    "request_info": _("Ask for more information"),
    "respond": _("Answer"),
    "accept": _("Accept the data-use agreement"),
}
