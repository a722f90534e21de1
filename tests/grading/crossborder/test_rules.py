"""The self-assessment's rules, each at its thresholds (n-1, n, n+1), and their order."""

import pytest

from grading.crossborder import rules
from grading.crossborder.vocabulary import CATEGORIES, negative_codes

NEG = negative_codes()


def t(categories=("trade_documents",), cleared=(), **counts):
    return rules.transfer(categories=categories, cleared=cleared, negative=NEG, **counts)


@pytest.mark.parametrize(
    "count, result, rule",
    [
        (0, rules.FILING, "not_listed"),
        (99_999, rules.FILING, "not_listed"),
        (100_000, rules.FILING, "pi_contract"),
        (100_001, rules.FILING, "pi_contract"),
        (999_999, rules.FILING, "pi_contract"),
        (1_000_000, rules.SECURITY_ASSESSMENT, "pi_assessment"),
        (1_000_001, rules.SECURITY_ASSESSMENT, "pi_assessment"),
    ],
)
def test_personal_information_thresholds(count, result, rule):
    outcome = rules.assess(t(pi_count=count))
    assert (outcome.result, outcome.rule) == (result, rule)


@pytest.mark.parametrize(
    "count, result, rule",
    [
        (99_999, rules.GENERAL_LIST, "general_list"),
        (100_000, rules.FILING, "pi_contract"),
        (100_001, rules.FILING, "pi_contract"),
    ],
)
def test_below_100000_individuals_a_cleared_transfer_stays_on_the_general_list(count, result, rule):
    outcome = rules.assess(t(cleared=["trade_documents"], pi_count=count))
    assert (outcome.result, outcome.rule) == (result, rule)


@pytest.mark.parametrize(
    "count, result, rule",
    [
        (0, rules.GENERAL_LIST, "general_list"),
        (1, rules.FILING, "sensitive_pi_contract"),
        (2, rules.FILING, "sensitive_pi_contract"),
        (9_999, rules.FILING, "sensitive_pi_contract"),
        (10_000, rules.SECURITY_ASSESSMENT, "sensitive_pi_assessment"),
        (10_001, rules.SECURITY_ASSESSMENT, "sensitive_pi_assessment"),
    ],
)
def test_sensitive_personal_information_thresholds(count, result, rule):
    outcome = rules.assess(t(cleared=["trade_documents"], sensitive_pi_count=count))
    assert (outcome.result, outcome.rule) == (result, rule)


def test_the_rule_functions_alone_at_their_edges():
    assert rules.pi_contract(t(pi_count=99_999)) is None
    assert rules.pi_contract(t(pi_count=1_000_000)) is None
    assert rules.pi_assessment(t(pi_count=999_999)) is None
    assert rules.sensitive_pi_contract(t(sensitive_pi_count=0)) is None
    assert rules.sensitive_pi_contract(t(sensitive_pi_count=10_000)) is None
    assert rules.sensitive_pi_assessment(t(sensitive_pi_count=9_999)) is None


@pytest.mark.parametrize("code", sorted(NEG))
def test_every_negative_list_category_needs_a_security_assessment(code):
    # Even if a row claimed it cleared (the list refuses that elsewhere).
    outcome = rules.assess(
        t(categories=[code, "trade_documents"], cleared=[code, "trade_documents"])
    )
    assert (outcome.result, outcome.rule) == (rules.SECURITY_ASSESSMENT, "negative_list")


def test_important_data_needs_a_security_assessment():
    assert (
        rules.assess(t(cleared=["trade_documents"], important_data=True)).rule == "important_data"
    )
    assert rules.assess(t(cleared=["trade_documents"], important_data=False)).rule == "general_list"


@pytest.mark.parametrize(
    "pi, sensitive, rule",
    [
        (0, 0, "general_list"),
        (1, 0, "cii_personal_information"),
        (0, 1, "cii_personal_information"),
    ],
)
def test_an_infrastructure_operator_with_any_personal_information(pi, sensitive, rule):
    transfer = t(
        cleared=["trade_documents"], cii_operator=True, pi_count=pi, sensitive_pi_count=sensitive
    )
    assert rules.assess(transfer).rule == rule


def test_general_list_needs_every_category_cleared():
    both = ["trade_documents", "logistics_tracking"]
    assert rules.assess(t(categories=both, cleared=both)).result == rules.GENERAL_LIST
    assert rules.assess(t(categories=both, cleared=both[:1])).rule == "not_listed"
    assert rules.assess(t(categories=[], cleared=both)).rule == "not_listed"


def test_the_stricter_rule_wins():
    transfer = t(categories=["population_health"], pi_count=200_000, important_data=True)
    assert rules.assess(transfer).rule == "negative_list"
    assert rules.assess(t(pi_count=200_000, sensitive_pi_count=10_000)).rule == (
        "sensitive_pi_assessment"
    )


def test_every_rule_has_a_docstring_naming_its_source():
    for rule in (*rules.RULES, rules.not_listed):
        doc = rule.__doc__ or ""
        assert "Source" in doc, rule.__name__


def test_the_negative_list_is_the_finance_and_health_items_of_the_seed():
    assert {"personal_financial_accounts", "personal_credit_reports", "population_health"} <= NEG
    assert all(CATEGORIES[c].source for c in NEG)
    assert "trade_documents" not in NEG
