"""The Action API endpoint: reads the parameters the way CKAN does, runs the action and answers
with CKAN's envelope and status codes. Every action is read-only, so the endpoint is exempt from
CSRF checks (as CKAN's is) and accepts GET and POST alike."""

from __future__ import annotations

import json
import logging
from urllib.parse import quote

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from catalog.interop.ckan.actions import ACTIONS, Context
from catalog.interop.ckan.errors import ActionError
from catalog.validators import plain_data
from portal import links

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/json;charset=utf-8"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RequestDataError(ValueError):
    """The request's parameters cannot be read (bad JSON, not an object, too large)."""


def _answer(body, status: int) -> HttpResponse:
    # Control characters stored in older data are stripped: CKAN clients feed these texts
    # into XML and spreadsheets.
    text = json.dumps(plain_data(body), ensure_ascii=False)
    return HttpResponse(text, status=status, content_type=CONTENT_TYPE)


def _bad_request(message: str) -> HttpResponse:
    # CKAN answers these with a bare JSON string rather than the envelope.
    return _answer(f"Bad request - {message}", 400)


def _mixed(query_dict) -> dict:
    """CKAN's form and query-string reading: a list where a key repeats, a string otherwise."""
    return {key: values[0] if len(values) == 1 else values for key, values in query_dict.lists()}


def _json_object(raw: bytes | str) -> dict:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise RequestDataError(f"Error decoding JSON data. Error: {exc}") from exc
    if not isinstance(data, dict):
        raise RequestDataError(
            f"Request data JSON decoded to {data!r:.100} but it needs to be a dictionary."
        )
    return data


def _form_data(request) -> dict:
    form = request.POST
    values = [value for _key, value in form.items()]
    if len(values) == 1 and values[0] in ("1", ""):
        # Old clients post the JSON object as the name of a single form field.
        return _json_object(next(iter(form.keys())))
    return _mixed(form)


def request_data(request) -> dict:
    """The action's parameters, as CKAN reads them: a POSTed form; else the query string;
    else a JSON object in the body; else nothing."""
    try:
        if request.method == "POST" and request.content_type in FORM_TYPES and request.POST:
            return _form_data(request)
        if request.GET:
            return _mixed(request.GET)
        if request.content_type in FORM_TYPES or not request.body:
            return {}
        return _json_object(request.body)
    except SuspiciousOperation as exc:  # too large, too many fields
        raise RequestDataError("The request is too large.") from exc
    except MultiPartParserError as exc:
        raise RequestDataError("The form data cannot be read.") from exc


def _help_url(request, name: str) -> str:
    path = reverse("ckan:action", args=["help_show"])
    return links.absolute(path) + "?name=" + quote(name, safe="")


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def action(request, name: str) -> HttpResponse:
    """Run the action ``name`` for the caller and answer with CKAN's envelope."""
    function = ACTIONS.get(name)
    if function is None:
        return _bad_request(f"Action name not known: {name}")
    envelope = {"help": _help_url(request, name)}
    try:
        data = request_data(request)
    except RequestDataError as exc:
        return _bad_request(f"JSON Error: {exc}")
    try:
        result = function(Context(request), data)
    except ActionError as exc:
        envelope |= {"error": exc.error_body(), "success": False}
        return _answer(envelope, exc.status)
    except Exception:
        log.exception("CKAN action %s failed", name)
        error = {"__type": "Internal Server Error", "message": "Internal Server Error"}
        return _answer(envelope | {"error": error, "success": False}, 500)
    return _answer(envelope | {"success": True, "result": result}, 200)
