"""The rule-book's vocabulary and the helpers every part of it shares: the states that make an
entry public, the grade ceiling, and running a ``Q`` against one object's row."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Q, Value, When
from django.utils.translation import gettext as _

from catalog.models import Product, Resource
from grading.grades import CEILING, GRADE_ORDER, Grade, Tier
from grading.models import Feedback

PUBLISHED = Resource.Status.PUBLISHED
LISTED = Product.Status.LISTED
PUBLIC_TIERS = (Tier.OPEN, Tier.CONDITIONAL)
# ---------------------------------------------------------------------------------------------
# Grades and the ceiling
# ---------------------------------------------------------------------------------------------


class CeilingViolation(ValidationError):
    """A tier more open than the grade allows."""


def derive_grade(field_grades: Iterable[str]) -> str:
    """A resource's grade is the highest of its fields' grades (就高从严); L1 with no fields.

    An unknown grade counts as the strictest (L4), so a typo can only close data, never open it.
    """
    highest = Grade.L1
    for grade in field_grades:
        if GRADE_ORDER.get(grade, 4) > GRADE_ORDER[highest]:
            highest = grade if grade in GRADE_ORDER else Grade.L4
    return highest


def allowed_tiers(grade: str) -> frozenset[str]:
    """The tiers the ceiling allows for ``grade``; none for an unknown grade."""
    return CEILING.get(grade, frozenset())


def check_ceiling(*, grade: str, tier: str) -> None:
    """Refuse a tier more open than the grade allows, naming the rule that was broken."""
    if tier in allowed_tiers(grade):
        return
    allowed = ", ".join(sorted(str(Tier(t).label) for t in allowed_tiers(grade))) or "—"
    raise CeilingViolation(
        _(
            "Grade ceiling: data of security grade %(grade)s may not be published with "
            "openness tier “%(tier)s”. Allowed tiers for %(grade)s: %(allowed)s."
        )
        % {"grade": grade, "tier": _tier_label(tier), "allowed": allowed},
        code="grade_ceiling",
    )


def _tier_label(tier: str) -> str:
    return str(Tier(tier).label) if tier in Tier.values else tier


def _within_ceiling(tiers: Iterable[str]) -> Q:
    """Rows whose tier is one of ``tiers`` *and* allowed by their grade (defence in depth)."""
    q = None
    for tier in tiers:
        grades = [g for g, allowed in CEILING.items() if tier in allowed]
        term = Q(tier=tier, grade__in=grades)
        q = term if q is None else q | term
    return q if q is not None else Q(pk__in=[])


def _suspended_ids():
    """Resources under an upheld, unresolved rights complaint (a subquery, join-free)."""
    return Feedback.objects.filter(
        kind=Feedback.Kind.COMPLAINT, status=Feedback.Status.UPHELD, resource__isnull=False
    ).values("resource_id")


def _flag(q: Q) -> Case:
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


def _holds(obj, q: Q) -> bool:
    if obj is None or obj.pk is None:
        return False
    return type(obj)._base_manager.filter(pk=obj.pk).filter(q).exists()


def is_suspended(resource) -> bool:
    """Is access to ``resource`` suspended by an upheld, unresolved rights complaint? Rows read
    through ``annotate_permissions`` carry the answer already."""
    known = getattr(resource, "suspended", None)
    return known if known is not None else _holds(resource, Q(pk__in=_suspended_ids()))
