"""Paging cursors of the search listings: opaque tokens carrying the sort key of the entry at a
page's boundary (keyset), or an offset for a numbered page, and the page's number."""

from __future__ import annotations

import base64
import binascii
import json

from django.utils.translation import gettext_lazy as _

INVALID_CURSOR = _("Invalid cursor: use the “next” or “previous” link as given.")
# Numbered pages are reached by offset; past this many entries only the keyset links go on
# (an offset costs the engine a sort of everything before it).
MAX_PAGE_OFFSET = 10_000


class InvalidCursor(ValueError):
    pass


def page_cursor(number: int, size: int) -> str | None:
    """The cursor of page ``number`` at ``size`` entries a page (``None`` for the first page
    and for pages deeper than ``MAX_PAGE_OFFSET``)."""
    offset = (number - 1) * size
    if number <= 1 or offset > MAX_PAGE_OFFSET:
        return None
    return _encode({"o": offset, "n": number})


def _encode(payload: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode("ascii")


def decode_cursor(raw: str | None) -> dict | None:
    if raw is None:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")).decode("utf-8"))
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise InvalidCursor from exc
    if not isinstance(data, dict):
        raise InvalidCursor
    offset, key, phase = data.get("o"), data.get("k"), data.get("p", 0)
    valid = (
        (isinstance(offset, int) and 0 <= offset < 10**7 and key is None)
        or (isinstance(key, int) and 0 <= key < 2**64 and offset is None)
    ) and phase in (0, 1)
    number = data.get("n", 1)
    if not valid or not isinstance(data.get("r", 0), int):
        raise InvalidCursor
    if not isinstance(number, int) or not 0 < number < 10**7:
        raise InvalidCursor
    return data


def _number(position: dict | None, size: int) -> int | None:
    """The number of the page a cursor leads to: carried by the cursor, or its offset's."""
    if position is None:
        return 1
    if "n" in position:
        return position["n"]
    if position.get("o") is not None and position["o"] % size == 0:
        return position["o"] // size + 1
    return None
