"""Validators for catalogue data.

The unified social credit code (统一社会信用代码, GB 32100-2015) has 18 characters: the
registration authority and kind (2), the region code (6), the organization code (9, with its own
GB 11714 check character) and a check character over the first 17. This module imports nothing
from Django at load time, so ``fixtures/build_demo.py`` (standard library only) reuses the same
functions to make the demo's codes.

Text and web addresses: whatever the catalogue stores is published again as XML (RDF/XML,
Atom, sitemaps), Turtle, JSON-LD and spreadsheets. XML 1.0 cannot hold most control characters
and an IRI cannot hold spaces, quotes or angle brackets, so one bad value would break a whole
catalogue page. Writes refuse them (``validate_plain_text``, ``validate_web_iri``); the
serializers still strip (``plain_text``) and skip (``web_iri``) what older data holds.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# The code's alphabet: digits and upper-case letters without I, O, Z, S and V.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_LENGTH = 18


def uscc_check_char(body17: str) -> str:
    """The check character (the 18th) for the first 17 characters of a credit code."""
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(body17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """Whether ``code`` is 18 characters of the code's alphabet with a correct check character."""
    return (
        len(code) == USCC_LENGTH
        and all(c in USCC_CHARSET for c in code)
        and uscc_check_char(code[:17]) == code[17]
    )


def validate_credit_code(value: str) -> None:
    """Django validator: refuse anything but a well-formed credit code, saying what is wrong."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if len(value) != USCC_LENGTH:
        raise ValidationError(
            _("A unified social credit code has 18 characters."), code="credit_code_length"
        )
    if any(c not in USCC_CHARSET for c in value):
        raise ValidationError(
            _("A unified social credit code uses digits and capital letters except I, O, S, V, Z."),
            code="credit_code_charset",
        )
    if uscc_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("The check character of this credit code is wrong: check the code for typos."),
            code="credit_code_check",
        )


# C0 controls other than tab, newline and carriage return; DEL and the C1 controls; lone
# surrogates (not text at all); and U+FFFE/U+FFFF, which XML forbids.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Characters an IRI may not hold (RFC 3987): blanks, controls, quotes, angle brackets and the
# other characters excluded from URIs.
_NOT_IN_IRI = re.compile(r'[\s\x00-\x1f\x7f-\x9f"<>\\^`{|}\ud800-\udfff\ufffe\uffff]')
WEB_SCHEMES = ("http", "https")


def control_characters(text: str) -> list[str]:
    """The characters of ``text`` that no published text may hold, each once, in order."""
    return list(dict.fromkeys(_CONTROL.findall(text)))


def plain_text(value) -> str:
    """``value`` as text without the characters ``control_characters`` finds."""
    return _CONTROL.sub("", str(value))


def plain_data(value):
    """``value`` (JSON-shaped: dicts, lists, text, numbers) with ``plain_text`` applied to
    every text in it, keys included."""
    if isinstance(value, str):
        return plain_text(value)
    if isinstance(value, dict):
        return {plain_data(key): plain_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain_data(item) for item in value]
    return value


def is_web_iri(value: str) -> bool:
    """Whether ``value`` is an absolute http(s) address that can stand as an IRI anywhere:
    a host, no blanks, quotes, angle brackets or control characters, a valid port."""
    if not isinstance(value, str) or not value or _NOT_IN_IRI.search(value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number in range)
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)


def web_iri(value) -> str | None:
    """``value`` when ``is_web_iri``, else None (for serializers that skip a bad address)."""
    return value if isinstance(value, str) and is_web_iri(value) else None


def validate_plain_text(value) -> None:
    """Django validator: refuse text holding control characters (other than tab, newline and
    carriage return) or lone surrogates, naming them."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    found = control_characters(value) if isinstance(value, str) else []
    if found:
        raise ValidationError(
            _("Remove the control characters from this text: %(characters)s.")
            % {"characters": ", ".join(f"U+{ord(c):04X}" for c in found)},
            code="control_characters",
        )


def validate_web_iri(value) -> None:
    """Django validator: refuse an address that is not an absolute http(s) IRI without blanks,
    quotes, angle brackets or control characters (an empty value is left to ``blank``)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if value and not is_web_iri(value):
        raise ValidationError(
            _(
                "Enter a web address starting with http:// or https://, without spaces, "
                "quotes, angle brackets or control characters."
            ),
            code="web_iri",
        )


def _texts_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for key, item in value.items() for t in (*_texts_in(key), *_texts_in(item))]
    if isinstance(value, list | tuple):
        return [t for item in value for t in _texts_in(item)]
    return []


def text_errors(values) -> dict[str, list[str]]:
    """``{name: [message]}`` for each of ``values`` (a mapping of names to texts, or to lists
    and dicts of texts) that holds control characters; empty when all are clean. Services that
    write without ``full_clean`` raise these as a ``ValidationError`` naming the field."""
    from django.core.exceptions import ValidationError

    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        try:
            for text in _texts_in(value):
                validate_plain_text(text)
        except ValidationError as exc:
            errors[name] = exc.messages
    return errors


# Internal types (a URLField's is CharField, an EmailField's too).
_TEXT_FIELDS = ("CharField", "TextField", "SlugField", "JSONField")


class CleanTextModel:
    """Mixin for models: ``full_clean`` (which the services, model forms and admin call) also
    refuses control characters in every text field and in the texts of JSON fields, and, in
    URL fields, addresses that are not clean http(s) IRIs, each error under the field's name.
    A plain class, not a model: nothing about the table changes."""

    def clean_fields(self, exclude=None):
        from django.core.exceptions import ValidationError
        from django.db.models import URLField

        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            kind = field.get_internal_type()
            if kind not in _TEXT_FIELDS or field.name in errors or field.name in (exclude or ()):
                continue
            value = getattr(self, field.attname)
            try:
                for text in _texts_in(value):
                    validate_plain_text(text)
                if isinstance(field, URLField):
                    validate_web_iri(value)
            except ValidationError as exc:
                errors[field.name] = exc.messages
        if errors:
            raise ValidationError(errors)
