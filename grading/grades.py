"""Vocabulary of the grading rules: security grades, openness tiers and the ceiling between them.

These are plain values with labels. What they *mean* for access is decided only in
``grading.policy``; models import the choices from here so that the vocabulary has one home.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Grade(models.TextChoices):
    """Security grade (数据安全级别), after GB/T 43697-2024; a higher number is more sensitive."""

    L1 = "L1", _("L1 · not sensitive")
    L2 = "L2", _("L2 · low sensitivity")
    L3 = "L3", _("L3 · sensitive")
    L4 = "L4", _("L4 · highly sensitive")


class Tier(models.TextChoices):
    """Openness tier (开放属性)."""

    OPEN = "open", pgettext_lazy("openness tier", "Open")
    CONDITIONAL = "conditional", _("Conditional")
    RESTRICTED = "restricted", _("Not open")


GRADE_ORDER = {Grade.L1: 1, Grade.L2: 2, Grade.L3: 3, Grade.L4: 4}

# The most open tiers each grade allows (就高从严: the stricter side wins).
CEILING = {
    Grade.L1: frozenset({Tier.OPEN, Tier.CONDITIONAL, Tier.RESTRICTED}),
    Grade.L2: frozenset({Tier.CONDITIONAL, Tier.RESTRICTED}),
    Grade.L3: frozenset({Tier.CONDITIONAL, Tier.RESTRICTED}),
    Grade.L4: frozenset({Tier.RESTRICTED}),
}

# Grades whose conditional data may be downloaded in bulk under a grant; L3 is query-only.
BULK_DOWNLOAD_GRADES = frozenset({Grade.L1, Grade.L2})

TIER_MEANING = {
    Tier.OPEN: _(
        "Unconditionally open: anyone may download the files and call the data API "
        "without logging in."
    ),
    Tier.CONDITIONAL: _(
        "Conditionally open: the description and data dictionary are public; the data is "
        "available to holders of an approved grant, within its scope and term."
    ),
    Tier.RESTRICTED: _("Not open: listed only for the providing agency and authorized operators."),
}
