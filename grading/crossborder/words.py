"""Texts shown for the self-assessment's rules, one per rule of ``grading.crossborder.rules``
(marked for translation here, translated where they are shown)."""

from django.utils.translation import gettext_noop

RULE_TEXT = {
    "negative_list": gettext_noop(
        "A data category is on the negative list: a security assessment is required "
        "(seed 003 专栏5; 2024 Provisions on Cross-Border Data Flows, Art. 6)."
    ),
    "important_data": gettext_noop(
        "Important data leaves the country only after a security assessment (Data Security "
        "Law Art. 31; 2024 Provisions, Art. 7)."
    ),
    "cii_personal_information": gettext_noop(
        "A critical information infrastructure operator sends personal information abroad: "
        "a security assessment is required (PIPL Art. 40; 2024 Provisions, Art. 7)."
    ),
    "sensitive_pi_assessment": gettext_noop(
        "Sensitive personal information of 10,000 or more individuals since 1 January: a "
        "security assessment is required (2024 Provisions, Art. 7)."
    ),
    "pi_assessment": gettext_noop(
        "Personal information of 1,000,000 or more individuals since 1 January: a security "
        "assessment is required (2024 Provisions, Art. 7)."
    ),
    "sensitive_pi_contract": gettext_noop(
        "Sensitive personal information of fewer than 10,000 individuals: a standard "
        "contract or certification, and filing (2024 Provisions, Art. 8)."
    ),
    "pi_contract": gettext_noop(
        "Personal information of 100,000 to 999,999 individuals since 1 January: a standard "
        "contract or certification, and filing (2024 Provisions, Arts. 5 and 8)."
    ),
    "general_list": gettext_noop(
        "Every data category is cleared for this scenario: allowed under the general data "
        "list, with its conditions (seed 003 §1, Shanghai Data Regulation; §15)."
    ),
    "not_listed": gettext_noop(
        "Not every data category is cleared for this scenario: file the transfer with "
        "evidence (seed 003 §15, classified management and evidenced transfer)."
    ),
}
