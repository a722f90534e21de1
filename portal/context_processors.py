from django.conf import settings
from django.utils.translation import get_language


def site(request):
    """Values every page template needs: the portal's name, the language switcher's list and
    whether to link the agency workspace (asked of the policy only when a page shows it)."""
    from grading import policy
    from portal.views import display_classes

    english = (get_language() or "").startswith("en")
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "DISPLAY_MODES": display_classes(request),
        "SITE_FOOTER": {
            "operator": settings.SITE_OPERATOR_EN if english else settings.SITE_OPERATOR,
            "email": settings.SITE_CONTACT_EMAIL,
            "phone": settings.SITE_CONTACT_PHONE,
            "icp": settings.SITE_ICP_NUMBER,
            "psb": settings.SITE_PSB_NUMBER,
            "identifier": settings.SITE_IDENTIFIER,
        },
        "SITE_LANGUAGES": settings.LANGUAGES,
        "can_use_workspace": lambda: policy.can_use_workspace(getattr(request, "user", None)),
        # Platform staff follow quality and feedback without having a workspace of their own.
        "can_view_agency_dashboard": lambda: policy.can_view_agency_dashboard(
            getattr(request, "user", None)
        ),
        "can_use_feedback_inbox": lambda: policy.can_use_feedback_inbox(
            getattr(request, "user", None)
        ),
        "can_use_operation_pages": lambda: policy.can_use_operation_pages(
            getattr(request, "user", None)
        ),
        "can_review_applications": lambda: policy.can_review_applications(
            getattr(request, "user", None)
        ),
        # Links to the audit log and the administration, for whom the policy lets in.
        "can_view_audit": lambda: policy.can_view_audit(getattr(request, "user", None)),
        "can_use_admin": lambda: policy.can_use_admin(getattr(request, "user", None)),
    }
