"""Parameter validation with CKAN's rules and messages.

CKAN validates every parameter of an action and reports all bad ones at once as a Validation
Error (``{"rows": ["Invalid integer"]}``); :class:`Params` does the same. Values arrive as JSON
values (POST) or strings (GET query string, forms); both are accepted where CKAN accepts them.
"""

from __future__ import annotations

import json
from typing import Any

from catalog.interop.ckan.errors import ValidationError

# Large enough for any real page or offset, small enough for every database's LIMIT/OFFSET.
MAX_INTEGER = 2**31 - 1
TRUTHY = frozenset({"true", "yes", "on", "y", "t", "1"})
FALSY = frozenset({"false", "no", "off", "n", "f", "0"})


class Invalid(Exception):
    """One parameter's value is not acceptable; the message is CKAN's."""


def to_integer(value: Any) -> int | None:
    """CKAN's ``int_validator``: a whole number from a string or a number; None when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise Invalid("Invalid integer")
    if isinstance(value, int | float):
        whole, part = divmod(value, 1)
        if part or whole != whole:  # fractions and NaN
            raise Invalid("Invalid integer")
        value = int(whole)
    elif isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError as exc:
            raise Invalid("Invalid integer") from exc
    else:
        raise Invalid("Invalid integer")
    if abs(value) > MAX_INTEGER:
        raise Invalid(f"Must be at most {MAX_INTEGER}")
    return value


def to_natural(value: Any) -> int | None:
    """CKAN's ``natural_number_validator``: a whole number of at least 0."""
    number = to_integer(value)
    if number is not None and number < 0:
        raise Invalid("Must be a natural number")
    return number


def to_boolean(value: Any) -> bool:
    """CKAN's ``asbool``: true/yes/on/y/t/1 and false/no/off/n/f/0, any case."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUTHY:
            return True
        if word in FALSY:
            return False
        raise Invalid("Invalid boolean")
    if value is None or isinstance(value, bool | int):
        return bool(value)
    raise Invalid("Invalid boolean")


def to_text(value: Any) -> str:
    """A string parameter; numbers are accepted as their text, lists and objects are not."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise Invalid("Not a string")


def to_string_list(value: Any, *, json_text: bool) -> list[str]:
    """A list of strings; a string is parsed as JSON first when ``json_text`` (``facet.field``),
    or taken as a one-item list otherwise (``fl``, name lists)."""
    if isinstance(value, str):
        if not json_text:
            return [value]
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise Invalid("Could not parse as valid JSON") from exc
    if not isinstance(value, list):
        raise Invalid("Not a list")
    for item in value:
        if not isinstance(item, str):
            raise Invalid(f"Not a string: {item}")
    return value


class Params:
    """Reads an action's parameters, collecting every error; :meth:`check` raises them."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.errors: dict[str, list[str]] = {}

    def _read(self, key: str, convert, default):
        if key not in self.data:
            return default
        try:
            value = convert(self.data[key])
        except Invalid as exc:
            self.errors.setdefault(key, []).append(str(exc))
            return default
        return default if value is None else value

    def integer(self, key: str, default: int | None = None) -> int | None:
        return self._read(key, to_integer, default)

    def natural(self, key: str, default: int | None = None) -> int | None:
        return self._read(key, to_natural, default)

    def boolean(self, key: str, default: bool = False) -> bool:
        return self._read(key, to_boolean, default)

    def text(self, key: str, default: str = "") -> str:
        return self._read(key, to_text, default)

    def string_list(self, key: str, *, json_text: bool = False) -> list[str] | None:
        return self._read(key, lambda v: to_string_list(v, json_text=json_text), None)

    def required(self, key: str, *alternatives: str) -> str:
        """The first of ``key`` and ``alternatives`` given; CKAN's "Missing value" otherwise."""
        for name in (key, *alternatives):
            if self.data.get(name) not in (None, ""):
                return self.text(name)
        self.errors.setdefault(alternatives[-1] if alternatives else key, []).append(
            "Missing value"
        )
        return ""

    def check(self) -> None:
        """Raise a Validation Error naming every bad parameter, if any."""
        if self.errors:
            raise ValidationError(self.errors)
