"""The plain words the timeline of an application uses for each audited step."""

from django.utils.translation import gettext_lazy as _

EVENT_TEXT = {
    "operation.create": _("The application was written."),
    "operation.submit": _("The applicant submitted the application."),
    "operation.withdraw": _("The applicant withdrew the application."),
    "operation.return": _("The platform returned the application for correction."),
    "operation.check": _("The platform passed the formal check; the agencies decide next."),
    "operation.part.approve": _("An agency approved its part."),
    "operation.part.reject": _("An agency rejected its part."),
    "operation.part.request_info": _("An agency asked for more information."),
    "operation.part.respond": _("The applicant answered the agency's question."),
    "operation.decide": _("Every agency has decided; the agreement can be issued."),
    "operation.reject_all": _("Every agency rejected its part; the application is rejected."),
    "operation.issue": _("The platform issued the agreement."),
    "agreement.issue": _("The agreement was issued and waits for the operator's signature."),
    "agreement.sign": _("The operator signed the agreement; it is active."),
    "agreement.suspend": _("The platform suspended the agreement."),
    "agreement.resume": _("The platform resumed the agreement."),
    "agreement.revoke": _("The platform revoked the agreement."),
    "agreement.expire": _("The agreement expired."),
    "agreement.renew": _("The operator asked to renew the agreement."),
}
