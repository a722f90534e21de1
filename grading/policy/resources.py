"""Catalogue entries: who may see, download and query them, and which dictionary fields and
histories they may read. Each ``Q`` builder serves lists; each predicate runs the same ``Q``
against one row, so a list and a page never disagree."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Distribution, Resource
from grading.grades import BULK_DOWNLOAD_GRADES, GRADE_ORDER, Grade, Tier
from grading.models import Agreement, Grant
from grading.policy.accounts import applicant_verified
from grading.policy.base import (
    PUBLIC_TIERS,
    PUBLISHED,
    _flag,
    _holds,
    _suspended_ids,
    _within_ceiling,
    is_suspended,
)
from grading.policy.principal import Principal, principal

# ---------------------------------------------------------------------------------------------
# Resources: lists (Q builders)
# ---------------------------------------------------------------------------------------------


def _granted_ids(p: Principal, flag: str):
    return Grant.resources.through.objects.filter(_live_grant_q(p, flag, prefix="grant__")).values(
        "resource_id"
    )


def _live_grant_q(p: Principal, flag: str, prefix: str = "") -> Q:
    """Grants of ``p`` that are active, within their term, allow ``flag`` and have quota left."""
    now = timezone.now()
    return Q(
        **{
            f"{prefix}grantee_id": p.user_id,
            f"{prefix}status": "active",
            f"{prefix}valid_from__lte": now,
            f"{prefix}valid_until__gt": now,
            f"{prefix}{flag}": True,
        }
    ) & (Q(**{f"{prefix}quota__isnull": True}) | Q(**{f"{prefix}used__lt": F(f"{prefix}quota")}))


def _in_scope_ids(p: Principal):
    now = timezone.now()
    return Agreement.resources.through.objects.filter(
        agreement__operator_id__in=p.org_ids,
        agreement__status=Agreement.Status.ACTIVE,
        agreement__valid_from__lte=now,
        agreement__valid_until__gt=now,
    ).values("resource_id")


def _own_agency(p: Principal) -> Q:
    return Q(provider_id__in=p.org_ids) & _within_ceiling(Tier.values)


def _unless_suspended(p: Principal, q: Q) -> Q:
    """``q`` minus suspended resources, except for platform staff. Staff of the providing
    agency keep access through ``_own_agency``, added after this; grants do not help."""
    if p.platform_staff:
        return q
    return q & ~Q(pk__in=_suspended_ids())


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
    A resource under an upheld rights complaint is suspended (see :func:`queryable_q`).
    """
    p = principal(user)
    q = Q(status=PUBLISHED) & _within_ceiling([Tier.OPEN])
    if p.user_id is not None:
        q |= Q(
            status=PUBLISHED,
            grade__in=BULK_DOWNLOAD_GRADES,
            pk__in=_granted_ids(p, "allow_download"),
        ) & _within_ceiling([Tier.CONDITIONAL])
    q = _unless_suspended(p, q)
    if p.org_ids:
        q |= _own_agency(p)
    return q


def queryable_q(user) -> Q:
    """Resources whose rows ``user`` may read through the row API.

    Everyone: published open data. Grant holders: published conditional data under an active
    grant with the query action. Operators: published data in their agreement's scope. Staff of
    the providing organization: its own data. While a rights complaint against a resource is
    upheld, only the providing organization's staff and platform staff keep access (to download
    and to query alike); grants and agreements do not help.
    """
    p = principal(user)
    q = Q(status=PUBLISHED) & _within_ceiling([Tier.OPEN])
    if p.user_id is not None:
        q |= Q(status=PUBLISHED, pk__in=_granted_ids(p, "allow_query")) & _within_ceiling(
            [Tier.CONDITIONAL]
        )
    if p.org_ids:
        q |= Q(status=PUBLISHED, pk__in=_in_scope_ids(p)) & _within_ceiling(Tier.values)
    q = _unless_suspended(p, q)
    if p.org_ids:
        q |= _own_agency(p)
    return q


def editable_q(user) -> Q:
    """Resources ``user`` may edit: editors of the providing agency, and platform administrators."""
    p = principal(user)
    # Only agencies hold catalogue entries: an enterprise's own members edit nothing here.
    orgs = p.editor_org_ids & p.agency_org_ids
    q = Q(provider_id__in=orgs) if orgs else Q(pk__in=[])
    if p.platform_admin:
        q = Q(pk__isnull=False)
    return q


def public_q() -> Q:
    """Resources the rule-book shows to everyone, signed in or not.

    Interop surfaces that know "public" and "private" (the CKAN-compatible API) call these
    public; any other entry a caller may see is private to the few the rule-book shows it to.
    """
    return viewable_q(None)


def viewable(user) -> QuerySet:
    """Queryset form of :func:`viewable_q`."""
    return Resource.objects.filter(viewable_q(user))


def downloadable(user) -> QuerySet:
    """Queryset form of :func:`downloadable_q`."""
    return Resource.objects.filter(downloadable_q(user))


def annotate_permissions(queryset: QuerySet, user) -> QuerySet:
    """Add ``may_download`` and ``may_query`` booleans computed in SQL from the same rules (and
    ``suspended``, so a denial can say why without asking again)."""
    return queryset.annotate(
        may_download=_flag(downloadable_q(user)),
        may_query=_flag(queryable_q(user)),
        open_access=_flag(_open_q()),
        suspended=_flag(Q(pk__in=_suspended_ids())),
    )


def _open_q() -> Q:
    """Published open data: anyone may download and query it, and nobody is charged or audited."""
    return Q(status=PUBLISHED) & _within_ceiling([Tier.OPEN])


def annotate_public_download(queryset: QuerySet) -> QuerySet:
    """Add ``public_download``: may anyone, anonymous visitors included, download the files?

    Descriptions meant for every reader (schema.org's ``isAccessibleForFree``) use this rather
    than the caller's own ``may_download``.
    """
    return queryset.annotate(public_download=_flag(downloadable_q(None)))


def annotate_public(queryset: QuerySet) -> QuerySet:
    """Add ``is_public``: whether everyone may see the row (see :func:`public_q`)."""
    return queryset.annotate(is_public=_flag(public_q()))


# ---------------------------------------------------------------------------------------------
# Resources: one object (predicates, built from the same Q)
# ---------------------------------------------------------------------------------------------


def can_view(user, resource) -> bool:
    """May ``user`` see this resource's metadata? (Invisible objects answer 404.)"""
    return _holds(resource, viewable_q(user))


def can_follow(user, resource) -> bool:
    """May ``user`` follow this entry for update notices? Any signed-in user who may see it;
    notices are sent only while the policy still shows it to them."""
    return principal(user).user_id is not None and can_view(user, resource)


def can_download(user, resource) -> bool:
    """May ``user`` download this resource's files?"""
    return _holds(resource, downloadable_q(user))


def can_download_file(user, resource, content_grade: str = "") -> bool:
    """May ``user`` download one stored file of ``resource`` whose content was graded
    ``content_grade`` when it was checked (blank: not checked)?

    The resource's rule first. A file whose content is graded above the entry's current grade
    (an earlier file, or one checked before a field was removed from the dictionary) stays with
    the providing agency: everything else the rule-book grants is decided on the entry's grade.
    """
    permitted = getattr(resource, "may_download", None)
    if permitted is None:
        permitted = can_download(user, resource)
    if not permitted:
        return False
    if file_within_entry_grade(resource, content_grade):
        return True
    return resource.provider_id in principal(user).org_ids


def file_within_entry_grade(resource, content_grade: str = "") -> bool:
    """Is a stored file's content graded no higher than its entry now is, so that the entry's
    download rule covers it? Descriptions written for every reader (DCAT ``downloadURL``,
    schema.org ``DataDownload``) offer only such files."""
    level = GRADE_ORDER.get(content_grade, 4) if content_grade else 0
    return level <= GRADE_ORDER.get(resource.grade, 0)


def file_denial_message(user, resource) -> str:
    """Why a caller who may download ``resource`` may not download one of its files."""
    if not getattr(resource, "may_download", False) and not can_download(user, resource):
        return denial_message(user, resource)
    return _(
        "This file holds data graded above the entry's current security grade; only the "
        "providing agency may download it."
    )


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
    return resource is not None and resource.provider_id in (p.reviewer_org_ids & p.agency_org_ids)


def is_public(resource) -> bool:
    """Does the rule-book show ``resource`` to everyone, anonymous visitors included?"""
    return _holds(resource, public_q())


def can_see_whole_history(user, resource) -> bool:
    """May ``user`` see every version of ``resource``, including those kept while it was not
    public? Staff of the providing organization and platform staff; everyone else sees the
    versions kept while the entry was public."""
    p = principal(user)
    return p.platform_staff or (resource is not None and resource.provider_id in p.org_ids)


def can_see_change_author(user) -> bool:
    """May ``user`` see who changed an entry (the account behind each version in its history)?
    Staff of agencies and of the platform; the public sees what changed, never who changed it."""
    p = principal(user)
    return p.platform_staff or bool(p.agency_org_ids)


def offers_download_link(resource, distribution) -> bool:
    """Is a download link offered for ``distribution`` of ``resource`` (in the API, the CKAN
    API, DCAT and schema.org)? Only for a stored file, when the caller may download the entry
    (``may_download``, computed for the caller by :func:`annotate_permissions`; absent means
    no) and the entry's rule covers the file (not an upload graded above the entry's grade,
    whose link would answer 403)."""
    return (
        distribution.kind == Distribution.Kind.FILE
        and bool(distribution.file)
        and bool(getattr(resource, "may_download", False))
        and file_within_entry_grade(resource, distribution.content_grade)
    )


_OPENNESS = {Tier.RESTRICTED: 0, Tier.CONDITIONAL: 1, Tier.OPEN: 2}


def opens_access(before: dict, after: dict) -> bool:
    """Would moving from ``before`` to ``after`` (each ``{"tier", "grade"}``) let anyone do more
    with the data: a more open tier, or a lower grade (grants of L3 data allow queries only)?"""
    more_open = _OPENNESS.get(after["tier"], -1) > _OPENNESS.get(before["tier"], -1)
    lower = GRADE_ORDER.get(after["grade"], 4) < GRADE_ORDER.get(before["grade"], 4)
    return more_open or lower


def can_change_published_access(user, resource, before: dict) -> bool:
    """May ``user`` change the tier or grade of ``resource`` from ``before`` to its current
    (unsaved) values?

    On a draft, any editor: a reviewer looks at the whole before publishing. On a published
    entry, a change that closes data (stricter tier, higher grade) is any editor's to make at
    once; one that opens data is a reviewer's decision (a reviewer who also edits, or a
    platform administrator), never an editor's alone.
    """
    after = {"tier": resource.tier, "grade": resource.grade}
    if resource.status != PUBLISHED or not opens_access(before, after):
        return True
    return _decides_opening(user, resource)


def lowers_field_grades(before: Mapping[str, str], after: Mapping[str, str]) -> bool:
    """Would a data dictionary whose columns are graded ``before`` (``{English name: grade}``)
    show some column at a lower grade once graded ``after``? Lower field grades unmask values
    for more callers (operators read up to L3, the public up to L2) even when the entry's own
    grade stays where it was. A name missing from ``before`` has no values to unmask."""
    return any(
        GRADE_ORDER.get(grade, -1) < GRADE_ORDER.get(before[name], -1)
        for name, grade in after.items()
        if name in before
    )


def can_change_published_fields(
    user, resource, before: Mapping[str, str], after: Mapping[str, str]
) -> bool:
    """May ``user`` change the grades of the columns of ``resource`` from ``before`` to
    ``after`` (each ``{English name: grade}``)?

    On a draft, any editor. On a published entry, raising a field's grade (or adding or
    removing one) is any editor's to make; lowering one is a reviewer's decision, whatever
    happens to the entry's grade (by any path: a field, the dictionary, an import).
    """
    if resource.status != PUBLISHED or not lowers_field_grades(before, after):
        return True
    return _decides_opening(user, resource)


def _decides_opening(user, resource) -> bool:
    """Opening published data further: a reviewer of the agency or a platform administrator."""
    return principal(user).platform_admin or can_publish(user, resource)


def can_apply(user, resource) -> bool:
    """May ``user`` apply for access to this resource? Verified applicants (a confirmed email,
    or staff of a verified enterprise), for visible conditional data they cannot already
    download and whose access is not suspended by an upheld rights complaint."""
    if principal(user).user_id is None or not applicant_verified(user):
        return False
    q = viewable_q(user) & Q(status=PUBLISHED) & _within_ceiling([Tier.CONDITIONAL])
    # While access is suspended by an upheld rights complaint, a grant would not help either.
    q &= ~Q(pk__in=_suspended_ids())
    return _holds(resource, q & ~downloadable_q(user))


def denial_message(user, resource, action: str = "download") -> str:
    """Explain to a caller who may see ``resource`` but not use it how access is obtained."""
    if is_suspended(resource):
        return _(
            "Access to this data is suspended pending a rights complaint upheld by the "
            "providing agency. It is restored once the agency resolves the complaint."
        )
    if resource.tier == Tier.OPEN and resource.status == PUBLISHED:
        return _("This file is open: no permission is needed.")
    if resource.tier != Tier.CONDITIONAL:
        return _("This data is not open to the public.")
    if principal(user).user_id is None:
        return _(
            "This data is conditionally open. Log in, then apply for access stating your "
            "purpose and application scenario; the data is available once a grant is issued."
        )
    if not applicant_verified(user):
        return _(
            "This data is conditionally open. Confirm your e-mail address on your account page "
            "(or have your enterprise verified by the platform) before applying for access."
        )
    if resource.grade not in BULK_DOWNLOAD_GRADES and action == "download":
        return _(
            "This data is available for approved queries only, never as a bulk download. "
            "Apply for query access."
        )
    return _(
        "This data is conditionally open and you hold no active grant covering it. Apply for "
        "access stating your purpose and application scenario."
    )
