"""Input checks of a self-assessment: what is wrong, by field, and the cleaned values."""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.translation import gettext as _

from catalog.validators import text_errors
from grading.crossborder.vocabulary import CATEGORIES, SCENARIOS

COUNT_MAX = 10**12  # beyond any real transfer; keeps the column and the arithmetic sane
CATEGORIES_MAX = len(CATEGORIES)
TEXT_MAX = 4000
RECIPIENT_MAX = 200
COUNTRY = re.compile(r"^[A-Z]{2}$")
DOMESTIC = "CN"  # the mainland: a transfer there is not cross-border


def _count(value, name: str, errors: dict) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= COUNT_MAX:
        errors[name] = [_("A whole number from 0 to %(max)d.") % {"max": COUNT_MAX}]
        return 0
    return value


def _text(data: Mapping, name: str, limit: int, errors: dict) -> str:
    value = data.get(name)
    value = value.strip() if isinstance(value, str) else ""
    if not value:
        errors[name] = [_("This field is required.")]
    elif len(value) > limit:
        errors[name] = [_("At most %(max)d characters.") % {"max": limit}]
    return value


def _categories(data: Mapping, errors: dict) -> list[str]:
    raw = data.get("categories")
    if not isinstance(raw, list | tuple) or not raw:
        errors["categories"] = [_("Choose at least one data category.")]
        return []
    codes = sorted({str(c) for c in raw})
    if any(code not in CATEGORIES for code in codes) or len(codes) > CATEGORIES_MAX:
        errors["categories"] = [_("Unknown data category.")]
    return codes


def _country(data: Mapping, errors: dict) -> str:
    value = str(data.get("recipient_country") or "").strip().upper()
    if not COUNTRY.match(value):
        errors["recipient_country"] = [_("A two-letter ISO 3166 country or region code.")]
    elif value == DOMESTIC:
        errors["recipient_country"] = [_("A recipient in the mainland is not a transfer abroad.")]
    return value


def _flag(data: Mapping, name: str, errors: dict) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        errors[name] = [_("Yes or no.")]
        return False
    return value


def assessment_errors(data: Mapping) -> tuple[dict, dict]:
    """The cleaned fields of a self-assessment and what is wrong with them, by field."""
    errors: dict = {}
    clean = {
        "scenario": str(data.get("scenario") or ""),
        "categories": _categories(data, errors),
        "record_count": _count(data.get("record_count"), "record_count", errors),
        "recipient": _text(data, "recipient", RECIPIENT_MAX, errors),
        "recipient_country": _country(data, errors),
        "purpose": _text(data, "purpose", TEXT_MAX, errors),
        "security_measures": _text(data, "security_measures", TEXT_MAX, errors),
        "pi_count": _count(data.get("pi_count", 0), "pi_count", errors),
        "sensitive_pi_count": _count(
            data.get("sensitive_pi_count", 0), "sensitive_pi_count", errors
        ),
        "cii_operator": _flag(data, "cii_operator", errors),
        "important_data": _flag(data, "important_data", errors),
    }
    if clean["scenario"] not in SCENARIOS:
        errors["scenario"] = [_("Unknown scenario.")]
    personal = any(CATEGORIES[c].personal for c in clean["categories"] if c in CATEGORIES)
    if (
        personal
        and not (clean["pi_count"] or clean["sensitive_pi_count"])
        and "pi_count" not in errors
    ):
        errors["pi_count"] = [
            _("A category holds personal information: give the number of individuals.")
        ]
    texts = {k: clean[k] for k in ("recipient", "purpose", "security_measures")}
    return clean, {**text_errors(texts), **errors}
