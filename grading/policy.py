"""The rule-book: the only code that reads tier, grade, grants or roles to decide access.

For every action there is a ``Q`` builder for lists and a predicate for one object. The
predicate runs the *same* ``Q`` against the object's row, so a list and a page can never
disagree. Every ``Q`` here is join-free (plain columns and ``IN (subquery)``), so it can be
used both in ``filter()`` and in ``annotate()`` without duplicating rows.

Deny by default: an unknown tier, grade, status, action or role matches nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from grading.grades import BULK_DOWNLOAD_GRADES, CEILING, GRADE_ORDER, Grade, Tier

PUBLISHED = "published"
LISTED = "listed"
PUBLIC_TIERS = (Tier.OPEN, Tier.CONDITIONAL)

# ---------------------------------------------------------------------------------------------
# Who is asking
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """What the rule-book knows about a caller, read once per user object."""

    user_id: int | None
    org_ids: frozenset[int] = frozenset()
    editor_org_ids: frozenset[int] = frozenset()
    reviewer_org_ids: frozenset[int] = frozenset()
    agency_org_ids: frozenset[int] = frozenset()
    platform_admin: bool = False
    auditor: bool = False

    @property
    def platform_staff(self) -> bool:
        return self.platform_admin or self.auditor


ANONYMOUS = Principal(user_id=None)


def principal(user) -> Principal:
    """Return the caller's roles, cached on the user object for the rest of the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_grading_principal", None)
    if cached is not None:
        return cached
    from grading.models import Membership, PlatformRole

    rows = list(
        Membership.objects.filter(user=user).values_list(
            "organization_id", "role", "organization__kind"
        )
    )
    roles = set(PlatformRole.objects.filter(user=user).values_list("role", flat=True))
    found = Principal(
        user_id=user.pk,
        org_ids=frozenset(org for org, _role, _kind in rows),
        agency_org_ids=frozenset(org for org, _role, kind in rows if kind == "agency"),
        editor_org_ids=frozenset(o for o, r, _k in rows if r in (Membership.Role.EDITOR, "admin")),
        reviewer_org_ids=frozenset(
            o for o, r, _k in rows if r in (Membership.Role.REVIEWER, "admin")
        ),
        platform_admin=user.is_superuser or PlatformRole.Role.PLATFORM_ADMIN in roles,
        auditor=PlatformRole.Role.AUDITOR in roles,
    )
    user._grading_principal = found
    return found


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


# ---------------------------------------------------------------------------------------------
# Resources: lists (Q builders)
# ---------------------------------------------------------------------------------------------


def _granted_ids(p: Principal, flag: str):
    from grading.models import Grant

    now = timezone.now()
    return Grant.resources.through.objects.filter(
        grant__grantee_id=p.user_id,
        grant__status=Grant.Status.ACTIVE,
        grant__valid_from__lte=now,
        grant__valid_until__gt=now,
        **{f"grant__{flag}": True},
    ).values("resource_id")


def _in_scope_ids(p: Principal):
    from grading.models import Agreement

    now = timezone.now()
    return Agreement.resources.through.objects.filter(
        agreement__operator_id__in=p.org_ids,
        agreement__status=Agreement.Status.ACTIVE,
        agreement__valid_from__lte=now,
        agreement__valid_until__gt=now,
    ).values("resource_id")


def _own_agency(p: Principal) -> Q:
    return Q(provider_id__in=p.org_ids) & _within_ceiling(Tier.values)


def viewable_q(user) -> Q:
    """Resources whose metadata ``user`` may see.

    Everyone: published open and conditional entries. Staff of the providing organization:
    all of its entries, drafts included. Platform staff and auditors: every entry. Operators:
    published entries covered by an active agreement of their organization.
    """
    p = principal(user)
    q = Q(status=PUBLISHED) & _within_ceiling(PUBLIC_TIERS)
    if p.platform_staff:
        # Staff see every known tier, including rows that break the ceiling, so they can fix them.
        q |= Q(tier__in=Tier.values)
    if p.org_ids:
        q |= _own_agency(p)
        q |= Q(status=PUBLISHED, pk__in=_in_scope_ids(p)) & _within_ceiling(Tier.values)
    return q


def downloadable_q(user) -> Q:
    """Resources whose files ``user`` may download in bulk.

    Everyone: published open data. Grant holders: published conditional data of a grade that
    allows bulk download (L1–L2), under an active grant with the download action. Staff of the
    providing organization: its own data. Operators query in-scope data; they never bulk-download.
    """
    p = principal(user)
    q = Q(status=PUBLISHED) & _within_ceiling([Tier.OPEN])
    if p.user_id is not None:
        q |= Q(
            status=PUBLISHED,
            grade__in=BULK_DOWNLOAD_GRADES,
            pk__in=_granted_ids(p, "allow_download"),
        ) & _within_ceiling([Tier.CONDITIONAL])
    if p.org_ids:
        q |= _own_agency(p)
    return q


def queryable_q(user) -> Q:
    """Resources whose rows ``user`` may read through the row API.

    Everyone: published open data. Grant holders: published conditional data under an active
    grant with the query action. Operators: published data in their agreement's scope. Staff of
    the providing organization: its own data.
    """
    p = principal(user)
    q = Q(status=PUBLISHED) & _within_ceiling([Tier.OPEN])
    if p.user_id is not None:
        q |= Q(status=PUBLISHED, pk__in=_granted_ids(p, "allow_query")) & _within_ceiling(
            [Tier.CONDITIONAL]
        )
    if p.org_ids:
        q |= _own_agency(p)
        q |= Q(status=PUBLISHED, pk__in=_in_scope_ids(p)) & _within_ceiling(Tier.values)
    return q


def editable_q(user) -> Q:
    """Resources ``user`` may edit: editors of the providing agency, and platform administrators."""
    p = principal(user)
    q = Q(provider_id__in=p.editor_org_ids) if p.editor_org_ids else Q(pk__in=[])
    if p.platform_admin:
        q = Q(pk__isnull=False)
    return q


def viewable(user) -> QuerySet:
    """Queryset form of :func:`viewable_q`."""
    from catalog.models import Resource

    return Resource.objects.filter(viewable_q(user))


def downloadable(user) -> QuerySet:
    """Queryset form of :func:`downloadable_q`."""
    from catalog.models import Resource

    return Resource.objects.filter(downloadable_q(user))


def annotate_permissions(queryset: QuerySet, user) -> QuerySet:
    """Add ``may_download`` and ``may_query`` booleans computed in SQL from the same rules."""
    return queryset.annotate(
        may_download=_flag(downloadable_q(user)),
        may_query=_flag(queryable_q(user)),
    )


def _flag(q: Q) -> Case:
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


# ---------------------------------------------------------------------------------------------
# Resources: one object (predicates, built from the same Q)
# ---------------------------------------------------------------------------------------------


def _holds(obj, q: Q) -> bool:
    if obj is None or obj.pk is None:
        return False
    return type(obj)._base_manager.filter(pk=obj.pk).filter(q).exists()


def can_view(user, resource) -> bool:
    """May ``user`` see this resource's metadata? (Invisible objects answer 404.)"""
    return _holds(resource, viewable_q(user))


def can_download(user, resource) -> bool:
    """May ``user`` download this resource's files?"""
    return _holds(resource, downloadable_q(user))


def can_query(user, resource) -> bool:
    """May ``user`` read this resource's rows through the row API?"""
    return _holds(resource, queryable_q(user))


# Dictionary-field grades shown in rows, by how the caller came to query the data.
PUBLIC_ROW_GRADES = frozenset({Grade.L1, Grade.L2})
GRANTED_ROW_GRADES = frozenset({Grade.L1, Grade.L2, Grade.L3})


def visible_field_grades(user, resource, *, export: bool = False) -> frozenset[str]:
    """The security grades of dictionary fields whose values ``user`` may read in the rows of
    ``resource``; the values of every other field are masked.

    None for a caller who may not query the resource. Staff of the providing organization:
    every grade. Holders of an active grant with the query action, and operators whose
    agreement covers the resource: up to L3 (L4 never leaves the agency). Anyone else querying
    (open data): up to L2. An export (CSV) counts as a bulk download: never above L2.
    """
    if not can_query(user, resource):
        return frozenset()
    p = principal(user)
    if resource.provider_id in p.org_ids:
        grades = frozenset(Grade.values)
    elif p.user_id is not None and _holds(resource, _granted_or_in_scope_q(p)):
        grades = GRANTED_ROW_GRADES
    else:
        grades = PUBLIC_ROW_GRADES
    return grades & BULK_DOWNLOAD_GRADES if export else grades


def _granted_or_in_scope_q(p: Principal) -> Q:
    return Q(pk__in=_granted_ids(p, "allow_query")) | Q(pk__in=_in_scope_ids(p))


def can_see_field(user, resource, field, *, export: bool = False) -> bool:
    """May ``user`` read the values of this dictionary ``field`` in the rows of ``resource``?"""
    return field.grade in visible_field_grades(user, resource, export=export)


def can_edit(user, resource) -> bool:
    """May ``user`` change this resource's metadata?"""
    return _holds(resource, editable_q(user))


def can_publish(user, resource) -> bool:
    """May ``user`` publish this resource? Reviewers of the providing agency only."""
    p = principal(user)
    return resource is not None and resource.provider_id in p.reviewer_org_ids


def can_apply(user, resource) -> bool:
    """May ``user`` apply for access to this resource? Signed-in users, for visible
    conditional data they cannot already download."""
    if principal(user).user_id is None:
        return False
    q = viewable_q(user) & Q(status=PUBLISHED) & _within_ceiling([Tier.CONDITIONAL])
    return _holds(resource, q & ~downloadable_q(user))


def denial_message(user, resource, action: str = "download") -> str:
    """Explain to a caller who may see ``resource`` but not use it how access is obtained."""
    if resource.tier == Tier.OPEN and resource.status == PUBLISHED:
        return _("This file is open: no permission is needed.")
    if resource.tier != Tier.CONDITIONAL:
        return _("This data is not open to the public.")
    if principal(user).user_id is None:
        return _(
            "This data is conditionally open. Log in, then apply for access stating your "
            "purpose and application scenario; the data is available once a grant is issued."
        )
    if resource.grade not in BULK_DOWNLOAD_GRADES and action == "download":
        return _(
            "Data of grade %(grade)s is available for approved queries only, never as a bulk "
            "download. Apply for query access."
        ) % {"grade": resource.grade}
    return _(
        "This data is conditionally open and you hold no active grant covering it. Apply for "
        "access stating your purpose and application scenario."
    )


# ---------------------------------------------------------------------------------------------
# Products
# ---------------------------------------------------------------------------------------------


def product_viewable_q(user) -> Q:
    """Products ``user`` may see: listed ones for everyone; any state for the provider's staff
    and platform staff."""
    p = principal(user)
    q = Q(status=LISTED)
    if p.platform_staff:
        q |= Q(pk__isnull=False)
    if p.org_ids:
        q |= Q(provider_id__in=p.org_ids)
    return q


def can_view_product(user, product) -> bool:
    """May ``user`` see this product?"""
    return _holds(product, product_viewable_q(user))


def can_review_product(user, product) -> bool:
    """May ``user`` carry out compliance and quality review? Platform administrators only."""
    return product is not None and principal(user).platform_admin


# ---------------------------------------------------------------------------------------------
# Staff surfaces
# ---------------------------------------------------------------------------------------------


def can_use_admin(user) -> bool:
    """May ``user`` open the platform administration? Platform administrators and auditors."""
    return bool(getattr(user, "is_staff", False)) and principal(user).platform_staff


def can_see_grades(user) -> bool:
    """May ``user`` filter and facet by security grade? Staff of agencies and of the platform."""
    p = principal(user)
    return p.platform_staff or bool(p.agency_org_ids)


# ---------------------------------------------------------------------------------------------
# One entry point per action, for callers that hold the action's name as data
# ---------------------------------------------------------------------------------------------

_PREDICATES = {
    "view": can_view,
    "download": can_download,
    "query": can_query,
    "edit": can_edit,
    "publish": can_publish,
    "apply": can_apply,
    "view_product": can_view_product,
    "review_product": can_review_product,
}


def allowed(user, action: str, obj) -> bool:
    """Generic form of the predicates; an unknown action is denied."""
    predicate = _PREDICATES.get(action)
    return bool(predicate and predicate(user, obj))
