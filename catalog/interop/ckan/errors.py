"""CKAN's error types. An action raises one; the view turns it into CKAN's error envelope
``{"help": ..., "success": false, "error": {"__type": ..., ...}}`` with CKAN's status code."""

from __future__ import annotations


class ActionError(Exception):
    """Base of the errors an action may raise."""

    type_name = ""
    status = 400

    def error_body(self) -> dict:
        """The ``error`` member of the envelope."""
        raise NotImplementedError


class NotFound(ActionError):
    """No such object, or one the caller may not see (their existence is not revealed)."""

    type_name = "Not Found Error"
    status = 404

    def __init__(self, detail: str = ""):
        super().__init__(detail)
        self.detail = detail

    def error_body(self) -> dict:
        message = "Not found" + (f": {self.detail}" if self.detail else "")
        return {"__type": self.type_name, "message": message}


class NotAuthorized(ActionError):
    """The caller may see the object but not do this with it; the message says why."""

    type_name = "Authorization Error"
    status = 403

    def __init__(self, detail: str = ""):
        super().__init__(detail)
        self.detail = detail

    def error_body(self) -> dict:
        message = "Access denied" + (f": {self.detail}" if self.detail else "")
        return {"__type": self.type_name, "message": message}


class ValidationError(ActionError):
    """Bad parameter values: ``errors`` maps each parameter to its messages, as in CKAN."""

    type_name = "Validation Error"
    status = 409

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors

    def error_body(self) -> dict:
        return {**self.errors, "__type": self.type_name}


class SearchQueryError(ActionError):
    """A search the supported query syntax cannot express (bad ``q``, ``fq``, ``sort``, ...)."""

    type_name = "Search Query Error"
    status = 400

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail

    def error_body(self) -> dict:
        # CKAN formats the exception's arguments with %r; clients read the text after ": ".
        return {"__type": self.type_name, "message": f"Search Query is invalid: {(self.detail,)!r}"}
