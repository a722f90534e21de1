"""Cross-border data flow (seed 003 §15-17): who may clear data for the general list, which
cleared entries are listed publicly, who assesses and files transfers, who decides filings,
who sees them and their evidence."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from catalog.models import Organization, Resource
from grading.crossborder.vocabulary import CATEGORIES, SCENARIOS
from grading.policy.accounts import verified_enterprise_q
from grading.policy.base import PUBLISHED, _holds
from grading.policy.principal import principal
from grading.policy.resources import public_q

FILING_PLATFORM_ACTIONS = frozenset({"acknowledge", "return", "reject"})
FILING_ENTERPRISE_ACTIONS = frozenset({"resubmit"})


def can_clear_for_cross_border(user) -> bool:
    """May ``user`` mark entries and categories as cleared for cross-border flow, or withdraw a
    clearance? Platform administrators only (auditors look, they do not decide)."""
    return principal(user).platform_admin


def negative_list_refusal(category: str) -> str:
    """Why ``category`` may never be cleared (empty when it may be): it is on the negative
    list (seed 003 专栏5 金融数据流动负面清单, and the national rule named on the item), or
    it is not a category of the vocabulary at all (deny by default)."""
    term = CATEGORIES.get(category)
    if term is None:
        return _("Unknown data category.")
    if term.negative:
        return _(
            "Negative list: “%(category)s” may never be cleared for cross-border flow under "
            "the general data list (%(source)s). Such transfers need a security assessment."
        ) % {"category": term.name, "source": term.source}
    return ""


def can_clear(user, *, category: str, scenario: str, resource=None) -> bool:
    """May ``user`` clear ``category`` (or one ``resource`` of it) for ``scenario``? Platform
    administrators, for a known scenario, a category off the negative list, and an entry that
    is published and public (a restricted entry is never put on the public general list)."""
    if not can_clear_for_cross_border(user) or scenario not in SCENARIOS:
        return False
    if negative_list_refusal(category):
        return False
    return resource is None or clearable_entry(resource)


def clearable_entry(resource) -> bool:
    """Is ``resource`` an entry that may be on the general list: published and seen by
    everyone (open or conditional)?"""
    return _holds(resource, public_q() & Q(status=PUBLISHED))


def cross_border_listed_q() -> Q:
    """Clearances on the public general list (for ``CrossBorderClearance`` rows): active ones
    of a category, or of an entry everyone may see. The same for every visitor: a restricted
    entry is never listed, even if it was cleared before its tier changed, even to staff who
    may see it elsewhere."""
    public = Resource.objects.filter(public_q()).values("pk")
    return Q(status="active") & (Q(resource__isnull=True) | Q(resource_id__in=public))


def assessing_enterprises_q(user) -> Q:
    """Enterprises ``user`` may assess and file transfers for (for ``Organization`` rows):
    verified enterprises the caller is a member of."""
    p = principal(user)
    if p.user_id is None or not p.org_ids:
        return Q(pk__in=[])
    return verified_enterprise_q() & Q(pk__in=p.org_ids)


def can_self_assess(user) -> bool:
    """May ``user`` make self-assessments and file transfers at all? Members of an enterprise
    verified by the platform."""
    return Organization.objects.filter(assessing_enterprises_q(user)).exists()


def can_file(user, assessment) -> bool:
    """May ``user`` assess for, and file the transfers of, ``assessment``'s enterprise? Its
    members while it is verified; platform staff who see every assessment do not file them."""
    if assessment is None:
        return False
    found = Organization.objects.filter(assessing_enterprises_q(user), pk=assessment.enterprise_id)
    return found.exists()


def cross_border_visible_q(user) -> Q:
    """Assessments and filings ``user`` may see (both have ``enterprise``): those of the
    caller's enterprises; all of them for platform staff (the regulator's view)."""
    p = principal(user)
    if p.platform_staff:
        return Q(pk__isnull=False)
    if p.user_id is None or not p.org_ids:
        return Q(pk__in=[])
    return Q(enterprise_id__in=p.org_ids)


def can_view_filing(user, filing) -> bool:
    """May ``user`` open this filing (or assessment)? (Others' filings answer 404.)"""
    return _holds(filing, cross_border_visible_q(user))


def can_act_on_filing(user, filing, action: str) -> bool:
    """May ``user`` take ``action`` on ``filing``? Platform administrators acknowledge, return
    or reject; members of the filing enterprise resubmit a returned filing. Unknown: denied."""
    p = principal(user)
    if filing is None or p.user_id is None:
        return False
    if action in FILING_PLATFORM_ACTIONS:
        return p.platform_admin
    if action in FILING_ENTERPRISE_ACTIONS:
        return filing.enterprise_id in p.org_ids
    return False


def can_download_filing_evidence(user, filing) -> bool:
    """May ``user`` download a filing's evidence? Staff of the filing enterprise and platform
    staff; nobody else."""
    p = principal(user)
    if filing is None or p.user_id is None:
        return False
    return p.platform_staff or filing.enterprise_id in p.org_ids


def can_supervise_cross_border(user) -> bool:
    """May ``user`` open the supervision list of all filings (overdue flags, CSV export)? The
    regulator: platform administrators and auditors (read-only)."""
    return principal(user).platform_staff
