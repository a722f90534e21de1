"""The cross-border rule-book: the negative list at the policy level, who clears, who sees
filings and their evidence, who supervises."""

import pytest

from grading import policy
from grading.crossborder.vocabulary import CATEGORIES, SCENARIOS, negative_codes
from grading.models import CrossBorderFiling


@pytest.mark.parametrize("code", sorted(negative_codes()))
def test_negative_list_items_can_never_be_cleared(xb, code):
    assert "Negative list" in policy.negative_list_refusal(code)
    for scenario in SCENARIOS:
        assert not policy.can_clear(xb.admin, category=code, scenario=scenario)


def test_unknown_category_or_scenario_is_denied(xb):
    assert policy.negative_list_refusal("no_such")
    assert not policy.can_clear(xb.admin, category="no_such", scenario="international_trade")
    assert not policy.can_clear(xb.admin, category="trade_documents", scenario="no_such")


def test_other_categories_may_be_cleared_by_administrators_only(xb):
    cleared = [c for c, term in CATEGORIES.items() if not term.negative]
    assert cleared and all(policy.negative_list_refusal(c) == "" for c in cleared)
    assert policy.can_clear(xb.admin, category="trade_documents", scenario="international_trade")
    for user in (xb.auditor, xb.filer, None):
        assert not policy.can_clear(
            user, category="trade_documents", scenario="international_trade"
        )


def test_entries_must_be_public_to_be_cleared(xb):
    kwargs = {"category": "trade_documents", "scenario": "international_trade"}
    assert policy.can_clear(xb.admin, resource=xb.open, **kwargs)
    assert not policy.can_clear(xb.admin, resource=xb.restricted, **kwargs)


def test_who_assesses(world, xb):
    assert policy.can_self_assess(xb.filer)
    assert not policy.can_self_assess(xb.unverified)  # an enterprise not yet verified
    assert not policy.can_self_assess(world.users["citizen"])
    assert not policy.can_self_assess(world.users["agency_staff"])
    assert not policy.can_self_assess(None)


@pytest.mark.parametrize(
    "kind, sees, evidence, acknowledges, resubmits",
    [
        ("filer", True, True, False, True),
        ("admin", True, True, True, False),
        ("auditor", True, True, False, False),
        ("outsider", False, False, False, False),
        ("unverified", False, False, False, False),
    ],
)
def test_filing_matrix(xb, filed, kind, sees, evidence, acknowledges, resubmits):
    filing = filed()
    user = getattr(xb, kind)
    assert policy.can_view_filing(user, filing) is sees
    assert (filing in CrossBorderFiling.objects.filter(policy.cross_border_visible_q(user))) is sees
    assert policy.can_download_filing_evidence(user, filing) is evidence
    assert policy.can_act_on_filing(user, filing, "acknowledge") is acknowledges
    assert policy.can_act_on_filing(user, filing, "resubmit") is resubmits
    assert not policy.can_act_on_filing(user, filing, "unknown")


def test_anonymous_sees_no_filing(xb, filed):
    filing = filed()
    assert not policy.can_view_filing(None, filing)
    assert not policy.can_download_filing_evidence(None, filing)


def test_supervision_is_for_platform_staff(world, xb):
    assert policy.can_supervise_cross_border(xb.admin)
    assert policy.can_supervise_cross_border(xb.auditor)
    for kind in ("citizen", "grantee", "agency_staff", "operator", "anonymous"):
        assert not policy.can_supervise_cross_border(world.users[kind])


def test_staff_who_belong_to_another_enterprise_cannot_file_this_one(xb, assess):
    from grading.models import Membership
    from tests import factories as f

    assessment = assess()
    f.membership(xb.admin, xb.outsider.memberships.get().organization, Membership.Role.ADMIN)
    xb.admin.__dict__.pop("_grading_principal", None)  # roles are read once per user object
    assert policy.can_view_filing(xb.admin, assessment)  # the regulator sees it
    assert policy.can_self_assess(xb.admin)  # and may assess for its own enterprise
    assert not policy.can_file(xb.admin, assessment)
    assert policy.can_file(xb.filer, assessment)
