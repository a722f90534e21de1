"""API errors: every 4xx is JSON with a ``detail`` message; policy and validation errors raised
by services are translated instead of surfacing as 500s.

Two body shapes, declared in the OpenAPI schema by ``catalog.api.schema``:

- ``Error`` (403, 404, 405, 406, 409, ...): ``{"detail": "message"}`` (a 409 adds
  ``current_state``);
- ``ValidationError`` (400): ``{"detail": "summary", "<parameter>": ["message", ...], ...}``,
  one key per offending query parameter, so a client can tell which one to fix.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from portal.transitions import InvalidTransition


class Conflict(exceptions.APIException):
    """409 for a workflow step from the wrong state, naming the state the object is in."""

    status_code = 409

    def __init__(self, error: InvalidTransition):
        message = _("Not possible in the current state (%(state)s).") % {"state": error.label}
        super().__init__({"detail": message, "current_state": error.current})


def exception_handler(exc, context):
    """DRF's handler, with Django's errors translated and 400 bodies in one shape."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    elif isinstance(exc, InvalidTransition):
        exc = Conflict(exc)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = validation_body(response.data)
    return response


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [message for item in value.values() for message in _messages(item)]
    if isinstance(value, list | tuple):
        return [message for item in value for message in _messages(item)]
    return [str(value)]


def validation_body(data) -> dict:
    """``{"detail": summary, parameter: [messages]}`` from any DRF validation error detail."""
    if not isinstance(data, dict):
        return {"detail": " ".join(_messages(data))}
    general = _messages(data.get("detail", [])) + _messages(data.get("non_field_errors", []))
    fields = {
        str(name): _messages(value)
        for name, value in data.items()
        if name not in ("detail", "non_field_errors")
    }
    summary = [*general, *(f"{name}: {' '.join(messages)}" for name, messages in fields.items())]
    return {"detail": "; ".join(summary), **fields}
