"""Validators for catalogue data.

The unified social credit code (统一社会信用代码, GB 32100-2015) has 18 characters: the
registration authority and kind (2), the region code (6), the organization code (9, with its own
GB 11714 check character) and a check character over the first 17. This module imports nothing
from Django at load time, so ``fixtures/build_demo.py`` (standard library only) reuses the same
functions to make the demo's codes.
"""

from __future__ import annotations

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
