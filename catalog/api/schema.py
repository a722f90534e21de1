"""What the OpenAPI schema says about errors, in one place.

Every ``/api/v1/`` operation declares each status code it can answer with, and the error
bodies of ``catalog.api.errors``. The views pick one of the response sets below; the
postprocessing hook adds the two error components they refer to.
"""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from catalog.api.serializers import RowPageSerializer

ERROR = {"$ref": "#/components/schemas/Error"}
VALIDATION_ERROR = {"$ref": "#/components/schemas/ValidationError"}

COMPONENTS = {
    "Error": {
        "type": "object",
        "description": "Any error other than invalid input.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationError": {
        "type": "object",
        "description": (
            "Invalid input: ``detail`` sums up; each other key names a query parameter and "
            "lists what is wrong with it."
        ),
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
}

NOT_ACCEPTABLE = {
    406: OpenApiResponse(ERROR, description="The Accept header asks for a format not offered.")
}
LIST_ERRORS = {
    400: OpenApiResponse(
        VALIDATION_ERROR, description="Invalid filter value, page size, cursor or search text."
    ),
    **NOT_ACCEPTABLE,
}
DETAIL_ERRORS = {
    404: OpenApiResponse(ERROR, description="No such entry, or not visible to the caller."),
    **NOT_ACCEPTABLE,
}
ROWS_ERRORS = {
    400: OpenApiResponse(
        VALIDATION_ERROR,
        description="Unknown or hidden field, invalid filter value, ordering, page size or cursor.",
    ),
    403: OpenApiResponse(
        ERROR, description="The caller may see the resource but not query its rows: how to apply."
    ),
    404: OpenApiResponse(
        ERROR, description="No such resource, not visible to the caller, or no rows loaded."
    ),
    **NOT_ACCEPTABLE,
}

ROWS_RESPONSES = {
    (200, "application/json"): RowPageSerializer,
    (200, "text/csv"): OpenApiResponse(
        OpenApiTypes.STR,
        description="The page as CSV (UTF-8 with a byte-order mark); the next page is in the "
        "``Link`` header.",
    ),
    **{(code, "application/json"): response for code, response in ROWS_ERRORS.items()},
}
ROWS_PARAMETERS = [
    OpenApiParameter("id", int, OpenApiParameter.PATH, description="The resource's id."),
    OpenApiParameter(
        "filters",
        {"type": "object", "additionalProperties": {"type": "string"}},
        OpenApiParameter.QUERY,
        style="form",
        explode=True,
        description="Field filters: ``<field>=value`` (equal), ``<field>__gte=value`` and "
        "``<field>__lte=value`` (range), with the English field names of the data dictionary.",
    ),
    OpenApiParameter(
        "ordering",
        str,
        OpenApiParameter.QUERY,
        description="``<field>`` or ``-<field>``; file order when absent. Empty values last.",
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": settings.ROWS_MAX_PAGE_SIZE},
        OpenApiParameter.QUERY,
        description=f"Rows per page (default {settings.ROWS_PAGE_SIZE}).",
    ),
    OpenApiParameter(
        "cursor", str, OpenApiParameter.QUERY, description="As given in the ``next`` link."
    ),
    OpenApiParameter(
        "format", str, OpenApiParameter.QUERY, enum=["json", "csv"], description="Output format."
    ),
]


def add_error_components(result, generator, **kwargs):
    """Postprocessing hook: add the error bodies the responses above refer to."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(COMPONENTS)
    return result


def _error(description: str, schema=ERROR) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


# Query parameters the policy keeps for staff: anyone else using them gets 403.
STAFF_FILTERS = ("grade",)
STATE_ACTIONS = ("/transition/", "/submit/", "/review/", "/revoke/")
STATE_ACTIONS = (
    "/transition/",
    "/submit/",
    "/review/",
    "/revoke/",
    "/return/",
    "/publish/",
    "/withdraw/",
)
# Writes under one resource (its dictionary and files) are refused while it is under review.
STATEFUL_PREFIXES = ("/api/v1/resources/{id}/",)


def declare_errors(result, generator, **kwargs):
    """Postprocessing hook: every ``/api/v1/`` operation declares the errors it can answer
    with, from what the operation is: 406 always; 401 and 403 where it needs a signed-in
    caller or writes; 404 with an id in the path; 400 with query parameters or a body; 409 for
    state changes (the workflow's compare-and-set refusals); 429 where rate limits apply."""
    for path, item in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in item.items():
            _declare(path, method, operation)
    return result


def _declare(path: str, method: str, operation: dict) -> None:
    responses = operation.setdefault("responses", {})
    writes = method in ("post", "put", "patch", "delete")
    signed_in = {} not in operation.get("security", [{}])
    wanted = {"406": _error("The Accept header asks for a format not offered.")}
    if signed_in or writes:
        wanted["401"] = _error("No credentials, or an invalid, expired or revoked API key.")
        wanted["403"] = _error("Signed in but not allowed to do this (the policy says why).")
    if any(p.get("name") in STAFF_FILTERS for p in operation.get("parameters", [])):
        wanted["403"] = _error("A filter only agency and platform staff may use (the grade).")
    if "{" in path:
        wanted["404"] = _error("No such object, or not visible to the caller.")
    if writes or any(p.get("in") == "query" for p in operation.get("parameters", [])):
        wanted["400"] = _error("Invalid input; each key names a field.", VALIDATION_ERROR)
    stateful = path.endswith(STATE_ACTIONS) or path.startswith(STATEFUL_PREFIXES)
    if writes and (stateful or method in ("put", "patch")):
        wanted["409"] = _error("Not in a state this starts from; ``current_state`` says which.")
    wanted["429"] = _error("Too many requests; ``Retry-After`` says when to try again.")
    for code, response in wanted.items():
        responses.setdefault(code, response)
    for code, response in responses.items():
        if code.startswith("4") and "content" not in response:  # declared by description only
            schema = VALIDATION_ERROR if code == "400" else ERROR
            response["content"] = {"application/json": {"schema": schema}}
