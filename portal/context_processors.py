from django.conf import settings


def site(request):
    """Values every page template needs: the portal's name, the language switcher's list and
    whether to link the agency workspace (asked of the policy only when a page shows it)."""
    from grading import policy

    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
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
