"""Error pages: every 4xx is a page that says what went wrong, in the visitor's language.

Under ``/api/`` the same errors are JSON in the API's error shape (``{"detail": ...}``), so a
client gets the body the OpenAPI schema declares even for a URL that matches no route."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TITLES = {
    400: gettext_lazy("The request could not be understood"),
    403: gettext_lazy("Access needs permission"),
    404: gettext_lazy("Not found"),
    409: gettext_lazy("Not possible in the current state"),
    429: gettext_lazy("Too many attempts"),
    500: gettext_lazy("Something went wrong on our side"),
}


def render_error(request, status: int, message: str = ""):
    """Render the shared error page with ``status`` and a message for the visitor (JSON under
    ``/api/``)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message or str(TITLES.get(status, ""))}, status=status)
    context = {"status": status, "title": str(TITLES.get(status, "")), "message": message}
    return render(request, "error.html", context, status=status)


def bad_request(request, exception=None):
    # Django's own 400 messages (bad Host header, too many fields) are for developers and may
    # echo the request; visitors get a generic text.
    return render_error(request, 400, _("Check the address and the values you sent."))


def permission_denied(request, exception=None):
    # Raised by our views with a message from the policy that says how to get access.
    text = str(exception) if exception is not None else ""
    return render_error(request, 403, text)


def csrf_failure(request, reason=""):
    return render_error(
        request, 403, _("The form expired or was sent from elsewhere. Reload the page and retry.")
    )


def page_not_found(request, exception=None):
    return render_error(request, 404, _("The page or entry does not exist, or you may not see it."))


def server_error(request):
    return render_error(request, 500, _("Please try again later."))
