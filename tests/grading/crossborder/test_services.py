"""Cross-border services: clearing (the negative list refuses), assessing, filing with
evidence and the platform's decisions; every bad input is refused with nothing written."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grading.crossborder import selectors, services
from grading.models import (
    AuditEvent,
    CrossBorderAssessment,
    CrossBorderClearance,
    CrossBorderFiling,
    Notice,
)
from grading.workdays import add_working_days
from portal.transitions import InvalidTransition
from tests import factories as f


def clear(actor, **extra):
    data = {
        "scenario": "international_trade",
        "category": "trade_documents",
        "conditions": "仅限合同履行",
    }
    data.update(extra)
    return services.clearance_mark(actor=actor, **data)


# Clearing ------------------------------------------------------------------------------------


def test_clear__a_category_is_audited(xb):
    row = clear(xb.admin)
    assert row.status == "active" and row.cleared_by == xb.admin
    event = AuditEvent.objects.get(action="crossborder.clear")
    assert event.object_id == str(row.pk) and "trade_documents" in event.payload


@pytest.mark.parametrize("code", ["personal_financial_accounts", "population_health"])
def test_clear__negative_list_is_refused_naming_the_rule(xb, code):
    with pytest.raises(ValidationError) as info:
        clear(xb.admin, category=code)
    message = " ".join(info.value.message_dict["category"])
    assert "Negative list" in message and "seed 003" in message
    assert not CrossBorderClearance.objects.exists()
    assert not AuditEvent.objects.filter(action="crossborder.clear").exists()


def test_clear__negative_list_is_refused_for_an_entry_too(xb):
    with pytest.raises(ValidationError):
        clear(xb.admin, category="personal_credit_reports", resource=xb.open)
    assert not CrossBorderClearance.objects.exists()


@pytest.mark.parametrize("kind", ["filer", "auditor"])
def test_clear__only_platform_administrators(xb, kind):
    with pytest.raises(PermissionDenied):
        clear(getattr(xb, kind))
    assert not CrossBorderClearance.objects.exists()


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"scenario": "moon_trade"}, "scenario"),
        ({"category": "no_such"}, "category"),
        ({"conditions": "  "}, "conditions"),
        ({"conditions": "x" * 4001}, "conditions"),
        ({"conditions": "bad\x00text"}, "conditions"),
    ],
)
def test_clear__bad_input_writes_nothing(xb, extra, field):
    with pytest.raises(ValidationError) as info:
        clear(xb.admin, **extra)
    assert field in info.value.message_dict
    assert not CrossBorderClearance.objects.exists()


def test_clear__a_restricted_or_unpublished_entry_is_refused(xb):
    draft = f.ResourceFactory(provider=xb.open.provider, tier="open", grade="L1", status="draft")
    for resource in (xb.restricted, draft):
        with pytest.raises(ValidationError) as info:
            clear(xb.admin, resource=resource)
        assert "resource" in info.value.message_dict
    clear(xb.admin, resource=xb.open)
    assert CrossBorderClearance.objects.count() == 1


def test_clear__twice_is_refused_and_withdraw_once(xb):
    row = clear(xb.admin)
    with pytest.raises(ValidationError):
        clear(xb.admin)
    services.clearance_withdraw(actor=xb.admin, clearance=row)
    with pytest.raises(ValidationError):
        services.clearance_withdraw(actor=xb.admin, clearance=row)
    assert not selectors.public_clearances().exists()
    clear(xb.admin)  # cleared again after the withdrawal
    assert AuditEvent.objects.filter(action="crossborder.withdraw").count() == 1


def test_public_list__a_restricted_entry_is_never_listed(xb):
    f.crossborder_clearance(xb.admin, resource=xb.restricted)  # as if cleared before a change
    entry = clear(xb.admin, resource=xb.open)
    assert list(selectors.public_clearances()) == [entry]
    xb.open.tier = "restricted"
    xb.open.save()
    assert not selectors.public_clearances().exists()


# Assessing -----------------------------------------------------------------------------------


def test_assess__cleared_categories_are_on_the_general_list(xb, assess):
    assert assess().result == "filing"  # nothing cleared yet
    clear(xb.admin)
    row = assess()
    assert (row.result, row.rule) == ("general_list", "general_list")
    assert assess(scenario="cross_border_finance").rule == "not_listed"  # another scenario
    event = AuditEvent.objects.get(action="crossborder.assess", object_id=str(row.pk))
    assert '"general_list"' in event.payload


def test_assess__an_entry_clearance_does_not_clear_its_category(xb, assess):
    clear(xb.admin, resource=xb.open)
    assert assess().rule == "not_listed"


def test_assess__thresholds_reach_the_stored_result(xb, assess):
    row = assess(categories=["customer_orders"], pi_count=100_000)
    assert (row.result, row.rule) == ("filing", "pi_contract")
    row = assess(categories=["customer_orders"], pi_count=1_000_000)
    assert (row.result, row.rule) == ("security_assessment", "pi_assessment")
    row = assess(categories=["personal_financial_accounts"], pi_count=10)
    assert (row.result, row.rule) == ("security_assessment", "negative_list")


@pytest.mark.parametrize("kind", ["outsider", "unverified", "admin"])
def test_assess__only_members_of_the_verified_enterprise(xb, kind):
    with pytest.raises(PermissionDenied):
        services.assessment_create(
            actor=getattr(xb, kind), enterprise=xb.enterprise, data=f.assessment_data()
        )
    assert not CrossBorderAssessment.objects.exists()


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"scenario": "nowhere"}, "scenario"),
        ({"categories": []}, "categories"),
        ({"categories": "trade_documents"}, "categories"),
        ({"categories": ["no_such"]}, "categories"),
        ({"record_count": -1}, "record_count"),
        ({"record_count": True}, "record_count"),
        ({"record_count": "12"}, "record_count"),
        ({"pi_count": 10**12 + 1}, "pi_count"),
        ({"sensitive_pi_count": -5}, "sensitive_pi_count"),
        ({"recipient": ""}, "recipient"),
        ({"recipient": "x" * 201}, "recipient"),
        ({"recipient_country": "CN"}, "recipient_country"),
        ({"recipient_country": "S1"}, "recipient_country"),
        ({"recipient_country": "SGP"}, "recipient_country"),
        ({"purpose": " "}, "purpose"),
        ({"security_measures": "a\x07b"}, "security_measures"),
        ({"cii_operator": "yes"}, "cii_operator"),
        ({"categories": ["customer_orders"], "pi_count": 0}, "pi_count"),
    ],
)
def test_assess__bad_input_writes_nothing(xb, extra, field):
    with pytest.raises(ValidationError) as info:
        services.assessment_create(
            actor=xb.filer, enterprise=xb.enterprise, data=f.assessment_data(**extra)
        )
    assert field in info.value.message_dict
    assert not CrossBorderAssessment.objects.exists()
    assert not AuditEvent.objects.filter(action="crossborder.assess").exists()


# Filing --------------------------------------------------------------------------------------


def test_file__receipt_deadline_audit_and_notice(xb, filed):
    filing = filed(categories=["customer_orders"], pi_count=200_000)
    today = timezone.localdate()
    assert filing.receipt_number == f"XB{today:%Y%m%d}-{filing.pk:06d}"
    assert filing.due_on == add_working_days(today, services.FILING_DAYS)
    assert filing.status == "submitted" and len(filing.evidence_sha256) == 64
    event = AuditEvent.objects.get(action="crossborder.file")
    assert filing.receipt_number in event.payload and filing.evidence_sha256 in event.payload
    assert Notice.objects.filter(user=xb.filer, text__contains=filing.receipt_number).exists()


def test_file__a_security_assessment_cannot_be_filed(xb, assess):
    assessment = assess(important_data=True)
    with pytest.raises(ValidationError) as info:
        services.filing_create(
            actor=xb.filer, assessment=assessment, transfer_plan="计划", evidence=f.evidence_file()
        )
    assert "assessment" in info.value.message_dict
    assert not CrossBorderFiling.objects.exists()


def test_file__once_per_assessment(xb, filed):
    filing = filed()
    with pytest.raises(ValidationError):
        services.filing_create(
            actor=xb.filer,
            assessment=filing.assessment,
            transfer_plan="再次",
            evidence=f.evidence_file(),
        )
    assert CrossBorderFiling.objects.count() == 1


@pytest.mark.parametrize(
    "plan, evidence, field",
    [
        ("", f.evidence_file, "transfer_plan"),
        ("x" * 4001, f.evidence_file, "transfer_plan"),
        ("计划", lambda: None, "evidence"),
        ("计划", lambda: f.evidence_file("a.pdf", b"MZ\x90\x00 not a pdf"), "evidence"),
        ("计划", lambda: f.evidence_file("a.exe", f.PDF_BYTES), "evidence"),
    ],
)
def test_file__bad_input_writes_nothing(xb, assess, plan, evidence, field):
    assessment = assess()
    with pytest.raises(ValidationError) as info:
        services.filing_create(
            actor=xb.filer, assessment=assessment, transfer_plan=plan, evidence=evidence()
        )
    assert field in info.value.message_dict
    assert not CrossBorderFiling.objects.exists()


def test_file__evidence_over_the_size_limit(xb, assess, settings):
    settings.FEEDBACK_EVIDENCE_MAX_BYTES = 20
    with pytest.raises(ValidationError):
        services.filing_create(
            actor=xb.filer, assessment=assess(), transfer_plan="计划", evidence=f.evidence_file()
        )
    assert not CrossBorderFiling.objects.exists()


def test_file__only_the_assessing_enterprise(xb, assess):
    with pytest.raises(PermissionDenied):
        services.filing_create(
            actor=xb.outsider, assessment=assess(), transfer_plan="计划", evidence=f.evidence_file()
        )
    assert not CrossBorderFiling.objects.exists()


# Decisions -----------------------------------------------------------------------------------


def test_acknowledge__by_the_platform_once(xb, filed):
    filing = filed()
    services.filing_act(actor=xb.admin, filing=filing, action="acknowledge")
    assert filing.status == "acknowledged" and filing.due_on is None and filing.decided_at
    assert Notice.objects.filter(user=xb.filer, text__contains="acknowledged").exists()
    with pytest.raises(InvalidTransition) as info:
        services.filing_act(actor=xb.admin, filing=filing, action="acknowledge")
    assert info.value.current == "acknowledged"
    actions = list(selectors.timeline(filing=filing).values_list("action", flat=True))
    assert actions == ["crossborder.assess", "crossborder.file", "crossborder.acknowledge"]


@pytest.mark.parametrize("kind", ["filer", "auditor", "outsider"])
def test_acknowledge__nobody_else(xb, filed, kind):
    filing = filed()
    with pytest.raises(PermissionDenied):
        services.filing_act(actor=getattr(xb, kind), filing=filing, action="acknowledge")
    filing.refresh_from_db()
    assert filing.status == "submitted"


@pytest.mark.parametrize("action", ["return", "reject"])
def test_return_and_reject_need_a_reason(xb, filed, action):
    filing = filed()
    with pytest.raises(ValidationError):
        services.filing_act(actor=xb.admin, filing=filing, action=action, reason=" ")
    services.filing_act(actor=xb.admin, filing=filing, action=action, reason="证据不完整")
    assert filing.status == {"return": "returned", "reject": "rejected"}[action]


def test_return_then_resubmit_restarts_the_clock(xb, filed):
    filing = filed()
    services.filing_act(actor=xb.admin, filing=filing, action="return", reason="补充合同")
    with pytest.raises(PermissionDenied):
        services.filing_act(actor=xb.admin, filing=filing, action="resubmit", reason="x")
    services.filing_act(actor=xb.filer, filing=filing, action="resubmit", reason="已补充合同")
    assert filing.status == "submitted" and filing.due_on is not None


def test_unknown_action_is_refused(xb, filed):
    with pytest.raises(PermissionDenied):
        services.filing_act(actor=xb.admin, filing=filed(), action="approve")


def test_overdue_and_supervision_filters(xb, filed):
    late, fresh = filed(), filed()
    CrossBorderFiling.objects.filter(pk=late.pk).update(due_on=dt.date(2020, 1, 6))
    late.refresh_from_db()
    assert selectors.is_overdue(late) and not selectors.is_overdue(fresh)
    rows = selectors.filings_for_supervision(user=xb.admin, overdue=True)
    assert list(rows) == [late]
    assert set(selectors.filings_for_supervision(user=xb.auditor)) == {late, fresh}
    assert not selectors.filings_for_supervision(user=xb.filer).exists()
    assert not selectors.filings_for_supervision(user=xb.admin, enterprise="xb-other").exists()
