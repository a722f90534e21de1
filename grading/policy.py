"""The rule-book: the only code that reads tier, grade, grants or roles to decide access.

For every action there is a ``Q`` builder for lists and a predicate for one object. The
predicate runs the *same* ``Q`` against the object's row, so a list and a page can never
disagree. Every ``Q`` here is join-free (plain columns and ``IN (subquery)``), so it can be
used both in ``filter()`` and in ``annotate()`` without duplicating rows.

Deny by default: an unknown tier, grade, status, action or role matches nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, F, Q, QuerySet, Value, When
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
    verified_enterprise: bool = False  # a member of an enterprise verified by the platform
    email_confirmed: bool = False  # the account's current e-mail address is confirmed

    @property
    def platform_staff(self) -> bool:
        return self.platform_admin or self.auditor


ANONYMOUS = Principal(user_id=None)
_EMAIL_CONFIRMED = "~email-confirmed"  # a marker beside the platform roles, never a role


def principal(user) -> Principal:
    """Return the caller's roles, cached on the user object for the rest of the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_grading_principal", None)
    if cached is not None:
        return cached
    from grading.models import ConfirmedEmail, Membership, PlatformRole

    rows = list(
        Membership.objects.filter(user=user).values_list(
            "organization_id", "role", "organization__kind", "organization__verified_at"
        )
    )
    # Platform roles and the e-mail confirmation in one round trip.
    confirmed = ConfirmedEmail.objects.filter(user=user, email__iexact=user.email or "-")
    roles = set(
        PlatformRole.objects.filter(user=user)
        .values_list("role", flat=True)
        .union(confirmed.annotate(role=Value(_EMAIL_CONFIRMED)).values_list("role", flat=True))
    )
    found = Principal(
        user_id=user.pk,
        org_ids=frozenset(org for org, *_rest in rows),
        agency_org_ids=frozenset(org for org, _role, kind, _at in rows if kind == "agency"),
        editor_org_ids=frozenset(
            o for o, r, *_rest in rows if r in (Membership.Role.EDITOR, "admin")
        ),
        reviewer_org_ids=frozenset(
            o for o, r, *_rest in rows if r in (Membership.Role.REVIEWER, "admin")
        ),
        platform_admin=user.is_superuser or PlatformRole.Role.PLATFORM_ADMIN in roles,
        auditor=PlatformRole.Role.AUDITOR in roles,
        verified_enterprise=any(k == "enterprise" and at for _o, _r, k, at in rows),
        email_confirmed=_EMAIL_CONFIRMED in roles,
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


def _suspended_ids():
    """Resources under an upheld, unresolved rights complaint (a subquery, join-free)."""
    from grading.models import Feedback

    return Feedback.objects.filter(
        kind=Feedback.Kind.COMPLAINT, status=Feedback.Status.UPHELD, resource__isnull=False
    ).values("resource_id")


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
    from catalog.models import Resource

    return Resource.objects.filter(viewable_q(user))


def downloadable(user) -> QuerySet:
    """Queryset form of :func:`downloadable_q`."""
    from catalog.models import Resource

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


def can_create_resource(user, organization) -> bool:
    """May ``user`` create catalogue entries held by ``organization``? Editors of that agency
    (enterprises hold no catalogue entries, whatever their members' roles)."""
    return organization is not None and organization.pk in workspace_agencies(user)


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


def workspace_q(user) -> Q:
    """Resources in ``user``'s workspace: every entry, in any state, of the agencies where the
    caller is an editor or a reviewer."""
    p = principal(user)
    orgs = (p.editor_org_ids | p.reviewer_org_ids) & p.agency_org_ids
    return Q(provider_id__in=orgs) if orgs else Q(pk__in=[])


def can_use_workspace(user) -> bool:
    """May ``user`` open the agency workspace? Editors and reviewers of an agency."""
    p = principal(user)
    return bool((p.editor_org_ids | p.reviewer_org_ids) & p.agency_org_ids)


def can_open_in_workspace(user, resource) -> bool:
    """May ``user`` manage this entry in the workspace? Its agency's editors and reviewers."""
    return _holds(resource, workspace_q(user))


def workspace_agencies(user) -> frozenset[int]:
    """The agencies for which ``user`` may create entries: those where the caller edits."""
    p = principal(user)
    return p.editor_org_ids & p.agency_org_ids


# Entries an editor may change: drafts, and published ones (each change then keeps a version).
# A submitted entry is frozen while its reviewer looks at it; a withdrawn one is closed.
CHANGEABLE_STATES = ("draft", PUBLISHED)


def can_change_in_state(user, resource) -> bool:
    """Does the entry's state let ``user`` change it? Editors: drafts and published entries;
    platform administrators may correct an entry in any state."""
    return resource.status in CHANGEABLE_STATES or principal(user).platform_admin


def can_submit(user, resource) -> bool:
    """May ``user`` submit this draft for review? Editors of the providing agency."""
    return can_edit(user, resource)


def can_return(user, resource) -> bool:
    """May ``user`` return a submitted entry to its editors? Reviewers of the providing agency."""
    return can_publish(user, resource)


def can_withdraw(user, resource) -> bool:
    """May ``user`` withdraw a published entry? Reviewers of the providing agency."""
    return can_publish(user, resource)


def workspace_denial(user, resource, action: str = "edit") -> str:
    """Explain to agency staff who may see ``resource`` why they may not ``action`` it."""
    if action == "workspace":
        return _(
            "The workspace is for editors and reviewers of agencies. Ask your agency's "
            "administrator to add you to the agency."
        )
    if action == "access":
        return _(
            "Opening a published entry further (a more open tier, a lower security grade of the "
            "entry or of one of its fields) is a reviewer's decision: ask a reviewer of the "
            "providing agency who also edits."
        )
    if action in ("return", "publish", "withdraw"):
        return _(
            "Only a reviewer of the providing agency may do this. Ask your agency's "
            "administrator for the reviewer role."
        )
    return _(
        "Only editors of the providing agency may change this entry. Ask your agency's "
        "administrator for the editor role."
    )


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


def can_register_product(user, organization) -> bool:
    """May ``user`` register and edit products for ``organization``? Its staff, while it holds
    an active authorized-operation agreement."""
    p = principal(user)
    if organization is None or organization.pk not in p.org_ids:
        return False
    return active_agreements(organization).exists()


def active_agreements(organization) -> QuerySet:
    """The organization's authorized-operation agreements in force now."""
    from grading.models import Agreement

    now = timezone.now()
    return Agreement.objects.filter(
        operator=organization,
        status=Agreement.Status.ACTIVE,
        valid_from__lte=now,
        valid_until__gt=now,
    )


def covering_agreement(organization, resources):
    """An active agreement of ``organization`` whose scope covers every one of ``resources``
    (the one with the highest fee cap), or None: operators may only cite covered resources."""
    ids = {r.pk for r in resources}
    for agreement in active_agreements(organization).order_by("-fee_cap", "pk"):
        scope = set(agreement.resources.filter(pk__in=ids).values_list("pk", flat=True))
        if scope == ids:
            return agreement
    return None


def can_review_product(user, product) -> bool:
    """May ``user`` carry out compliance and quality review? Platform administrators only."""
    return product is not None and principal(user).platform_admin


# ---------------------------------------------------------------------------------------------
# Applications and grants
# ---------------------------------------------------------------------------------------------

APPLICANT_ACTIONS = frozenset({"submit", "withdraw", "respond", "accept"})
PLATFORM_ACTIONS = frozenset({"check", "return"})
AGENCY_ACTIONS = frozenset({"approve", "reject", "request_info"})


def application_visible_q(user) -> Q:
    """Applications ``user`` may see: their own; those addressed to an agency they review for,
    once submitted; all of them for platform staff."""
    p = principal(user)
    if p.user_id is None:
        return Q(pk__in=[])
    q = Q(applicant_id=p.user_id)
    if p.reviewer_org_ids:
        q |= Q(provider_id__in=p.reviewer_org_ids) & ~Q(status="draft")
    if p.platform_staff:
        q |= ~Q(status="draft")
    return q


def can_act_on_application(user, application, action: str) -> bool:
    """May ``user`` carry out ``action`` on ``application``? The applicant submits, withdraws,
    answers questions and accepts; platform administrators do the formal check; reviewers of
    the providing agency decide. An unknown action is denied."""
    p = principal(user)
    if p.user_id is None or application is None:
        return False
    if action in APPLICANT_ACTIONS:
        return application.applicant_id == p.user_id
    if action in PLATFORM_ACTIONS:
        return p.platform_admin
    if action in AGENCY_ACTIONS:
        return application.provider_id in p.reviewer_org_ids
    return False


def grant_visible_q(user) -> Q:
    """Grants ``user`` may see: their own; those over resources of an agency they review for;
    all of them for platform staff."""
    p = principal(user)
    if p.user_id is None:
        return Q(pk__in=[])
    if p.platform_staff:
        return Q(pk__isnull=False)
    q = Q(grantee_id=p.user_id)
    if p.reviewer_org_ids:
        q |= Q(application__provider_id__in=p.reviewer_org_ids)
    return q


def can_revoke_grant(user, grant) -> bool:
    """May ``user`` revoke ``grant``? Reviewers of the agency that granted it, and platform
    administrators."""
    p = principal(user)
    if p.user_id is None or grant is None:
        return False
    application = getattr(grant, "application", None)
    return p.platform_admin or (
        application is not None and application.provider_id in p.reviewer_org_ids
    )


def access_basis(user, resource, action: str) -> str | None:
    """On what ``user`` may ``action`` ("download" or "query") ``resource``: "open", "own"
    (staff of the providing agency), "agreement" (authorized operation, query only), "grant",
    or None when not permitted. The download and row views audit every basis but "open" and
    charge a grant's quota when the basis is "grant"."""
    p = principal(user)
    if resource is None:
        return None
    # Rows read through ``annotate_permissions`` carry the answers already, computed in SQL
    # by the same rules; others are asked here.
    permitted = getattr(resource, f"may_{action}", None)
    if permitted is None:
        permitted = (can_download if action == "download" else can_query)(user, resource)
    if not permitted:
        return None
    is_open = getattr(resource, "open_access", None)
    if is_open if is_open is not None else _holds(resource, _open_q()):
        return "open"
    if p.org_ids and _holds(resource, _own_agency(p)):
        return "own"
    if action == "query" and p.org_ids and _holds(resource, Q(pk__in=_in_scope_ids(p))):
        return "agreement"
    return "grant"


def can_view_audit(user) -> bool:
    """May ``user`` browse the audit chain? Auditors and platform administrators."""
    return principal(user).platform_staff


def can_manage_agreements(user) -> bool:
    """May ``user`` create and change authorized-operation agreements? Platform administrators."""
    return principal(user).platform_admin


def live_grants(user, resource, action: str) -> QuerySet:
    """The caller's grants that cover ``resource`` for ``action`` now, with quota left."""
    from grading.models import Grant

    flag = "allow_download" if action == "download" else "allow_query"
    return Grant.objects.filter(_live_grant_q(principal(user), flag), resources=resource)


# ---------------------------------------------------------------------------------------------
# Staff surfaces
# ---------------------------------------------------------------------------------------------


def can_use_admin(user) -> bool:
    """May ``user`` open the platform administration? Platform administrators and auditors."""
    return bool(getattr(user, "is_staff", False)) and principal(user).platform_staff


def can_see_grades(user) -> bool:
    """May ``user`` see security grades (of entries, of dictionary fields, in rows, exports,
    histories and messages) and filter and facet by them? Staff of agencies and of the
    platform. Everyone else learns what they may do, never the grade behind it."""
    p = principal(user)
    return p.platform_staff or bool(p.agency_org_ids)


# ---------------------------------------------------------------------------------------------
# One entry point per action, for callers that hold the action's name as data
# ---------------------------------------------------------------------------------------------

_PREDICATES = {
    "revoke_grant": can_revoke_grant,
    "view": can_view,
    "download": can_download,
    "query": can_query,
    "edit": can_edit,
    "publish": can_publish,
    "submit": can_submit,
    "return": can_return,
    "withdraw": can_withdraw,
    "apply": can_apply,
    "view_product": can_view_product,
    "review_product": can_review_product,
}


def allowed(user, action: str, obj) -> bool:
    """Generic form of the predicates; an unknown action is denied."""
    predicate = _PREDICATES.get(action)
    return bool(predicate and predicate(user, obj))


# ---------------------------------------------------------------------------------------------
# Accounts and API keys
# ---------------------------------------------------------------------------------------------


def email_confirmed(user) -> bool:
    """Has ``user`` confirmed the e-mail address currently on their account?"""
    p = principal(user)
    if p.user_id is None or not user.email:
        return False
    from grading.models import ConfirmedEmail

    return ConfirmedEmail.objects.filter(user_id=p.user_id, email__iexact=user.email).exists()


def verified_enterprise_q() -> Q:
    """Organizations that are enterprises checked by platform staff (for ``Organization`` rows)."""
    return Q(kind="enterprise", verified_at__isnull=False)


def applicant_verified(user) -> bool:
    """Is ``user`` a verified applicant, who may apply for conditional data?

    Either an individual whose account e-mail address is confirmed, or a member (any role) of
    an enterprise that platform staff have verified. Anonymous and inactive users are not.
    """
    p = principal(user)
    return p.user_id is not None and (p.verified_enterprise or p.email_confirmed)


def can_verify_enterprise(user) -> bool:
    """May ``user`` verify, reject or un-verify registered enterprises? Platform administrators
    only (auditors look, they do not decide)."""
    return principal(user).platform_admin


def organization_listed_q(user) -> Q:
    """Organizations ``user`` may see: agencies and verified enterprises for everyone; also the
    caller's own organizations (a registration waiting for its check), and every organization
    for platform staff. A self-registered enterprise is public only once staff verified it."""
    p = principal(user)
    q = Q(kind="agency") | verified_enterprise_q()
    if p.platform_staff:
        q |= Q(pk__isnull=False)
    if p.org_ids:
        q |= Q(pk__in=p.org_ids)
    return q


def can_create_api_key(user, *, using_key: bool = False) -> bool:
    """May ``user`` create an API key? Any signed-in, active user, but not while calling with a
    key: a leaked key must not be able to mint further keys that outlive its revocation."""
    return principal(user).user_id is not None and not using_key


def api_keys_q(user) -> Q:
    """API keys ``user`` may see and revoke: their own, nobody else's (for ``APIKey`` rows)."""
    p = principal(user)
    return Q(user_id=p.user_id) if p.user_id is not None else Q(pk__in=[])


# ---------------------------------------------------------------------------------------------
# Feedback: corrections, data requests, rights complaints
# ---------------------------------------------------------------------------------------------

PUBLIC_FEEDBACK_KINDS = ("correction", "request")
FEEDBACK_STAFF_ACTIONS = frozenset({"answer", "uphold", "dismiss", "resolve"})


def is_suspended(resource) -> bool:
    """Is access to ``resource`` suspended by an upheld, unresolved rights complaint? Rows read
    through ``annotate_permissions`` carry the answer already."""
    known = getattr(resource, "suspended", None)
    return known if known is not None else _holds(resource, Q(pk__in=_suspended_ids()))


def feedback_target_q(user) -> Q:
    """Resources ``user`` may give feedback on (report an error, request data, complain
    about): published entries whose metadata the caller may see."""
    return viewable_q(user) & Q(status=PUBLISHED)


def can_give_feedback(user, resource) -> bool:
    """May ``user`` report an error or request data about ``resource``? Anyone who may see
    it, anonymous visitors included (invisible resources answer 404)."""
    return _holds(resource, feedback_target_q(user))


def can_file_complaints(user) -> bool:
    """May ``user`` file rights complaints at all? Signed-in users (a complaint has an author
    the agency can answer and hold to their evidence)."""
    return principal(user).user_id is not None


def can_complain(user, resource) -> bool:
    """May ``user`` file a rights complaint about ``resource``? Signed-in users who may see it."""
    return can_file_complaints(user) and can_give_feedback(user, resource)


def _public_resource_scope(user) -> Q:
    """Feedback about no resource, or about one ``user`` may see (for ``Feedback`` rows)."""
    from catalog.models import Resource

    return Q(resource__isnull=True) | Q(resource_id__in=Resource.objects.filter(viewable_q(user)))


def feedback_public_q(user=None) -> Q:
    """Feedback shown to everyone: answered corrections and data requests about no resource
    or a resource the caller may see. Complaints are never public; neither is who submitted."""
    return Q(kind__in=PUBLIC_FEEDBACK_KINDS, status="answered") & _public_resource_scope(user)


def feedback_statistics_q() -> Q:
    """Feedback counted in an agency's public response figures: every kind, about no resource
    or a resource everyone may see (restricted entries are not revealed, even as counts)."""
    return _public_resource_scope(None)


def feedback_visible_q(user) -> Q:
    """Feedback ``user`` may open: public answers; their own submissions; everything addressed
    to an agency they work for; all of it for platform staff."""
    p = principal(user)
    q = feedback_public_q(user)
    if p.user_id is not None:
        q |= Q(submitter_id=p.user_id)
    if p.agency_org_ids:
        q |= Q(agency_id__in=p.agency_org_ids)
    if p.platform_staff:
        q = Q(pk__isnull=False)
    return q


def feedback_inbox_q(user) -> Q:
    """Feedback in ``user``'s inbox: addressed to an agency they work for (all of it for
    platform staff, who watch response times but do not answer)."""
    p = principal(user)
    if p.platform_staff:
        return Q(pk__isnull=False)
    return Q(agency_id__in=p.agency_org_ids) if p.agency_org_ids else Q(pk__in=[])


def can_view_feedback(user, feedback) -> bool:
    """May ``user`` open this feedback? (Others' complaints answer 404.)"""
    return _holds(feedback, feedback_visible_q(user))


def can_act_on_feedback(user, feedback, action: str) -> bool:
    """May ``user`` answer, uphold, dismiss or resolve ``feedback``? Staff of the agency it is
    addressed to. An unknown action is denied."""
    p = principal(user)
    if feedback is None or action not in FEEDBACK_STAFF_ACTIONS:
        return False
    return feedback.agency_id in p.agency_org_ids


def can_download_evidence(user, feedback) -> bool:
    """May ``user`` download a complaint's evidence? The complainant, staff of the agency it is
    addressed to, and platform staff."""
    p = principal(user)
    if feedback is None or p.user_id is None:
        return False
    return (
        p.platform_staff
        or feedback.submitter_id == p.user_id
        or feedback.agency_id in p.agency_org_ids
    )


def can_use_feedback_inbox(user) -> bool:
    """May ``user`` open the feedback inbox? Agency staff and platform staff."""
    p = principal(user)
    return p.platform_staff or bool(p.agency_org_ids)


# Agency publishing: bulk import and the quality dashboard
# ---------------------------------------------------------------------------------------------


def importing_organizations_q(user) -> Q:
    """Organizations ``user`` may import catalogue entries for (for ``Organization`` rows):
    agencies where ``user`` is an editor, as for writing entries one by one."""
    p = principal(user)
    return Q(kind="agency", pk__in=p.editor_org_ids) if p.editor_org_ids else Q(pk__in=[])


def can_import(user, organization) -> bool:
    """May ``user`` import entries for ``organization``?"""
    return _holds(organization, importing_organizations_q(user))


def can_use_import(user) -> bool:
    """May ``user`` open the import page at all? Editors of at least one agency."""
    return bool(principal(user).editor_org_ids & principal(user).agency_org_ids)


def dashboard_organizations_q(user) -> Q:
    """Agencies whose quality and overdue updates ``user`` may follow (for ``Organization``
    rows): the agencies ``user`` works for; every agency for platform staff."""
    p = principal(user)
    if p.platform_staff:
        return Q(kind="agency")
    return Q(kind="agency", pk__in=p.agency_org_ids) if p.agency_org_ids else Q(pk__in=[])


def dashboard_resources_q(user) -> Q:
    """Resources counted on ``user``'s quality dashboard: entries ``user`` may see whose
    provider is one of :func:`dashboard_organizations_q`."""
    p = principal(user)
    if p.platform_staff:
        return viewable_q(user)
    if not p.agency_org_ids:
        return Q(pk__in=[])
    return viewable_q(user) & Q(provider_id__in=p.agency_org_ids)


def can_view_agency_dashboard(user) -> bool:
    """May ``user`` open the quality dashboard? Staff of an agency and platform staff."""
    p = principal(user)
    return p.platform_staff or bool(p.agency_org_ids)
