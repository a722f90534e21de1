"""Pages that carry out a workflow step: one way to answer a service's refusal, to confirm a
step that was taken, and to hand out a workflow's private file (evidence).

Services refuse with ``PermissionDenied`` (the policy's message says how to get access),
``ValidationError`` (what is wrong with the input) or ``InvalidTransition`` (the object is no
longer in a state the step starts from); a page answers them as 403, 400 and 409."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from portal.errors import render_error
from portal.transitions import InvalidTransition


def state_conflict(request, error: InvalidTransition) -> HttpResponse:
    """The 409 page for a step from the wrong state, naming the state the object is in."""
    message = _(
        "Not possible in the current state (%(state)s): someone may have acted on it already. "
        "Reload the page to see its state."
    ) % {"state": error.label}
    return render_error(request, 409, message)


def refusal(request, error: Exception) -> HttpResponse:
    """The page for a service's refusal: 403, 400 or 409 (see the module's docstring)."""
    if isinstance(error, PermissionDenied):
        return render_error(request, 403, str(error))
    if isinstance(error, InvalidTransition):
        return state_conflict(request, error)
    return render_error(request, 400, " ".join(error.messages))


def run_step(request, work: Callable, success, *, done: str = "") -> HttpResponse:
    """Run ``work`` (a service call). A refusal is answered by :func:`refusal`; otherwise the
    visitor is told it is done (``done``, or "Done.") and sent to ``success``: a URL, or a
    callable turning ``work``'s result into one."""
    try:
        result = work()
    except (PermissionDenied, ValidationError, InvalidTransition) as error:
        return refusal(request, error)
    messages.success(request, done or _("Done."))
    return redirect(success(result) if callable(success) else success)


def private_file(stored) -> FileResponse:
    """Stream a stored file (evidence) as an attachment that no cache keeps; 404 when the file
    is gone. Callers have asked the policy and recorded the access first."""
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = stored.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response
